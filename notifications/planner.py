"""Which reminders are due, for whom, on which day — pure functions of a snapshot and a date.

What the template promises, per step (policy = ``template.reminder_policy(step)``):

* **before** — on each ``policy.before`` offset before the due date, to the step's owner and
  participants (a charter's participants get *charter-unsigned* instead, and only while they
  have not signed);
* **invitation** — ``policy.invitation`` before a gathering (meeting, checkpoint…), to the
  participants, with the agenda and an ``.ics`` file;
* **overdue** — every ``policy.overdue_every`` after the due date, at most ``policy.overdue_max``
  times, to the owner;
* **escalation** — one more period later, to the ``policy.escalate_to`` role (not to people
  who are already the owners);
* **notes-follow-up** — ``policy.notes_follow_up`` after a checkpoint whose notes are missing, to
  the owner;
* **phase-change** — to every member, the day the project changed phase.

Nothing is planned for a step that is done (except asking for missing notes) or skipped, for a closed project, nor for a person
who paused, opted out or cannot be reached. Only the latest date of each series that has come
is planned, and only within ``catch_up`` days (so a scheduler that was down sends one late
reminder, not a burst). The outbox groups one person's items of a day into one digest; the
moment it is sent (quiet hours, availability, absences) is :func:`next_contact_time`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from planning.calendar import HolidayZone, add_working_days
from planning.planner import shift
from project_templates.phases import ProjectPhase
from project_templates.schema import EVERYONE, GATHERING_KINDS, Duration, ProjectTemplate, StepKind
from store.clock import PARIS
from store.models import Occasion

#: How many days late a reminder may still be sent (after downtime).
CATCH_UP_DAYS = 2


@dataclass(frozen=True)
class DigestItem:
    """One reminder for one person on one day; the outbox groups a person's items into a digest."""

    project_id: int
    person_id: int
    occasion: Occasion
    about: str
    due_on: date
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PersonView:
    id: int
    roles: frozenset[str]
    reachable: bool = True
    paused: bool = False
    opted_out: bool = False

    @property
    def contactable(self) -> bool:
        return self.reachable and not self.paused and not self.opted_out


@dataclass(frozen=True)
class StepView:
    key: str
    template_step: str
    kind: str
    owner_role: str
    due: date
    finished: bool
    has_note: bool = False
    skipped: bool = False


@dataclass(frozen=True)
class ProjectView:
    id: int
    template: ProjectTemplate
    phase: ProjectPhase
    phase_changed_on: date | None
    steps: tuple[StepView, ...]
    people: tuple[PersonView, ...]
    signed: frozenset[int] = field(default_factory=frozenset)
    zone: HolidayZone = HolidayZone.METROPOLE


def _latest_come(dates: Iterable[tuple[date, int]], today: date, catch_up: int) -> tuple[date, int] | None:
    """The latest (date, rank) that has come, if it is recent enough to still be sent."""
    come = [(d, rank) for d, rank in dates if d <= today]
    if not come:
        return None
    latest = max(come)
    return latest if (today - latest[0]).days <= catch_up else None


def _people_in(project: ProjectView, roles: Iterable[str]) -> list[PersonView]:
    wanted = set(roles)
    if EVERYONE in wanted:
        return list(project.people)
    return [p for p in project.people if p.roles & wanted]


@dataclass(frozen=True)
class _StepRule:
    """A template step's reminder policy, parsed once per template."""

    before: tuple[Duration, ...]
    invitation: Duration | None
    overdue_every: Duration | None
    overdue_max: int
    escalate_to: str | None
    notes_follow_up: Duration | None
    participants: tuple[str, ...]
    gathering: bool
    charter: bool
    lead: int  # no reminder more than this many days before the due date
    lag: int  # … nor more than this many days after it


def _days_bound(amount: Duration) -> int:
    per_unit = {"d": 1, "w": 7, "m": 31, "wd": 2}
    return amount.amount * per_unit[amount.unit] + (10 if amount.unit == "wd" else 0)


_RULES: dict[int, tuple[ProjectTemplate, dict[str, _StepRule], frozenset[str]]] = {}


