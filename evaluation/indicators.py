"""A project's indicators: chosen during ``avant``, measured during and after, judged at the end.

A project's list starts as its template's ``indicators`` (catalogue entries resolved with
:func:`project_templates.indicator_catalogue`) the first time it is looked at. During ``avant``
the group adds, removes and tunes indicators freely (each change is kept in the history). Once
the project has left ``avant`` the list is locked: any change needs a reason, and the
evaluation report prints every such change with its reason.
"""

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from evaluation.exceptions import IndicatorLocked, UnknownIndicator
from locales import gettext
from locales.labels import LabelTable, label
from locales.stored import amount, fact, written
from project_templates import indicator_catalogue
from project_templates.schema import IndicatorDefinition
from store import audit, wording
from store.exceptions import InvalidInput
from store.models import IndicatorChange, IndicatorValue, Project, ProjectIndicator, ProjectPhase
from store.projects import template_of

TUNABLE = ("baseline", "target", "minimum")
#: The note stored with a questionnaire indicator withheld for too few respondents (kept as it is in
#: existing stores; documents show ``report.note.too_few`` in their language instead).
NOT_ENOUGH = "moins de 5 répondants : non publié"


def field_label(field: str, lang: str = "fr") -> str:
    """How a tunable value of an indicator is named (``label.indicator_field.<field>``): ``cible``."""
    return label("indicator_field", field, lang)


class Verdict(StrEnum):
    MET = "atteint"
    PARTLY = "partiellement"
    NOT_MET = "non-atteint"
    NO_TARGET = "sans-cible"
    UNMEASURED = "non-mesure"



def verdict_label(verdict: Verdict | str, lang: str = "fr") -> str:
    """An indicator's verdict for people (``label.verdict.<value>``): ``partiellement atteint``, ``met``."""
    return label("verdict", Verdict(verdict), lang)


#: The same labels as a table, ``VERDICT_LABELS[lang][verdict]``, for callers not yet on :func:`verdict_label`.
VERDICT_LABELS = LabelTable("verdict", Verdict)


def judge(definition: IndicatorDefinition, value: float | None) -> Verdict:
    """Met when the target is reached, partly when only the minimum is, else not met.

    Without a target the minimum acts as the bar; without either there is nothing to judge.
    """
    if value is None:
        return Verdict.UNMEASURED
    target, minimum = definition.target, definition.minimum
    if target is None and minimum is None:
        return Verdict.NO_TARGET
    better = (lambda a, b: a >= b) if definition.direction == "higher" else (lambda a, b: a <= b)
    if target is not None and better(value, target):
        return Verdict.MET
    if minimum is not None and better(value, minimum):
        return Verdict.PARTLY if target is not None else Verdict.MET
    return Verdict.NOT_MET


def format_value(definition: IndicatorDefinition, value: float | None, lang: str = "fr") -> str:
    if value is None:
        return "—"
    if definition.unit == "yesno":
        return gettext("label.yesno.yes", lang) if value >= 0.5 else gettext("label.yesno.no", lang)
    decimals = 0 if definition.unit in ("count", "percent") else 1
    return label("unit", definition.unit, lang).format(value=wording.number(value, lang, decimals=decimals))


def definition_of(row: ProjectIndicator) -> IndicatorDefinition:
    """The indicator as chosen for this project (its baseline, target and minimum included)."""
    return IndicatorDefinition.model_validate(
        {**row.definition, "baseline": row.baseline, "target": row.target, "minimum": row.minimum}
    )


def _rows(session: Session, project: Project) -> list[ProjectIndicator]:
    return list(
        session.exec(
            select(ProjectIndicator).where(ProjectIndicator.project_id == project.id).order_by(col(ProjectIndicator.id))
        )
    )


def indicator_names(session: Session, project: Project, lang: str = "fr") -> dict[str, str]:
    """The name of every indicator the project has had (removed ones too), by code, in ``lang``."""
    names = {code: d.name.get(lang) for code, d in indicator_catalogue().items()}
    names.update({row.code: definition_of(row).name.get(lang) for row in _rows(session, project)})
    return names


def _new_row(project: Project, definition: IndicatorDefinition) -> ProjectIndicator:
    assert project.id is not None
    data = definition.model_dump(mode="json", exclude={"baseline", "target", "minimum"})
    return ProjectIndicator(
        project_id=project.id,
        code=definition.code,
        definition=data,
        baseline=definition.baseline,
        target=definition.target,
        minimum=definition.minimum,
    )


def ensure_indicators(session: Session, project: Project) -> list[ProjectIndicator]:
    """The project's chosen indicators, initialised from its template on first use."""
    rows = _rows(session, project)
    if not rows:
        catalogue = indicator_catalogue()
        for choice in template_of(session, project).indicators:
            row = _new_row(project, choice.resolve(catalogue))
            session.add(row)
            rows.append(row)
        session.flush()
    return [r for r in rows if r.active]


def is_locked(project: Project) -> bool:
    return project.phase != ProjectPhase.AVANT


