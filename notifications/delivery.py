"""Sending: email to people over one SMTP connection (:mod:`notifications.mailer`), every
other target (SMS gateways, chats, team channels) through Apprise, fast and quietly.

Apprise as shipped costs two things Cocon does not need (measured in ``bench/reminders.py``):

* a hidden throttle: every plugin waits ``request_rate_per_sec`` (5.5 s for email) between two
  sends of the same object. We build one plugin per message and set it to 0;
* an SSL context built for every email, even on a plain SMTP connection (``ssl.create_default_
  context()`` loads the system's certificates: ~20 ms, 80 % of the cost of one email). We
  register a controller that builds no context for plain SMTP and one cached context per
  verification setting for STARTTLS/SSL (an ``SSLContext`` is safe to share between threads).

Apprise never raises: a falsy result is a failure. Apprise's own log lines name recipients, so
they never reach Cocon's logs; a scrubbed reason is kept as the message's ``last_error``.
Retries belong to the outbox, not to Apprise.
"""

import contextlib
import logging
import mimetypes
import re
import smtplib
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import quote

import apprise
from apprise import AppriseAttachment, NotifyFormat
from apprise.attachment.memory import AttachMemory
from apprise.exception import AppriseException
from apprise.plugins.email import base as email_base
from apprise.plugins.email.smtp import SMTP_EXCEPTIONS, SMTP_SECURE_MODES, AppriseSMTPController, SMTPSecureMode

from locales.stored import fact, written
from notifications.attachments import Attachment
from notifications.channels import SmtpSettings, Target, smtp_settings
from notifications.mailer import Mailer, tls_context

#: Messages sent at the same time. Two cores: more threads stop helping around 4 (bench).
DEFAULT_WORKERS = 4


class CachedContextSMTPController(AppriseSMTPController):
    """Apprise's SMTP controller without an SSL context for plain SMTP (and a cached one for TLS)."""

    def __enter__(self) -> "CachedContextSMTPController":
        if self.secure_mode not in SMTP_SECURE_MODES:
            raise AppriseException(f"Invalid SMTP secure mode: {self.secure_mode!r}")
        try:
            connection: smtplib.SMTP
            if self.secure_mode == SMTPSecureMode.SSL:
                connection = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    None,
                    timeout=self.socket_connect_timeout,
                    context=tls_context(self.verify_certificate),
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, None, timeout=self.socket_connect_timeout)
            self._socket = connection  # type: ignore[assignment]
            if self.secure_mode == SMTPSecureMode.STARTTLS:
                connection.starttls(context=tls_context(self.verify_certificate))
            if self.user and self.password:
                connection.login(self.user, self.password)
        except SMTP_EXCEPTIONS:
            if self._socket is not None:
                with contextlib.suppress(*SMTP_EXCEPTIONS):
                    self._socket.quit()
                self._socket = None
            raise
        return self


def install_fast_smtp() -> None:
    """Make Apprise's email plugin use :class:`CachedContextSMTPController` (idempotent)."""
    email_base.AppriseSMTPController = CachedContextSMTPController  # type: ignore[misc]


# --- Apprise's log: never in ours, but keep a scrubbed reason ---------------------------------

_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+|\+?\d[\d .-]{6,}\d|\w+://\S+")


def scrub(text: str) -> str:
    """Remove addresses, phone numbers and URLs from a line of Apprise's log."""
    return _ADDRESS.sub("…", text)


