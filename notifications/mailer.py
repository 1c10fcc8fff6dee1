"""Email to people through Cocon's own SMTP server, over one connection for many messages.

Apprise opens a connection, builds a plugin and parses a URL for every email (~30 ms each,
``bench/reminders.py``); a reminder cycle sends tens of thousands. For Cocon's own server
(``COCON_SMTP_URL``) :class:`Mailer` keeps one SMTP connection open while a dispatch runs and
writes the same message Apprise would: ``From`` (``COCON_MAIL_FROM``), ``To``, ``Subject``,
``Date``, ``Message-ID``, ``Reply-To``, the envelope's extra headers (``List-Unsubscribe``…),
a plain-text part and an HTML alternative, attachments. Other targets (SMS gateways, chats, a
team channel's ``mailto://``) still go through Apprise.

A message counts as sent only once the server answered 250 to its data. Errors are reported by
kind and SMTP code, never with the address the server may quote.
"""

import email.policy
import smtplib
import ssl
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import cache
from typing import TYPE_CHECKING

from notifications.channels import SmtpSettings

if TYPE_CHECKING:
    from notifications.delivery import Envelope


@cache
def tls_context(verify: bool) -> ssl.SSLContext:
    """One SSL context per verification setting (loading the system's certificates costs ~20 ms)."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


_WIRE = email.policy.compat32.clone(linesep="\r\n")


def _header(value: str) -> str | Header:
    return value if value.isascii() else Header(value, "utf-8")


def compose(envelope: "Envelope", sender: tuple[str, str], to: str, *, now_text: str) -> bytes:
    """The email of ``envelope`` to ``to``, as bytes ready for the SMTP server."""
    body: MIMEBase
    if envelope.html:
        body = MIMEMultipart("alternative")
        body.attach(MIMEText(envelope.text, "plain", "utf-8"))
        body.attach(MIMEText(envelope.html, "html", "utf-8"))
    else:
        body = MIMEText(envelope.text, "plain", "utf-8")
    if envelope.attachments:
        mixed = MIMEMultipart("mixed")
        mixed.attach(body)
        for item in envelope.attachments:
            part = MIMEApplication(item.content)
            part.set_type(item.mime)
            part.add_header("Content-Disposition", "attachment", filename=item.filename)
            mixed.attach(part)
        body = mixed
    for name, value in envelope.headers:
        body[name] = _header(value)  # type: ignore[assignment]  # compat32 takes a Header
    body["Subject"] = _header(" ".join(envelope.subject.split()))  # type: ignore[assignment]
    body["From"] = formataddr(sender, charset="utf-8")
    body["To"] = to
    body["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2] or None)
    body["Date"] = now_text
    if envelope.reply_to and envelope.reply_to != to:
        body["Reply-To"] = envelope.reply_to
    return body.as_bytes(policy=_WIRE)  # CRLF line ends: a bare LF is refused by careful servers


class Mailer:
    """One SMTP connection to Cocon's server, opened when first needed, reopened after a failure."""

    def __init__(self, settings: SmtpSettings, *, timeout: float = 15) -> None:
        self.settings = settings
        self.timeout = timeout
        name, address = parseaddr(settings.mail_from)
        self.sender = (name, address or settings.mail_from)
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        connection: smtplib.SMTP
        if s.scheme == "smtps":
            connection = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=tls_context(True))
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            if s.scheme == "smtp+starttls":
                connection.starttls(context=tls_context(True))
            if s.user and s.password:
                connection.login(s.user, s.password)
        except BaseException:
            self._drop(connection)
            raise
        return connection

    def send(self, envelope: "Envelope", to: str) -> str | None:
        """Send one email; ``None`` when the server accepted it, else a reason without addresses."""
        from datetime import datetime

        try:
            data = compose(envelope, self.sender, to, now_text=format_datetime(datetime.now().astimezone()))
        except Exception as error:
            return f"message illisible ({type(error).__name__})"
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.sendmail(self.sender[1], [to], data)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            return f"destinataire refusé par le serveur SMTP ({', '.join(map(str, codes))})"
        except smtplib.SMTPResponseException as error:
            self.close()
            return f"refusé par le serveur SMTP ({error.smtp_code})"
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection is in an unknown state: a new one for the next message
            return f"serveur SMTP injoignable ({type(error).__name__})"
        return None

    @staticmethod
    def _drop(connection: smtplib.SMTP) -> None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            self._drop(connection)
