"""Login links sent by email: 256-bit tokens, stored as SHA-256, single use, expiring.

A link is used up by one conditional UPDATE (``… WHERE used_at IS NULL``): of twelve requests
posting the same link at once, exactly one opens a session.
"""

from datetime import timedelta

from sqlmodel import Session, col, func, select

from accounts.exceptions import LinkRefused
from store.clock import now
from store.models import Account, MagicLink, Membership, Person
from store.tokens import claim_once, new_token, token_hash

MAGIC_LINK_LIFETIME = timedelta(days=7)
#: At most this many login links are emailed to one person per hour.
MAX_LINKS_PER_HOUR = 3


def safe_next(path: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path[:300]


def create_magic_link(
    session: Session, *, person_id: int, next_path: str = "/", lifetime: timedelta = MAGIC_LINK_LIFETIME
) -> tuple[str, MagicLink]:
    """A new login link for a person; returns the token (to put in the email) and its row."""
    token = new_token()
    moment = now()
    link = MagicLink(
        token_hash=token_hash(token),
        person_id=person_id,
        next_path=safe_next(next_path),
        created_at=moment,
        expires_at=moment + lifetime,
    )
    session.add(link)
    session.flush()
    return token, link


def check_magic_link(session: Session, token: str) -> MagicLink:
    """The link a token names, if it can still be used (does not use it)."""
    link = session.exec(select(MagicLink).where(MagicLink.token_hash == token_hash(token))).first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used")
    if link.expires_at <= now():
        raise LinkRefused("expired")
    return link


def redeem_magic_link(session: Session, token: str) -> MagicLink:
    """Use a link once: of concurrent or later calls with the same token, all but one are refused."""
    link = check_magic_link(session, token)
    assert link.id is not None
    if not claim_once(session, MagicLink, link.id, column="used_at", value=now()):
        raise LinkRefused("used")
    session.refresh(link)
    return link


def person_for_link(session: Session, email: str) -> Person | None:
    """Whom a login link asked for by email goes to: the account holder, else the member most
    recently added with that address (identities are per project), if they have not opted out."""
    address = email.strip().lower()
    holder = session.exec(
        select(Person).join(Account, col(Account.person_id) == col(Person.id)).where(Account.email == address)
    ).first()
    person = holder or session.exec(
        select(Person)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Person.email == address, col(Membership.left_at).is_(None))
        .order_by(col(Membership.joined_at).desc())
    ).first()
    if person is None or person.opted_out:
        return None
    return person


def links_sent_recently(session: Session, person_id: int) -> int:
    since = now() - timedelta(hours=1)
    return session.exec(
        select(func.count())
        .select_from(MagicLink)
        .where(MagicLink.person_id == person_id, col(MagicLink.created_at) >= since)
    ).one()