def _check_reason(project: Project, code: str, reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if is_locked(project) and reason is None:
        raise IndicatorLocked("error.evaluation.indicators_locked", project=project.slug, code=code)
    return reason


def _log(session: Session, project: Project, code: str, change: str, reason: str | None, actor: str) -> None:
    assert project.id is not None
    session.add(
        IndicatorChange(
            project_id=project.id, code=code, change=change, phase=str(project.phase), reason=reason, changed_by=actor
        )
    )
    audit.record(
        session,
        actor=actor,
        action="indicator.changed",
        project_id=project.id,
        code=code,
        change=change,
        locked=is_locked(project),
    )


def choose_indicator(
    session: Session,
    project: Project,
    code: str,
    *,
    actor: str,
    reason: str | None = None,
    custom: dict[str, Any] | None = None,
    **values: float | None,
) -> ProjectIndicator:
    """Add an indicator (from the catalogue, or ``custom`` fields for a project-specific one)
    or change the baseline, target or minimum of one already chosen."""
    unknown = set(values) - set(TUNABLE)
    if unknown:
        raise InvalidInput("error.evaluation.unknown_indicator_values", values=sorted(unknown))
    ensure_indicators(session, project)
    existing = {r.code: r for r in _rows(session, project)}
    row = existing.get(code)
    if row is not None and row.active:
        changes = [
            fact(
                "stored.indicator.field_changed",
                field=fact(f"label.indicator_field.{field}"),
                old=amount(getattr(row, field)),
                new=amount(value),
            )
            for field, value in values.items()
            if value is not None and value != getattr(row, field)
        ]
        if not changes and not custom:
            return row
        why = _check_reason(project, code, reason)
        for field, value in values.items():
            if value is not None:
                setattr(row, field, value)
        if custom:
            merged = IndicatorDefinition.model_validate({**row.definition, **custom, "code": code})
            row.definition = merged.model_dump(mode="json", exclude={"baseline", "target", "minimum"})
            changes.append(fact("stored.indicator.definition_changed"))
        session.add(row)
        _log(session, project, code, written("stored.indicator.changed", changes=changes), why, actor)
        return row
    catalogue = indicator_catalogue()
    if code not in catalogue and not custom:
        known = ", ".join(sorted(catalogue))
        raise UnknownIndicator("error.evaluation.indicator_not_in_catalogue", code=code, known=known)
    why = _check_reason(project, code, reason)
    base = catalogue[code].model_dump() if code in catalogue else {}
    try:
        definition = IndicatorDefinition.model_validate(
            {**base, **(custom or {}), "code": code, **{k: v for k, v in values.items() if v is not None}}
        )
    except ValueError as error:
        raise InvalidInput("error.evaluation.indicator_invalid", code=code, problem=_first_error(error)) from None
    if row is not None:
        session.delete(row)
        session.flush()
    row = _new_row(project, definition)
    session.add(row)
    _log(session, project, code, written("stored.indicator.added"), why, actor)
    session.flush()
    return row


def drop_indicator(session: Session, project: Project, code: str, *, actor: str, reason: str | None = None) -> None:
    row = get_indicator(session, project, code)
    why = _check_reason(project, code, reason)
    row.active = False
    session.add(row)
    _log(session, project, code, written("stored.indicator.removed"), why, actor)


def get_indicator(session: Session, project: Project, code: str) -> ProjectIndicator:
    for row in ensure_indicators(session, project):
        if row.code == code:
            return row
    raise UnknownIndicator("error.evaluation.indicator_not_chosen", project=project.slug, code=code)


def record_value(
    session: Session,
    project: Project,
    code: str,
    value: float | None,
    *,
    actor: str,
    note: str | None = None,
    computed: bool = False,
) -> IndicatorValue:
    """Record a measurement. A first value measured in ``avant`` becomes the baseline."""
    row = get_indicator(session, project, code)
    definition = definition_of(row)
    if value is not None:
        if not math.isfinite(value):
            raise InvalidInput("error.evaluation.value_not_finite", code=code)
        if definition.unit == "percent" and not 0 <= value <= 100:
            raise InvalidInput("error.evaluation.value_percent", code=code)
        if definition.unit == "score" and not 1 <= value <= 5:
            raise InvalidInput("error.evaluation.value_score", code=code)
        if definition.unit == "yesno" and value not in (0, 1):
            raise InvalidInput("error.evaluation.value_yesno", code=code)
        if definition.unit in ("count", "hours") and value < 0:
            raise InvalidInput("error.evaluation.value_negative", code=code)
    assert project.id is not None
    measurement = IndicatorValue(
        project_id=project.id,
        code=code,
        phase=str(project.phase),
        value=value,
        note=note,
        computed=computed,
        recorded_by=actor,
    )
    session.add(measurement)
    if project.phase == ProjectPhase.AVANT and row.baseline is None and value is not None:
        row.baseline = value
        session.add(row)
    audit.record(session, actor=actor, action="indicator.recorded", project_id=project.id, code=code, computed=computed)
    session.flush()
    return measurement


def latest_values(session: Session, project: Project) -> dict[str, IndicatorValue]:
    """The most recent measurement of each indicator."""
    rows = session.exec(
        select(IndicatorValue).where(IndicatorValue.project_id == project.id).order_by(col(IndicatorValue.id))
    )
    return {row.code: row for row in rows}


def indicator_history(session: Session, project: Project) -> list[IndicatorChange]:
    return list(
        session.exec(
            select(IndicatorChange).where(IndicatorChange.project_id == project.id).order_by(col(IndicatorChange.id))
        )
    )


def changes_after_lock(session: Session, project: Project) -> list[IndicatorChange]:
    """Changes made once the list was locked: the report prints each with its reason."""
    return [c for c in indicator_history(session, project) if c.phase != ProjectPhase.AVANT]


@dataclass(frozen=True)
class IndicatorStatus:
    definition: IndicatorDefinition
    value: float | None
    note: str | None
    verdict: Verdict


def indicator_statuses(session: Session, project: Project) -> list[IndicatorStatus]:
    values = latest_values(session, project)
    result = []
    for row in ensure_indicators(session, project):
        definition = definition_of(row)
        latest = values.get(row.code)
        value = latest.value if latest else None
        result.append(IndicatorStatus(definition, value, latest.note if latest else None, judge(definition, value)))
    return result


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])} : {first['msg']}"
    return str(error)
