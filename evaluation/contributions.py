"""Contributions: the time each person gives and the expenses to reimburse (défraiement).

Amounts are kept in euro cents. Totals per person and per project feed the compensation plan,
the report and the thanks; :func:`contributions_csv` is the export for the accounts.
"""

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from locales.labels import LabelTable, label
from store import audit, limits, wording
from store.exceptions import InvalidInput, NotFound, Phrase
from store.limits import check_length
from store.models import Contribution, ContributionKind, Person, Project


def kind_label(kind: ContributionKind | str, lang: str = "fr") -> str:
    """How a kind of contribution is named (``label.contribution.<value>``): ``réunion``, ``meeting``."""
    return label("contribution", ContributionKind(kind), lang)


#: The same labels as a table, ``KIND_LABELS[lang][kind]``, for callers not yet on :func:`kind_label`.
KIND_LABELS = LabelTable("contribution", ContributionKind)


def parse_kind(value: str) -> ContributionKind:
    try:
        return ContributionKind(value)
    except ValueError:
        known = ", ".join(k.value for k in ContributionKind)
        raise InvalidInput("error.evaluation.unknown_contribution_kind", value=value, known=known) from None


def number_text(value: float, lang: str = "fr") -> str:
    """``2,5`` (French decimal comma) or ``2.5``."""
    return wording.number(value, lang)


def hours_text(value: float, lang: str = "fr") -> str:
    """``2,5 h`` (French) or ``2.5 h``."""
    return wording.hours(value, lang)


def euros(cents: int, lang: str = "fr") -> str:
    """``12,50 €`` (French) or ``€12.50``."""
    return wording.money(cents, lang)


def add_contribution(
    session: Session,
    project: Project,
    person: Person,
    *,
    on: date,
    kind: ContributionKind,
    hours: float = 0.0,
    amount_cents: int = 0,
    receipt_ref: str | None = None,
    description: str | None = None,
    reimbursed_on: date | None = None,
    actor: str,
) -> Contribution:
    """Record time given and/or an expense incurred by one member."""
    if not math.isfinite(hours) or hours < 0 or hours > 24:
        raise InvalidInput("error.evaluation.hours_range")
    check_length(receipt_ref, field=Phrase("error.field.receipt"), limit=limits.NAME)
    check_length(description, field=Phrase("error.field.description"), limit=limits.TEXT)
    if amount_cents < 0:
        raise InvalidInput("error.evaluation.negative_amount")
    if hours == 0 and amount_cents == 0:
        raise InvalidInput("error.evaluation.hours_or_amount")
    if reimbursed_on is not None and amount_cents == 0:
        raise InvalidInput("error.evaluation.reimbursement_without_amount")
    if reimbursed_on is not None and reimbursed_on < on:
        raise InvalidInput("error.evaluation.reimbursement_before_expense")
    assert project.id is not None and person.id is not None
    row = Contribution(
        project_id=project.id,
        person_id=person.id,
        on=on,
        kind=kind,
        hours=round(hours, 2),
        amount_cents=amount_cents,
        receipt_ref=(receipt_ref or "").strip() or None,
        description=(description or "").strip() or None,
        reimbursed_on=reimbursed_on,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="contribution.added",
        project_id=project.id,
        person_id=person.id,
        contribution=row.id,
        hours=row.hours,
        amount_cents=amount_cents,
    )
    return row


def mark_reimbursed(session: Session, project: Project, contribution_id: int, on: date, *, actor: str) -> Contribution:
    row = session.get(Contribution, contribution_id)
    if row is None or row.project_id != project.id:
        raise NotFound("error.evaluation.contribution_not_found", id=contribution_id, project=project.slug)
    if row.amount_cents == 0:
        raise InvalidInput("error.evaluation.nothing_to_reimburse", id=contribution_id)
    if on < row.on:
        raise InvalidInput("error.evaluation.reimbursement_before_expense")
    row.reimbursed_on = on
    session.add(row)
    audit.record(
        session,
        actor=actor,
        action="contribution.reimbursed",
        project_id=project.id,
        person_id=row.person_id,
        contribution=contribution_id,
    )
    return row


def contributions(session: Session, project: Project) -> list[Contribution]:
    """A project's contributions, oldest first."""
    return list(
        session.exec(
            select(Contribution)
            .where(Contribution.project_id == project.id)
            .order_by(col(Contribution.on), col(Contribution.id))
        )
    )


def contributions_of(session: Session, project: Project, person: Person) -> list[Contribution]:
    """One person's contributions to one project, oldest first."""
    return list(
        session.exec(
            select(Contribution)
            .where(Contribution.project_id == project.id, Contribution.person_id == person.id)
            .order_by(col(Contribution.on), col(Contribution.id))
        )
    )


@dataclass(frozen=True)
class Totals:
    hours: float
    amount_cents: int
    reimbursed_cents: int
    entries: int

    @property
    def owed_cents(self) -> int:
        return self.amount_cents - self.reimbursed_cents


def totals(rows: Sequence[Contribution]) -> Totals:
    """Hours, expenses and what is still owed, for any set of contributions."""
    return Totals(
        hours=round(sum(r.hours for r in rows), 2),
        amount_cents=sum(r.amount_cents for r in rows),
        reimbursed_cents=sum(r.amount_cents for r in rows if r.reimbursed_on is not None),
        entries=len(rows),
    )


def totals_by_person(rows: Sequence[Contribution]) -> dict[int, Totals]:
    grouped: dict[int, list[Contribution]] = {}
    for row in rows:
        grouped.setdefault(row.person_id, []).append(row)
    return {person_id: totals(items) for person_id, items in grouped.items()}


CSV_COLUMNS = (
    "id",
    "date",
    "personne",
    "nature",
    "heures",
    "montant_eur",
    "justificatif",
    "rembourse_le",
    "description",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_text(value: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` before ``= + - @``, tab or line break."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def contributions_csv(rows: Sequence[Contribution], names: dict[int, str]) -> str:
    """CSV for the accounts: semicolon-separated, decimal comma, UTF-8 with a byte-order mark (what
    French spreadsheets expect). Text cells that a spreadsheet would run as a formula are quoted
    with a leading apostrophe."""
    buffer = io.StringIO("\ufeff")
    buffer.seek(0, io.SEEK_END)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                row.id,
                row.on.isoformat(),
                spreadsheet_text(names.get(row.person_id, str(row.person_id))),
                row.kind.value if isinstance(row.kind, ContributionKind) else row.kind,
                f"{row.hours:.2f}".replace(".", ","),
                f"{row.amount_cents / 100:.2f}".replace(".", ","),
                spreadsheet_text(row.receipt_ref or ""),
                row.reimbursed_on.isoformat() if row.reimbursed_on else "",
                spreadsheet_text(row.description or ""),
            )
        )
    return buffer.getvalue()
