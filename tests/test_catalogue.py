"""The gettext catalogues: both languages hold the same keys, placeholders and plural entries, every
key the code uses exists, the French follows the house style, and the compiled files agree."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import locales
from locales.catalogue import po_path, translations
from locales.compile import compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"t": (1,), "gettext": (1,), "ngettext": (1,), "translate": (1,), "tn": (1,)}
PLACEHOLDER = re.compile(r"{(\w+)[^}]*}")


def _catalog(lang: str):  # type: ignore[no-untyped-def]
    with po_path(lang).open("rb") as handle:  # type: ignore[arg-type]
        return read_po(handle, locale=lang, domain="cocon", abort_invalid=True)


def _entries(lang: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for message in _catalog(lang):
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found[key] = [message.string] if isinstance(message.string, str) else list(message.string)
    return found


def test_both_catalogues_hold_the_same_keys_placeholders_and_plurals() -> None:
    french, english = _entries("fr"), _entries("en")
    assert set(french) == set(english), sorted(set(french) ^ set(english))
    for key, forms in french.items():
        assert all(forms) and all(english[key]), f"{key}: an empty translation"
        assert (len(forms) > 1) == (len(english[key]) > 1), f"{key}: plural in one language only"
        names = {frozenset(PLACEHOLDER.findall(form)) - {"n"} for form in forms + english[key]}
        assert len(names) == 1, f"{key}: placeholders differ: {names}"
        for form in forms + english[key]:
            form.format(**{name: 1 for name in PLACEHOLDER.findall(form)})  # each form is a valid template


def test_plural_entries_follow_babels_rule_of_each_language() -> None:
    assert locales.gettext("ok_retried", "fr", n=0) == "0 message remis en file d'envoi."
    assert locales.gettext("ok_retried", "fr", n=1) == "1 message remis en file d'envoi."
    assert locales.gettext("ok_retried", "fr", n=2) == "2 messages remis en file d'envoi."
    assert locales.gettext("ok_retried", "en", n=0) == "0 messages queued again."
    assert locales.gettext("ok_retried", "en", n=1) == "1 message queued again."
    with pytest.raises(TypeError):
        locales.gettext("ok_retried", "fr")
    with pytest.raises(locales.MissingMessage):
        locales.gettext("no_such_key", "fr")


def test_every_key_the_code_uses_exists() -> None:
    mapping, _ = parse_mapping_cfg((ROOT / "locales" / "babel.cfg").open())  # type: ignore[misc]
    used = {
        (message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=mapping.method_map if hasattr(mapping, "method_map") else mapping,
            options_map={}, keywords=KEYWORDS,
        )
    }
    used = {key for key in used if key}
    assert len(used) > 300
    assert used <= locales.keys(), sorted(used - locales.keys())


def test_the_french_follows_the_house_style() -> None:
    for key, forms in _entries("fr").items():
        for form in forms:
            assert "(s)" not in form and "(e)" not in form, f"{key}: {form!r} (count with a plural entry)"
            assert "·" not in form, f"{key}: {form!r} (no point médian: docs/house-style.md)"
    for key, forms in _entries("en").items():
        for form in forms:
            assert "(s)" not in form, f"{key}: {form!r}"


def test_the_compiled_catalogues_say_what_the_po_files_say(tmp_path: Path) -> None:
    written = compile_catalogues(tmp_path)
    assert [p.name for p in written] == ["cocon.mo", "cocon.mo"]
    import gettext

    for lang in ("fr", "en"):
        with (tmp_path / lang / "LC_MESSAGES" / "cocon.mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        source = translations(lang)  # type: ignore[arg-type]
        for key in list(locales.keys())[:200]:
            if locales.is_plural(key):
                assert compiled.ngettext(key, key, 2) == source.ngettext(key, key, 2)
            else:
                assert compiled.gettext(key) == source.gettext(key)
