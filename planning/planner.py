"""Retro-planning and re-planning, as pure functions.

``schedule`` dates every step of a template between a project's start and end:

* ``end - 90d`` counts back from the target date and lands on the previous working day;
* ``start + 2w`` and ``after charte + 10d`` count forward and land on the next working day;
* a step always comes strictly after the steps it depends on;
* a step where people gather avoids a day most of its participants marked unavailable;
* ``every 4w`` checkpoints recur through ``pendant``: from the last ``avant`` step to the first
  ``apres`` step.

``replan`` moves one step and shifts only the steps that depend on it; everything else keeps
its date. Steps moved by hand are *pinned*: they keep their date unless a dependency pushes them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

from planning.calendar import (
    METROPOLE,
    HolidayZone,
    add_months,
    add_working_days,
    is_working_day,
    long_date,
    next_working_day,
    previous_working_day,
)
from project_templates.exceptions import CoconError
from project_templates.phases import ProjectPhase
from project_templates.schema import (
    GATHERING_KINDS,
    DateRule,
    Duration,
    ProjectTemplate,
    Step,
    StepKind,
)

#: How far (in working days) a gathering may move to find a day most participants can attend.
AVOIDANCE_WINDOW = 10


class PlanError(CoconError):
    """A plan or a move that cannot be made; the message says why, in French."""


class PlanDoesNotFit(PlanError):
    def __init__(self, step: str, needed: date, key: str, /, **values: Any) -> None:
        self.step, self.needed = step, needed
        super().__init__(key, **values)


@dataclass(frozen=True)
class Attendee:
    """What the planner knows of one person: their roles and the days they cannot come."""

    roles: frozenset[str]
    unavailable: frozenset[date] = frozenset()


@dataclass(frozen=True)
class PlannedStep:
    key: str
    step_id: str
    occurrence: int | None
    phase: ProjectPhase
    kind: StepKind
    owner: str
    due: date
    depends_on: tuple[str, ...]
    position: int


def shift(day: date, duration: Duration, sign: int = 1, zone: HolidayZone = METROPOLE) -> date:
    """``day`` moved by a template duration, forward or backward (not yet snapped)."""
    if duration.unit == "d":
        return day + timedelta(days=sign * duration.amount)
    if duration.unit == "w":
        return day + timedelta(weeks=sign * duration.amount)
    if duration.unit == "m":
        return add_months(day, sign * duration.amount)
    return add_working_days(day, sign * duration.amount, zone)


def _rule_date(rule: DateRule, start: date, end: date, dates: Mapping[str, date], zone: HolidayZone) -> date:
    if rule.anchor == "start":
        raw = shift(start, rule.offset, rule.sign, zone) if rule.offset else start
        return next_working_day(raw, zone)
    if rule.anchor == "end":
        raw = shift(end, rule.offset, rule.sign, zone) if rule.offset else end
        return previous_working_day(raw, zone) if rule.sign < 0 or rule.offset is None else next_working_day(raw, zone)
    assert rule.step is not None
    base = dates[rule.step]
    if rule.offset is None or rule.offset.amount == 0:
        return add_working_days(base, 1, zone)
    return next_working_day(shift(base, rule.offset, zone=zone), zone)


def _participants(step: Step, people: Sequence[Attendee]) -> list[Attendee]:
    if not step.participants or "tous" in step.participants:
        return list(people)
    wanted = set(step.participants)
    return [person for person in people if person.roles & wanted]


def _most_cannot_come(day: date, attendees: Sequence[Attendee]) -> bool:
    if not attendees:
        return False
    absent = sum(1 for person in attendees if day in person.unavailable)
    return absent * 2 > len(attendees)


def avoid_unavailability(
    day: date, step: Step, people: Sequence[Attendee], not_before: date | None, zone: HolidayZone = METROPOLE
) -> date:
    """``day``, or the nearest working day (later first) most of the step's participants can attend."""
    attendees = _participants(step, people)
    if not _most_cannot_come(day, attendees):
        return day
    candidate = day
    for _ in range(AVOIDANCE_WINDOW):
        candidate = add_working_days(candidate, 1, zone)
        if not _most_cannot_come(candidate, attendees):
            return candidate
    candidate = day
    for _ in range(AVOIDANCE_WINDOW):
        candidate = add_working_days(candidate, -1, zone)
        if not_before is not None and candidate <= not_before:
            break
        if not _most_cannot_come(candidate, attendees):
            return candidate
    return day


def _topological(template: ProjectTemplate) -> list[tuple[ProjectPhase, Step]]:
    steps = [(phase, step) for phase, step in template.steps() if not step.rule.recurring]
    by_id = {step.id: (phase, step) for phase, step in steps}
    ordered: list[tuple[ProjectPhase, Step]] = []
    seen: set[str] = set()

    def visit(step_id: str) -> None:
        if step_id in seen or step_id not in by_id:
            return
        seen.add(step_id)
        for dep in by_id[step_id][1].dependencies:
            visit(dep)
        ordered.append(by_id[step_id])

    for _, step in steps:
        visit(step.id)
    return ordered


