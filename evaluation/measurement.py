"""Measure a project's indicators: ``auto`` ones from the store, ``questionnaire`` ones from the
anonymous answers; ``manual`` ones are left to their owners (see :func:`manual_missing`)."""

from collections.abc import Sequence

from sqlmodel import Session

from evaluation.auto_indicators import compute_auto, gather_facts
from evaluation.indicators import NOT_ENOUGH, definition_of, ensure_indicators, latest_values, record_value
from evaluation.questionnaire import agreement_share, overall_mean, responses, section_mean
from project_templates.schema import IndicatorDefinition
from store.models import FeedbackResponse, Project, RoleGroup


def questionnaire_values(rows: Sequence[FeedbackResponse]) -> dict[str, float | None]:
    """The catalogue's questionnaire indicators (None when too few respondents)."""
    return {
        "influence-percue": section_mean(rows, "influence", RoleGroup.PARTNER),
        "envie-de-recommencer": agreement_share(rows, "pers-recommencer"),
        "satisfaction-globale": overall_mean(rows),
    }


def measure(session: Session, project: Project, *, actor: str) -> dict[str, float | None]:
    """Compute and record every ``auto`` and ``questionnaire`` indicator the project chose."""
    chosen = [definition_of(row) for row in ensure_indicators(session, project)]
    auto_codes = [d.code for d in chosen if d.source == "auto"]
    values = compute_auto(gather_facts(session, project), auto_codes)
    from_answers = questionnaire_values(responses(session, project))
    for definition in chosen:
        if definition.source == "questionnaire" and definition.code in from_answers:
            values[definition.code] = from_answers[definition.code]
    for code, value in values.items():
        source = next(d.source for d in chosen if d.code == code)
        note = NOT_ENOUGH if value is None and source == "questionnaire" else None
        record_value(session, project, code, value, actor=actor, note=note, computed=True)
    return values


def manual_missing(session: Session, project: Project) -> list[IndicatorDefinition]:
    """Chosen indicators that only a person can measure and that have no value yet."""
    values = latest_values(session, project)
    chosen = [definition_of(row) for row in ensure_indicators(session, project)]
    derivable = set(questionnaire_values([]))
    return [
        d
        for d in chosen
        if (d.source == "manual" or (d.source == "questionnaire" and d.code not in derivable))
        and (d.code not in values or values[d.code].value is None)
    ]
