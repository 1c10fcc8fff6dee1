"""What needs attention, project by project: the facilitator's board, shared by the web dashboard
and ``cocon project list``.

A project needs attention when it has late steps (:func:`store.plans.overdue_condition`), a
charter not yet signed by everyone while the project is before or during its work, undelivered
(dead) messages, or an end date in the past while it is not closed.

Speed: the facts of every project come from a few grouped queries (never one per project) and are
kept in memory, per database, until the data changes. "Changes" is read from the content version
(store/models/changes.py: one row, moved by database triggers in the same transaction as any
change to what pages show, but not by logins). It is read before the data, so that a page is never
kept under a version older than its data. An entry older than ``MAX_AGE_S`` is computed again anyway.
"""

import csv
import io
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from locales import gettext
from planning.calendar import long_date, short_date
from project_templates.schema import StepKind
from store.models import ContentVersion, OutboxMessage, OutboxState, PlanStep, Project, ProjectPhase, StepStatus
from store.phases import phase_label
from store.plans import overdue_condition, step_title
from store.projects import template_of_record

MAX_AGE_S = 600.0
_OPEN = (StepStatus.PLANNED, StepStatus.IN_PROGRESS)
_PHASE_ORDER = {phase: n for n, phase in enumerate(ProjectPhase)}


class Reason(StrEnum):
    """Why a project needs attention."""

    LATE = "late"
    UNSIGNED = "unsigned"
    UNDELIVERED = "undelivered"
    PAST_END = "past_end"


ANY: Literal["any"] = "any"
Attention = Reason | Literal["any"]


class SortKey(StrEnum):
    NAME = "name"
    END = "end"
    PHASE = "phase"
    LATENESS = "lateness"


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to and how it is ordered."""

    structure: str | None = None
    phase: ProjectPhase | None = None
    search: str = ""
    attention: Attention | None = None
    sort: SortKey = SortKey.END
    descending: bool = False


@dataclass(frozen=True)
class Facts:
    """One project's figures, computed for a given day."""

    id: int
    slug: str
    name: str
    structure: str
    phase: ProjectPhase
    end: date
    template_record_id: int
    late_steps: int
    charter_open: bool
    undelivered: int
    next_step: str | None  # template step id of the first open step (by due date)
    next_occurrence: int | None
    next_due: date | None
    folded: str  # name and structure, lower case without accents, for the search
    reasons: tuple[Reason, ...]


def reasons_of(
    *, phase: ProjectPhase, end: date, late_steps: int, charter_open: bool, undelivered: int, today: date
) -> tuple[Reason, ...]:
    """Why a project needs attention on ``today`` (empty when it does not)."""
    found: list[Reason] = []
    if late_steps:
        found.append(Reason.LATE)
    if charter_open and phase in (ProjectPhase.AVANT, ProjectPhase.PENDANT):
        found.append(Reason.UNSIGNED)
    if undelivered:
        found.append(Reason.UNDELIVERED)
    if end < today and phase != ProjectPhase.CLOS:
        found.append(Reason.PAST_END)
    return tuple(found)


@dataclass(frozen=True)
class NextStep:
    title: str
    due: date
    late: bool


@dataclass(frozen=True)
class Concern:
    reason: Reason
    text: str  # one plain sentence, in the board's language


@dataclass(frozen=True)
class BoardRow:
    slug: str
    name: str
    structure: str
    phase: ProjectPhase
    end: date
    next_step: NextStep | None
    late_steps: int
    charter_unsigned: bool
    undelivered: int
    concerns: tuple[Concern, ...]


@dataclass(frozen=True)
class Counts:
    """Projects in the current scope (structure, phase, search), by reason."""

    total: int
    attention: int
    late: int
    unsigned: int
    undelivered: int
    past_end: int

    def of(self, key: Attention) -> int:
        return self.attention if key == ANY else int(getattr(self, str(key)))


