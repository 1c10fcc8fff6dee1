"""iCalendar files: the plan as all-day events, gatherings as timed events in Europe/Paris.

A gathering with a start time is a timed event (``DTSTART;TZID=Europe/Paris``, with the zone's
``VTIMEZONE``), its place in ``LOCATION`` (an address, or the video link, which is also its
``URL``); without a time it stays an all-day event. An invitation is a ``METHOD:REQUEST`` whose
``ATTENDEE`` is its recipient alone, from the coordination (``ORGANIZER``); a moved gathering
keeps its ``UID`` with a higher ``SEQUENCE``; a removed one is sent as ``METHOD:CANCEL``.
Subscriptions (``REFRESH-INTERVAL``, ``X-PUBLISHED-TTL``) carry no method.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

PARIS_TZID = "Europe/Paris"
PARIS = ZoneInfo(PARIS_TZID)
#: How often a subscribed calendar should be read again.
REFRESH = timedelta(hours=6)

Method = Literal["REQUEST", "CANCEL"]


@dataclass(frozen=True)
class Attendee:
    """Someone named in an event: an email address and a display name."""

    email: str
    name: str


@dataclass(frozen=True)
class IcsEvent:
    uid: str
    day: date
    title: str
    description: str = ""
    start: time | None = None  # local (Europe/Paris) start; None: an all-day event
    minutes: int = 120
    location: str | None = None
    url: str | None = None
    sequence: int = 0
    organizer: Attendee | None = None
    attendee: Attendee | None = None
    cancelled: bool = False


def one_line(text: str) -> str:
    """A name for a one-line property: line breaks (which icalendar refuses there) become spaces."""
    return " ".join(text.split())


def gathering_uid(project_slug: str, step_key: str) -> str:
    """The one UID of a plan step's event, the same in invitations, feeds and exports."""
    return f"{project_slug}.{step_key}@cocon"


def _paris_timezone() -> Timezone:
    """Europe/Paris as a VTIMEZONE: the EU rule (last Sunday of March and of October)."""
    zone = Timezone()
    zone.add("tzid", PARIS_TZID)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _address(who: Attendee, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{who.email}")
    address.params["CN"] = vText(one_line(who.name))
    for key, value in params.items():
        address.params[key.replace("_", "-").upper()] = vText(value)
    return address


def _event(item: IcsEvent, moment: datetime, method: Method | None) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", moment)
    if item.start is None:
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        begins = datetime.combine(item.day, item.start, tzinfo=PARIS)
        event.add("dtstart", begins)
        # Python adds to an aware datetime on the wall clock: "18:00 for 2h" ends at 20:00 in Paris
        event.add("dtend", begins + timedelta(minutes=item.minutes))
        event.add("transp", "OPAQUE")
    event.add("summary", one_line(item.title))
    if item.description:
        event.add("description", item.description)
    if item.location:
        event.add("location", one_line(item.location))
    if item.url:
        event.add("url", item.url)
    event.add("sequence", item.sequence)
    event.add("status", "CANCELLED" if item.cancelled or method == "CANCEL" else "CONFIRMED")
    if item.organizer is not None:
        event.add("organizer", _address(item.organizer))
    if item.attendee is not None:
        event.add("attendee", _invitee(item.attendee))
    return event


def _invitee(who: Attendee) -> vCalAddress:
    return _address(who, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="FALSE")


def attendee_line(who: Attendee) -> bytes:
    """The ``ATTENDEE`` content line (folded, with its CRLF) exactly as :func:`calendar_bytes`
    writes it: lets a sender render an invitation once and change only its attendee."""
    event = Event()
    event.add("attendee", _invitee(who))
    return event.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")


def calendar_bytes(
    name: str,
    events: list[IcsEvent],
    *,
    stamp: datetime | None = None,
    method: Method | None = None,
    subscription: bool = False,
) -> bytes:
    """A calendar a calendar application opens: an export, an invitation (``method``) or a
    subscription (``subscription``: how often to refresh it)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cocon//co-construction//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    calendar.add("x-wr-calname", one_line(name))
    if subscription:
        calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", REFRESH)
    if any(item.start is not None for item in events):
        calendar.add("x-wr-timezone", PARIS_TZID)
        calendar.add_component(_paris_timezone())
    moment = stamp or datetime.now(UTC)
    for item in events:
        calendar.add_component(_event(item, moment, method))
    return calendar.to_ical()
