"""The dashboard's page model: the query string read into the board's filters (``store.attention``
does the work), one page of rows, and the links carried by the figures, the sort headers and the
pages. Nothing here decides what needs attention."""

from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import urlencode

from sqlmodel import Session

from cocon.web.access import Viewer, visibility_clause
from store.attention import ANY, Attention, Board, BoardRow, Filters, Reason, SortKey, board, visible_ids
from store.models import ProjectPhase

PAGE_SIZE = 50

#: The summary figures, in order: what each filters on, and its label's i18n key (``_one``/``_many``).
FIGURES: tuple[tuple[Attention | None, str], ...] = (
    (None, "card_project"),
    (ANY, "card_attention"),
    (Reason.LATE, "card_late"),
    (Reason.UNSIGNED, "card_unsigned"),
    (Reason.UNDELIVERED, "card_undelivered"),
    (Reason.PAST_END, "card_past_end"),
)


@dataclass(frozen=True)
class Figure:
    count: int
    label_key: str
    href: str
    current: bool


@dataclass(frozen=True)
class SortLink:
    href: str
    aria_sort: str  # "ascending", "descending" or "none"


@dataclass(frozen=True)
class DashboardPage:
    board: Board
    rows: list[BoardRow]
    filters: Filters
    page: int
    pages: int
    figures: list[Figure]
    sort_links: dict[str, SortLink]
    query: str  # the current filters as a query string, for the CSV link and the pages

    def page_href(self, page: int) -> str:
        return "/tableau-de-bord?" + "&".join(part for part in (self.query, f"page={page}") if part)


def read_filters(
    *,
    structure: str | None,
    phase: str | None,
    q: str | None,
    attention: str | None,
    sort: str | None,
    order: str | None,
) -> Filters:
    """Filters from a query string; values that mean nothing are ignored, never an error."""
    wanted: Attention | None = None
    if attention == ANY:
        wanted = ANY
    elif attention in {r.value for r in Reason}:
        wanted = Reason(attention)
    return Filters(
        structure=structure or None,
        phase=ProjectPhase(phase) if phase in {p.value for p in ProjectPhase} else None,
        search=(q or "").strip()[:200],
        attention=wanted,
        sort=SortKey(sort) if sort in {s.value for s in SortKey} else SortKey.END,
        descending=order == "desc",
    )


def query_of(filters: Filters) -> str:
    """The query string that gives back ``filters`` (defaults left out)."""
    params: list[tuple[str, str]] = []
    if filters.structure:
        params.append(("structure", filters.structure))
    if filters.phase:
        params.append(("phase", filters.phase.value))
    if filters.search:
        params.append(("q", filters.search))
    if filters.attention:
        params.append(("attention", str(filters.attention)))
    if filters.sort != SortKey.END:
        params.append(("sort", filters.sort.value))
    if filters.descending:
        params.append(("order", "desc"))
    return urlencode(params)


def _href(filters: Filters) -> str:
    query = query_of(filters)
    return f"/tableau-de-bord?{query}" if query else "/tableau-de-bord"


def visible_board(session: Session, viewer: Viewer, *, today: date, filters: Filters) -> Board:
    """The board of the projects this viewer may see."""
    scope = visible_ids(session, visibility_clause(viewer), (viewer.person_id, tuple(viewer.structures)))
    return board(session, today=today, filters=filters, visible=scope)


def dashboard_page(
    session: Session, viewer: Viewer, *, today: date, filters: Filters, page: int = 1, lang: str = "fr"
) -> DashboardPage:
    """One page of the dashboard."""
    found = visible_board(session, viewer, today=today, filters=filters)
    pages = max(1, -(-len(found.matches) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    figures = [
        Figure(
            count=found.counts.total if key is None else found.counts.of(key),
            label_key=label,
            href=_href(replace(filters, attention=key)),
            current=filters.attention == key,
        )
        for key, label in FIGURES
    ]
    sort_links = {}
    for key in SortKey:
        current = filters.sort == key
        descending = not filters.descending if current else False
        sort_links[key.value] = SortLink(
            href=_href(replace(filters, sort=key, descending=descending)),
            aria_sort=("descending" if filters.descending else "ascending") if current else "none",
        )
    return DashboardPage(
        board=found,
        rows=found.rows(session, (page - 1) * PAGE_SIZE, page * PAGE_SIZE, lang=lang),
        filters=filters,
        page=page,
        pages=pages,
        figures=figures,
        sort_links=sort_links,
        query=query_of(filters),
    )
