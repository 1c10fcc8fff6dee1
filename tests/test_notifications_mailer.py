"""Email over one SMTP connection (notifications.mailer): the message as Apprise wrote it, one
connection for a whole dispatch, and a refused recipient failing alone, without its address."""

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from locales.stored import spoken
from notifications.attachments import Attachment
from notifications.channels import person_targets, smtp_settings
from notifications.delivery import Envelope, Postman
from tests.fixtures_notifications import free_port

REFUSED = "parti@example.org"


class Recorder:
    def __init__(self, pipelining: bool = False) -> None:
        self.messages: list[tuple[int, list[str], EmailMessage]] = []
        self.pipelining = pipelining

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        # what Postfix and Exim offer (RFC 2920); aiosmtpd reads pipelined commands in order anyway
        return [*responses[:-1], "250-PIPELINING", responses[-1]] if self.pipelining else responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == REFUSED:
            return f"550 5.1.1 <{address}>: no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append((id(session), list(envelope.rcpt_tos), parsed))
        return "250 accepted"


@pytest.fixture(params=[False, True], ids=["one-command-at-a-time", "pipelining"])
def recorder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    import notifications.mailer

    handler = Recorder(pipelining=request.param)
    pipelined: list[str] = []
    real = notifications.mailer._send_pipelined

    def counted(connection: Any, sender: str, to: str, data: bytes) -> None:
        pipelined.append(to)
        real(connection, sender, to, data)

    monkeypatch.setattr(notifications.mailer, "_send_pipelined", counted)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("COCON_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("COCON_MAIL_FROM", "Coordination Tilleuls <cocon@msp-tilleuls.example.org>")
    try:
        yield handler
        # every message went pipelined when (and only when) the server offered it
        assert bool(pipelined) is handler.pipelining
    finally:
        controller.stop()


def envelope(n: int, to: str, **extra: Any) -> Envelope:
    return Envelope(
        row_ids=(n,),
        targets=tuple(person_targets(email=to, apprise_url=None, settings=smtp_settings())),
        subject=f"Rappel n°{n} : réunion « Accueil en salle d'attente » de la maison de santé",
        text=f"Bonjour,\n\nmessage {n}, réunion à 18 h.\n",
        **extra,
    )


def test_one_connection_carries_every_email_with_its_headers_parts_and_attachments(recorder: Recorder) -> None:
    link = "https://cocon.msp-tilleuls.example.org/pause/" + "T" * 43
    rich = envelope(
        1,
        "awa@example.org",
        html="<html><body><p>Bonjour, <strong>message 1</strong>.</p></body></html>",
        attachments=(Attachment("invitation.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar"),),
        headers=(
            ("List-Unsubscribe", f"<{link}/un-clic>, <mailto:claire@example.org?subject=Arr%C3%AAter>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        ),
        reply_to="claire@example.org",
    )
    plain = [envelope(n, f"p{n}@example.org") for n in range(2, 6)]
    with Postman() as postman:
        first = postman.deliver([rich])
        rest = postman.deliver(plain)
    assert [r.ok for r in first + rest] == [True] * 5 and first[0].delivered == ["email"]
    assert len({session for session, _, _ in recorder.messages}) == 1  # one SMTP connection for both calls
    _, to, message = recorder.messages[0]
    assert to == ["awa@example.org"] and message["To"] == "awa@example.org"
    assert message["Subject"] == rich.subject
    assert message["From"] == "Coordination Tilleuls <cocon@msp-tilleuls.example.org>"
    assert message["Reply-To"] == "claire@example.org"
    assert message["List-Unsubscribe"] == f"<{link}/un-clic>, <mailto:claire@example.org?subject=Arr%C3%AAter>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] and message["Date"]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and text.get_content() == rich.text
    assert html is not None and "<strong>message 1</strong>" in html.get_content()
    assert {p.get_filename(): p.get_payload(decode=True) for p in message.iter_attachments()} == {
        "invitation.ics": b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    }
    assert [m["To"] for _, _, m in recorder.messages[1:]] == [f"p{n}@example.org" for n in range(2, 6)]
    assert all(m.get_content_type() == "text/plain" for _, _, m in recorder.messages[1:])


def test_a_refused_recipient_fails_alone_and_its_address_is_not_kept(recorder: Recorder) -> None:
    batch = [envelope(1, "awa@example.org"), envelope(2, REFUSED), envelope(3, "karim@example.org")]
    with Postman() as postman:
        results = postman.deliver(batch)
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error is not None and "550" in spoken(results[1].error) and REFUSED not in results[1].error
    assert [to for _, to, _ in recorder.messages] == [["awa@example.org"], ["karim@example.org"]]


def test_an_unreachable_server_fails_each_email_without_its_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCON_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("COCON_MAIL_FROM", "cocon@msp-tilleuls.example.org")
    with Postman() as postman:
        results = postman.deliver([envelope(1, "awa@example.org"), envelope(2, "karim@example.org")])
    assert [r.ok for r in results] == [False, False]
    assert all(r.error and "injoignable" in spoken(r.error) and "@" not in r.error for r in results)
    assert all(r.delivered == [] for r in results)