def _rules(template: ProjectTemplate) -> tuple[dict[str, _StepRule], frozenset[str]]:
    cached = _RULES.get(id(template))
    if cached is not None and cached[0] is template:
        return cached[1], cached[2]
    rules: dict[str, _StepRule] = {}
    for _, step in template.steps():
        policy = template.reminder_policy(step)
        before = tuple(policy.before_durations())
        invitation = policy.duration("invitation")
        every = policy.duration("overdue_every")
        follow_up = policy.duration("notes_follow_up")
        lead = max([_days_bound(d) for d in before] + ([_days_bound(invitation)] if invitation else []) + [0])
        lag_parts = [_days_bound(follow_up) if follow_up else 0, 3]
        if every is not None:
            lag_parts.append(_days_bound(Duration(every.amount * (policy.overdue_max + 1), every.unit)))
        rules[step.id] = _StepRule(
            before=before,
            invitation=invitation,
            overdue_every=every,
            overdue_max=policy.overdue_max,
            escalate_to=policy.escalate_to,
            notes_follow_up=follow_up,
            participants=tuple(step.participants),
            gathering=step.kind in GATHERING_KINDS,
            charter=step.kind == StepKind.CHARTER,
            lead=lead,
            lag=max(lag_parts),
        )
    signers = frozenset(role for role, spec in template.roles.items() if spec.signer)
    _RULES[id(template)] = (template, rules, signers)
    return rules, signers


def plan_project(project: ProjectView, today: date, *, catch_up: int = CATCH_UP_DAYS) -> list[DigestItem]:
    """Every digest item due for one project on ``today`` (idempotency is the outbox's job)."""
    rules, signers = _rules(project.template)
    planning = _Planning(project, today, catch_up, signers)
    changed = project.phase_changed_on
    if project.phase == ProjectPhase.CLOS:  # a closed project only announces that it is closed
        if changed is not None and planning.recent(changed):
            planning.phase_change(changed)
        return planning.items
    for step in project.steps:
        rule = rules.get(step.template_step)
        if rule is None or step.skipped:
            continue
        distance = (step.due - today).days
        if distance > rule.lead or -distance > rule.lag + catch_up:
            continue
        planning.step(step, rule)
    if project.phase != ProjectPhase.AVANT and changed is not None and planning.recent(changed):
        planning.phase_change(changed)
    return planning.items


@dataclass(frozen=True)
class _Concerned:
    """Who one step's reminders may go to."""

    owners: list[PersonView]
    owner_ids: set[int]
    involved: list[PersonView]  # owners then participants, each once
    unsigned: list[PersonView]  # participants who still have to sign the step's charter


