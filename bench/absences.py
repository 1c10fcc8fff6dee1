"""How long choosing the next moment to contact someone takes, as absences grow.

    .venv/bin/python bench/absences.py

``next_contact_time`` searches day by day until the end of the person's last absence (plus a
week): it is called for each row held at send time, so its cost per call matters.
"""

import time
from datetime import date, datetime, timedelta

from notifications.planner import ContactPrefs, next_contact_time
from store.clock import PARIS


def per_call(prefs: ContactPrefs, calls: int = 2000) -> float:
    moment = datetime(2027, 1, 25, 7, 30, tzinfo=PARIS)
    started = time.perf_counter()
    for _ in range(calls):
        next_contact_time(prefs, moment)
    return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    start = date(2027, 1, 25)
    print("absence            µs per call")
    for label, days in (("none", 0), ("2 weeks", 14), ("7 weeks", 49), ("1 year", 365)):
        away = frozenset(start + timedelta(days=n) for n in range(days))
        prefs = ContactPrefs(quiet_hours="21:00-08:00", availability=("soir",), unavailable=away)
        print(f"{label:<18} {per_call(prefs):8.1f}")


if __name__ == "__main__":
    main()
