"""Contributions (time, expenses, reimbursement) and proposals (what became of them)."""

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from evaluation.assessment import close_evaluation_steps
from evaluation.contributions import (
    add_contribution,
    contributions,
    contributions_csv,
    contributions_of,
    euros,
    hours_text,
    mark_reimbursed,
    number_text,
    totals,
    totals_by_person,
)
from evaluation.exceptions import ReasonRequired
from evaluation.proposals import add_proposal, decide_proposal, proposals_of
from project_templates.schema import StepKind
from store import plans
from store.exceptions import InvalidInput
from store.models import ContributionKind, Project, ProposalSource, ProposalStatus, StepStatus
from tests.fixtures_evaluation import people


def test_totals_per_person_and_per_project(session: Session, eval_running: Project) -> None:
    team = people(session, eval_running)
    awa, jp = team["awa"], team["jean-pierre"]
    add_contribution(
        session, eval_running, awa, on=date(2027, 3, 22), kind=ContributionKind.MEETING, hours=2, actor="t"
    )
    travel = add_contribution(
        session,
        eval_running,
        awa,
        on=date(2027, 3, 22),
        kind=ContributionKind.TRAVEL,
        hours=0.5,
        amount_cents=1240,
        receipt_ref="ticket 0322",
        actor="t",
    )
    add_contribution(
        session, eval_running, jp, on=date(2027, 4, 2), kind=ContributionKind.PREPARATION, hours=1.25, actor="t"
    )
    mark_reimbursed(session, eval_running, travel.id or 0, date(2027, 4, 2), actor="t")

    mine = contributions_of(session, eval_running, awa)
    assert [c.hours for c in mine] == [2, 0.5]
    assert totals(mine).hours == 2.5 and totals(mine).amount_cents == 1240 and totals(mine).owed_cents == 0
    per_person = totals_by_person(contributions(session, eval_running))
    assert per_person[jp.id or 0].hours == 1.25
    assert totals(contributions(session, eval_running)).hours == 3.75
    assert euros(1240) == "12,40 €" and euros(1240, "en") == "€12.40"


def test_csv_for_the_accounts(session: Session, eval_running: Project) -> None:
    awa = people(session, eval_running)["awa"]
    add_contribution(
        session,
        eval_running,
        awa,
        on=date(2027, 3, 22),
        kind=ContributionKind.TRAVEL,
        hours=0.5,
        amount_cents=1240,
        receipt_ref="ticket 0322",
        reimbursed_on=date(2027, 4, 2),
        actor="t",
    )
    text = contributions_csv(contributions(session, eval_running), {awa.id or 0: awa.name})
    assert text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").splitlines()
    assert lines[0] == "id;date;personne;nature;heures;montant_eur;justificatif;rembourse_le;description"
    assert lines[1].endswith(";2027-03-22;Awa Diallo;deplacement;0,50;12,40;ticket 0322;2027-04-02;")


def test_contribution_validation(session: Session, eval_running: Project) -> None:
    awa = people(session, eval_running)["awa"]
    with pytest.raises(InvalidInput, match="heures"):
        add_contribution(
            session, eval_running, awa, on=date(2027, 3, 1), kind=ContributionKind.MEETING, hours=0, actor="t"
        )
    with pytest.raises(InvalidInput, match="entre 0 et 24"):
        add_contribution(
            session, eval_running, awa, on=date(2027, 3, 1), kind=ContributionKind.MEETING, hours=30, actor="t"
        )
    with pytest.raises(InvalidInput, match="précéder"):
        add_contribution(
            session,
            eval_running,
            awa,
            on=date(2027, 3, 1),
            kind=ContributionKind.TRAVEL,
            amount_cents=500,
            reimbursed_on=date(2027, 2, 1),
            actor="t",
        )


def test_proposals_and_their_outcome(session: Session, eval_running: Project) -> None:
    awa = people(session, eval_running)["awa"]
    poster = add_proposal(
        session,
        eval_running,
        awa,
        text="Affiche en gros caractères",
        source=ProposalSource.CHECKPOINT,
        step_key="point-etape-1",
        actor="t",
    )
    saturday = add_proposal(
        session, eval_running, awa, text="Ouvrir le samedi", source=ProposalSource.IDEA_BOX, actor="t"
    )
    with pytest.raises(ReasonRequired, match="raison"):
        decide_proposal(session, eval_running, saturday.id or 0, ProposalStatus.NOT_RETAINED, actor="t")
    with pytest.raises(ReasonRequired, match="adaptée"):
        decide_proposal(session, eval_running, poster.id or 0, ProposalStatus.ADAPTED, actor="t")
    decide_proposal(session, eval_running, poster.id or 0, ProposalStatus.ADOPTED, actor="t")
    decide_proposal(
        session,
        eval_running,
        saturday.id or 0,
        ProposalStatus.NOT_RETAINED,
        outcome="pas de personnel le samedi",
        actor="t",
    )
    mine = proposals_of(session, eval_running, awa)
    assert [(p.status, p.outcome) for p in mine] == [
        (ProposalStatus.ADOPTED, None),
        (ProposalStatus.NOT_RETAINED, "pas de personnel le samedi"),
    ]
    assert mine[0].decided_on == date(2027, 2, 22)


