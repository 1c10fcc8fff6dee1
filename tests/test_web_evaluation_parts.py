"""A project's contributions, proposals, indicators, questionnaire, evaluation and closing, and the
team page, over HTTP on a real SQLite file: each form goes through the same service as the CLI,
its effect is read back from the store, and its confirmation is on the page the user lands on."""

import base64
import re
from html import unescape

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlmodel import select

from store.db import session_scope
from store.models import (
    Account,
    Contribution,
    FeedbackInvitation,
    IndicatorChange,
    IndicatorValue,
    Occasion,
    OutboxMessage,
    OutboxState,
    Person,
    ProjectIndicator,
    ProjectPhase,
    Proposal,
    ProposalStatus,
    Restitution,
)
from store.projects import get_project
from store.publication import publication_of
from tests.fixtures_notifications import SmtpSink
from tests.fixtures_web import FACILITATOR, PASSWORD, WebWorld, csrf_of, log_in, log_in_with_link


def _post(client: TestClient, path: str, data: dict[str, str | list[str]], page: str) -> httpx.Response:
    return client.post(path, data={**data, "csrf_token": csrf_of(client, page)})


def _landing(client: TestClient, response: httpx.Response) -> str:
    """The page a redirect lands on, as a person reads it."""
    assert response.status_code == 303, response.text[:400]
    return unescape(client.get(response.headers["location"]).text)


def _person_id(db_url: str, email: str) -> int:
    with session_scope(db_url) as session:
        person = session.exec(select(Person).where(Person.email == email)).first()
        assert person is not None and person.id is not None
        return person.id


def _set_phase(db_url: str, slug: str, phase: ProjectPhase) -> None:
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        project.phase = phase
        session.add(project)


