"""Where a message goes: Cocon's settings and each person's choices, as Apprise URLs.

* Email goes through the SMTP server named by ``COCON_SMTP_URL`` from ``COCON_MAIL_FROM``::

      smtp://[user:pass@]host:port           plain SMTP (port 25 by default)
      smtp+starttls://[user:pass@]host:port  STARTTLS (587 by default)
      smtps://[user:pass@]host:port          SMTP over TLS (465 by default)

  and is turned into Apprise's ``mailto://`` / ``mailtos://`` form.
* A person may also have their own Apprise URL (SMS gateway, Signal, Matrix…): they get the
  short version of each message there.
* A project may have a team channel (Mattermost, Teams… webhook) for coordinator alerts.

URLs hold addresses and sometimes passwords: they are built in memory and never logged.
"""

import os
from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote, unquote, urlencode, urlsplit

from notifications.exceptions import ChannelError

TargetFormat = Literal["email", "short", "text"]

_SCHEMES: dict[str, tuple[str, str, int]] = {
    # COCON_SMTP_URL scheme -> (Apprise scheme, Apprise mode, default port)
    "smtp": ("mailto", "insecure", 25),
    "smtp+starttls": ("mailtos", "starttls", 587),
    "smtps": ("mailtos", "ssl", 465),
}


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None
    mail_from: str

    def __repr__(self) -> str:  # never show the password
        return f"SmtpSettings({self.scheme}://{self.host}:{self.port}, login={'yes' if self.user else 'no'})"


@dataclass(frozen=True)
class Target:
    """One way to reach a recipient. ``name`` is what may be recorded (never the URL)."""

    name: str
    url: str
    format: TargetFormat = "email"
    #: The recipient's address when the target is Cocon's own SMTP server (sent without Apprise).
    address: str | None = None

    def __repr__(self) -> str:
        return f"Target({self.name})"


def parse_smtp_url(value: str, mail_from: str) -> SmtpSettings:
    """Read ``COCON_SMTP_URL``; a bad value is a clear French error."""
    parts = urlsplit(value.strip())
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise ChannelError("error.notifications.smtp_scheme", scheme=scheme or "?")
    try:
        port = parts.port or _SCHEMES[scheme][2]
    except ValueError:
        raise ChannelError("error.notifications.smtp_port") from None
    if not parts.hostname:
        raise ChannelError("error.notifications.smtp_host")
    if "@" not in mail_from:
        raise ChannelError("error.notifications.mail_from")
    return SmtpSettings(
        scheme=scheme,
        host=parts.hostname,
        port=port,
        user=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        mail_from=mail_from,
    )


def smtp_settings() -> SmtpSettings | None:
    """Cocon's SMTP server, or ``None`` when ``COCON_SMTP_URL`` is not set (email disabled)."""
    value = os.environ.get("COCON_SMTP_URL")
    if not value:
        return None
    return parse_smtp_url(value, os.environ.get("COCON_MAIL_FROM", "cocon@localhost.localdomain"))


def email_url(settings: SmtpSettings, address: str) -> str:
    """The Apprise URL sending one email to ``address`` through Cocon's SMTP server."""
    apprise_scheme, mode, _ = _SCHEMES[settings.scheme]
    login = ""
    if settings.user:
        login = quote(settings.user, safe="")
        if settings.password:
            login += ":" + quote(settings.password, safe="")
        login += "@"
    query = {"smtp": settings.host, "from": settings.mail_from, "to": address, "mode": mode}
    return f"{apprise_scheme}://{login}{settings.host}:{settings.port}?{urlencode(query)}"


def person_targets(
    *, email: str | None, apprise_url: str | None, settings: SmtpSettings | None, channel: str = "both"
) -> list[Target]:
    """A person's email (when Cocon has an SMTP server) and their own Apprise URL, as their
    ``channel`` preference says (``email``, ``apprise`` or ``both``). A preference that would leave
    no way to reach them falls back to the other channel."""
    mail = [Target("email", email_url(settings, email), address=email)] if email and settings is not None else []
    own = [Target("apprise", apprise_url, "short")] if apprise_url else []
    if channel == "email":
        return mail or own
    if channel == "apprise":
        return own or mail
    return mail + own


def channel_target(url: str) -> Target:
    """A team channel (Mattermost, Teams… or a mailto:// URL): plain text, full length."""
    return Target("channel", url, "email" if url.startswith(("mailto:", "mailtos:")) else "text")


def check_apprise_url(url: str) -> None:
    """Refuse an Apprise URL that Apprise cannot use, before it is saved."""
    import apprise

    if apprise.Apprise.instantiate(url) is None:
        raise ChannelError("error.notifications.apprise_unknown")
