"""A whole project, day by day (COCON_NOW), three `remind` runs a day, real email to aiosmtpd.

The first ten weeks are checked reminder by reminder; the whole project (until it is closed) is
checked for the promises that always hold: one message per person per day, none in quiet hours,
none about a step once it is done, none once the project is closed.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from notifications.cycle import run_cycle
from store.clock import PARIS, now
from store.models import OutboxMessage, OutboxState, Person, PlanStep, ProjectPhase, StepStatus
from store.phases import advance_phase, gate_problems
from store.plans import mark_done, plan_steps
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink

RUNS = ("07:00", "12:00", "19:00")
#: what the team does in the first weeks, and when (local time, just after the 12:00 run); later
#: steps are done on their due date (checkpoints with their notes) and phases move as soon as
#: their gate opens.
ACTIONS = {
    date(2027, 1, 27): ["cartographie"],
    date(2027, 2, 1): ["rencontre"],
    date(2027, 2, 16): ["charte"],
    date(2027, 2, 22): ["indicateurs", "methode"],
    date(2027, 2, 24): ["advance"],
}


def test_a_whole_project_day_by_day(session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-04T09:00")
    project = make_project(session)
    awa = session.exec(select(Person).where(Person.email == "awa@example.org")).one()
    awa.quiet_hours = "18:00-11:00"
    session.add(awa)
    session.commit()

    sent_at: list[tuple[datetime, str]] = []
    done_at: dict[str, datetime] = {}
    scripted = {key for keys in ACTIONS.values() for key in keys}
    later: dict[date, list[PlanStep]] = defaultdict(list)
    for step in plan_steps(session, project):
        if step.key not in scripted:
            later[step.due].append(step)
    closed_on: date | None = None
    first_weeks = 0
    day = date(2027, 1, 4)
    while day <= project.end + timedelta(days=14):
        for hour in RUNS:
            monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T{hour}")
            before = len(smtp_sink.received)
            run_cycle()
            sent_at.extend((now(), r.envelope_to[0]) for r in smtp_sink.received[before:])
            if hour == "12:00":
                monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T13:00")
                for action in ACTIONS.get(day, []):
                    if action == "advance":
                        advance_phase(session, project, actor="test")
                    else:
                        mark_done(session, project, action, actor="test")
                        done_at[action] = now()
                if day > date(2027, 3, 12):
                    for due, steps in later.items():
                        for step in steps:
                            if due <= day and step.key not in done_at and step.status != StepStatus.SKIPPED:
                                session.refresh(step)
                                if step.status == StepStatus.PLANNED:
                                    mark_done(session, project, step.key, actor="test", note="Décisions notées.")
                                    done_at[step.key] = now()
                    while project.phase != ProjectPhase.CLOS and not gate_problems(session, project):
                        advance_phase(session, project, actor="test")
                    if project.phase == ProjectPhase.CLOS and closed_on is None:
                        closed_on = day
                session.commit()
        if day == date(2027, 3, 12):
            first_weeks = len(smtp_sink.received)
        day += timedelta(days=1)

    # one message per person per day, never in quiet hours
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    for moment, address in sent_at:
        per_day[(address, moment.astimezone(PARIS).date())] += 1
        local = moment.astimezone(PARIS)
        assert 8 <= local.hour < 20, (address, local)
        if address == "awa@example.org":
            assert local.hour == 12, local  # 18:00-11:00 is quiet for her
    assert max(per_day.values()) == 1
    # the project went all the way, and once closed nobody hears from it again
    assert closed_on is not None
    assert all(moment.astimezone(PARIS).date() <= closed_on + timedelta(days=1) for moment, _ in sent_at)

    ledger: dict[str, list[tuple[str, str, date]]] = defaultdict(list)
    session.expire_all()
    people = {p.id: p.email for p in session.exec(select(Person))}
    sent_rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.state == OutboxState.SENT)))
    for row in sent_rows:
        if row.due_on <= date(2027, 3, 12):  # the weeks checked item by item below
            ledger[people[row.person_id]].append((row.occasion, row.about, row.due_on))
        # nothing about a step after it was done
        step_key = row.about.removeprefix("step:")
        if step_key in done_at and row.occasion != "notes-follow-up":
            assert row.sent_at is not None and row.sent_at < done_at[step_key], row
    for address in ledger:
        ledger[address].sort(key=lambda item: (item[2], item[1], item[0]))

    claire = [entry for entry in ledger["claire@example.org"] if entry[1] == "step:cartographie"]
    assert claire == [
        ("before", "step:cartographie", date(2027, 1, 11)),
        ("before", "step:cartographie", date(2027, 1, 17)),
        ("overdue", "step:cartographie", date(2027, 1, 21)),
        ("overdue", "step:cartographie", date(2027, 1, 26)),
    ]  # the third overdue reminder (29 January) was not sent: the step was done on the 27th
    # Awa, patient partner: invitations 14 days before gatherings and a reminder the day before,
    # the charter to sign (7 and 2 days before; signed in time), the steps she takes part in
    # (7 and 1 days before), and the phase change — nothing about steps she is not part of.
    assert ledger["awa@example.org"] == [
        ("invitation", "step:rencontre", date(2027, 1, 18)),
        ("before", "step:rencontre", date(2027, 1, 31)),
        ("charter-unsigned", "step:charte", date(2027, 2, 8)),
        ("charter-unsigned", "step:charte", date(2027, 2, 13)),
        ("before", "step:indicateurs", date(2027, 2, 15)),
        ("before", "step:methode", date(2027, 2, 15)),
        ("invitation", "step:retroplanning", date(2027, 2, 15)),
        ("before", "step:indicateurs", date(2027, 2, 21)),
        ("before", "step:methode", date(2027, 2, 21)),
        ("invitation", "step:convivialite", date(2027, 2, 22)),
        ("phase-change", "phase:pendant", date(2027, 2, 24)),
        ("before", "step:retroplanning", date(2027, 2, 28)),
        ("before", "step:convivialite", date(2027, 3, 7)),
        ("invitation", "step:point-etape-1", date(2027, 3, 8)),
    ]
    # everyone was told about the new phase, once
    told = [a for a, entries in ledger.items() if ("phase-change", "phase:pendant", date(2027, 2, 24)) in entries]
    assert sorted(told) == sorted(people.values())
    # her messages are French, addressed to her, and invitations carry an .ics file
    mine = [r for r in smtp_sink.received[:first_weeks] if r.envelope_to == ["awa@example.org"]]
    assert len(mine) == len({d for _, _, d in ledger["awa@example.org"]}) == 11  # 15 February: one digest, 3 items
    assert all(m.text().startswith("Bonjour Awa Diallo") for m in mine)
    invitations = [m for m in mine if "invitation.ics" in m.attachments()]
    assert len(invitations) == 4
