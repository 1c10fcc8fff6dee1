"""Length limits on what people type, checked by the services so the web and the CLI agree.

A name that fills a page costs CPU in every PDF and every email; these limits are far above any
real name or note and far below what hurts.
"""

from store.exceptions import InvalidInput, Phrase

#: A person's or a project's name, a structure, a role label.
NAME = 200
#: An email address (RFC 5321 maximum).
EMAIL = 320
#: A phone number.
PHONE = 40
#: An Apprise URL.
URL = 500
#: A free text: a reason, a note, a proposal, a contribution.
TEXT = 4000


def check_length(value: str | None, *, field: str | Phrase, limit: int) -> None:
    """Refuse a value longer than ``limit`` characters with one sentence naming the field (``error.field.*``)."""
    if value is not None and len(value) > limit:
        raise InvalidInput("error.store.too_long", field=field, length=len(value), limit=limit)
