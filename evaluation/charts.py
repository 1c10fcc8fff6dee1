"""Charts of the evaluation report: pure functions from numbers to PNG bytes (matplotlib, Agg).

Each chart is sized for an A4 page and readable in black and white (hatching as well as
colour), so that a coordinator can paste it into a report to the ARS.
"""

import io
from collections.abc import Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from locales import gettext

PARTNER_COLOUR = "#1b7f79"
PRO_COLOUR = "#c9a227"
VERDICT_COLOURS = {"atteint": "#2e7d32", "partiellement": "#f9a825", "non-atteint": "#c62828"}


def _word(key: str, lang: str) -> str:
    """A word on the charts (``report.chart.<key>``), in the report's language."""
    return gettext(f"report.chart.{key}", lang)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def indicators_chart(rows: Sequence[tuple[str, float, str]], title: str, lang: str = "fr") -> bytes:
    """Bars of each indicator as a share of its target (100 % = target reached).

    ``rows`` are (name, percent of target, verdict code).
    """
    figure, axis = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.2))
    names = [r[0] for r in rows][::-1]
    values = [min(r[1], 150.0) for r in rows][::-1]
    colours = [VERDICT_COLOURS.get(r[2], "#777777") for r in rows][::-1]
    axis.barh(names, values, color=colours, edgecolor="black", linewidth=0.5)
    axis.axvline(100, color="black", linestyle="--", linewidth=1)
    axis.set_xlim(0, 155)
    axis.set_xlabel(_word("of_target", lang))
    axis.set_title(title)
    return _png(figure)


def sections_chart(rows: Sequence[tuple[str, float]], title: str, lang: str = "fr") -> bytes:
    """Mean score (1 to 5) of each questionnaire section."""
    figure, axis = plt.subplots(figsize=(7.5, 0.5 * len(rows) + 1.2))
    names = [r[0] for r in rows][::-1]
    axis.barh(names, [r[1] for r in rows][::-1], color=PARTNER_COLOUR, edgecolor="black", linewidth=0.5)
    axis.set_xlim(1, 5)
    axis.set_xlabel(_word("mean", lang))
    axis.set_title(title)
    return _png(figure)


def participation_chart(rows: Sequence[tuple[date, int, int, int]], title: str, lang: str = "fr") -> bytes:
    """Per gathering (date, partners present, professionals present, expected): stacked bars."""
    figure, axis = plt.subplots(figsize=(7.5, 3.2))
    labels = [d.strftime("%d/%m") for d, *_ in rows]
    partners = [r[1] for r in rows]
    pros = [r[2] for r in rows]
    axis.bar(labels, partners, color=PARTNER_COLOUR, edgecolor="black", linewidth=0.5, label=_word("partners", lang))
    axis.bar(
        labels,
        pros,
        bottom=partners,
        color=PRO_COLOUR,
        edgecolor="black",
        linewidth=0.5,
        hatch="//",
        label=_word("professionals", lang),
    )
    axis.plot(labels, [r[3] for r in rows], color="black", marker="o", linestyle=":", label=_word("expected", lang))
    axis.set_ylabel(_word("present", lang))
    axis.set_title(title)
    axis.legend(loc="upper left", fontsize=8)
    return _png(figure)


def hours_chart(rows: Sequence[tuple[str, float, float]], title: str, lang: str = "fr") -> bytes:
    """Hours given per month (label, partners, professionals)."""
    figure, axis = plt.subplots(figsize=(7.5, 3.0))
    labels = [r[0] for r in rows]
    partners = [r[1] for r in rows]
    axis.bar(labels, partners, color=PARTNER_COLOUR, edgecolor="black", linewidth=0.5, label=_word("partners", lang))
    axis.bar(
        labels,
        [r[2] for r in rows],
        bottom=partners,
        color=PRO_COLOUR,
        edgecolor="black",
        linewidth=0.5,
        hatch="//",
        label=_word("professionals", lang),
    )
    axis.set_ylabel(_word("hours", lang))
    axis.set_title(title)
    axis.legend(loc="upper left", fontsize=8)
    return _png(figure)


def slips_chart(rows: Sequence[tuple[str, int]], title: str, lang: str = "fr") -> bytes:
    """Days each step moved from its baseline date (positive: later)."""
    figure, axis = plt.subplots(figsize=(7.5, 0.4 * len(rows) + 1.2))
    names = [r[0] for r in rows][::-1]
    values = [r[1] for r in rows][::-1]
    axis.barh(
        names, values, color=["#c62828" if v > 0 else "#2e7d32" for v in values], edgecolor="black", linewidth=0.5
    )
    axis.axvline(0, color="black", linewidth=1)
    axis.set_xlabel(_word("slip", lang))
    axis.set_title(title)
    return _png(figure)
