"""The reminder planner: pure functions of a project snapshot and a day."""

from datetime import UTC, date, datetime, timedelta

from notifications.planner import (
    ContactPrefs,
    PersonView,
    ProjectView,
    StepView,
    next_contact_time,
    parse_quiet_hours,
    plan_project,
)
from project_templates import find_template
from store.clock import PARIS

TEMPLATE = find_template("partenariat-msp").template
CLAIRE = PersonView(1, frozenset({"coordination"}))
KARIM = PersonView(2, frozenset({"professionnel"}))
AWA = PersonView(3, frozenset({"patient-partenaire"}))
LUC = PersonView(4, frozenset({"facilitation"}))


def project(*steps: StepView, people: tuple[PersonView, ...] = (CLAIRE, KARIM, AWA, LUC), **kw: object) -> ProjectView:
    fields: dict[str, object] = {"phase": "avant", "phase_changed_on": date(2027, 1, 4), "signed": frozenset()}
    fields.update(kw)
    return ProjectView(id=7, template=TEMPLATE, steps=steps, people=people, **fields)  # type: ignore[arg-type]


MAPPING = StepView("cartographie", "cartographie", "actor-mapping", "coordination", date(2027, 1, 18), False)
CHARTER = StepView("charte", "charte", "charter", "coordination", date(2027, 2, 15), False)
CHECKPOINT = StepView("point-etape-1", "point-etape", "checkpoint", "coordination", date(2027, 3, 16), False)


def days_with(view: ProjectView, start: date, end: date) -> dict[date, list[tuple[int, str]]]:
    found: dict[date, list[tuple[int, str]]] = {}
    day = start
    while day <= end:
        items = plan_project(view, day, catch_up=0)
        if items:
            found[day] = sorted((i.person_id, i.occasion) for i in items)
        day += timedelta(days=1)
    return found


def test_before_and_overdue_reminders_follow_the_default_policy() -> None:
    found = days_with(project(MAPPING), date(2027, 1, 1), date(2027, 2, 28))
    # 7 days and 1 day before; then every 3 working days, 3 times; the owner is the coordinator,
    # so there is nobody else to escalate to.
    assert found == {
        date(2027, 1, 11): [(1, "before")],
        date(2027, 1, 17): [(1, "before")],
        date(2027, 1, 21): [(1, "overdue")],
        date(2027, 1, 26): [(1, "overdue")],
        date(2027, 1, 29): [(1, "overdue")],
    }


def test_nothing_for_a_finished_step_a_closed_project_or_people_who_paused() -> None:
    done = StepView("cartographie", "cartographie", "actor-mapping", "coordination", date(2027, 1, 18), True)
    assert days_with(project(done), date(2027, 1, 1), date(2027, 2, 28)) == {}
    closed = days_with(project(MAPPING, phase="clos"), date(2027, 1, 1), date(2027, 2, 28))
    # a closed project says once that it is closed, to everyone, and nothing else
    assert list(closed) == [date(2027, 1, 4)]
    assert {occasion for _, occasion in closed[date(2027, 1, 4)]} == {"phase-change"}
    assert len(closed[date(2027, 1, 4)]) == 4
    paused = PersonView(1, frozenset({"coordination"}), paused=True)
    opted_out = PersonView(1, frozenset({"coordination"}), opted_out=True)
    unreachable = PersonView(1, frozenset({"coordination"}), reachable=False)
    for person in (paused, opted_out, unreachable):
        assert days_with(project(MAPPING, people=(person,)), date(2027, 1, 1), date(2027, 2, 28)) == {}


def test_charter_reminds_each_signer_who_has_not_signed() -> None:
    found = days_with(project(CHARTER, signed=frozenset({2})), date(2027, 2, 1), date(2027, 3, 31))
    # before 7d and 2d; overdue every 5 working days, twice. Luc (facilitation) is not a signer,
    # Karim signed, Claire (owner, not signed) is reminded to sign too.
    assert found[date(2027, 2, 8)] == [(1, "charter-unsigned"), (3, "charter-unsigned")]
    assert found[date(2027, 2, 13)] == [(1, "charter-unsigned"), (3, "charter-unsigned")]
    assert found[date(2027, 2, 22)] == [(1, "overdue"), (3, "charter-unsigned")]
    assert found[date(2027, 3, 1)] == [(1, "overdue"), (3, "charter-unsigned")]
    assert len(found) == 4


