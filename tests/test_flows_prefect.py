"""The Prefect flows, run for real on one session-scoped test harness (few tests: ~1 s each)."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from store.models import OutboxMessage, OutboxState, Project, ProjectPhase
from store.plans import mark_done
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink, free_port


def test_reminders_flow_plans_enqueues_and_delivers(
    prefect_harness: None, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.reminders import reminders

    make_project(session)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    result = reminders()
    assert result["plan"]["enqueued"] == 6
    assert [batch["messages"] for batch in result["dispatch"]] == [5]
    assert len(smtp_sink.received) == 5
    # missed runs fired in a burst after downtime are harmless
    for _ in range(2):
        again = reminders()
        assert again["plan"]["enqueued"] == 0 and again["dispatch"][0]["messages"] == 0
    assert len(smtp_sink.received) == 5


def test_lifecycle_flow_advances_open_gates_and_tells_everyone(
    prefect_harness: None, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.lifecycle import lifecycle

    project = make_project(session)
    monkeypatch.setenv("COCON_NOW", "2027-02-24T10:00")
    for key in ("cartographie", "rencontre", "charte", "indicateurs", "methode"):
        mark_done(session, project, key, actor="test")
    session.commit()
    result = lifecycle()
    assert result["phases"]["advanced"] == [{"project": project.slug, "from": "avant", "to": "pendant"}]
    session.expire_all()
    assert session.get(Project, project.id).phase == ProjectPhase.PENDANT  # type: ignore[union-attr]
    notices = session.exec(select(OutboxMessage).where(OutboxMessage.occasion == "phase-change")).all()
    assert len(notices) == 5 and all(n.state == OutboxState.SENT for n in notices)
    assert all("nouvelle phase" in m.subject or "Vos rappels" in m.subject for m in smtp_sink.received)
    assert lifecycle()["notices"] is None  # nothing moved: nothing announced


@pytest.mark.slow
def test_cocon_serve_starts_prefect_and_stops_quietly(db_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        COCON_DATABASE_URL=db_url,
        COCON_HOME=str(tmp_path / "home"),
        COCON_WEB_PORT=str(free_port()),  # the web app starts with `cocon serve` too
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    cocon = str(Path(sys.executable).parent / "cocon")
    process = subprocess.Popen([cocon, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 120
        lines = []
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line:
                break
        assert any("Cocon sert les flux" in line for line in lines), lines
        assert (tmp_path / "home" / "prefect" / "prefect.db").exists()
        time.sleep(2)
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in out + err and "CancelledError" not in out + err, err
    assert "Cocon arrêté." in out
    from flows.server import healthy

    api_url = re.search(r"\((http://127\.0\.0\.1:\d+/api)\)", "".join(lines))
    assert api_url is not None and not healthy(api_url.group(1))  # the server went with it