def test_contributions_added_listed_reimbursed_in_bulk_and_exported(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    slug = web_world.slug_a
    page = f"/projets/{slug}/contributions"
    log_in(client)
    awa = web_world.partner_a
    landed = _landing(
        client,
        _post(client, page, {"person": str(awa), "on": "2027-02-04", "kind": "deplacement", "hours": "2,5", "amount": "12,40"}, page),
    )
    assert "Contribution enregistrée." in landed and 'aria-current="page"' in landed
    _post(client, page, {"person": str(awa), "on": "2027-02-05", "kind": "autre", "amount": "3,10", "description": "=SUM(A1)"}, page)
    with session_scope(db_url) as session:
        rows = session.exec(select(Contribution).order_by(Contribution.id)).all()  # type: ignore[arg-type]
        assert [(r.hours, r.amount_cents) for r in rows] == [(2.5, 1240), (0.0, 310)]
        ids = [str(r.id) for r in rows]
    listed = unescape(client.get(page).text)
    assert "Awa Diallo" in listed and "15,50" in listed and "2,5" in listed

    unreadable = _post(client, page, {"person": str(awa), "amount": "douze euros"}, page)
    assert unreadable.status_code == 400 and "n'est pas un nombre" in unescape(unreadable.text)
    nothing = _post(client, f"{page}/rembourser", {"on": "2027-03-01"}, page)
    assert nothing.status_code == 400 and "Cochez au moins une dépense" in unescape(nothing.text)
    too_early = _post(client, f"{page}/rembourser", {"ids": ids, "on": "2027-02-04"}, page)
    assert too_early.status_code == 400 and "ne peut pas précéder" in unescape(too_early.text)
    with session_scope(db_url) as session:  # all or none: the first was not kept either
        assert all(r.reimbursed_on is None for r in session.exec(select(Contribution)))

    landed = _landing(client, _post(client, f"{page}/rembourser", {"ids": ids, "on": "2027-03-01"}, page))
    assert "Dépenses marquées remboursées : 2." in landed
    with session_scope(db_url) as session:
        assert {str(r.reimbursed_on) for r in session.exec(select(Contribution))} == {"2027-03-01"}

    csv = client.get(f"{page}.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    text = csv.content.decode("utf-8")
    assert text.startswith("\ufeffid;date;personne") and "12,40" in text and "'=SUM(A1)" in text

    partner = TestClient(client.app, follow_redirects=False)
    log_in_with_link(partner, db_url, awa)
    assert partner.get(page).status_code == 403
    assert partner.get(f"{page}.csv").status_code == 403


def test_proposals_added_and_decided_a_rejected_one_needs_its_reason(
    client: TestClient, web_world: WebWorld, db_url: str
) -> None:
    page = f"/projets/{web_world.slug_a}/propositions"
    log_in(client)
    landed = _landing(
        client,
        _post(client, page, {"text": "Une affiche en gros caractères", "person": str(web_world.partner_a), "source": "point-etape"}, page),
    )
    assert "Proposition enregistrée." in landed and "Une affiche en gros caractères" in landed
    _post(client, page, {"text": "Ouvrir le samedi", "person": "", "source": "boite-a-idees"}, page)
    with session_scope(db_url) as session:
        first, second = session.exec(select(Proposal).order_by(Proposal.id)).all()  # type: ignore[arg-type]
        assert first.person_id == web_world.partner_a and second.person_id is None
    refused = _post(client, f"{page}/{second.id}/suite", {"status": "non-retenue", "reason": ""}, page)
    assert refused.status_code == 400 and "doit avoir sa raison" in unescape(refused.text)
    landed = _landing(
        client, _post(client, f"{page}/{second.id}/suite", {"status": "non-retenue", "reason": "pas de personnel le samedi"}, page)
    )
    assert "Suite de la proposition enregistrée." in landed and "pas de personnel le samedi" in landed
    _post(client, f"{page}/{first.id}/suite", {"status": "adoptee"}, page)
    with session_scope(db_url) as session:
        statuses = [(p.status, p.outcome) for p in session.exec(select(Proposal).order_by(Proposal.id))]  # type: ignore[arg-type]
    assert statuses == [(ProposalStatus.ADOPTED, None), (ProposalStatus.NOT_RETAINED, "pas de personnel le samedi")]

    partner = TestClient(client.app, follow_redirects=False)
    log_in_with_link(partner, db_url, web_world.partner_a)
    seen = unescape(partner.get(page).text)
    assert "Ouvrir le samedi" in seen and "Enregistrer la suite" not in seen
    assert _post(partner, page, {"text": "x"}, page).status_code == 403


def test_indicators_chosen_recorded_and_locked_after_avant(client: TestClient, web_world: WebWorld, db_url: str) -> None:
    slug = web_world.slug_a
    page = f"/projets/{slug}/indicateurs"
    log_in(client)
    listed = unescape(client.get(page).text)
    assert "Indicateurs choisis" in listed and "Catalogue" in listed
    with session_scope(db_url) as session:
        code = session.exec(select(ProjectIndicator.code).where(ProjectIndicator.active)).first()
    assert code is not None
    landed = _landing(client, _post(client, f"{page}/choisir", {"code": code, "target": "80", "minimum": "60,5"}, page))
    assert "Indicateur enregistré." in landed
    custom = {
        "code": "affiches-posees", "name": "Affiches posées", "definition": "Affiches posées en salle d'attente",
        "unit": "count", "source": "manual", "direction": "higher", "target": "4",
    }
    _landing(client, _post(client, f"{page}/choisir", custom, page))
    landed = _landing(client, _post(client, f"{page}/valeur", {"code": "affiches-posees", "value": "2", "note": "hall"}, page))
    assert "Mesure enregistrée." in landed and "Affiches posées" in landed
    with session_scope(db_url) as session:
        row = session.exec(select(ProjectIndicator).where(ProjectIndicator.code == code)).one()
        assert (row.target, row.minimum) == (80, 60.5)
        value = session.exec(select(IndicatorValue).where(IndicatorValue.code == "affiches-posees")).one()
        assert value.value == 2 and value.note == "hall"
        assert session.exec(select(ProjectIndicator).where(ProjectIndicator.code == "affiches-posees")).one().baseline == 2

    landed = _landing(client, _post(client, f"{page}/choix-fait", {}, page))
    assert "Choix des indicateurs noté comme fait." in landed
    assert "/indicateurs/choix-fait" not in landed  # the choice made is not offered again

    _set_phase(db_url, slug, ProjectPhase.PENDANT)
    locked = _post(client, f"{page}/choisir", {"code": code, "target": "90"}, page)
    assert locked.status_code == 400 and "verrouillés" in unescape(locked.text)
    _landing(client, _post(client, f"{page}/choisir", {"code": code, "target": "90", "reason": "le groupe vise plus haut"}, page))
    _landing(client, _post(client, f"{page}/retirer", {"code": "affiches-posees", "reason": "plus d'affichage"}, page))
    with session_scope(db_url) as session:
        reasons = [c.reason for c in session.exec(select(IndicatorChange)) if c.phase == "pendant"]
    assert reasons == ["le groupe vise plus haut", "plus d'affichage"]
    history = unescape(client.get(page).text)
    assert "plus d'affichage" in history and "Affiches posées : retiré" in history
    assert "§" not in history and "stored." not in history
    # Cocon's own words of the history follow the page's language; the reasons stay as typed
    _post(client, "/langue", {"lang": "en", "next": page}, page)
    english = unescape(client.get(page).text)
    assert "Affiches posées: removed — plus d'affichage" in english.replace(" :", ":")
    assert "target: 80 → 90 — le groupe vise plus haut" in english


def test_questionnaire_invites_everyone_and_relaunches_with_counts_only(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    page = f"/projets/{web_world.slug_a}/questionnaire"
    log_in(client)
    landed = _landing(client, _post(client, f"{page}/inviter", {}, page))
    with session_scope(db_url) as session:
        invited = len(session.exec(select(FeedbackInvitation)).all())
    assert invited >= 3 and f"Invitations préparées : {invited}." in landed
    first = smtp_sink.to("awa@example.org")[0].text()
    old_link = re.search(r"/questionnaire/[\w-]+", first)
    assert old_link

    answer_to = smtp_sink.to("karim@example.org")[0].text()
    karim_link = re.search(r"/questionnaire/[\w-]+", answer_to)
    assert karim_link
    answered = client.post(
        karim_link.group(0), data={"csrf_token": csrf_of(client, karim_link.group(0)), "info-role-clair": "4"}
    )
    assert answered.status_code == 200

    landed = _landing(client, _post(client, f"{page}/relancer", {}, page))
    assert f"Relances préparées : {invited - 1}." in landed
    for name in ("Karim", "Awa", "Sophie", "Jean-Pierre"):  # counts only: nobody is named
        assert name not in landed.split('id="contenu"')[1]
    mails = smtp_sink.to("awa@example.org")
    assert len(mails) == 2 and not smtp_sink.to("karim@example.org")[1:]
    new_link = re.search(r"/questionnaire/[\w-]+", mails[1].text())
    assert new_link and new_link.group(0) != old_link.group(0)
    assert client.get(old_link.group(0)).status_code == 410
    assert client.get(new_link.group(0)).status_code == 200
    with session_scope(db_url) as session:  # the day-7 and day-14 reminders still waiting carry the new link
        awa_invitation = session.exec(
            select(FeedbackInvitation).where(FeedbackInvitation.person_id == web_world.partner_a)
        ).one()
        later = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.about == f"feedback:{awa_invitation.id}", OutboxMessage.state == OutboxState.PENDING
            )
        ).all()
    assert len(later) == 2 and all(new_link.group(0) in (m.text or "") for m in later)
    again = _landing(client, _post(client, f"{page}/relancer", {}, page))
    assert "Relances préparées : 0." in again  # not twice the same day


def test_evaluation_restitution_thanks_and_certificates(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    slug = web_world.slug_a
    page = f"/projets/{slug}/evaluation"
    log_in(client)
    landed = _landing(
        client, _post(client, f"{page}/lancer", {"conclusions": "Une salle d'attente plus accueillante.", "place": "Dole"}, page)
    )
    assert "Évaluation faite" in landed and "Une salle d'attente plus accueillante." in landed
    with session_scope(db_url) as session:
        project = get_project(session, slug)
        publication = publication_of(session, project)
        assert publication is not None and publication.place == "Dole"
    public = client.get(f"{page}/rapport.html?public=1").text
    assert "Une salle d'attente plus accueillante." in unescape(public)

    claire, awa = _person_id(db_url, "claire@example.org"), web_world.partner_a
    missing = _post(client, f"{page}/restitution", {"attendees": [str(awa)], "presented": ""}, page)
    assert missing.status_code == 400 and "Dites ce qui a été présenté" in unescape(missing.text)
    landed = _landing(
        client,
        _post(client, f"{page}/restitution", {"attendees": [str(awa), str(claire)], "presented": "Résultats et affiche"}, page),
    )
    assert "Restitution enregistrée." in landed and "Résultats et affiche" in landed
    with session_scope(db_url) as session:
        assert session.exec(select(Restitution)).one().presented == "Résultats et affiche"

    early = _post(client, f"{page}/remerciements", {"report": "1"}, page)
    assert early.status_code == 400 and "phase « après »" in unescape(early.text)
    _set_phase(db_url, slug, ProjectPhase.APRES)
    # Read each message before sending: nothing leaves, each person sees only their own.
    preview = client.get(f"{page}/remerciements/apercu")
    assert preview.status_code == 200 and "Rien n'est envoyé depuis cette page" in unescape(preview.text)
    assert re.search(r'<h3 id="apercu-\d+">Awa Diallo</h3>', preview.text)
    with session_scope(db_url) as session:
        assert session.exec(select(OutboxMessage).where(OutboxMessage.occasion == Occasion.THANKS)).all() == []
    landed = _landing(client, _post(client, f"{page}/remerciements", {}, page))
    assert re.search(r"Remerciements préparés : [1-9]", landed)
    thanks = smtp_sink.to("awa@example.org")
    assert thanks and f"attestation-{slug}.pdf" in thanks[-1].attachments()

    certificate = client.get(f"{page}/attestation/{awa}.pdf")
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")
    not_volunteer = client.get(f"{page}/attestation/{claire}.pdf")
    assert not_volunteer.status_code == 400 and "partenaires bénévoles" in unescape(not_volunteer.text)

    # With the structure's logo, as `cocon certificate --logo`: an image is drawn in, anything else refused.
    token = csrf_of(client, page)
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    with_logo = client.post(f"{page}/attestation", data={"csrf_token": token, "person_id": str(awa)},
                            files={"logo": ("logo.png", png, "image/png")})
    assert with_logo.status_code == 200 and with_logo.content.startswith(b"%PDF")
    assert len(with_logo.content) != len(certificate.content)  # the logo is in it
    not_image = client.post(f"{page}/attestation", data={"csrf_token": token, "person_id": str(awa)},
                            files={"logo": ("logo.txt", b"bonjour", "text/plain")})
    assert not_image.status_code == 400 and "PNG, JPEG ou SVG" in unescape(not_image.text)
    too_big = client.post(f"{page}/attestation", data={"csrf_token": token, "person_id": str(awa)},
                          files={"logo": ("logo.png", png + b"0" * (2 * 1024 * 1024), "image/png")})
    assert too_big.status_code == 400 and "dépasse 2 Mo" in unescape(too_big.text)


def test_team_invites_colleagues_and_gives_only_ones_own_structures(
    client: TestClient, web_world: WebWorld, db_url: str, smtp_sink: SmtpSink, office_hours: str
) -> None:
    log_in(client)  # Claire coordinates a project of the MSP des Tilleuls
    page = "/equipe"
    assert "MSP des Tilleuls" in unescape(client.get(page).text)
    landed = _landing(
        client,
        _post(client, page, {"name": "Léa Roy", "email": "lea@example.org", "kind": "facilitator", "structures": ["MSP des Tilleuls"]}, page),
    )
    assert "Compte créé" in landed and "Léa Roy" in landed
    with session_scope(db_url) as session:
        lea = session.exec(select(Account).where(Account.email == "lea@example.org")).one()
        assert lea.kind.value == "facilitator" and lea.structures == ["MSP des Tilleuls"] and lea.password_hash is None
        lea_id = lea.id
    link = re.search(r"/lien/[\w-]+", smtp_sink.to("lea@example.org")[0].text())
    assert link

    other = _post(client, page, {"name": "Max", "email": "max@example.org", "kind": "facilitator", "structures": ["CPTS du Littoral"]}, page)
    assert other.status_code == 400 and "Vous ne suivez pas la structure « CPTS du Littoral »" in unescape(other.text)
    with session_scope(db_url) as session:
        assert session.exec(select(Account).where(Account.email == "max@example.org")).first() is None

    with session_scope(db_url) as session:
        nadia = session.exec(select(Account).where(Account.email == FACILITATOR)).one()
    landed = _landing(client, _post(client, f"{page}/{nadia.id}/structures", {}, page))
    assert "Structures enregistrées." in landed
    with session_scope(db_url) as session:
        assert session.get(Account, nadia.id).structures == []  # type: ignore[union-attr]
    forged = _post(client, f"{page}/{lea_id}/structures", {"structures": ["CPTS du Littoral"]}, page)
    assert forged.status_code == 400

    # nobody creates a project for a structure they do not belong to
    new = "/projets/nouveau"
    form = {"template": "partenariat-msp", "name": "Projet ailleurs", "structure": "CPTS du Littoral", "start": "2027-01-04", "end": "2027-07-02"}
    refused = _post(client, new, form, new)
    assert refused.status_code == 400 and "Vous ne suivez pas la structure « CPTS du Littoral »" in unescape(refused.text)
    assert _post(client, new, {**form, "structure": "MSP des Tilleuls"}, new).status_code == 303
    facilitator = TestClient(client.app, follow_redirects=False)
    log_in(facilitator, FACILITATOR, PASSWORD)  # Nadia no longer follows the MSP des Tilleuls
    assert _post(facilitator, new, {**form, "structure": "MSP des Tilleuls"}, new).status_code == 400
    assert facilitator.get(page).status_code == 403