def schedule(
    template: ProjectTemplate,
    start: date,
    end: date,
    *,
    people: Sequence[Attendee] = (),
    pins: Mapping[str, date] | None = None,
    fixed: Mapping[str, date] | None = None,
    zone: HolidayZone = METROPOLE,
) -> list[PlannedStep]:
    """Date every step of ``template``; raise :class:`PlanDoesNotFit` if the plan cannot fit.

    ``pins`` are dates chosen by hand (kept unless a dependency pushes them); ``fixed`` dates are
    taken as they are (used by :func:`replan` for the steps a move must not touch). ``zone``
    chooses the public holidays (Alsace-Moselle keeps two more).
    """
    if end <= start:
        raise PlanError("error.planning.end_before_start", end=partial(long_date, end), start=partial(long_date, start))
    pins = pins or {}
    fixed = fixed or {}
    dates: dict[str, date] = {}
    positions = {step.id: index for index, (_, step) in enumerate(template.steps())}
    planned: dict[str, PlannedStep] = {}

    for phase, step in _topological(template):
        deps = tuple(step.dependencies)
        if step.id in fixed:
            due = fixed[step.id]
        else:
            due = pins.get(step.id) or _rule_date(step.rule, start, end, dates, zone)
            latest_dep = max((dates[d] for d in deps), default=None)
            if latest_dep is not None and due <= latest_dep:
                due = add_working_days(latest_dep, 1, zone)
            if step.kind in GATHERING_KINDS and step.id not in pins:
                due = avoid_unavailability(due, step, people, latest_dep, zone)
            _check_fits(step, phase, due, start, end)
        dates[step.id] = due
        planned[step.id] = PlannedStep(step.id, step.id, None, phase, step.kind, step.owner, due, deps, positions[step.id] * 100)

    window_start = max((p.due for p in planned.values() if p.phase == ProjectPhase.AVANT), default=start)
    window_end = min((p.due for p in planned.values() if p.phase == ProjectPhase.APRES), default=end)
    for phase, step in template.steps():
        if not step.rule.recurring:
            continue
        for key, due in _occurrences(step, window_start, window_end, people=people, pins=pins, fixed=fixed, zone=zone):
            number = int(key.rpartition("-")[2])
            planned[key] = PlannedStep(key, step.id, number, phase, step.kind, step.owner, due, (), positions[step.id] * 100 + number)

    return sorted(planned.values(), key=lambda p: (p.due, p.position))


def _occurrences(
    step: Step,
    window_start: date,
    window_end: date,
    *,
    people: Sequence[Attendee],
    pins: Mapping[str, date],
    fixed: Mapping[str, date],
    zone: HolidayZone,
) -> list[tuple[str, date]]:
    """The dated occurrences (``key``, due) of a recurring step between the last ``avant`` step and
    the first ``apres`` one; the ones a move must not touch (``fixed``) are kept as they are."""
    assert step.rule.offset is not None
    prefix = f"{step.id}-"
    kept = {k: d for k, d in fixed.items() if k.startswith(prefix) and k[len(prefix):].isdigit()}
    if kept:
        return sorted(kept.items(), key=lambda item: int(item[0][len(prefix):]))
    occurrences: list[tuple[str, date]] = []
    number, raw = 1, window_start
    while True:
        raw = shift(raw, step.rule.offset, zone=zone)
        key = f"{prefix}{number}"
        due = pins.get(key) or next_working_day(raw, zone)
        if key not in pins:
            due = avoid_unavailability(due, step, people, window_start, zone)
        if due >= window_end:
            return occurrences
        occurrences.append((key, due))
        number += 1


def _check_fits(step: Step, phase: ProjectPhase, due: date, start: date, end: date) -> None:
    if due < start:
        raise PlanDoesNotFit(
            step.id,
            due,
            "error.planning.before_start", step=step.id, due=partial(long_date, due), start=partial(long_date, start),
        )
    rule = step.rule
    allowed_after_end = phase == ProjectPhase.APRES and rule.anchor == "end" and rule.sign > 0
    if due > end and not allowed_after_end:
        raise PlanDoesNotFit(
            step.id,
            due,
            "error.planning.after_end", step=step.id, due=partial(long_date, due), end=partial(long_date, end),
        )


def dependents(plan: Sequence[PlannedStep], key: str) -> set[str]:
    """Every step that depends, directly or not, on ``key``."""
    children: dict[str, set[str]] = {}
    for item in plan:
        for dep in item.depends_on:
            children.setdefault(dep, set()).add(item.key)
    found: set[str] = set()
    stack = [key]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def replan(
    template: ProjectTemplate,
    start: date,
    end: date,
    current: Sequence[PlannedStep],
    key: str,
    to: date,
    *,
    pins: Mapping[str, date] | None = None,
    people: Sequence[Attendee] = (),
    zone: HolidayZone = METROPOLE,
) -> dict[str, date]:
    """Move step ``key`` to ``to``; return the new date of every step that changes.

    Only ``key`` and the steps depending on it can change. Refused (``PlanError``) when ``to``
    is not a working day, comes before one of the step's own dependencies, or pushes a dependent
    out of the project.
    """
    by_key = {item.key: item for item in current}
    if key not in by_key:
        raise PlanError("error.planning.unknown_step", step=key)
    if not is_working_day(to, zone):
        raise PlanError(
            "error.planning.not_working_day", day=partial(long_date, to), next=partial(long_date, next_working_day(to, zone))
        )
    for dep in by_key[key].depends_on:
        if to <= by_key[dep].due:
            raise PlanError("error.planning.before_dependency", step=key, dependency=dep,
                            due=partial(long_date, by_key[dep].due))
    moving = dependents(current, key) | {key}
    fixed = {item.key: item.due for item in current if item.key not in moving}
    new_pins = {**(pins or {}), key: to}
    if by_key[key].occurrence is not None:
        fixed.pop(key, None)
        return {key: to} if to != by_key[key].due else {}
    result = schedule(template, start, end, people=people, pins=new_pins, fixed=fixed, zone=zone)
    new_dates = {item.key: item.due for item in result}
    return {k: new_dates[k] for k in moving if new_dates.get(k) != by_key[k].due}
