"""Absences of any length and pauses are honoured: day by day (COCON_NOW), the real reminder cycle,
real email to aiosmtpd. Nothing reaches a person inside an absence or a pause; what was held
leaves after it, if it is still true."""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from notifications.cycle import run_cycle
from notifications.pauses import pause, resume
from notifications.planner import ContactPrefs, next_contact_time
from store.clock import PARIS, now
from store.models import OutboxMessage, OutboxState, Person
from store.participation import update_person
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink

ABSENCE = (date(2027, 1, 25), date(2027, 3, 12))  # seven weeks, as in the report of issue 12
PAUSED = (date(2027, 1, 20), date(2027, 3, 1))  # paused until resumed, resumed on 1 March at 13:00
RUNS = ("07:30", "12:00", "19:00")


def person(session: Session, email: str) -> Person:
    return session.exec(select(Person).where(Person.email == email)).one()


def test_next_contact_time_honours_an_absence_of_any_length() -> None:
    for weeks in (1, 3, 7, 20, 60):
        start = date(2027, 1, 25)
        away = frozenset(start + timedelta(days=n) for n in range(weeks * 7))
        moment = datetime(2027, 1, 28, 7, 30, tzinfo=PARIS)
        found = next_contact_time(ContactPrefs(unavailable=away), moment).astimezone(PARIS)
        assert found.date() == start + timedelta(days=weeks * 7), weeks
        assert found.hour == 8
    # preferences leaving no moment at all still never fall inside the absence
    none_left = ContactPrefs(quiet_hours="08:00-20:00", unavailable=frozenset({date(2027, 1, 28), date(2027, 1, 29)}))
    found = next_contact_time(none_left, datetime(2027, 1, 28, 9, 0, tzinfo=PARIS)).astimezone(PARIS)
    assert found.date() == date(2027, 1, 30) and not 8 <= found.hour < 20


@pytest.mark.slow
def test_a_seven_week_absence_and_a_pause_until_resumed_day_by_day(
    session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COCON_NOW", "2027-01-04T09:00")
    monkeypatch.setenv("COCON_BASE_URL", "https://cocon.msp-tilleuls.example.org")
    make_project(session)
    awa = person(session, "awa@example.org")
    karim = person(session, "karim@example.org")
    update_person(session, awa, unavailable=[f"{ABSENCE[0]}..{ABSENCE[1]}"], actor="test")
    session.commit()

    received: dict[str, list[datetime]] = {"awa@example.org": [], "karim@example.org": []}
    day = date(2027, 1, 4)
    while day <= date(2027, 4, 9):
        for hour in RUNS:
            monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T{hour}")
            before = len(smtp_sink.received)
            run_cycle()
            for message in smtp_sink.received[before:]:
                for address in received:
                    if address in message.envelope_to:
                        received[address].append(now().astimezone(PARIS))
            if day == PAUSED[0] and hour == "12:00":
                monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T13:00")
                pause(session, karim, until=None, actor="person:karim")
                session.commit()
            if day == PAUSED[1] and hour == "12:00":
                monkeypatch.setenv("COCON_NOW", f"{day.isoformat()}T13:00")
                resume(session, karim, actor="person:karim")
                session.commit()
        day += timedelta(days=1)

    awa_days = [moment.date() for moment in received["awa@example.org"]]
    assert not [d for d in awa_days if ABSENCE[0] <= d <= ABSENCE[1]], "a message reached Awa during her absence"
    assert any(d < ABSENCE[0] for d in awa_days) and any(d > ABSENCE[1] for d in awa_days)
    karim_moments = received["karim@example.org"]
    inside = [m for m in karim_moments if datetime(2027, 1, 20, 13, tzinfo=PARIS) <= m < datetime(2027, 3, 1, 13, tzinfo=PARIS)]
    assert not inside, "a message reached Karim during his pause"
    assert any(m.date() < PAUSED[0] for m in karim_moments) and any(m.date() > PAUSED[1] for m in karim_moments)

    # what fell inside the absence was held, then sent after it (the still-true ones) or cancelled
    rows = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.person_id == awa.id, col(OutboxMessage.due_on).between(ABSENCE[0], ABSENCE[1])
        )
    ).all()
    held_then_sent = [r for r in rows if r.state == OutboxState.SENT and r.sent_at is not None]
    assert held_then_sent and all(r.sent_at.astimezone(PARIS).date() > ABSENCE[1] for r in held_then_sent)  # type: ignore[union-attr]
    assert {r.state for r in rows} <= {OutboxState.SENT, OutboxState.CANCELLED}
    # while Karim was paused nothing was even planned for him (only what he may get after resuming)
    start = datetime(2027, 1, 20, 13, tzinfo=PARIS)
    end = datetime(2027, 3, 1, 13, tzinfo=PARIS)
    karim_rows = session.exec(select(OutboxMessage).where(OutboxMessage.person_id == karim.id)).all()
    assert not [r for r in karim_rows if start <= r.created_at < end and r.state != OutboxState.CANCELLED]
    print(f"awa: {len(awa_days)} messages, karim: {len(karim_moments)} messages, held then sent: {len(held_then_sent)}")
