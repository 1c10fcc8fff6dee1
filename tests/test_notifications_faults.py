"""Faults: a sender killed between sending and confirming, and two `cocon remind` at once."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from notifications.dispatch import BATCH_SIZE, CLAIM_SIZE, dispatch
from notifications.queue import enqueue
from store.models import OutboxMessage, OutboxState, Person
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink

ROOT = Path(__file__).parent.parent

STALLING_SENDER = """
import sys, time
from notifications.delivery import Postman
from notifications.dispatch import dispatch

class SendsThenHangs(Postman):
    def deliver(self, envelopes):
        results = super().deliver(envelopes)  # really sent to the SMTP server…
        with open(sys.argv[1], "w") as marker:
            marker.write(str(len(envelopes)))
        time.sleep(600)  # …but never confirmed: killed here
        return results

dispatch(postman=SendsThenHangs())
"""


def test_killed_between_send_and_confirmation(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-05T10:00")
    project = make_project(session)
    people = list(session.exec(select(Person)))
    for n in range(8):
        for someone in people:
            enqueue(
                session,
                project_id=project.id or 0,
                person_id=someone.id,
                occasion="questionnaire",
                about=f"q{n}",
                due_on=date(2027, 1, 5),
                subject=f"Message {n}",
                text=f"Bonjour, message {n}.",
            )
    session.commit()
    total = 8 * len(people)
    marker = tmp_path / "sent"
    child = subprocess.Popen([sys.executable, "-c", STALLING_SENDER, str(marker)], cwd=ROOT, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the sender never sent its first batch"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    in_flight = int(marker.read_text())
    assert 0 < in_flight <= BATCH_SIZE
    session.expire_all()
    states = Counter(r.state for r in session.exec(select(OutboxMessage)))
    # the whole claim is still "sending": the group sent but not confirmed, and the rest not sent yet
    claimed = states[OutboxState.SENDING]
    assert in_flight < claimed == total <= CLAIM_SIZE and states[OutboxState.SENT] == 0

    report = dispatch()  # the restart: the dead process's claims are taken back at once
    assert report.recovered == claimed
    received = Counter((r.envelope_to[0], r.subject) for r in smtp_sink.received)
    assert len(received) == total  # none lost
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates == in_flight <= BATCH_SIZE  # the documented bound: one group of messages in flight
    session.expire_all()
    assert all(r.state == OutboxState.SENT for r in session.exec(select(OutboxMessage)))


def test_two_remind_runs_at_once_make_no_duplicate(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(session)
    make_project(session, name="Boîte à idées", slug="boite")
    env = {**os.environ, "COCON_NOW": "2027-01-18T10:00"}
    runs = [
        subprocess.Popen(
            [str(Path(sys.executable).parent / "cocon"), "remind", "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    session.expire_all()
    keys = session.exec(select(OutboxMessage.idempotency_key)).all()
    assert len(keys) == len(set(keys)) == 12  # 6 items per project, once each
    assert (
        session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != OutboxState.SENT)
        ).one()
        == 0
    )
    # each project has its own identity for an address (issue 14): one digest per person and project, once
    assert sorted(r.envelope_to[0] for r in smtp_sink.received) == sorted(
        ["claire@example.org", "karim@example.org", "sophie@example.org", "awa@example.org", "jp@example.org"] * 2
    )