class _Planning:
    """One project's items on one day, built step by step, one method per occasion."""

    def __init__(self, project: ProjectView, today: date, catch_up: int, signers: frozenset[str]) -> None:
        self.project = project
        self.today = today
        self.catch_up = catch_up
        self.signers = signers
        self.items: list[DigestItem] = []
        self._groups: dict[tuple[str, ...], list[PersonView]] = {}

    def add(self, person: PersonView, occasion: Occasion, about: str, on: date, **facts: Any) -> None:
        if person.contactable:
            self.items.append(DigestItem(self.project.id, person.id, occasion, about, on, facts))

    def people_in(self, roles: tuple[str, ...]) -> list[PersonView]:
        if roles not in self._groups:
            self._groups[roles] = _people_in(self.project, roles)
        return self._groups[roles]

    def recent(self, on: date) -> bool:
        return on <= self.today and (self.today - on).days <= self.catch_up

    def phase_change(self, on: date) -> None:
        phase = self.project.phase
        for person in self.project.people:
            self.add(person, Occasion.PHASE_CHANGE, f"phase:{phase}", on, phase=phase)

    def step(self, step: StepView, rule: _StepRule) -> None:
        owners = self.people_in((step.owner_role,))
        participants = self.people_in(rule.participants)
        unsigned = [
            p for p in participants if rule.charter and p.roles & self.signers and p.id not in self.project.signed
        ]
        who = _Concerned(
            owners=owners,
            owner_ids={o.id for o in owners},
            involved=list({p.id: p for p in owners + participants}.values()),
            unsigned=unsigned,
        )
        about = f"step:{step.key}"
        self.before(step, rule, who, about)
        self.invitation(step, rule, who, about)
        self.overdue(step, rule, who, about)
        self.escalation(step, rule, who, about)
        self.notes_follow_up(step, rule, who, about)

    def before(self, step: StepView, rule: _StepRule, who: _Concerned, about: str) -> None:
        zone = self.project.zone
        chosen = _latest_come(((shift(step.due, o, -1, zone), i) for i, o in enumerate(rule.before)), self.today, self.catch_up)
        if chosen is None or self.today > step.due or step.finished:
            return
        on, rank = chosen
        due, days = step.due.isoformat(), (step.due - on).days
        if not rule.charter:
            for person in who.involved:
                self.add(person, Occasion.BEFORE, about, on, due=due, days=days, rank=rank)
            return
        for person in who.unsigned:
            self.add(person, Occasion.CHARTER_UNSIGNED, about, on, due=due, days=days)
        for person in who.owners:
            if person not in who.unsigned:
                self.add(person, Occasion.BEFORE, about, on, due=due, days=days, rank=rank)

    def invitation(self, step: StepView, rule: _StepRule, who: _Concerned, about: str) -> None:
        """An invitation to a gathering."""
        if rule.invitation is None or not rule.gathering or step.finished:
            return
        on = shift(step.due, rule.invitation, -1, self.project.zone)
        if self.recent(on) and self.today <= step.due:
            for person in who.involved:
                self.add(person, Occasion.INVITATION, about, on, due=step.due.isoformat())

    def overdue(self, step: StepView, rule: _StepRule, who: _Concerned, about: str) -> None:
        every = rule.overdue_every
        if every is None or rule.overdue_max <= 0 or self.today <= step.due or step.finished:
            return
        zone = self.project.zone
        series = [(shift(step.due, Duration(every.amount * k, every.unit), 1, zone), k) for k in range(1, rule.overdue_max + 1)]
        chosen = _latest_come(series, self.today, self.catch_up)
        if chosen is None:
            return
        on, rank = chosen
        due = step.due.isoformat()
        for person in who.owners:
            self.add(person, Occasion.OVERDUE, about, on, due=due, rank=rank)
        for person in who.unsigned:
            if person.id not in who.owner_ids:
                self.add(person, Occasion.CHARTER_UNSIGNED, about, on, due=due, days=0, rank=rank)

    def escalation(self, step: StepView, rule: _StepRule, who: _Concerned, about: str) -> None:
        """One period after the last overdue reminder (or one working day late), to ``escalate_to``."""
        if not rule.escalate_to or self.today <= step.due or step.finished:
            return
        every, zone = rule.overdue_every, self.project.zone
        if every is not None:
            on = shift(step.due, Duration(every.amount * (rule.overdue_max + 1), every.unit), 1, zone)
        else:
            on = add_working_days(step.due, 1, zone)
        if self.recent(on):
            for person in self.people_in((rule.escalate_to,)):
                if person.id not in who.owner_ids:
                    self.add(person, Occasion.ESCALATION, about, on, due=step.due.isoformat())

    def notes_follow_up(self, step: StepView, rule: _StepRule, who: _Concerned, about: str) -> None:
        """Notes after a checkpoint (held, or marked done, without its notes)."""
        if rule.notes_follow_up is None or step.has_note:
            return
        on = shift(step.due, rule.notes_follow_up, 1, self.project.zone)
        if self.recent(on):
            for person in who.owners:
                self.add(person, Occasion.NOTES_FOLLOW_UP, about, on, due=step.due.isoformat())


def horizon(template: ProjectTemplate, *, catch_up: int = CATCH_UP_DAYS) -> tuple[int, int]:
    """(days before, days after) a step's due date outside which it never yields a reminder."""
    rules, _ = _rules(template)
    lead = max((rule.lead for rule in rules.values()), default=0)
    lag = max((rule.lag for rule in rules.values()), default=0)
    return lead, lag + catch_up


def plan(projects: Iterable[ProjectView], today: date, *, catch_up: int = CATCH_UP_DAYS) -> list[DigestItem]:
    """Every digest item due on ``today`` for all ``projects``."""
    items: list[DigestItem] = []
    for project in projects:
        items.extend(plan_project(project, today, catch_up=catch_up))
    return items


