"""Each ``auto`` indicator computed from the store, checked against a count made by hand.

The scenario (team: Claire coordinates; Karim and Sophie are professionals; Awa is a patient
partner and Jean-Pierre a user representative, so 2 partners):

* gatherings: retroplanning (1 March, all 5 present), point-etape-1 (22 March: Claire, Karim,
  Awa), point-etape-2 (19 April: Claire, Sophie). Partners expected 2 × 3 = 6, present 2 + 1 + 0
  = 3 → 50 %. Gatherings with a partner present: 2 of 3 → 66.7 %.
* partner hours: Awa 2 + 0.5, Jean-Pierre 1.5 → 4 h (Karim's 3 h are a professional's).
* partner expenses on 14 June: Awa 12,40 € spent 22 March, repaid 2 April (on time); J-P 8 €
  spent 1 March, repaid 15 April (45 days: late); J-P 5 € spent 10 May, unpaid for 35 days
  (late); Awa 3 € spent 1 June, unpaid for 13 days (not due yet, left out) → 1 / 3 = 33.3 %.
* partners' proposals: Awa adopted + not retained, J-P adapted + pending (left out); Karim's
  and an anonymous idea-box note are not partners' → 2 / 3 = 66.7 %.
* questionnaire: 4 invited (everyone but the coordinator), 1 answered → 25 %.
* thanks: 4 to thank, 3 sent (one still pending) → 75 %.
* steps on time (baseline dates), 14 June: done on time: indicateurs, methode (22 Feb),
  retroplanning, point-etape-1, point-etape-2, remerciements (done 1 June when the thanks were
  queued, baseline 2 July) = 6; late: cartographie, rencontre, charte (done 22 Feb), action
  (done 20 May, baseline 14 May), and convivialite, point-etape-3, questionnaire, evaluation
  (not done, baseline passed) = 8 → 6 / 14 = 42.9 %; restitution is not due yet.
"""

from collections.abc import Callable
from datetime import date

from sqlmodel import Session, col, select

from evaluation.auto_indicators import AUTO_INDICATORS, compute_auto, gather_facts
from evaluation.checkpoints import CheckpointRecord, record_checkpoint
from evaluation.contributions import add_contribution
from evaluation.feedback import invite_participants
from evaluation.proposals import add_proposal, decide_proposal
from evaluation.questionnaire import answer_questionnaire
from evaluation.thanks import send_thanks
from project_templates import indicator_catalogue
from store import plans
from store.models import (
    ContributionKind,
    OutboxMessage,
    OutboxState,
    Project,
    ProjectPhase,
    ProposalSource,
    ProposalStatus,
)
from tests.fixtures_evaluation import ids, people


def _gathering(session: Session, project: Project, key: str, day: str, *names: str) -> None:
    record_checkpoint(
        session,
        project,
        key,
        CheckpointRecord(held_on=date.fromisoformat(day), attendees=ids(session, project, *names)),
        actor="claire",
    )


