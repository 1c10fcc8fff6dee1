"""Fixtures for notifications and flows: a real SMTP server on 127.0.0.1, one Prefect harness."""

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """One message as the SMTP server received it."""

    envelope_to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    def text(self) -> str:
        """The readable text (plain part, else the HTML part)."""
        body = self.message.get_body(preferencelist=("plain", "html"))
        assert body is not None
        return str(body.get_content())

    def attachments(self) -> dict[str, bytes]:
        return {
            part.get_filename() or "": part.get_payload(decode=True) or b"" for part in self.message.iter_attachments()
        }


@dataclass
class _Collector:
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted"


class SmtpSink:
    """An aiosmtpd server collecting what Cocon sends; it can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.collector = _Collector()
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def received(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.received)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.envelope_to]

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A running SMTP server; COCON_SMTP_URL and COCON_MAIL_FROM point at it."""
    sink = SmtpSink()
    sink.start()
    monkeypatch.setenv("COCON_SMTP_URL", sink.url)
    monkeypatch.setenv("COCON_MAIL_FROM", "cocon@msp-tilleuls.example.org")
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for the whole test session (~9 s once)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    # A loaded machine (CI on 2 cores, other jobs) can take well over the default 30 s to start it.
    with prefect_test_harness(server_startup_timeout=180):
        yield
