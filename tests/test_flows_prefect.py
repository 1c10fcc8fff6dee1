"""The Prefect flows, run for real on one session-scoped test harness (few tests: ~1 s each)."""

import pytest
from sqlmodel import Session, select

from store.models import OutboxMessage, OutboxState, Project, ProjectPhase
from store.plans import mark_done
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink

# one temporary Prefect server per test worker: the tests that need it share one worker (--dist loadgroup)
pytestmark = pytest.mark.xdist_group("prefect")


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