def test_cli_contributions_and_proposals(cli, tmp_path: Path, eval_running: Project) -> None:
    slug = eval_running.slug
    assert (
        cli("contribution", "add", slug, "-p", "awa@example.org", "--date", "2027-03-22", "--hours", "2").exit_code == 0
    )
    added = cli(
        "contribution",
        "add",
        slug,
        "-p",
        "Awa Diallo",
        "--date",
        "2027-03-22",
        "--amount",
        "12,40",
        "--kind",
        "deplacement",
        "--receipt",
        "ticket",
        "--json",
    )
    assert added.exit_code == 0 and '"amount": 12.4' in added.output
    assert cli("contribution", "reimburse", slug, "2", "--date", "2027-04-01").exit_code == 0
    csv_file = tmp_path / "compta.csv"
    listed = cli("contribution", "list", slug, "--csv", str(csv_file))
    assert listed.exit_code == 0
    assert "Awa Diallo : 2 h, frais 12,40 €, reste dû 0,00 €" in listed.output
    assert "12,40" in csv_file.read_text(encoding="utf-8")
    bad_kind = cli("contribution", "add", slug, "-p", "awa@example.org", "--hours", "1", "--kind", "sieste")
    assert bad_kind.exit_code == 1 and "inconnue" in bad_kind.output

    assert cli("proposal", "add", slug, "-p", "awa@example.org", "--text", "Affiche en gros caractères").exit_code == 0
    refused = cli("proposal", "decide", slug, "1", "--status", "non-retenue")
    assert refused.exit_code == 1 and "raison" in refused.output
    assert cli("proposal", "decide", slug, "1", "--status", "adaptee", "--reason", "en A3").exit_code == 0
    listed = cli("proposal", "list", slug)
    assert "[adaptée] Affiche en gros caractères — Awa Diallo (en A3)" in listed.output
    unsigned = cli("proposal", "add", slug, "--text", "Ouvrir le samedi", "--source", "boite-a-idees")
    assert unsigned.exit_code == 0, unsigned.output
    listed = cli("proposal", "list", slug)
    assert "Ouvrir le samedi — sans nom, boîte à idées" in listed.output and "— —" not in listed.output


def test_hours_and_numbers_in_each_language() -> None:
    assert hours_text(2.5) == "2,5 h" and hours_text(2.5, "en") == "2.5 h"
    assert number_text(-1.5) == "-1,5" and number_text(3, "en") == "3"


def test_closing_steps_leaves_a_skipped_step_alone(session: Session, eval_running: Project) -> None:
    """A step the coordination skipped stays skipped: closing the evaluation does not fail on it."""
    steps = plans.plan_steps(session, eval_running)
    feedback = next(s.key for s in steps if s.kind == StepKind.FEEDBACK)
    evaluation = next(s.key for s in steps if s.kind == StepKind.EVALUATION)
    plans.set_status(session, eval_running, feedback, StepStatus.SKIPPED, actor="t")

    close_evaluation_steps(session, eval_running, actor="t")

    assert plans.get_step(session, eval_running, feedback).status == StepStatus.SKIPPED
    assert plans.get_step(session, eval_running, evaluation).status == StepStatus.DONE


def test_contributions_csv_neutralises_formulas_and_carries_a_bom(
    session: Session, eval_running: Project, tmp_path: Path, cli: Any
) -> None:
    awa = people(session, eval_running)["awa"]
    hostile = ["=HYPERLINK(\"http://evil.example\")", "+33 1", "-2+3", "@SUM(A1)", "\tx", "\rx", "Françoise"]
    for text in hostile:
        add_contribution(session, eval_running, awa, on=date(2027, 3, 22), kind=ContributionKind.MEETING, hours=1,
                         description=text, receipt_ref=text[:20], actor="t")
    session.commit()
    target = tmp_path / "apports.csv"
    result = cli("contribution", "list", eval_running.slug, "--csv", str(target))
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "Françoise".encode() in raw
    cells = [cell for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";") for cell in row[6:]]
    assert cells and not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    assert "'=HYPERLINK(\"http://evil.example\")" in cells


@pytest.mark.parametrize("hours", [float("nan"), float("inf"), -float("inf")])
def test_hours_must_be_a_real_number(session: Session, eval_running: Project, hours: float) -> None:
    awa = people(session, eval_running)["awa"]
    with pytest.raises(InvalidInput, match="entre 0 et 24"):
        add_contribution(session, eval_running, awa, on=date(2027, 3, 1), kind=ContributionKind.MEETING, hours=hours,
                         actor="t")
