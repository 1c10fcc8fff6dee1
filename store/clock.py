"""The one clock of Cocon. ``COCON_NOW=2027-03-01T09:00`` (Europe/Paris if no offset) fixes it."""

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from project_templates.exceptions import CoconError

PARIS = ZoneInfo("Europe/Paris")


class ClockError(CoconError):
    """``COCON_NOW`` does not hold a date and time."""


def now() -> datetime:
    """The current time, UTC-aware; ``COCON_NOW`` overrides it."""
    fixed = os.environ.get("COCON_NOW")
    if not fixed:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(fixed)
    except ValueError:
        raise ClockError("error.store.clock_not_iso", value=repr(fixed)) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.astimezone(UTC)


def local_now() -> datetime:
    """The current time in Europe/Paris."""
    return now().astimezone(PARIS)


def today() -> date:
    """Today's date in Europe/Paris."""
    return local_now().date()