@dataclass(frozen=True)
class Board:
    matches: list[Facts]
    counts: Counts
    structures: list[str]
    visible: int
    today: date

    def rows(self, session: Session, start: int = 0, stop: int | None = None, *, lang: str = "fr") -> list[BoardRow]:
        """The matching projects from ``start`` to ``stop``, described in ``lang``."""
        return describe(self.matches[start:stop], self.today, lang, Titles(session))


# --- facts, cached per database and data stamp ------------------------------------------------


class _Cache:
    def __init__(self, size: int = 64) -> None:
        self.lock = threading.Lock()
        self.entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()
        self.size = size

    def get(self, key: Hashable) -> object | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None or time.monotonic() - found[0] > MAX_AGE_S:
                return None
            self.entries.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: object) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class Memo:
    """Values kept in this process under keys that include the content version (:func:`data_stamp`),
    for up to ``MAX_AGE_S``; concurrent requests for the same key wait for the first one instead of
    computing it again. The values are shared by requests and threads: they must not be changed."""

    def __init__(self, size: int = 64) -> None:
        self._cache = _Cache(size)
        self._computing = threading.RLock()  # one computation at a time: twenty clients arriving together wait

    def __call__(self, key: Hashable, compute: Callable[[], object]) -> object:
        found = self._cache.get(key)
        if found is not None:
            return found
        with self._computing:
            found = self._cache.get(key)
            if found is None:
                found = compute()
                self._cache.put(key, found)
        return found


_MEMO = Memo()


#: Built once: the statement is run on every request.
_STAMP = sa_select(col(ContentVersion.version)).where(col(ContentVersion.id) == 1)


def _stamp(session: Session) -> tuple[object, ...]:
    return (session.execute(_STAMP).scalar_one(),)


def _database(session: Session) -> str:
    return str(session.get_bind().engine.url)


def _compute_facts(session: Session, today: date) -> list[Facts]:
    late = (
        select(PlanStep.project_id, func.count().label("n"))
        .where(overdue_condition(today))
        .group_by(col(PlanStep.project_id))
        .subquery()
    )
    charter = (
        select(PlanStep.project_id)
        .where(PlanStep.kind == StepKind.CHARTER.value, col(PlanStep.status).in_(_OPEN))
        .distinct()
        .subquery()
    )
    dead = (
        select(OutboxMessage.project_id, func.count().label("n"))
        .where(OutboxMessage.state == OutboxState.DEAD)
        .group_by(col(OutboxMessage.project_id))
        .subquery()
    )
    rank = (
        func.row_number()
        .over(partition_by=col(PlanStep.project_id), order_by=(col(PlanStep.due), col(PlanStep.position)))
        .label("rank")
    )
    ranked = (
        select(PlanStep.project_id, PlanStep.template_step, PlanStep.occurrence, PlanStep.due, rank)  # type: ignore[call-overload]
        .where(col(PlanStep.status).in_(_OPEN))
        .subquery()
    )
    first = sa_select(ranked).where(ranked.c.rank == 1).subquery()
    rows = session.execute(
        sa_select(  # type: ignore[call-overload]
            Project.id,
            Project.slug,
            Project.name,
            Project.structure,
            Project.phase,
            Project.end,
            Project.template_record_id,
            func.coalesce(late.c.n, 0),
            charter.c.project_id.is_not(None),
            func.coalesce(dead.c.n, 0),
            first.c.template_step,
            first.c.occurrence,
            first.c.due,
        )
        .outerjoin(late, late.c.project_id == Project.id)
        .outerjoin(charter, charter.c.project_id == Project.id)
        .outerjoin(dead, dead.c.project_id == Project.id)
        .outerjoin(first, first.c.project_id == Project.id)
    ).all()
    facts = []
    for r in rows:
        phase, late_steps, charter_open, undelivered = ProjectPhase(r[4]), int(r[7]), bool(r[8]), int(r[9])
        facts.append(
            Facts(
                id=r[0], slug=r[1], name=r[2], structure=r[3], phase=phase, end=r[5], template_record_id=r[6],
                late_steps=late_steps, charter_open=charter_open, undelivered=undelivered, next_step=r[10],
                next_occurrence=r[11], next_due=r[12], folded=fold(f"{r[2]} {r[3]}"),
                reasons=reasons_of(phase=phase, end=r[5], late_steps=late_steps, charter_open=charter_open,
                                   undelivered=undelivered, today=today),
            )
        )
    return facts