class _LastReason(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.local.reason = scrub(record.getMessage())[:200]
        except Exception:
            self.local.reason = written("stored.delivery.unknown")

    def take(self) -> str | None:
        reason: str | None = getattr(self.local, "reason", None)
        self.local.reason = None
        return reason


_REASONS = _LastReason()


def _quiet_apprise() -> None:
    """Apprise's log lines name recipients: keep them out of every log (re-applied, since logging
    may be reconfigured by the host application after import)."""
    logger = logging.getLogger("apprise")
    logger.handlers = [_REASONS]
    logger.propagate = False
    logger.setLevel(logging.WARNING)


# --- envelopes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """One message to send to one recipient, over one or more targets (email, SMS, chat…)."""

    row_ids: tuple[int, ...]
    targets: tuple[Target, ...]
    subject: str
    text: str
    html: str | None = None
    short: str | None = None
    attachments: tuple[Attachment, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()  # extra email headers (List-Unsubscribe…)
    reply_to: str | None = None


def with_headers(url: str, envelope: Envelope) -> str:
    """An Apprise email URL carrying the envelope's headers (``+Name=value``) and Reply-To."""
    extra = [f"+{name}={quote(value, safe='')}" for name, value in envelope.headers]
    if envelope.reply_to:
        extra.append(f"reply={quote(envelope.reply_to, safe='')}")
    if not extra:
        return url
    return url + ("&" if "?" in url else "?") + "&".join(extra)


@dataclass
class DeliveryResult:
    ok: bool
    delivered: list[str] = field(default_factory=list)
    error: str | None = None


class Postman:
    """Delivers envelopes: email to Cocon's SMTP server over one connection (:class:`Mailer`),
    other targets through Apprise with at most ``workers`` sends at once.

    Used as a context manager (as :func:`notifications.dispatch.dispatch` does), it keeps its SMTP
    connection open between calls to :meth:`deliver`; otherwise each call opens and closes one."""

    def __init__(self, *, workers: int = DEFAULT_WORKERS, timeout: int = 15) -> None:
        install_fast_smtp()
        _quiet_apprise()
        self.workers = max(1, workers)
        self.timeout = timeout
        self.settings: SmtpSettings | None = smtp_settings()
        self._mailer: Mailer | None = None

    @classmethod
    def from_settings(cls) -> "Postman":
        return cls()  # reads COCON_SMTP_URL: fails early, in French, on a bad value

    def __enter__(self) -> "Postman":
        if self.settings is not None and self._mailer is None:
            self._mailer = Mailer(self.settings, timeout=self.timeout)
        return self

    def __exit__(self, *_: object) -> None:
        if self._mailer is not None:
            self._mailer.close()
            self._mailer = None

    def deliver(self, envelopes: Sequence[Envelope]) -> list[DeliveryResult]:
        """Send every envelope; the result list is in the same order."""
        outcomes: list[dict[int, str | None]] = [{} for _ in envelopes]  # target index -> error (None: sent)
        by_apprise: list[tuple[int, int]] = []
        mailer = self._mailer or (Mailer(self.settings, timeout=self.timeout) if self.settings else None)
        try:
            for e, envelope in enumerate(envelopes):
                for t, target in enumerate(envelope.targets):
                    if mailer is not None and target.address and target.format == "email":
                        outcomes[e][t] = mailer.send(envelope, target.address)
                    else:
                        by_apprise.append((e, t))
        finally:
            if mailer is not None and mailer is not self._mailer:
                mailer.close()
        if len(by_apprise) <= 1 or self.workers == 1:
            done = [self._apprise(envelopes[e], envelopes[e].targets[t]) for e, t in by_apprise]
        else:
            with ThreadPoolExecutor(
                max_workers=min(self.workers, len(by_apprise)), thread_name_prefix="cocon-send"
            ) as pool:
                done = list(pool.map(lambda pair: self._apprise(envelopes[pair[0]], envelopes[pair[0]].targets[pair[1]]), by_apprise))
        for (e, t), error in zip(by_apprise, done, strict=True):
            outcomes[e][t] = error
        return [self._result(envelope, outcome) for envelope, outcome in zip(envelopes, outcomes, strict=True)]

    def deliver_one(self, envelope: Envelope) -> DeliveryResult:
        return self.deliver([envelope])[0]

    @staticmethod
    def _result(envelope: Envelope, outcome: dict[int, str | None]) -> DeliveryResult:
        if not envelope.targets:
            return DeliveryResult(False, error=written("stored.delivery.no_contact"))
        delivered = [envelope.targets[t].name for t in sorted(outcome) if outcome[t] is None]
        errors = [
            fact("stored.delivery.target_failed", target=envelope.targets[t].name, reason=outcome[t])
            for t in sorted(outcome)
            if outcome[t] is not None
        ]
        return DeliveryResult(not errors, delivered, written("stored.delivery.failures", failures=errors) if errors else None)

    def _apprise(self, envelope: Envelope, target: Target) -> str | None:
        """Send to one target through Apprise; ``None`` when sent, else a scrubbed reason."""
        if self._send(envelope, target):
            return None
        return _REASONS.take() or written("stored.delivery.failed")

    def _send(self, envelope: Envelope, target: Target) -> bool:
        _REASONS.take()
        url = target.url
        if target.format == "email" and url.startswith(("mailto:", "mailtos:")):
            url = with_headers(url, envelope)
        try:
            plugin = apprise.Apprise.instantiate(url)
        except Exception:
            plugin = None
        if plugin is None:
            _REASONS.local.reason = written("stored.delivery.invalid_apprise_url")
            return False
        plugin.request_rate_per_sec = 0
        if target.format == "short":
            body, body_format, attach = envelope.short or envelope.text, NotifyFormat.TEXT, None
        elif target.format == "text" or not envelope.html:
            body, body_format, attach = envelope.text, NotifyFormat.TEXT, _attachments(envelope.attachments)
        else:
            body, body_format, attach = envelope.html, NotifyFormat.HTML, _attachments(envelope.attachments)
        try:
            return bool(plugin.notify(body=body, title=envelope.subject, body_format=body_format, attach=attach))
        except Exception as error:
            _REASONS.local.reason = type(error).__name__
            return False


def _know_mime(item: Attachment) -> None:
    """Apprise accepts only MIME types the system knows; some systems do not know text/calendar."""
    if not mimetypes.inited:
        mimetypes.init()
    if item.mime not in mimetypes.types_map.values():
        suffix = "." + item.filename.rsplit(".", 1)[-1] if "." in item.filename else ".bin"
        mimetypes.add_type(item.mime, suffix)


def _attachments(items: Sequence[Attachment]) -> AppriseAttachment | None:
    if not items:
        return None
    bundle = AppriseAttachment()
    for item in items:
        _know_mime(item)
        bundle.add(AttachMemory(content=item.content, name=item.filename, mimetype=item.mime))
    return bundle
