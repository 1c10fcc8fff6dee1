"""Email to people through Cocon's own SMTP server, over one connection for many messages.

Apprise opens a connection, builds a plugin and parses a URL for every email (~30 ms each,
``bench/reminders.py``); a reminder cycle sends tens of thousands. For Cocon's own server
(``COCON_SMTP_URL``) :class:`Mailer` keeps one SMTP connection open while a dispatch runs and
writes the same message Apprise would: ``From`` (``COCON_MAIL_FROM``), ``To``, ``Subject``,
``Date``, ``Message-ID``, ``Reply-To``, the envelope's extra headers (``List-Unsubscribe``…),
a plain-text part and an HTML alternative, attachments. Other targets (SMS gateways, chats, a
team channel's ``mailto://``) still go through Apprise.

When the server offers PIPELINING (RFC 2920: Postfix, Exim… do), ``MAIL``, ``RCPT`` and ``DATA``
go in one write and their replies are read together: two round trips a message instead of four.
A message counts as sent only once the server answered 250 to its data. Errors are reported by
kind and SMTP code, never with the address the server may quote.
"""

import base64
import contextlib
import secrets
import smtplib
import ssl
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import cache
from typing import Protocol
from urllib.parse import quote

from locales.stored import written
from notifications.attachments import Attachment
from notifications.channels import SmtpSettings


class Envelope(Protocol):
    """What an email is made of (:class:`notifications.delivery.Envelope` has it)."""

    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str | None: ...
    @property
    def attachments(self) -> tuple[Attachment, ...]: ...
    @property
    def headers(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def reply_to(self) -> str | None: ...


@cache
def tls_context(verify: bool) -> ssl.SSLContext:
    """One SSL context per verification setting (loading the system's certificates costs ~20 ms)."""
    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _encoded_words(value: str) -> str:
    """An unstructured header value (a subject) in RFC 2047 words of at most 75 characters."""
    if value.isascii():
        return value
    words: list[str] = []
    chunk = ""
    for char in value:
        if len((chunk + char).encode()) > 45:  # 45 bytes -> 60 base64 characters, 72 with the frame
            words.append(chunk)
            chunk = ""
        chunk += char
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w.encode()).decode()}?=" for w in words)


def _list_header(value: str) -> str:
    """A header made of comma-separated items (``List-Unsubscribe``), one item per folded line."""
    return ",\r\n ".join(part.strip() for part in value.split(","))


def _lines(data: bytes) -> str:
    return base64.encodebytes(data).decode().replace("\n", "\r\n")


def _text_part(text: str, subtype: str) -> str:
    return (
        f"Content-Type: text/{subtype}; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + _lines(text.encode())
    )


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def compose(envelope: Envelope, sender: str, to: str, *, now_text: str) -> bytes:
    """The email of ``envelope`` to ``to``, as bytes ready for the SMTP server (CRLF line ends).

    Written directly rather than through :mod:`email`'s generator (which re-folds every header
    and compiles a regular expression per boundary: ~10 ms a message): a text part, an HTML
    alternative, attachments, everything in base64 with boundaries base64 cannot contain."""
    mark = secrets.token_hex(12)
    if envelope.html:
        inner = f"=_alt_{mark}"
        body = (
            f"Content-Type: multipart/alternative; boundary=\"{inner}\"\r\n\r\n"
            f"--{inner}\r\n{_text_part(envelope.text, 'plain')}"
            f"--{inner}\r\n{_text_part(envelope.html, 'html')}--{inner}--\r\n"
        )
    else:
        body = _text_part(envelope.text, "plain")
    if envelope.attachments:
        outer = f"=_mix_{mark}"
        parts = [f"Content-Type: multipart/mixed; boundary=\"{outer}\"\r\n\r\n--{outer}\r\n{body}"]
        for item in envelope.attachments:
            name = item.filename if item.filename.isascii() else "utf-8''" + quote(item.filename)
            disposition = f'filename="{_quoted(name)}"' if item.filename.isascii() else f"filename*={name}"
            parts.append(
                f"--{outer}\r\nContent-Type: {item.mime}\r\nContent-Transfer-Encoding: base64\r\n"
                f"Content-Disposition: attachment; {disposition}\r\n\r\n{_lines(item.content)}"
            )
        body = "".join(parts) + f"--{outer}--\r\n"
    headers = [f"{name}: {_list_header(value) if ',' in value and value.startswith('<') else _encoded_words(value)}"
               for name, value in envelope.headers]
    headers += [
        f"Subject: {_encoded_words(' '.join(envelope.subject.split()))}",
        f"From: {sender}",
        f"To: {to}",
        f"Message-ID: {make_msgid(domain=_domain(sender))}",
        f"Date: {now_text}",
        "MIME-Version: 1.0",
    ]
    if envelope.reply_to and envelope.reply_to != to:
        headers.append(f"Reply-To: {envelope.reply_to}")
    return ("\r\n".join(headers) + "\r\n" + body).encode()


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2].rstrip(">") or "localhost"


