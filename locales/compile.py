"""Compile the ``.po`` catalogues into ``.mo`` files beside them: ``python -m locales.compile``.

Installing the package runs it (``setup.py``); a checkout without ``.mo`` files still works, the
catalogues being compiled in memory on first use. Stops with a message naming the file and the
line when a catalogue is broken.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from locales.catalogue import DOMAIN, LANGUAGES, po_path


def compile_catalogues(target: Path | None = None) -> list[Path]:
    """Write ``<target>/<lang>/LC_MESSAGES/cocon.mo`` for each language (beside the ``.po`` by default)."""
    written = []
    for lang in LANGUAGES:
        po = po_path(lang)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN, abort_invalid=True)
        mo = (target / lang / "LC_MESSAGES" / f"{DOMAIN}.mo") if target else po.with_suffix(".mo")
        mo.parent.mkdir(parents=True, exist_ok=True)
        with mo.open("wb") as handle:
            write_mo(handle, catalog)
        written.append(mo)
    return written


def main() -> int:
    try:
        for path in compile_catalogues():
            print(path)
    except PoFileError as error:
        print(f"catalogue invalide : {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