def data_stamp(session: Session) -> tuple[object, ...]:
    """What changes whenever the board's data does: the database and its data stamp. Pages built
    only from the board (and the viewer) may be kept under a key that includes it."""
    return (_database(session), *_stamp(session))


def cached(key: Hashable, compute: Callable[[], object]) -> object:
    """``compute()`` kept under ``key`` in this process for up to ``MAX_AGE_S`` (the board's cache);
    concurrent requests for the same key wait for the first one instead of computing it again."""
    return _MEMO(key, compute)


_cached = _MEMO


def warm(session: Session, today: date, lang: str = "fr") -> None:
    """Compute every project's facts and their next steps' titles now (at the web app's start), so
    that the first dashboard after a start does not wait for them."""
    titles = Titles(session)
    for facts in project_facts(session, today):
        if facts.next_step is not None:
            titles(facts, lang)


def project_facts(session: Session, today: date) -> list[Facts]:
    """Every project's facts on ``today`` (cached until the data changes)."""
    return _facts(session, _database(session), _stamp(session), today)


def _facts(session: Session, database: str, stamp: tuple[object, ...], today: date) -> list[Facts]:
    facts = _cached(("facts", database, stamp, today), lambda: _compute_facts(session, today))
    assert isinstance(facts, list)
    return facts


def visible_ids(session: Session, clause: ColumnElement[bool], scope_key: Hashable) -> frozenset[int]:
    """The ids of the projects ``clause`` selects; ``scope_key`` names the clause for the cache
    (e.g. the viewer and the structures they follow)."""
    key = ("visible", _database(session), _stamp(session), scope_key)

    def compute() -> frozenset[int]:
        return frozenset(session.exec(select(Project.id).where(clause)).all())  # type: ignore[arg-type]

    ids = _cached(key, compute)
    assert isinstance(ids, frozenset)
    return ids


# --- the board ---------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: « Éloïse » and « eloise » match."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _sort_key(sort: SortKey) -> Callable[[Facts], tuple[object, ...]]:
    if sort == SortKey.NAME:
        return lambda f: (fold(f.name), f.slug)
    if sort == SortKey.PHASE:
        return lambda f: (_PHASE_ORDER[f.phase], f.end, f.slug)
    if sort == SortKey.LATENESS:
        # Most late first: the oldest late step, then the number of late steps; projects on time after.
        return lambda f: (
            (0, f.next_due, -f.late_steps, f.slug) if f.late_steps and f.next_due else (1, f.end, 0, f.slug)
        )
    return lambda f: (f.end, f.slug)


def board(
    session: Session,
    *,
    today: date,
    filters: Filters = Filters(),
    visible: frozenset[int] | None = None,
) -> Board:
    """The projects (all, or those in ``visible``) that match ``filters``, sorted, with counts.

    The counts cover the scope chosen by structure, phase and search, before the attention filter:
    each is what the list shows when that figure is clicked. Cached like the facts it is made of.
    """
    database, stamp = _database(session), _stamp(session)
    made = _cached(
        ("board", database, stamp, today, visible, filters),
        lambda: _board(_facts(session, database, stamp, today), today, filters, visible),
    )
    assert isinstance(made, Board)
    return made


def _board(facts: list[Facts], today: date, filters: Filters, visible: frozenset[int] | None) -> Board:
    seen = [f for f in facts if visible is None or f.id in visible]
    structures = sorted({f.structure for f in seen}, key=fold)
    needle = fold(filters.search.strip())
    scope = [
        f
        for f in seen
        if (not filters.structure or f.structure == filters.structure)
        and (not filters.phase or f.phase == filters.phase)
        and (not needle or needle in f.folded)
    ]
    tally = dict.fromkeys(Reason, 0)
    attention = 0
    for f in scope:
        attention += bool(f.reasons)
        for reason in f.reasons:
            tally[reason] += 1
    counts = Counts(
        total=len(scope),
        attention=attention,
        late=tally[Reason.LATE],
        unsigned=tally[Reason.UNSIGNED],
        undelivered=tally[Reason.UNDELIVERED],
        past_end=tally[Reason.PAST_END],
    )
    wanted = filters.attention
    if wanted == ANY:
        scope = [f for f in scope if f.reasons]
    elif wanted is not None:
        scope = [f for f in scope if wanted in f.reasons]
    scope.sort(key=_sort_key(filters.sort), reverse=filters.descending)
    return Board(scope, counts, structures, len(seen), today)


