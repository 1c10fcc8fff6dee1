"""iCalendar export of dated steps: one all-day event per step, with a stable UID."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    day: date
    title: str
    description: str = ""


def one_line(text: str) -> str:
    """A name for a one-line property: line breaks (which icalendar refuses there) become spaces."""
    return " ".join(text.split())


def calendar_bytes(name: str, events: list[IcsEvent], *, stamp: datetime | None = None) -> bytes:
    """A calendar a calendar application opens: one all-day event per item."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cocon//co-construction//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", one_line(name))
    moment = stamp or datetime.now(UTC)
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", moment)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", one_line(item.title))
        if item.description:
            event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
