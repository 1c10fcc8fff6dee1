"""A person's identity belongs to the projects they are in (issue 14, item 1).

Nothing done through one project changes what another project sees, unless the person does it
themselves; concurrent additions of one email make one person per project.
"""

import threading
from datetime import date

import pytest
from sqlmodel import Session, col, select

from charters.signing import charter_status, sign_on_paper
from charters.versions import all_versions
from store.db import session_scope
from store.exceptions import InvalidInput
from store.models import Membership, Person, Project
from store.people import add_person, members
from tests.factories import make_project


def _view(session: Session, project: Project) -> list[tuple[str, str | None, str, str | None, list[str]]]:
    """What a project shows of its people."""
    return sorted(
        (p.name, p.email, p.language, p.quiet_hours, list(p.availability)) for p, _ in members(session, project)
    )


def _second_project(session: Session) -> Project:
    return make_project(
        session, name="Diagnostic", structure="CPTS du Littoral", slug="diagnostic", start=date(2027, 1, 4),
        end=date(2027, 9, 3),
    )


def test_edits_through_project_a_do_not_change_what_project_b_sees(session: Session) -> None:
    b = _second_project(session)  # Awa, Claire… are members of B first
    awa_b = next(p for p, _ in members(session, b) if p.email == "awa@example.org")
    sign_on_paper(session, b, awa_b, actor="test")
    session.commit()
    view_b = _view(session, b)
    versions_b = [(v.number, v.sha256) for v in all_versions(session, b)]
    status_b = [(s.person_id, s.state) for s in charter_status(session, b, actor="test").signers]

    a = make_project(session, slug="accueil", with_people=False)
    add_person(session, a, name="[Signez ici](https://evil.example)", role="patient-partenaire",
               email="AWA@example.org", language="en", quiet_hours="00:00-23:59", availability=["soir"], actor="test")
    add_person(session, a, name="Awa D. (renommée)", role="representant-usagers", email="awa@example.org",
               language="en", quiet_hours="01:00-02:00", actor="test")
    session.commit()

    session.expire_all()
    assert _view(session, b) == view_b
    assert [(v.number, v.sha256) for v in all_versions(session, b)] == versions_b
    assert [(s.person_id, s.state) for s in charter_status(session, b, actor="test").signers] == status_b
    in_a = {p.id for p, _ in members(session, a)}
    assert len(in_a) == 1 and awa_b.id not in in_a  # one identity in A, with two roles, not B's
    renamed = session.get(Person, in_a.pop())
    assert renamed is not None and renamed.name == "Awa D. (renommée)" and renamed.project_id == a.id


def test_an_account_holder_is_reused_but_keeps_their_own_name(session: Session) -> None:
    from accounts.staff import add_account
    from store.models import AccountKind

    b = _second_project(session)
    add_account(session, email="claire@example.org", name="Claire Martin", kind=AccountKind.COORDINATOR, actor="test")
    a = make_project(session, slug="accueil", with_people=False)
    person = add_person(session, a, name="Autre nom", role="coordination", email="claire@example.org",
                        quiet_hours="00:00-23:59", actor="test")
    session.commit()
    assert person.name == "Claire Martin" and person.quiet_hours is None
    assert any(p.id == person.id for p, _ in members(session, b))


def test_concurrent_additions_of_one_email_make_one_person(db_url: str) -> None:
    with session_scope(db_url) as session:
        project = make_project(session, slug="accueil", with_people=False)
        project_id = project.id
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def add(role: str) -> None:
        try:
            with session_scope(db_url) as session:
                target = session.get(Project, project_id)
                assert target is not None
                barrier.wait()
                add_person(session, target, name="Karim", role=role, email="karim@example.org", actor="test")
        except InvalidInput as refused:
            errors.append(refused)

    threads = [threading.Thread(target=add, args=(r,)) for r in ["professionnel"] * 3 + ["coordination"] * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(db_url) as session:
        people = session.exec(select(Person).where(Person.email == "karim@example.org")).all()
        roles = session.exec(select(Membership.role).where(col(Membership.person_id).in_([p.id for p in people]))).all()
    assert len(people) == 1
    assert sorted(roles) == ["coordination", "professionnel"]
    assert len(errors) == 4 and all("déjà le rôle" in str(e) for e in errors)


@pytest.mark.parametrize("field", ["name", "email", "phone"])
def test_overlong_fields_are_refused_with_a_sentence(session: Session, field: str) -> None:
    project = make_project(session, slug="accueil", with_people=False)
    values = {"name": "Karim", "email": "karim@example.org", "phone": None}
    values[field] = ("k" * 400 + "@example.org") if field == "email" else "9" * 5000
    with pytest.raises(InvalidInput, match="Texte trop long"):
        add_person(session, project, role="professionnel", actor="test", **values)  # type: ignore[arg-type]


def test_overlong_texts_are_refused_by_the_services(session: Session) -> None:
    from evaluation.proposals import add_proposal
    from store.models import ProposalSource
    from store.plans import move_step

    project = make_project(session, slug="accueil")
    awa = next(p for p, _ in members(session, project) if p.email == "awa@example.org")
    with pytest.raises(InvalidInput, match="Texte trop long"):
        add_proposal(session, project, awa, text="x" * 5000, source=ProposalSource.MEETING, actor="t")
    with pytest.raises(InvalidInput, match="Texte trop long"):
        move_step(session, project, "rencontre", date(2027, 2, 10), reason="r" * 5000, actor="t")
    with pytest.raises(InvalidInput, match="Texte trop long"):
        make_project(session, slug="long", name="N" * 300)


def test_the_command_line_imports_nothing_from_the_web_face() -> None:
    """Accounts are a service (``accounts/``): the CLI creates them without loading the web app."""
    import subprocess
    import sys

    code = "import cocon.cli.main, sys; print(sorted(m for m in sys.modules if m.startswith('cocon.web')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
