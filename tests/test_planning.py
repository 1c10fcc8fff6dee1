"""The retro-planner: working days, dependencies, unavailability, re-planning and its limits."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from planning.calendar import HolidayZone, add_months, french_holidays, is_working_day, long_date
from planning.planner import Attendee, PlanDoesNotFit, PlanError, dependents, replan, schedule
from project_templates import builtin_templates

TEMPLATES = {t.template.id: t.template for t in builtin_templates()}


def test_easter_based_holidays() -> None:
    holidays = french_holidays(2027)
    assert len(holidays) == 11 and holidays[date(2027, 3, 29)] == "Lundi de Pâques"
    assert date(2027, 3, 29) in holidays  # lundi de Pâques
    assert date(2027, 5, 6) in holidays  # Ascension
    assert date(2027, 5, 17) in holidays  # lundi de Pentecôte
    assert not is_working_day(date(2027, 7, 14)) and not is_working_day(date(2027, 1, 2))
    assert is_working_day(date(2027, 1, 4))


def test_alsace_moselle_keeps_good_friday_and_26_december() -> None:
    alsace = HolidayZone.ALSACE_MOSELLE
    assert set(french_holidays(2027, alsace)) - set(french_holidays(2027)) == {date(2027, 3, 26), date(2027, 12, 26)}
    assert is_working_day(date(2027, 3, 26)) and not is_working_day(date(2027, 3, 26), alsace)  # Vendredi saint
    assert is_working_day(date(2028, 12, 26)) and not is_working_day(date(2028, 12, 26), alsace)


def test_alsace_moselle_plan_moves_off_good_friday() -> None:
    template = TEMPLATES["boite-a-idees"]
    start, end = date(2027, 1, 4), date(2027, 9, 30)
    for zone in HolidayZone:
        for item in schedule(template, start, end, zone=zone):
            assert is_working_day(item.due, zone), (zone, item)
    with pytest.raises(PlanError, match="jour ouvré"):
        replan(template, start, end, schedule(template, start, end, zone=HolidayZone.ALSACE_MOSELLE),
               schedule(template, start, end)[-1].key, date(2027, 3, 26), zone=HolidayZone.ALSACE_MOSELLE)


def test_months_are_added_as_calendar_months() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 3, 31), -1) == date(2027, 2, 28)
    assert add_months(date(2027, 5, 15), 12) == date(2028, 5, 15)


def test_french_long_dates() -> None:
    assert long_date(date(2026, 11, 24)) == "mardi 24 novembre 2026"
    assert long_date(date(2027, 5, 1)) == "samedi 1er mai 2027"
    assert long_date(date(2026, 11, 24), "en") == "Tuesday 24 November 2026"


def test_retro_planning_counts_back_from_the_end() -> None:
    plan = {p.key: p for p in schedule(TEMPLATES["partenariat-msp"], date(2027, 1, 4), date(2027, 7, 2))}
    assert plan["remerciements"].due == date(2027, 7, 2)
    assert plan["restitution"].due == date(2027, 6, 25)
    assert plan["action"].due == date(2027, 5, 14)  # end - 7w
    checkpoints = sorted(k for k in plan if k.startswith("point-etape-"))
    assert len(checkpoints) >= 3
    assert all(plan["methode"].due < plan[k].due < plan["questionnaire"].due for k in checkpoints)


def test_plan_that_cannot_fit_names_the_step_and_date() -> None:
    with pytest.raises(PlanDoesNotFit) as info:
        schedule(TEMPLATES["partenariat-msp"], date(2027, 5, 3), date(2027, 6, 30))
    assert "« " in str(info.value) and info.value.step in str(info.value)
    assert long_date(info.value.needed) in str(info.value)


def test_gathering_avoids_a_day_most_participants_cannot_attend() -> None:
    template = TEMPLATES["partenariat-msp"]
    start, end = date(2027, 1, 4), date(2027, 7, 2)
    first = {p.key: p for p in schedule(template, start, end)}["rencontre"].due
    people = [Attendee(frozenset({"professionnel"}), frozenset({first})),
              Attendee(frozenset({"patient-partenaire"}), frozenset({first})),
              Attendee(frozenset({"coordination"}))]
    moved = {p.key: p for p in schedule(template, start, end, people=people)}["rencontre"].due
    assert moved != first and is_working_day(moved)
    minority = [people[0], Attendee(frozenset({"coordination"})), Attendee(frozenset({"professionnel"}))]
    assert {p.key: p for p in schedule(template, start, end, people=minority)}["rencontre"].due == first


def test_move_refuses_weekend_and_before_dependency() -> None:
    template = TEMPLATES["partenariat-msp"]
    start, end = date(2027, 1, 4), date(2027, 7, 2)
    plan = schedule(template, start, end)
    with pytest.raises(PlanError, match="jour ouvré"):
        replan(template, start, end, plan, "charte", date(2027, 2, 6))
    with pytest.raises(PlanError, match="dépend de « rencontre »"):
        replan(template, start, end, plan, "charte", start)


dates = st.dates(min_value=date(2026, 1, 5), max_value=date(2029, 12, 1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template_id=st.sampled_from(sorted(TEMPLATES)), start=dates, months=st.integers(4, 14),
       pick=st.integers(0, 1000), shift_days=st.integers(-20, 40))
def test_planner_properties(template_id: str, start: date, months: int, pick: int, shift_days: int) -> None:
    template = TEMPLATES[template_id]
    end = start + timedelta(days=30 * months)
    try:
        plan = schedule(template, start, end)
    except PlanDoesNotFit:
        assume(False)
        return
    by_key = {p.key: p for p in plan}
    baseline = {p.key: p.due for p in plan}
    for item in plan:
        assert is_working_day(item.due), item
        for dep in item.depends_on:
            assert by_key[dep].due < item.due, (dep, item.key)

    key = sorted(by_key)[pick % len(by_key)]
    target = by_key[key].due + timedelta(days=shift_days)
    try:
        changes = replan(template, start, end, plan, key, target)
    except PlanError:
        assume(False)
        return
    allowed = dependents(plan, key) | {key}
    assert set(changes) <= allowed
    assert changes.get(key, by_key[key].due) == target
    moved = {**baseline, **changes}
    for item in plan:
        assert is_working_day(moved[item.key])
        for dep in item.depends_on:
            assert moved[dep] < moved[item.key]
    assert baseline == {p.key: p.due for p in plan}  # the baseline plan itself never changes
