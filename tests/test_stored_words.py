"""What Cocon writes into the store itself is said in the reader's language when it is read.

A cancelled message's reason, a date moved for absences, an indicator changed after the lock, a
failed send: stored as a catalogue key with its values (:mod:`locales.stored`), never as a French
sentence, so the English interface and report never show French. Text a person typed is kept and
shown as typed.
"""

import json

import pytest
from sqlmodel import Session, select

from locales.stored import amount, fact, spoken, written
from notifications.cycle import plan_and_enqueue
from notifications.pauses import pause
from store.models import OutboxState, Person
from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink


def test_a_written_fact_is_spoken_in_each_language() -> None:
    stored = written("stored.charter.new_version", number=3)
    assert spoken(stored, "fr") == "nouvelle version 3 de la charte à signer"
    assert spoken(stored, "en") == "new version 3 of the charter to sign"
    assert spoken(written("stored.outbox.paused"), "en") == "reminders paused"


def test_nested_facts_numbers_and_lists() -> None:
    change = written(
        "stored.indicator.changed",
        changes=[
            fact("stored.indicator.field_changed", field=fact("label.indicator_field.target"), old=amount(1234.5), new=amount(None)),
            fact("stored.indicator.definition_changed"),
        ],
    )
    assert spoken(change, "fr") == "cible : 1\u202f234,5 → — ; définition modifiée"
    assert spoken(change, "en") == "target: 1,234.5 → —; definition changed"
    failure = written(
        "stored.delivery.failures",
        failures=[fact("stored.delivery.target_failed", target="email", reason=written("stored.delivery.refused", code=550))],
    )
    assert spoken(failure, "en") == "email: refused by the SMTP server (550)"


@pytest.mark.parametrize(
    "typed",
    ["vacances de Pâques", "", None, "§pas.une.clef", '§stored.charter.new_version {"number": 3', "§stored.outbox.paused [1]"],
)
def test_anything_else_is_given_back_as_it_was_stored(typed: str | None) -> None:
    assert spoken(typed, "en") == (typed or "")


def test_an_unknown_key_is_refused_when_written() -> None:
    with pytest.raises(KeyError):
        written("stored.nope")


def test_the_outbox_tells_why_a_message_was_cancelled_in_the_readers_language(
    cli, session: Session, smtp_sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(session)
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    assert plan_and_enqueue().enqueued > 0
    karim = session.exec(select(Person).where(Person.email == "karim@example.org")).one()
    assert pause(session, karim, until=None, actor="person:karim") > 0
    session.commit()

    def reasons(lang: str) -> set[str]:
        result = cli("outbox", "list", project.slug, "--state", OutboxState.CANCELLED.value, "--json", env={"COCON_LANG": lang})
        assert result.exit_code == 0, result.output
        return {row["last_error"] for row in json.loads(result.output)}

    assert reasons("fr") == {"rappels en pause"}
    assert reasons("en") == {"reminders paused"}
    table = cli("outbox", "list", project.slug, "--state", OutboxState.CANCELLED.value, env={"COCON_LANG": "en"})
    assert "reminders paused" in table.output and "§" not in table.output