def test_checkpoint_invitation_reminder_and_notes_follow_up() -> None:
    found = days_with(project(CHECKPOINT), date(2027, 2, 20), date(2027, 3, 31))
    everyone = [(1, "x"), (2, "x"), (3, "x"), (4, "x")]
    assert found[date(2027, 3, 2)] == [(p, "invitation") for p, _ in everyone]
    assert found[date(2027, 3, 15)] == [(p, "before") for p, _ in everyone]
    assert found[date(2027, 3, 18)] == [(1, "notes-follow-up")]
    assert len(found) == 3
    noted = StepView("point-etape-1", "point-etape", "checkpoint", "coordination", date(2027, 3, 16), True, True)
    assert days_with(project(noted), date(2027, 3, 1), date(2027, 3, 31)) == {}
    # marked done without its notes: only the follow-up; skipped: nothing at all
    bare = StepView("point-etape-1", "point-etape", "checkpoint", "coordination", date(2027, 3, 16), True)
    assert days_with(project(bare), date(2027, 3, 1), date(2027, 3, 31)) == {
        date(2027, 3, 18): [(1, "notes-follow-up")]
    }
    skipped = StepView(
        "point-etape-1", "point-etape", "checkpoint", "coordination", date(2027, 3, 16), True, skipped=True
    )
    assert days_with(project(skipped), date(2027, 3, 1), date(2027, 3, 31)) == {}


def test_escalation_goes_to_the_coordination_when_someone_else_owns_the_step() -> None:
    step = StepView("methode", "methode", "task", "facilitation", date(2027, 2, 22), False)
    found = days_with(project(step), date(2027, 2, 23), date(2027, 3, 31))
    # overdue to the owner on +3, +6, +9 working days; escalation to coordination on +12
    assert [v for v in found.values()] == [[(4, "overdue")]] * 3 + [[(1, "escalation")]]


def test_phase_change_notice_to_every_member_once() -> None:
    view = project(phase="pendant", phase_changed_on=date(2027, 3, 1))
    assert [(i.person_id, i.occasion, i.about) for i in plan_project(view, date(2027, 3, 1), catch_up=0)] == [
        (1, "phase-change", "phase:pendant"),
        (2, "phase-change", "phase:pendant"),
        (3, "phase-change", "phase:pendant"),
        (4, "phase-change", "phase:pendant"),
    ]
    assert plan_project(view, date(2027, 3, 2), catch_up=0) == []


def test_catch_up_after_downtime_sends_only_the_latest_reminder() -> None:
    # the scheduler was down from 10 to 19 January: on the 19th only the 1-day-before reminder
    # could have been late, and it is for a step now past due → nothing; on the 21st the overdue one.
    view = project(MAPPING)
    assert plan_project(view, date(2027, 1, 19)) == []
    late = plan_project(view, date(2027, 1, 22))
    assert [(i.occasion, i.due_on) for i in late] == [("overdue", date(2027, 1, 21))]
    assert plan_project(view, date(2027, 1, 25)) == []


def test_quiet_hours_across_midnight() -> None:
    assert parse_quiet_hours("21:00-08:00") == [(21 * 60, 24 * 60), (0, 8 * 60)]
    prefs = ContactPrefs(quiet_hours="21:00-10:00")
    at = datetime(2027, 3, 1, 22, 0, tzinfo=PARIS).astimezone(UTC)
    assert next_contact_time(prefs, at).astimezone(PARIS) == datetime(2027, 3, 2, 10, 0, tzinfo=PARIS)
    noon = datetime(2027, 3, 1, 12, 0, tzinfo=PARIS).astimezone(UTC)
    assert next_contact_time(prefs, noon) == noon


def test_availability_and_absences() -> None:
    monday_noon = datetime(2027, 3, 1, 12, 0, tzinfo=PARIS)
    evenings = ContactPrefs(availability=("soir",))
    assert next_contact_time(evenings, monday_noon) == datetime(2027, 3, 1, 18, 0, tzinfo=PARIS)
    weekends = ContactPrefs(availability=("week-end",))
    assert next_contact_time(weekends, monday_noon) == datetime(2027, 3, 6, 8, 0, tzinfo=PARIS)
    away = ContactPrefs(unavailable=frozenset({date(2027, 3, 1), date(2027, 3, 2)}))
    assert next_contact_time(away, monday_noon) == datetime(2027, 3, 3, 8, 0, tzinfo=PARIS)
    # no quiet hours given: daytime only
    assert next_contact_time(ContactPrefs(), datetime(2027, 3, 1, 6, 0, tzinfo=PARIS)).hour == 8
