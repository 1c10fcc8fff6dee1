"""The partner's home (/mon-espace) and "Mes contributions" as the web app serves them."""

import re
from datetime import date
from html import unescape

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from evaluation.contributions import add_contribution
from evaluation.proposals import add_proposal, decide_proposal
from store import plans
from store.agenda import upcoming_for
from store.db import session_scope
from store.models import ContributionKind, Proposal, ProposalSource, ProposalStatus
from store.people import get_person, members
from store.projects import get_project
from tests.factories import make_project
from tests.fixtures_web import WebWorld, csrf_of, log_in, log_in_with_link


def _record_awa(db_url: str, slug: str, awa_id: int) -> None:
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        awa = get_person(session, awa_id)
        add_contribution(session, project, awa, on=date(2027, 2, 4), kind=ContributionKind.MEETING, hours=2.5,
                         amount_cents=1240, reimbursed_on=date(2027, 3, 1), actor="test")
        add_contribution(session, project, awa, on=date(2027, 3, 11), kind=ContributionKind.TRAVEL,
                         amount_cents=860, description="Bus jusqu'à la MSP", actor="test")
        kept = add_proposal(session, project, awa, text="Une affiche en gros caractères",
                            source=ProposalSource.CHECKPOINT, actor="test")
        refused = add_proposal(session, project, awa, text="Un écran dans la salle d'attente",
                               source=ProposalSource.MEETING, actor="test")
        assert kept.id is not None and refused.id is not None
        decide_proposal(session, project, kept.id, ProposalStatus.ADOPTED, actor="test")
        decide_proposal(session, project, refused.id, ProposalStatus.NOT_RETAINED,
                        outcome="Le budget de l'année est déjà engagé", actor="test")


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_partner_lands_on_their_home_with_what_they_gave_and_what_became_of_their_ideas(
    client: TestClient, web_world: WebWorld, db_url: str, office_hours: str
) -> None:
    _record_awa(db_url, web_world.slug_a, web_world.partner_a)
    log_in_with_link(client, db_url, web_world.partner_a)
    home = client.get("/")
    assert home.status_code == 303 and home.headers["location"] == "/mon-espace"
    page = client.get("/mon-espace")
    assert page.status_code == 200
    text = _plain(page.text)
    assert "<table" not in page.text  # lists on a phone, no staff tables
    assert "Bonjour Awa Diallo." in text
    assert "remboursés le lundi 1er mars 2027" in text
    assert "8,60 € : restent à rembourser" in text and "Bus jusqu'à la MSP" in text
    assert "Temps donné : 2,5 h. Frais : 21,00 €, dont 8,60 € restent à rembourser." in text
    assert "Une affiche en gros caractères" in text and "adoptée" in text
    assert "non retenue" in text and "Pourquoi : Le budget de l'année est déjà engagé" in text
    # the next gatherings: the project starts on 4 January 2027, this is 1 December 2026
    assert "Vos prochains rendez-vous" in text and "Projet : Accueil en salle d'attente" in text
    assert "Vous recevez les rappels de vos projets." in text
    assert "Diagnostic territorial" not in text  # another project's people and data stay there
    with session_scope(db_url) as session:
        awa = get_person(session, web_world.partner_a)
        agenda = upcoming_for(session, awa, today=date(2026, 12, 1))
    assert agenda and all(item.due >= date(2026, 12, 1) for item in agenda)
    assert agenda == sorted(agenda, key=lambda item: item.due)
    assert any(item.gathering for item in agenda)
    first = agenda[0]
    assert first.title in text


def test_a_partner_makes_a_proposal_from_their_home(
    client: TestClient, web_world: WebWorld, db_url: str, office_hours: str
) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    token = csrf_of(client, "/mon-espace")
    sent = client.post("/mon-espace/propositions",
                       data={"project": web_world.slug_a, "text": "Des chaises plus hautes", "csrf_token": token})
    assert sent.status_code == 303 and sent.headers["location"] == "/mon-espace?ok=my_proposal#propositions"
    after = _plain(client.get("/mon-espace?ok=my_proposal").text)
    assert "Merci : votre proposition est enregistrée." in after
    assert "Des chaises plus hautes" in after and "en attente" in after
    with session_scope(db_url) as session:
        row = session.exec(select(Proposal)).one()
        assert row.person_id == web_world.partner_a and row.source == ProposalSource.OTHER
        assert row.recorded_by == f"person:{web_world.partner_a}"
    empty = client.post("/mon-espace/propositions", data={"project": web_world.slug_a, "text": "  ", "csrf_token": token})
    assert empty.status_code == 400 and "Écrivez la proposition" in empty.text
    # a project the partner does not belong to does not exist for them
    other = client.post("/mon-espace/propositions",
                        data={"project": web_world.slug_b, "text": "Ailleurs", "csrf_token": token})
    assert other.status_code == 404
    with session_scope(db_url) as session:
        assert len(session.exec(select(Proposal)).all()) == 1


