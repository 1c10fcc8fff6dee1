"""COCON_SMTP_URL and people's own Apprise URLs become Apprise targets."""

import pytest

from notifications.channels import (
    channel_target,
    check_apprise_url,
    email_url,
    parse_smtp_url,
    person_targets,
    smtp_settings,
)
from notifications.delivery import scrub
from notifications.exceptions import ChannelError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "smtp://mail.local:2525",
            "mailto://mail.local:2525?smtp=mail.local&from=cocon%40msp.fr&to=a%40b.fr&mode=insecure",
        ),
        ("smtp://mail.local", "mailto://mail.local:25?smtp=mail.local&from=cocon%40msp.fr&to=a%40b.fr&mode=insecure"),
        (
            "smtp+starttls://user%40msp.fr:s%C3%A9cret@smtp.msp.fr:587",
            "mailtos://user%40msp.fr:s%C3%A9cret@smtp.msp.fr:587?smtp=smtp.msp.fr&from=cocon%40msp.fr&to=a%40b.fr&mode=starttls",
        ),
        (
            "smtps://u:p@smtp.msp.fr",
            "mailtos://u:p@smtp.msp.fr:465?smtp=smtp.msp.fr&from=cocon%40msp.fr&to=a%40b.fr&mode=ssl",
        ),
    ],
)
def test_smtp_urls_become_apprise_urls(value: str, expected: str) -> None:
    assert email_url(parse_smtp_url(value, "cocon@msp.fr"), "a@b.fr") == expected


def test_apprise_understands_the_urls_it_is_given() -> None:
    import apprise

    for value in ("smtp://127.0.0.1:2525", "smtp+starttls://u:p@smtp.example.org", "smtps://u:p@smtp.example.org"):
        plugin = apprise.Apprise.instantiate(email_url(parse_smtp_url(value, "cocon@msp.fr"), "awa@example.org"))
        assert plugin is not None
        assert plugin.targets == ["awa@example.org"] or "awa@example.org" in str(plugin.targets)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("http://mail.local", "doit commencer par smtp://"),
        ("smtp://mail.local:abc", "le port doit être un nombre"),
        ("smtp://", "indiquer le serveur"),
    ],
)
def test_bad_smtp_urls_are_french_sentences(value: str, message: str) -> None:
    with pytest.raises(ChannelError, match=message):
        parse_smtp_url(value, "cocon@msp.fr")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COCON_SMTP_URL", raising=False)
    assert smtp_settings() is None
    monkeypatch.setenv("COCON_SMTP_URL", "smtp://u:secret@mail.local:2525")
    monkeypatch.setenv("COCON_MAIL_FROM", "cocon@msp.fr")
    settings = smtp_settings()
    assert settings is not None and settings.port == 2525
    assert "secret" not in repr(settings)
    monkeypatch.setenv("COCON_MAIL_FROM", "pas-une-adresse")
    with pytest.raises(ChannelError, match="COCON_MAIL_FROM"):
        smtp_settings()


def test_person_targets_email_and_own_apprise_url() -> None:
    settings = parse_smtp_url("smtp://mail.local:25", "cocon@msp.fr")
    targets = person_targets(email="awa@example.org", apprise_url="json://localhost:9/hook", settings=settings)
    assert [(t.name, t.format) for t in targets] == [("email", "email"), ("apprise", "short")]
    assert "awa" not in repr(targets)
    assert person_targets(email="awa@example.org", apprise_url=None, settings=None) == []
    assert channel_target("mmost://mattermost.example.org/token").format == "text"


def test_unknown_apprise_urls_are_refused() -> None:
    check_apprise_url("json://localhost/hook")
    with pytest.raises(ChannelError, match="pas reconnue"):
        check_apprise_url("nothing://at/all")


def test_scrub_removes_addresses_and_urls() -> None:
    line = 'Sending email to "awa@example.org" failed via mailto://u:p@host:25 (06 12 34 56 78)'
    assert "awa@" not in scrub(line) and "u:p@" not in scrub(line) and "56 78" not in scrub(line)