def _send_pipelined(connection: smtplib.SMTP, sender: str, to: str, data: bytes) -> None:
    """One message with ``MAIL``, ``RCPT`` and ``DATA`` in one write (RFC 2920), raising what
    :meth:`smtplib.SMTP.sendmail` raises when the server refuses something."""
    size = f" SIZE={len(data)}" if connection.has_extn("size") else ""
    connection.send(f"MAIL FROM:<{sender}>{size}\r\nRCPT TO:<{to}>\r\nDATA\r\n")
    mail, rcpt, ready = connection.getreply(), connection.getreply(), connection.getreply()
    if ready[0] == 354 and (mail[0] != 250 or rcpt[0] not in (250, 251)):
        connection.send(b".\r\n")  # a server that took DATA anyway gets an empty message, refused
        connection.getreply()
    if mail[0] != 250 or rcpt[0] not in (250, 251) or ready[0] != 354:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.rset()
        if mail[0] != 250:
            raise smtplib.SMTPSenderRefused(mail[0], mail[1], sender)
        if rcpt[0] not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({to: rcpt})
        raise smtplib.SMTPDataError(*ready)
    body = smtplib._quote_periods(data)  # type: ignore[attr-defined]  # what SMTP.data does
    if body[-2:] != b"\r\n":
        body += b"\r\n"
    connection.send(body + b".\r\n")
    code, reply = connection.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


class Mailer:
    """One SMTP connection to Cocon's server, opened when first needed, reopened after a failure."""

    def __init__(self, settings: SmtpSettings, *, timeout: float = 15) -> None:
        self.settings = settings
        self.timeout = timeout
        name, address = parseaddr(settings.mail_from)
        self.address = address or settings.mail_from
        self.sender = formataddr((name, self.address), charset="utf-8")
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
            connection.ehlo_or_helo_if_needed()
        except BaseException:
            self._drop(connection)
            raise
        return connection

    def send(self, envelope: Envelope, to: str) -> str | None:
        """Send one email; ``None`` when the server accepted it, else a reason without addresses."""
        from datetime import datetime

        try:
            data = compose(envelope, self.sender, to, now_text=format_datetime(datetime.now().astimezone()))
        except Exception as error:
            return written("stored.delivery.unreadable", kind=type(error).__name__)
        try:
            if self._connection is None:
                self._connection = self._connect()
            if self._connection.has_extn("pipelining") and self.address.isascii() and to.isascii():
                _send_pipelined(self._connection, self.address, to, data)
            else:
                self._connection.sendmail(self.address, [to], data)
        except smtplib.SMTPRecipientsRefused as error:
            codes = sorted({code for code, _ in error.recipients.values()})
            return written("stored.delivery.recipient_refused", codes=", ".join(map(str, codes)))
        except smtplib.SMTPResponseException as error:
            self.close()
            return written("stored.delivery.refused", code=error.smtp_code)
        except (OSError, smtplib.SMTPException) as error:
            self.close()  # the connection is in an unknown state: a new one for the next message
            return written("stored.delivery.unreachable", kind=type(error).__name__)
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