def test_staff_still_land_on_the_dashboard_and_learn_where_contributions_are_recorded(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in(client)
    assert client.get("/").headers["location"] == "/tableau-de-bord"
    page = client.get("/mes-contributions").text
    mine = _plain(page)
    assert "Rien d'enregistré à votre nom. Pour saisir le temps et les frais des partenaires" in mine
    assert f'href="/projets/{web_world.slug_a}/contributions"' in page


def test_a_partner_without_contributions_is_not_sent_to_the_coordination_pages(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    log_in_with_link(client, db_url, web_world.partner_a)
    page = client.get("/mes-contributions").text
    assert "Rien d'enregistré pour l'instant." in _plain(page)
    assert '/contributions"' not in page


def test_the_home_in_english(client: TestClient, web_world: WebWorld, db_url: str, office_hours: str) -> None:
    _record_awa(db_url, web_world.slug_a, web_world.partner_a)
    log_in_with_link(client, db_url, web_world.partner_a)
    client.post("/langue", data={"lang": "en", "next": "/mon-espace", "csrf_token": csrf_of(client, "/mon-espace")})
    text = _plain(client.get("/mon-espace").text)
    assert "My space" in text and "Hello Awa Diallo." in text
    assert "reimbursed on Monday 1 March 2027" in text and "still to be reimbursed" in text
    assert "not retained" in text and "Why: Le budget de l'année est déjà engagé" in text
    assert "Your next gatherings" in text and "You receive the reminders of your projects." in text


def test_the_agenda_lists_owned_steps_and_gatherings_not_other_roles_work(session: Session) -> None:
    project = make_project(session)
    team = {p.name.split()[0].lower(): p for p, _ in members(session, project)}
    claire = upcoming_for(session, team["claire"], today=date(2027, 1, 4), limit=50)
    awa = upcoming_for(session, team["awa"], today=date(2027, 1, 4), limit=50)
    assert any(item.owner and not item.gathering for item in claire)  # the coordination's own steps
    assert awa and all(item.gathering and not item.owner for item in awa)  # a partner is invited, owns nothing
    assert {i.key for i in awa} <= {i.key for i in claire}
    plans.mark_done(session, project, awa[0].key, actor="test")
    assert awa[0].key not in {i.key for i in upcoming_for(session, team["awa"], today=date(2027, 1, 4), limit=50)}
    later = upcoming_for(session, team["awa"], today=awa[-1].due, limit=50)
    assert [i.key for i in later] == [awa[-1].key]



def test_the_home_says_which_reminders_are_stopped(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    from notifications.pauses import stop
    from store.models import Membership

    with session_scope(db_url) as session:
        awa = get_person(session, web_world.partner_a)
        stop(session, awa, project=get_project(session, web_world.slug_a), actor="test")
    log_in_with_link(client, db_url, web_world.partner_a)
    assert "Rappels arrêtés." in _plain(client.get("/mon-espace").text)
    with session_scope(db_url) as session:  # Awa also takes part in the CPTS project, whose reminders go on
        session.add(Membership(project_id=get_project(session, web_world.slug_b).id or 0,
                               person_id=web_world.partner_a, role="patient-partenaire"))
    text = _plain(client.get("/mon-espace").text)
    assert "Vous recevez les rappels de vos projets, sauf ceux de : Accueil en salle d'attente." in text


def test_the_partner_home_gives_each_gathering_its_time_and_the_partners_answer(
    client: TestClient, web_world: WebWorld, db_url: str, office_hours: str
) -> None:
    from notifications.gatherings import clock
    from store.gatherings import record_answer, upcoming_gatherings

    with session_scope(db_url) as session:
        awa = get_person(session, web_world.partner_a)
        coming = upcoming_gatherings(session, awa)
        assert coming, "the template gives the partner gatherings to come"
        first = coming[0]
        record_answer(session, first.view.project, first.view.step.key, awa, coming=True, via="web", actor="test")
        slug, key, title = first.view.project.slug, first.view.step.key, first.view.title
        start = first.view.where.start
    log_in_with_link(client, db_url, web_world.partner_a)
    page = client.get("/mon-espace")
    text = _plain(page.text)
    assert f'href="/projets/{slug}/etapes/{key}/lieu"' in page.text
    assert title in text and "Vous avez dit que vous venez." in text
    assert start is not None and f"À {clock(start, 'fr')}" in text