# --- when to contact someone -----------------------------------------------------------------

#: Time-of-day slots of ``Person.availability`` (local time, minutes since midnight).
SLOTS: dict[str, tuple[int, int]] = {
    "matin": (8 * 60, 12 * 60),
    "apres-midi": (12 * 60, 18 * 60),
    "soir": (18 * 60, 21 * 60 + 30),
}
#: When nobody said otherwise: daytime only.
DEFAULT_WINDOW = (8 * 60, 20 * 60)
DAYS: dict[str, frozenset[int]] = {"semaine": frozenset(range(5)), "week-end": frozenset({5, 6})}


def parse_quiet_hours(text: str | None) -> list[tuple[int, int]]:
    """``21:00-08:00`` → quiet intervals in minutes since midnight (split across midnight)."""
    if not text:
        return []
    start_text, _, end_text = text.partition("-")
    start = int(start_text[:2]) * 60 + int(start_text[3:5])
    end = int(end_text[:2]) * 60 + int(end_text[3:5])
    if start == end:
        return []
    return [(start, end)] if start < end else [(start, 24 * 60), (0, end)]


def _subtract(windows: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = windows
    for hole_start, hole_end in holes:
        cut: list[tuple[int, int]] = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                cut.append((start, end))
                continue
            if start < hole_start:
                cut.append((start, hole_start))
            if hole_end < end:
                cut.append((hole_end, end))
        result = cut
    return result


@dataclass(frozen=True)
class ContactPrefs:
    quiet_hours: str | None = None
    availability: tuple[str, ...] = ()
    unavailable: frozenset[date] = frozenset()
    not_before: str | None = None  # HH:MM: nothing earlier in the day (the time chosen for the digest)


def contact_windows(prefs: ContactPrefs, day: date) -> list[tuple[int, int]]:
    """The moments of ``day`` (minutes, local time) when the person may receive a message."""
    if day in prefs.unavailable:
        return []
    day_sets = [DAYS[a] for a in prefs.availability if a in DAYS]
    if day_sets and not any(day.weekday() in days for days in day_sets):
        return []
    slots = sorted(SLOTS[a] for a in prefs.availability if a in SLOTS) or [DEFAULT_WINDOW]
    windows = _subtract(slots, parse_quiet_hours(prefs.quiet_hours))
    if prefs.not_before:
        earliest = int(prefs.not_before[:2]) * 60 + int(prefs.not_before[3:5])
        later = [(max(start, earliest), end) for start, end in windows if end > earliest]
        windows = later or windows  # slots that end before the chosen time keep the day's moments
    return windows


def next_contact_time(prefs: ContactPrefs, moment: datetime) -> datetime:
    """The first moment at or after ``moment`` that suits the person (``moment`` itself if it does).

    Never inside quiet hours; inside the person's slots (or daytime) on their days, and never on a
    day they said they are away, however long the absence. Past the last absence the windows
    repeat every week, so the search ends a week after it. Only when the preferences leave no
    moment in a whole week do quiet hours alone count (still outside every absence).
    """
    local = moment.astimezone(PARIS)
    first_day = local.date()
    last_absent = max((d for d in prefs.unavailable if d >= first_day), default=first_day)
    for offset in range((last_absent - first_day).days + 8):
        day = first_day + timedelta(days=offset)
        for start, end in contact_windows(prefs, day):
            window_start = datetime.combine(day, time(start // 60, start % 60), tzinfo=PARIS)
            window_end = datetime.combine(day, time(0), tzinfo=PARIS) + timedelta(minutes=end)
            if local < window_end:
                return max(local, window_start).astimezone(moment.tzinfo)
    day = first_day
    while day in prefs.unavailable:
        day += timedelta(days=1)
    if day != first_day:
        local = datetime.combine(day, time(0), tzinfo=PARIS)
    minute = local.hour * 60 + local.minute
    for start, end in parse_quiet_hours(prefs.quiet_hours):
        if start <= minute < end:
            return (local + timedelta(minutes=end - minute)).astimezone(moment.tzinfo)
    return local.astimezone(moment.tzinfo)
