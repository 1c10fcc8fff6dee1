"""Engines, sessions and migrations. Nothing here is specific to SQLite except its pragmas."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from store.exceptions import InvalidInput
from store.settings import database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def _masked(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


@cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, shared by the process."""
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InvalidInput(
            f"La base « {_masked(url)} » ne peut pas être ouverte ({type(exc).__name__}) : donnez à COCON_DATABASE_URL "
            "une adresse comme sqlite:///chemin/cocon.sqlite ou postgresql+psycopg://utilisateur@hôte/base."
        ) from None


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; FULL costs ~2 ms per commit
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    return engine_for(url or database_url())


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return config


@cache
def head_revision() -> str:
    """The newest migration shipped with this code (read once per process)."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(url: str | None = None) -> str | None:
    engine = get_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise InvalidInput(
            f"La base « {_masked(str(engine.url.render_as_string(hide_password=True)))} » ne répond pas ({reason}) : "
            "vérifiez COCON_DATABASE_URL et que le serveur est démarré."
        ) from None


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Bring the database schema up to date (creates it on an empty database)."""
    command.upgrade(alembic_config(url), revision)


def ensure_schema(url: str | None = None) -> None:
    """Upgrade only when the database is behind, so commands stay fast."""
    if current_revision(url) != head_revision():
        upgrade(url)
