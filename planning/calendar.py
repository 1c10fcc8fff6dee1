"""French working days and French dates.

Working days exclude weekends and French public holidays as the ``holidays`` package knows them,
including the Easter-based ones (lundi de Pâques, Ascension, lundi de Pentecôte); in Alsace-Moselle
also Good Friday and 26 December (:class:`HolidayZone`). Month arithmetic is ``dateutil``'s.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache

from babel.dates import get_day_names, get_month_names
from dateutil.relativedelta import relativedelta

#: Babel's locale of each language (day and month names, CLDR).
_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


@cache
def calendar_words(lang: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The day names (Monday first) and month names of ``lang`` (French unless English), from
    Babel's locale data; read once, as formatting each date through Babel costs ~15 ms."""
    locale = _LOCALES["en" if lang == "en" else "fr"]
    days = get_day_names("wide", "format", locale=locale)
    months = get_month_names("wide", "format", locale=locale)
    return tuple(days[i] for i in range(7)), tuple(months[i] for i in range(1, 13))


class HolidayZone(StrEnum):
    """Which public holidays a project's structure keeps."""

    METROPOLE = "metropole"  # the eleven national days
    ALSACE_MOSELLE = "alsace-moselle"  # and Good Friday and 26 December (Bas-Rhin, Haut-Rhin, Moselle)


#: The ``holidays`` package's subdivision for each zone (Alsace, "6AE", keeps the same days as Moselle).
_SUBDIVISION: dict[HolidayZone, str | None] = {HolidayZone.METROPOLE: None, HolidayZone.ALSACE_MOSELLE: "57"}

METROPOLE = HolidayZone.METROPOLE


@cache
def french_holidays(year: int, zone: HolidayZone = METROPOLE) -> dict[date, str]:
    """The public holidays of a year, named in French, from the ``holidays`` package."""
    import holidays  # loaded on first use (~0.2 s): commands that compute no date do not pay for it

    return dict(holidays.France(years=year, subdiv=_SUBDIVISION[zone], language="fr"))


def is_working_day(day: date, zone: HolidayZone = METROPOLE) -> bool:
    return day.weekday() < 5 and day not in french_holidays(day.year, zone)


def next_working_day(day: date, zone: HolidayZone = METROPOLE) -> date:
    """``day`` itself if it is a working day, else the next one."""
    while not is_working_day(day, zone):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, zone: HolidayZone = METROPOLE) -> date:
    """``day`` itself if it is a working day, else the previous one."""
    while not is_working_day(day, zone):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int, zone: HolidayZone = METROPOLE) -> date:
    """Move ``count`` working days forward (or backward if negative) from ``day``."""
    step = 1 if count >= 0 else -1
    remaining = abs(count)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day, zone):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, zone: HolidayZone = METROPOLE) -> int:
    """Working days after ``start`` up to and including ``end`` (how late a step is)."""
    return sum(1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n), zone))


def add_months(day: date, months: int) -> date:
    """Same day-of-month ``months`` later (clamped to the month's last day)."""
    return day + relativedelta(months=months)


def long_date(day: date, lang: str = "fr") -> str:
    """``mardi 24 novembre 2026`` (or ``Tuesday 24 November 2026``)."""
    lang = "en" if lang == "en" else "fr"
    days, months = calendar_words(lang)
    number = "1er" if lang == "fr" and day.day == 1 else str(day.day)
    return f"{days[day.weekday()]} {number} {months[day.month - 1]} {day.year}"


def short_date(day: date, lang: str = "fr") -> str:
    """``24/11/2026`` in French, ``2026-11-24`` in English."""
    return day.strftime("%d/%m/%Y") if lang != "en" else day.isoformat()


def long_datetime(moment: datetime, lang: str = "fr") -> str:
    """``mardi 24 novembre 2026 à 18 h 30`` (local time of ``moment``)."""
    if lang == "en":
        return f"{long_date(moment.date(), 'en')} at {moment:%H:%M}"
    minutes = f" {moment:%M}" if moment.minute else ""
    return f"{long_date(moment.date())} à {moment.hour} h{minutes}"
