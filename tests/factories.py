"""Plain factory functions for tests (no magic): real rows in the real test database."""

from datetime import date

from sqlmodel import Session

from project_templates import find_template
from store.models import Project
from store.people import add_person
from store.projects import create_project

TEAM = [
    ("Claire Martin", "coordination", "claire@example.org"),
    ("Karim Benali", "professionnel", "karim@example.org"),
    ("Sophie Leroy", "professionnel", "sophie@example.org"),
    ("Awa Diallo", "patient-partenaire", "awa@example.org"),
    ("Jean-Pierre Roux", "representant-usagers", "jp@example.org"),
]


def make_project(
    session: Session,
    *,
    template: str = "partenariat-msp",
    name: str = "Accueil en salle d'attente",
    structure: str = "MSP des Tilleuls",
    start: date = date(2027, 1, 4),
    end: date = date(2027, 7, 2),
    slug: str | None = None,
    with_people: bool = True,
) -> Project:
    """A project from a built-in template, with a realistic team when ``with_people``."""
    project = create_project(
        session, loaded=find_template(template), name=name, structure=structure, start=start, end=end,
        slug=slug, actor="test",
    )
    if with_people:
        roles = find_template(template).template.roles
        for person_name, role, email in TEAM:
            if role in roles:
                add_person(session, project, name=person_name, role=role, email=email, actor="test")
    session.commit()
    return project