def test_each_auto_indicator_matches_a_hand_count(
    session: Session, eval_running: Project, eval_clock: Callable[[str], None]
) -> None:
    project = eval_running
    team = people(session, project)
    awa, jp, karim = team["awa"], team["jean-pierre"], team["karim"]

    eval_clock("2027-03-01T20:00")
    _gathering(session, project, "retroplanning", "2027-03-01", "claire", "karim", "sophie", "awa", "jean-pierre")
    eval_clock("2027-03-22T20:00")
    _gathering(session, project, "point-etape-1", "2027-03-22", "claire", "karim", "awa")
    eval_clock("2027-04-19T20:00")
    _gathering(session, project, "point-etape-2", "2027-04-19", "claire", "sophie")
    eval_clock("2027-05-20T12:00")
    plans.mark_done(session, project, "action", actor="claire")

    def add(
        person, day: str, kind: ContributionKind, hours: float = 0, cents: int = 0, repaid: str | None = None
    ) -> None:  # type: ignore[no-untyped-def]
        add_contribution(
            session,
            project,
            person,
            on=date.fromisoformat(day),
            kind=kind,
            hours=hours,
            amount_cents=cents,
            reimbursed_on=date.fromisoformat(repaid) if repaid else None,
            actor="claire",
        )

    add(awa, "2027-03-22", ContributionKind.MEETING, hours=2)
    add(awa, "2027-03-22", ContributionKind.TRAVEL, hours=0.5, cents=1240, repaid="2027-04-02")
    add(jp, "2027-04-19", ContributionKind.PREPARATION, hours=1.5)
    add(jp, "2027-03-01", ContributionKind.TRAVEL, cents=800, repaid="2027-04-15")
    add(jp, "2027-05-10", ContributionKind.TRAVEL, cents=500)
    add(awa, "2027-06-01", ContributionKind.CARE, cents=300)
    add(karim, "2027-03-22", ContributionKind.MEETING, hours=3, cents=1000)

    def propose(person, text: str, status: ProposalStatus, outcome: str | None = None) -> None:  # type: ignore[no-untyped-def]
        row = add_proposal(session, project, person, text=text, source=ProposalSource.CHECKPOINT, actor="claire")
        if status != ProposalStatus.PENDING:
            decide_proposal(session, project, row.id or 0, status, outcome=outcome, actor="claire")

    propose(awa, "Affiche en gros caractères", ProposalStatus.ADOPTED)
    propose(awa, "Ouvrir le samedi", ProposalStatus.NOT_RETAINED, "pas de personnel")
    propose(jp, "Chaises plus hautes", ProposalStatus.ADAPTED, "deux chaises hautes")
    propose(jp, "Musique douce", ProposalStatus.PENDING)
    propose(karim, "Écran d'information", ProposalStatus.ADOPTED)
    propose(None, "Un point d'eau", ProposalStatus.ADOPTED)

    eval_clock("2027-06-01T10:00")
    tokens = {new.person.name: new.token for new in invite_participants(session, project, actor="claire")}
    assert len(tokens) == 4
    answer_questionnaire(session, tokens["Awa Diallo"], {"pers-utile": 5})

    project.phase = ProjectPhase.APRES  # thanks are sent in "après" only
    send_thanks(session, project, actor="claire")
    thanks = session.exec(
        select(OutboxMessage).where(OutboxMessage.occasion == "thanks").order_by(col(OutboxMessage.id))
    ).all()
    assert len(thanks) == 4
    for row in thanks[:3]:
        row.state = OutboxState.SENT
        session.add(row)
    session.commit()

    facts = gather_facts(session, project, on=date(2027, 6, 14))
    # Every auto indicator of the catalogue has a function, and nothing else does.
    assert set(AUTO_INDICATORS) == {c for c, d in indicator_catalogue().items() if d.source == "auto"}
    assert compute_auto(facts, list(AUTO_INDICATORS)) == {
        "partenaires-impliques": 2.0,
        "heures-contribuees": 4.0,
        "presence-partenaires": 50.0,
        "reunions-avec-usagers": 66.7,
        "propositions-retenues": 66.7,
        "defraiements-a-temps": 33.3,
        "taux-reponse-questionnaire": 25.0,
        "retours-faits": 75.0,
        "etapes-a-temps": 42.9,
    }


def test_nothing_to_measure_gives_none_not_zero(session: Session, eval_running: Project) -> None:
    facts = gather_facts(session, eval_running, on=date(2027, 2, 22))
    values = compute_auto(facts, list(AUTO_INDICATORS))
    assert values["partenaires-impliques"] == 2.0
    assert values["heures-contribuees"] == 0.0
    assert values["retours-faits"] == 0.0  # four people to thank, nobody told yet
    for code in (
        "presence-partenaires",
        "reunions-avec-usagers",
        "propositions-retenues",
        "defraiements-a-temps",
        "taux-reponse-questionnaire",
    ):
        assert values[code] is None, code
