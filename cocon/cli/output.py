"""How the command line speaks: French by default (``COCON_LANG=en``), from the catalogue; tables, JSON, errors."""

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from sqlmodel import Session

import locales
from store.db import ensure_schema, session_scope
from store.settings import language

console = Console(highlight=False, soft_wrap=True)


def lang() -> str:
    return language()


def t(key: str, /, **values: Any) -> str:
    """The catalogue's message ``key`` in the terminal's language (``n=`` picks a plural form)."""
    return locales.gettext(key, lang(), **values)


def actor() -> str:
    """Who is acting, for the audit log and the plan history."""
    return os.environ.get("COCON_ACTOR") or f"cli:{_user()}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "inconnu"


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one sentence on stderr and stop with a non-zero code."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


@contextmanager
def db() -> Iterator[Session]:
    """A session on the configured database, migrated if needed; commits on success."""
    ensure_schema()
    with session_scope() as session:
        yield session
