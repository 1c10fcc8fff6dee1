"""Personal accounts: created by ``cocon user add`` (the first account) and by the demo; a
person may set or change their password from the web.
"""

from collections.abc import Collection, Sequence

from sqlmodel import Session, col, select

from accounts.exceptions import AccountError
from accounts.passwords import PASSWORD_LIMITS, hash_password, password_problem, verify_password
from accounts.sessions import close_other_sessions
from store import audit, limits
from store.exceptions import Phrase
from store.limits import check_length
from store.models import Account, AccountKind, Person
from store.people import EMAIL


def normalise_email(email: str) -> str:
    return email.strip().lower()


def parse_kind(value: str) -> AccountKind:
    try:
        return AccountKind(value.strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in AccountKind)
        raise AccountError("error.accounts.unknown_kind", value=value, choices=choices) from None


def find_account(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == normalise_email(email))).first()


def add_account(
    session: Session,
    *,
    email: str,
    name: str,
    kind: AccountKind,
    structures: Sequence[str] = (),
    password: str | None = None,
    actor: str,
) -> Account:
    """Create a personal account; the person is reused when their email is already known."""
    address = normalise_email(email)
    check_length(address, field=Phrase("error.field.email"), limit=limits.EMAIL)
    check_length(name, field=Phrase("error.field.name"), limit=limits.NAME)
    for structure in structures:
        check_length(structure, field=Phrase("error.field.structure_name"), limit=limits.NAME)
    if not EMAIL.match(address):
        raise AccountError("error.store.invalid_email", email=email)
    if not name.strip():
        raise AccountError("error.store.name_required")
    if find_account(session, address) is not None:
        raise AccountError("error.accounts.account_exists", email=address)
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise AccountError(problem, limit=PASSWORD_LIMITS[problem])
    cleaned = [s.strip() for s in structures if s.strip()]
    person = session.exec(select(Person).where(Person.email == address).order_by(col(Person.id))).first()
    if person is None:
        person = Person(name=name.strip(), email=address)
        session.add(person)
        session.flush()
    assert person.id is not None
    account = Account(
        person_id=person.id,
        email=address,
        kind=kind,
        structures=cleaned,
        password_hash=hash_password(password) if password else None,
    )
    session.add(account)
    session.flush()
    audit.record(
        session, actor=actor, action="account.created", person_id=person.id, kind=kind.value, structures=cleaned
    )
    return account


def list_accounts(session: Session) -> list[tuple[Account, Person]]:
    rows = session.exec(
        select(Account, Person).join(Person, col(Person.id) == col(Account.person_id)).order_by(col(Account.id))
    ).all()
    return [(account, person) for account, person in rows]


def change_password(
    session: Session,
    *,
    person: Person,
    account: Account | None,
    current: str,
    new: str,
    confirm: str,
    keep_session_id: int | None,
) -> Account:
    """Set or change a person's password and end their other sessions.

    Changing an existing password asks for the current one; a person without a password yet (a
    partner who came by a login link) proves themselves by that link. Raises :class:`AccountError`.
    """
    if account is not None and account.password_hash is not None and not verify_password(account.password_hash, current):
        raise AccountError("error.accounts.current_password_wrong")
    problem = password_problem(new)
    if problem is not None:
        raise AccountError(problem, limit=PASSWORD_LIMITS[problem])
    if new != confirm:
        raise AccountError("error.accounts.passwords_differ")
    if account is None:
        if not person.email:
            raise AccountError("error.accounts.password_needs_email")
        address = normalise_email(person.email)
        if find_account(session, address) is not None:
            raise AccountError("error.accounts.address_has_account")
        assert person.id is not None
        account = Account(person_id=person.id, email=address, kind=AccountKind.PARTNER)
    account.password_hash = hash_password(new)
    session.add(account)
    assert person.id is not None
    ended = close_other_sessions(session, person_id=person.id, keep_id=keep_session_id)
    audit.record(session, actor=f"person:{person.id}", action="password.set", person_id=person.id, sessions_ended=ended)
    return account


def _outside(structures: Sequence[str], allowed: Collection[str]) -> list[str]:
    known = {s.strip().casefold() for s in allowed}
    return [s for s in structures if s.strip() and s.strip().casefold() not in known]


def invite_account(
    session: Session,
    *,
    email: str,
    name: str,
    kind: AccountKind,
    structures: Sequence[str],
    inviter_structures: Collection[str],
    actor: str,
) -> Account:
    """A coordinator creates a colleague's or a facilitator's account (no password: they log in
    with a link), for structures the coordinator belongs to only."""
    if kind == AccountKind.PARTNER:
        raise AccountError("error.accounts.partners_need_no_account")
    outside = _outside(structures, inviter_structures)
    if outside:
        raise AccountError("error.accounts.structure_not_followed", structure=outside[0].strip())
    if not [s for s in structures if s.strip()]:
        raise AccountError("error.accounts.structure_required")
    return add_account(session, email=email, name=name, kind=kind, structures=structures, actor=actor)


def set_structures(
    session: Session, account: Account, structures: Sequence[str], *, inviter_structures: Collection[str], actor: str
) -> Account:
    """Choose which of the inviter's structures an account follows; structures the inviter does
    not belong to are kept as they were (someone else gave them)."""
    outside = _outside(structures, inviter_structures)
    if outside:
        raise AccountError("error.accounts.structure_not_followed", structure=outside[0].strip())
    for structure in structures:
        check_length(structure, field=Phrase("error.field.structure_name"), limit=limits.NAME)
    kept = _outside(account.structures, inviter_structures)
    chosen = [s.strip() for s in structures if s.strip()]
    account.structures = sorted({*kept, *chosen}, key=str.casefold)
    session.add(account)
    audit.record(
        session, actor=actor, action="account.structures", person_id=account.person_id, structures=account.structures
    )
    session.flush()
    return account


def colleagues(session: Session, structures: Collection[str]) -> list[tuple[Account, Person]]:
    """The accounts following at least one of these structures (what a coordinator may manage)."""
    known = {s.strip().casefold() for s in structures}
    return [(a, p) for a, p in list_accounts(session) if known & {s.strip().casefold() for s in a.structures}]
