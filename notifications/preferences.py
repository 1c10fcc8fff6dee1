"""Notification preferences as a person or a coordinator gives them: ``email``, ``sms:+33…`` or an
Apprise URL the coordination allows, a digest time, a language.

The coordination decides where messages may go, in two settings:

* ``COCON_SMS_URL`` — the Apprise URL of its SMS gateway, with ``{phone}`` where the number goes
  (``twilio://SID:TOKEN@+33100000000/{phone}``), or ``{digits}`` for the number without its ``+``
  (an email-to-SMS gateway: ``mailtos://…?to={digits}@sms.example.org``); without it, ``sms:``
  is refused;
* ``COCON_CHANNEL_SCHEMES`` — the Apprise schemes a person may give as their own URL
  (``signal,matrix,ntfy``); empty by default: email and SMS only.

URLs hold addresses and secrets: they are never logged nor shown back.
"""

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sqlmodel import Session

from notifications.channels import check_apprise_url
from notifications.exceptions import ChannelError
from notifications.pauses import same_owner
from store.models import Person
from store.preferences import set_preferences

PHONE = re.compile(r"^\+?[0-9 .-]{6,20}$")
_KEEP: Any = object()


def allowed_schemes() -> frozenset[str]:
    """The Apprise schemes the coordination allows as a person's own channel (``COCON_CHANNEL_SCHEMES``)."""
    raw = os.environ.get("COCON_CHANNEL_SCHEMES", "")
    return frozenset(s.strip().lower().removesuffix("://") for s in raw.split(",") if s.strip())


def sms_gateway() -> str | None:
    value = os.environ.get("COCON_SMS_URL", "").strip()
    return value or None


@dataclass(frozen=True)
class ChannelChoice:
    """What a channel preference means for the person's row."""

    channel: str
    apprise_url: str | None = _KEEP
    phone: str | None = None


def parse_channel(value: str) -> ChannelChoice:
    """``email`` | ``both`` | ``sms:+33612345678`` | an allowed Apprise URL → what to store."""
    text = value.strip()
    if text in ("email", "both"):
        return ChannelChoice(text)
    if text.lower().startswith("sms:"):
        number = text[4:].strip()
        gateway = sms_gateway()
        if gateway is None or ("{phone}" not in gateway and "{digits}" not in gateway):
            raise ChannelError("error.notifications.no_sms_gateway")
        if not PHONE.match(number):
            raise ChannelError("error.notifications.unreadable_number", number=number)
        digits = re.sub(r"[ .-]", "", number)
        url = gateway.replace("{phone}", quote(digits, safe="")).replace("{digits}", digits.lstrip("+"))
        check_apprise_url(url)
        return ChannelChoice("apprise", url, digits)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if not scheme or scheme not in allowed_schemes():
        raise ChannelError("error.notifications.channel_not_allowed")
    check_apprise_url(text)
    return ChannelChoice("apprise", text)


def update_preferences(
    session: Session,
    person: Person,
    *,
    actor: str,
    channel: str | None = None,
    digest_time: str | None = _KEEP,
    language: str | None = None,
) -> list[str]:
    """Apply a person's preferences (``channel`` as :func:`parse_channel` reads it); the fields changed."""
    extra: dict[str, object] = {}
    changed: list[str] = []
    if channel is not None:
        choice = parse_channel(channel)
        extra["channel"] = choice.channel
        if choice.apprise_url is not _KEEP:
            extra["apprise_url"] = choice.apprise_url
        if choice.phone and person.phone != choice.phone:
            person.phone = choice.phone
            changed.append("phone")
    if digest_time is not _KEEP:
        extra["digest_time"] = digest_time
    changed += set_preferences(session, person, actor=actor, language=language, **extra)  # type: ignore[arg-type]
    return sorted(set(changed))


def update_own_preferences(
    session: Session,
    person: Person,
    *,
    actor: str,
    channel: str | None = None,
    digest_time: str | None = _KEEP,
    language: str | None = None,
) -> list[str]:
    """The person's own choice (from "Mon compte"): applied to every record of them (same email),
    as their pause is — it is one human choosing, whichever project added them."""
    changed: set[str] = set()
    for row in same_owner(session, person):
        changed |= set(update_preferences(
            session, row, actor=actor, channel=channel, digest_time=digest_time, language=language
        ))
    return sorted(changed)
