"""A person's notification preferences: where messages go, when the daily digest leaves, in which language.

* ``channel`` — ``email``, ``apprise`` (only their own Apprise URL: SMS, Signal…) or ``both``
  (the default: email, plus the short version on their Apprise URL when they have one);
* ``digest_time`` — ``HH:MM`` (Europe/Paris): the day's digest leaves at or after it, inside the
  daytime window (08:00–20:00) and the person's other wishes (quiet hours, absences, pauses);
* ``language`` — ``fr`` or ``en``.

Which Apprise URLs a coordination allows, and how ``sms:+33…`` becomes one, is decided on the
notifications floor (:mod:`notifications.preferences`); this module stores and checks the rest.
"""

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel import Session

from store import audit
from store.exceptions import InvalidInput
from store.models import Person

Channel = Literal["email", "apprise", "both"]
CHANNELS: tuple[Channel, ...] = ("email", "apprise", "both")
#: The digest time is a moment of the daytime window: 08:00 to 19:59.
DIGEST_TIME = re.compile(r"^(0[89]|1\d):[0-5]\d$")

_UNSET: Any = object()


@dataclass(frozen=True)
class Preferences:
    channel: Channel
    digest_time: str | None
    language: str


def preferences_of(person: Person) -> Preferences:
    channel: Channel = person.channel if person.channel in CHANNELS else "both"  # type: ignore[assignment]
    return Preferences(channel, person.digest_time, person.language)


def set_preferences(
    session: Session,
    person: Person,
    *,
    actor: str,
    channel: str | None = None,
    apprise_url: str | None = _UNSET,
    digest_time: str | None = _UNSET,
    language: str | None = None,
) -> list[str]:
    """Change the preferences given (``digest_time=None`` clears it); returns the fields changed.

    ``apprise_url`` must already be checked and allowed (:mod:`notifications.preferences`)."""
    changed: dict[str, Any] = {}
    if channel is not None:
        if channel not in CHANNELS:
            raise InvalidInput("error.store.channel_choice")
        changed["channel"] = channel
    if apprise_url is not _UNSET:
        changed["apprise_url"] = apprise_url or None
    if digest_time is not _UNSET:
        value = (digest_time or "").strip() or None
        if value is not None and not DIGEST_TIME.match(value):
            raise InvalidInput("error.store.digest_time", value=value)
        changed["digest_time"] = value
    if language is not None:
        if language not in ("fr", "en"):
            raise InvalidInput("error.store.language_choice")
        changed["language"] = language
    after = {key: value for key, value in changed.items() if getattr(person, key) != value}
    final_channel = after.get("channel", person.channel)
    final_url = after.get("apprise_url", person.apprise_url)
    if final_channel == "apprise" and not final_url:
        raise InvalidInput("error.store.apprise_address_first")
    if final_channel == "email" and not person.email:
        raise InvalidInput("error.store.no_email_for_email_only")
    if not after:
        return []
    for key, value in after.items():
        setattr(person, key, value)
    session.add(person)
    audit.record(session, actor=actor, action="person.preferences", person_id=person.id, fields=sorted(after))
    session.flush()
    return sorted(after)
