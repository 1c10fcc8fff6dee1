"""Compile the gettext catalogues (``locales/*/LC_MESSAGES/cocon.po``) into ``.mo`` files at build
and install time; everything else about the package is in ``pyproject.toml``."""

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(ROOT))
        from locales.compile import compile_catalogues

        editable = getattr(self, "editable_mode", False)
        target = None if editable else Path(self.build_lib) / "locales"
        for path in compile_catalogues(target):
            self.announce(f"compiled {path}", level=2)


setup(cmdclass={"build_py": BuildWithCatalogues})