class Titles:
    """Step titles from each project's own template. A template record never changes, so a title is
    worked out once per database, record, step, occurrence and language."""

    _known: dict[tuple[str, int, str, int | None, str], str] = {}

    def __init__(self, session: Session) -> None:
        self.session = session
        self.database = _database(session)

    def __call__(self, facts: Facts, lang: str) -> str:
        assert facts.next_step is not None
        key = (self.database, facts.template_record_id, facts.next_step, facts.next_occurrence, lang)
        title = self._known.get(key)
        if title is None:
            template = template_of_record(self.session, facts.template_record_id)
            base = template.step(facts.next_step).title.get(lang)
            title = step_title(base, PlanStep.model_construct(occurrence=facts.next_occurrence), lang)
            self._known[key] = title
        return title




def describe(facts: Iterable[Facts], today: date, lang: str, titles: Titles) -> list[BoardRow]:
    """Rows for people: step titles (never internal ids), dates in words, reasons in sentences."""
    rows = []
    for f in facts:
        next_step = None
        if f.next_step is not None and f.next_due is not None:
            next_step = NextStep(titles(f, lang), f.next_due, f.next_due < today)
        concerns = []
        for reason in f.reasons:
            if reason == Reason.LATE and next_step is not None:
                sentence = gettext("dashboard.reason.late", lang, n=f.late_steps, title=next_step.title,
                                   due=long_date(next_step.due, lang))
            elif reason == Reason.UNDELIVERED:
                sentence = gettext("dashboard.reason.undelivered", lang, n=f.undelivered)
            elif reason == Reason.PAST_END:
                sentence = gettext("dashboard.reason.past_end", lang, end=long_date(f.end, lang))
            else:
                sentence = gettext("dashboard.reason.unsigned", lang)
            concerns.append(Concern(reason, sentence))
        rows.append(
            BoardRow(
                slug=f.slug, name=f.name, structure=f.structure, phase=f.phase, end=f.end, next_step=next_step,
                late_steps=f.late_steps, charter_unsigned=Reason.UNSIGNED in f.reasons,
                undelivered=f.undelivered, concerns=tuple(concerns),
            )
        )
    return rows


# --- CSV ---------------------------------------------------------------------------------------

#: The CSV's columns, their headings from the catalogue (``dashboard.csv.<column>``).
_COLUMNS = ("project", "id", "structure", "phase", "end", "next_step", "due", "late_steps", "charter_to_sign",
            "undelivered", "attention")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or a tab) gets a leading quote."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def board_csv(rows: Iterable[BoardRow], lang: str = "fr") -> str:
    """The rows as CSV for a spreadsheet: UTF-8 with a BOM (Excel then reads the accents), ``;``
    between cells in French (the decimal comma), dates as 24/11/2026."""
    key = "en" if lang == "en" else "fr"
    yes, no = gettext("dashboard.csv.yes", key), gettext("dashboard.csv.no", key)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if key == "fr" else ",", lineterminator="\r\n")
    writer.writerow([gettext(f"dashboard.csv.{column}", key) for column in _COLUMNS])
    for row in rows:
        cells = [
            row.name,
            row.slug,
            row.structure,
            phase_label(row.phase, key),
            short_date(row.end, key),
            row.next_step.title if row.next_step else "",
            short_date(row.next_step.due, key) if row.next_step else "",
            str(row.late_steps),
            yes if row.charter_unsigned else no,
            str(row.undelivered),
            " ".join(c.text for c in row.concerns),
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()
