"""Staff accounts: created by ``cocon user add`` (the first account) and by the demo."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from cocon.web.security import hash_password, normalise_email, password_problem
from store import audit
from store.exceptions import InvalidInput
from store.models import Account, AccountKind, Person
from store.people import EMAIL


def parse_kind(value: str) -> AccountKind:
    try:
        return AccountKind(value.strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in AccountKind)
        raise InvalidInput(f"Type de compte inconnu « {value} » : choisir parmi {choices}.") from None


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
    if not EMAIL.match(address):
        raise InvalidInput(f"Adresse e-mail invalide « {email} ».")
    if not name.strip():
        raise InvalidInput("Indiquez le nom de la personne (--name).")
    if session.exec(select(Account).where(Account.email == address)).first() is not None:
        raise InvalidInput(f"Un compte existe déjà pour {address}.")
    if password is not None:
        problem = password_problem(password)
        if problem:
            raise InvalidInput(problem)
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
