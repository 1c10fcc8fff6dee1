"""Indicators: initialised from the template, free during avant, locked after, judged at the end."""

import pytest
from sqlmodel import Session

from evaluation.exceptions import IndicatorLocked, UnknownIndicator
from evaluation.indicators import (
    Verdict,
    changes_after_lock,
    choose_indicator,
    definition_of,
    drop_indicator,
    ensure_indicators,
    format_value,
    get_indicator,
    indicator_history,
    judge,
    record_value,
)
from evaluation.report import build_report, report_html
from locales.stored import spoken
from project_templates import indicator_catalogue
from project_templates.schema import IndicatorDefinition
from store.exceptions import InvalidInput
from store.models import Project


def test_catalogue_has_at_least_ten_indicators_and_the_template_list_is_chosen(
    session: Session, eval_project: Project
) -> None:
    assert len(indicator_catalogue()) >= 10
    chosen = ensure_indicators(session, eval_project)
    assert [r.code for r in chosen] == [
        "partenaires-impliques",
        "heures-contribuees",
        "presence-partenaires",
        "reunions-avec-usagers",
        "propositions-retenues",
        "defraiements-a-temps",
        "taux-reponse-questionnaire",
        "influence-percue",
        "retours-faits",
        "envie-de-recommencer",
    ]
    presence = definition_of(get_indicator(session, eval_project, "presence-partenaires"))
    assert (presence.unit, presence.direction, presence.target, presence.minimum, presence.source) == (
        "percent",
        "higher",
        75,
        50,
        "auto",
    )
    assert ensure_indicators(session, eval_project) == chosen  # initialised once


def test_choices_are_free_during_avant(session: Session, eval_project: Project) -> None:
    choose_indicator(session, eval_project, "presence-partenaires", actor="claire", target=80)
    choose_indicator(session, eval_project, "actions-co-construites", actor="claire", target=3)
    choose_indicator(
        session,
        eval_project,
        "depliant-relu",
        actor="claire",
        target=1,
        custom={
            "name": "Dépliant relu par un patient",
            "definition": "Le dépliant a été relu par un patient partenaire.",
            "unit": "yesno",
            "source": "manual",
        },
    )
    drop_indicator(session, eval_project, "heures-contribuees", actor="claire")
    codes = [r.code for r in ensure_indicators(session, eval_project)]
    assert "actions-co-construites" in codes and "depliant-relu" in codes and "heures-contribuees" not in codes
    assert get_indicator(session, eval_project, "presence-partenaires").target == 80
    assert changes_after_lock(session, eval_project) == []
    assert len(indicator_history(session, eval_project)) == 4
    with pytest.raises(UnknownIndicator, match="pas au catalogue"):
        choose_indicator(session, eval_project, "inconnu", actor="claire")


def test_locked_after_avant_change_needs_a_reason_that_the_report_shows(
    session: Session, eval_running: Project
) -> None:
    with pytest.raises(IndicatorLocked, match="verrouillés"):
        choose_indicator(session, eval_running, "presence-partenaires", actor="claire", target=60)
    with pytest.raises(IndicatorLocked):
        drop_indicator(session, eval_running, "influence-percue", actor="claire")
    with pytest.raises(IndicatorLocked):
        choose_indicator(session, eval_running, "actions-co-construites", actor="claire", target=2)
    assert get_indicator(session, eval_running, "presence-partenaires").target == 75

    choose_indicator(
        session,
        eval_running,
        "presence-partenaires",
        actor="claire",
        target=60,
        reason="deux partenaires hospitalisés au printemps",
    )
    session.commit()
    changes = changes_after_lock(session, eval_running)
    assert [(c.code, spoken(c.change), c.reason) for c in changes] == [
        ("presence-partenaires", "cible : 75 → 60", "deux partenaires hospitalisés au printemps")
    ]
    html = report_html(build_report(session, eval_running, with_charts=False))
    assert "deux partenaires hospitalisés au printemps" in html
    assert "cible\u202f: 75 → 60" in html


def test_recording_values_is_not_a_change_and_a_first_avant_value_is_the_baseline(
    session: Session, eval_project: Project
) -> None:
    record_value(session, eval_project, "partenaires-impliques", 1, actor="claire")
    assert get_indicator(session, eval_project, "partenaires-impliques").baseline == 1
    with pytest.raises(InvalidInput, match="entre 0 et 100"):
        record_value(session, eval_project, "presence-partenaires", 140, actor="claire")
    with pytest.raises(InvalidInput, match="1 à 5"):
        record_value(session, eval_project, "influence-percue", 0, actor="claire")
    with pytest.raises(UnknownIndicator):
        record_value(session, eval_project, "personnes-touchees", 3, actor="claire")


def _definition(**values: object) -> IndicatorDefinition:
    return IndicatorDefinition.model_validate(
        {"code": "xx", "name": "X", "definition": "X", "unit": "percent", **values}
    )


def test_verdicts() -> None:
    higher = _definition(target=75, minimum=50)
    assert judge(higher, 80) == Verdict.MET
    assert judge(higher, 75) == Verdict.MET
    assert judge(higher, 60) == Verdict.PARTLY
    assert judge(higher, 40) == Verdict.NOT_MET
    assert judge(higher, None) == Verdict.UNMEASURED
    lower = _definition(direction="lower", target=10, minimum=20)
    assert judge(lower, 5) == Verdict.MET and judge(lower, 15) == Verdict.PARTLY and judge(lower, 30) == Verdict.NOT_MET
    assert judge(_definition(), 12) == Verdict.NO_TARGET
    assert judge(_definition(minimum=50), 60) == Verdict.MET
    assert format_value(higher, 66.7) == "67\u202f%"
    assert format_value(_definition(unit="hours"), 4.5) == "4,5\u202fh"
    assert format_value(_definition(unit="yesno"), 1) == "oui"


def test_cli_choose_record_show(cli, eval_project: Project) -> None:
    slug = eval_project.slug
    assert cli("indicator", "choose", slug, "presence-partenaires", "--target", "80", "--done").exit_code == 0
    shown = cli("indicator", "show", slug, "--json")
    assert '"target": 80.0' in shown.output and '"locked": false' in shown.output
    assert cli("indicator", "choose", slug, "personnes-touchees").exit_code == 0
    assert cli("indicator", "record", slug, "personnes-touchees", "140", "--note", "dépistages").exit_code == 0
    text = cli("indicator", "show", slug).output
    assert "personnes-touchees" in text and "140" in text
