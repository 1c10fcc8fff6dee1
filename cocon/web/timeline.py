"""The project timeline as an SVG drawn on the server: each step's current date against its
baseline (the date first planned). Pure function of the steps and today's date.

Nothing is told by colour alone: a moved step shows an arrow from its hollow baseline diamond to
its current mark, done steps carry a check mark, late steps an exclamation mark, and each row has
a ``<title>`` read by screen readers. The page also shows the same facts as a table.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from babel.dates import get_month_names
from markupsafe import Markup

from cocon.web.i18n import translate
from planning.calendar import long_date
from store.models import StepStatus
from store.plans import is_overdue

WIDTH = 960
LABEL_WIDTH = 300
ROW = 24
TOP = 40
RIGHT_PAD = 24

#: The timeline's words, from the catalogue (``timeline_<word>``).
_WORDS = ("today", "baseline", "current", "done", "late", "moved", "title")

INK = "#1b1b1f"
MUTED = "#4a4a55"
PLANNED = "#1f4e8c"
DONE = "#1d6b32"
LATE = "#a3171e"


@dataclass(frozen=True)
class TimelineRow:
    title: str
    phase: str
    due: date
    baseline: date
    status: StepStatus


def _months(first: date, last: date) -> list[date]:
    result = []
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            result.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return result


def _row(
    row: TimelineRow, index: int, bx: float, cx: float, *, text: dict[str, str], today: date, lang: str
) -> list[str]:
    """One step's row: label, baseline diamond, current mark, and the state in words for screen readers."""
    parts: list[str] = []
    y = TOP + ROW * index + ROW / 2
    done, skipped, late = row.status == StepStatus.DONE, row.status == StepStatus.SKIPPED, is_overdue(row, today)
    colour = DONE if done else LATE if late else MUTED if skipped else PLANNED
    state = text["done"] if done else text["late"] if late else ""
    moved = row.due != row.baseline
    description = f"{row.title} : {text['current']} {long_date(row.due, lang)}"
    if moved:
        description += f", {text['baseline']} {long_date(row.baseline, lang)} ({text['moved']})"
    if state:
        description += f", {state}"
    if index % 2:
        parts.append(f'<rect x="0" y="{y - ROW / 2}" width="{WIDTH}" height="{ROW}" fill="#f3f4f7"/>')
    parts.append(f"<g><title>{escape(description)}</title>")
    label = row.title if len(row.title) <= 44 else row.title[:43] + "…"
    parts.append(f'<text x="8" y="{y + 4}" fill="{INK}">{escape(label)}</text>')
    if moved:
        parts.append(
            f'<line x1="{bx}" y1="{y}" x2="{cx}" y2="{y}" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
    parts.append(
        f'<path d="M {bx} {y - 6} L {bx + 6} {y} L {bx} {y + 6} L {bx - 6} {y} Z" fill="#ffffff" '
        f'stroke="{MUTED}" stroke-width="1.5"/>'
    )
    parts.append(f'<circle cx="{cx}" cy="{y}" r="6" fill="{colour}"/>')
    if done:
        parts.append(
            f'<path d="M {cx - 3} {y} L {cx - 1} {y + 3} L {cx + 3.5} {y - 3}" stroke="#ffffff" '
            'stroke-width="1.8" fill="none"/>'
        )
    elif late:
        parts.append(f'<text x="{cx + 9}" y="{y + 4}" fill="{LATE}" font-weight="700">!</text>')
    parts.append("</g>")
    return parts


def timeline_svg(rows: Sequence[TimelineRow], *, start: date, end: date, today: date, lang: str = "fr") -> Markup:
    """An accessible SVG (role ``img`` with a title) of the plan against its baseline."""
    text = {word: translate(f"timeline_{word}", lang) for word in _WORDS}
    months = get_month_names("abbreviated", locale="en_GB" if lang == "en" else "fr_FR")
    dates = [start, end, *(r.due for r in rows), *(r.baseline for r in rows)]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    plot = WIDTH - LABEL_WIDTH - RIGHT_PAD
    height = TOP + ROW * len(rows) + 36

    def x(day: date) -> float:
        return round(LABEL_WIDTH + plot * (day - first).days / span, 1)

    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="timeline-title" font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="timeline-title">{escape(text["title"])}</title>',
    ]
    for month in _months(first, last):
        label = f"{months[month.month]} {month.year}"
        parts.append(
            f'<line x1="{x(month)}" y1="{TOP - 14}" x2="{x(month)}" y2="{height - 30}" stroke="#c9ccd6"/>'
            f'<text x="{x(month) + 3}" y="{TOP - 18}" fill="{MUTED}">{escape(label)}</text>'
        )
    for index, row in enumerate(rows):
        parts.extend(_row(row, index, x(row.baseline), x(row.due), text=text, today=today, lang=lang))
    if first <= today <= last:
        tx = x(today)
        parts.append(
            f'<line x1="{tx}" y1="{TOP - 14}" x2="{tx}" y2="{height - 30}" stroke="{INK}" stroke-width="2" '
            f'stroke-dasharray="6 4"/><text x="{tx + 4}" y="{height - 16}" fill="{INK}">{escape(text["today"])}</text>'
        )
    legend_y = height - 16
    parts.append(
        f'<circle cx="16" cy="{legend_y - 4}" r="6" fill="{PLANNED}"/>'
        f'<text x="28" y="{legend_y}" fill="{INK}">{escape(text["current"])}</text>'
        f'<path d="M 140 {legend_y - 10} L 146 {legend_y - 4} L 140 {legend_y + 2} L 134 {legend_y - 4} Z" '
        f'fill="#ffffff" stroke="{MUTED}" stroke-width="1.5"/>'
        f'<text x="152" y="{legend_y}" fill="{INK}">{escape(text["baseline"])}</text>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))
