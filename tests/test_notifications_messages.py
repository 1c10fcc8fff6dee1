"""Every message template renders in French and English from its typed context."""

from datetime import date

import pytest
from jinja2 import UndefinedError
from pydantic import BaseModel

from notifications.exceptions import TemplateMissing
from notifications.messages import EXAMPLES, DigestContext, DigestEntry, environment, render_message


@pytest.mark.parametrize("name", sorted(EXAMPLES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_template_renders(name: str, lang: str) -> None:
    message = render_message(name, EXAMPLES[name], lang)
    assert message.subject and "\n" not in message.subject
    assert message.text.strip() and message.short
    assert "{{" not in message.text and "{%" not in message.text


def test_digest_is_french_first_with_long_dates_and_kind_words() -> None:
    message = render_message("digest", EXAMPLES["digest"], "fr")
    assert message.subject == "Vos rappels du mardi 24 novembre 2026 (7)"
    assert message.text.startswith("Bonjour Mireille Durand,")
    assert "le mardi 8 décembre 2026" in message.text
    assert "vous pouvez faire une pause" in message.text
    english = render_message("digest", EXAMPLES["digest"], "en")
    assert "Tuesday 8 December 2026" in english.text and "Bonjour" not in english.text


def test_single_entry_subject_names_the_occasion() -> None:
    entry = DigestEntry(occasion="invitation", project_name="P", title="Point d'étape", day=date(2027, 3, 2))
    message = render_message("digest", DigestContext(person_name="A", today=date(2027, 2, 16), entries=[entry]), "fr")
    assert message.subject == "Invitation\u202f: Point d'étape, mardi 2 mars 2027"
    tomorrow = DigestEntry(occasion="before", project_name="P", title="Charte", day=date(2027, 3, 2), days=1)
    text = render_message(
        "digest", DigestContext(person_name="A", today=date(2027, 3, 1), entries=[tomorrow]), "fr"
    ).text
    assert "demain" in text


def test_html_escapes_what_people_typed() -> None:
    entry = DigestEntry(occasion="before", project_name="<script>x</script>", title="T", day=date(2027, 3, 2), days=3)
    message = render_message(
        "digest", DigestContext(person_name="<b>A</b>", today=date(2027, 2, 27), entries=[entry]), "fr"
    )
    assert message.html is not None
    assert "<script>" not in message.html and "&lt;b&gt;A&lt;/b&gt;" in message.html


def test_undefined_values_fail_loudly() -> None:
    class Incomplete(BaseModel):
        person_name: str

    with pytest.raises(UndefinedError):
        render_message("digest", Incomplete(person_name="A"), "fr")
    assert environment().undefined.__name__ == "StrictUndefined"


def test_missing_template_is_a_clear_error() -> None:
    with pytest.raises(TemplateMissing, match="n'a pas de modèle"):
        render_message("nope", EXAMPLES["digest"], "fr")
