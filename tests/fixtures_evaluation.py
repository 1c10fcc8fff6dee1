"""Fixtures for the evaluation tests: a project launched into ``pendant``, its people by first
name, and a clock that moves (``COCON_NOW``)."""

from collections.abc import Callable

import pytest
from sqlmodel import Session

from evaluation.indicators import ensure_indicators
from store import phases, plans
from store.models import Person, Project
from store.people import members
from tests.factories import make_project

AVANT_STEPS = ("cartographie", "rencontre", "charte", "indicateurs", "methode")


def people(session: Session, project: Project) -> dict[str, Person]:
    """Members by first name: claire (coordination), karim and sophie (professionals), awa
    (patient partner), jean-pierre (user representative)."""
    return {p.name.split()[0].lower(): p for p, _ in members(session, project)}


def ids(session: Session, project: Project, *names: str) -> list[int]:
    found = people(session, project)
    return [found[n].id for n in names if found[n].id is not None]  # type: ignore[misc]


def finish_avant(session: Session, project: Project) -> None:
    """Do the steps of ``avant`` (the charter is marked done directly) and enter ``pendant``."""
    ensure_indicators(session, project)
    for key in AVANT_STEPS:
        plans.mark_done(session, project, key, actor="test")
    phases.advance_phase(session, project, actor="test")
    session.commit()


@pytest.fixture
def eval_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set COCON_NOW (Europe/Paris when no offset): ``eval_clock("2027-03-22T18:00")``."""

    def set_now(value: str) -> None:
        monkeypatch.setenv("COCON_NOW", value)

    return set_now


@pytest.fixture
def eval_project(session: Session, eval_clock: Callable[[str], None]) -> Project:
    """The MSP partnership project, its five members, still in ``avant`` on 4 January 2027."""
    eval_clock("2027-01-04T09:00")
    return make_project(session)


@pytest.fixture
def eval_running(session: Session, eval_project: Project, eval_clock: Callable[[str], None]) -> Project:
    """The same project, in ``pendant`` since 22 February 2027."""
    eval_clock("2027-02-22T10:00")
    finish_avant(session, eval_project)
    return eval_project
