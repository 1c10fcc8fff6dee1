"""Engines, sessions and migrations. Nothing here is specific to SQLite except its pragmas and guards.

A SQLite database is a file a person can delete, replace or make read-only while Cocon runs. So:

* connections open the file in ``mode=rw``: SQLite never creates an empty database in its place;
  only :func:`upgrade` (``cocon db upgrade``, the demo) and the first use of a data folder
  create one (see :func:`ensure_schema`);
* before each commit, and when a session opens, the file must still be the one first opened
  (same device and inode); otherwise :class:`DatabaseUnavailable` is raised and nothing is saved;
* SQLite's own faults (locked over 30 s, read-only, not a database, disk error) become a
  :class:`DatabaseUnavailable` saying what to do;
* engines hide SQL parameters (``hide_parameters=True``), so no error or log line holds a name,
  an email or a token.
"""

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, make_url
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlmodel import Session, create_engine

from store.exceptions import DatabaseUnavailable, InvalidInput
from store.settings import busy_timeout_seconds, database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: (device, inode) of each SQLite file when Cocon first opened it, by path.
_IDENTITY: dict[str, tuple[int, int]] = {}


def _masked(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, or None (another database, memory, or a URI we leave alone)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        return None
    if parsed.database.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(parsed.database).absolute()


def installed_marker(path: Path) -> Path:
    """Written next to a SQLite database once Cocon has created or used it: from then on a missing
    database is an error, never a reason to start again from an empty one."""
    return path.with_name(path.name + ".installed")


@cache
def engine_for(url: str) -> Engine:
    """One engine per database URL, shared by the process."""
    try:
        return _make_engine(url)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InvalidInput("error.store.db_unopenable_url", url=_masked(url), reason=type(exc).__name__) from None


def _make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
        event.listen(engine, "handle_error", _refuse_overflow)
        return engine
    path = sqlite_file(url)
    busy = busy_timeout_seconds()
    connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": busy}
    if path is None:
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True)
    else:
        file = path

        def _open_existing() -> sqlite3.Connection:
            connection = sqlite3.connect(f"file:{quote(str(file))}?mode=rw", uri=True, **connect_args)
            _IDENTITY.setdefault(str(file), _identity(file) or (0, 0))
            return connection

        engine = create_engine(url, creator=_open_existing, hide_parameters=True)

        @event.listens_for(engine, "commit")
        def _same_file_before_commit(_connection: Any) -> None:
            check_same_file(file)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={round(busy * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; FULL costs ~2 ms per commit
        cursor.close()

    @event.listens_for(engine, "handle_error")
    def _sqlite_fault(context: ExceptionContext) -> None:
        fault = sqlite_fault(context.original_exception, path)
        if fault is not None:
            raise fault from None
        _refuse_overflow(context)

    return engine


def _refuse_overflow(context: ExceptionContext) -> None:
    """A number beyond 64 bits (an id or an amount typed by someone) is a wrong value, not a crash."""
    if isinstance(context.original_exception, OverflowError):
        raise InvalidInput("error.store.number_too_large") from None


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def check_same_file(path: Path) -> None:
    """Raise :class:`DatabaseUnavailable` if the SQLite file was deleted or replaced since Cocon opened it."""
    known = _IDENTITY.get(str(path))
    if known is None:
        return
    now = _identity(path)
    if now is None:
        raise DatabaseUnavailable("error.store.db_gone", reason="gone", path=str(path))
    if now != known:
        raise DatabaseUnavailable("error.store.db_replaced", reason="replaced", path=str(path))


#: SQLite's messages, and what the person at the keyboard can do about each.
_SQLITE_FAULTS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("database is locked", "database table is locked"), "locked", "error.store.db_locked"),
    (("readonly database",), "readonly", "error.store.db_readonly"),
    (("file is not a database", "malformed", "not a database"), "corrupt", "error.store.db_corrupt"),
    (("disk i/o error", "database or disk is full"), "disk", "error.store.db_disk"),
    (("unable to open database file",), "unopenable", "error.store.db_unopenable"),
)


def sqlite_fault(error: BaseException, path: Path | None) -> DatabaseUnavailable | None:
    """The sentence for a SQLite fault a person can fix, or None for any other error."""
    if not isinstance(error, sqlite3.OperationalError | sqlite3.DatabaseError) or isinstance(
        error, sqlite3.IntegrityError
    ):
        return None
    text = str(error).lower()
    for needles, reason, key in _SQLITE_FAULTS:
        if any(needle in text for needle in needles):
            return DatabaseUnavailable(key, reason=reason, path=str(path or "SQLite"))
    return None


def get_engine(url: str | None = None) -> Engine:
    return engine_for(url or database_url())


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (refused if the file was deleted)."""
    engine = get_engine(url)
    path = sqlite_file(str(engine.url))
    if path is not None:
        check_same_file(path)
    with Session(engine, expire_on_commit=False) as session:
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
        raise InvalidInput("error.store.db_not_answering", url=_masked(str(engine.url.render_as_string(hide_password=True))),
                           reason=reason) from None


def upgrade(url: str | None = None, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database schema up to date, creating an empty SQLite file if there is none.

    This is the explicit way to create a database (``cocon db upgrade``, the demo). Returns the
    revisions before and after.
    """
    url = url or database_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        _create_file(path, url)
    before = current_revision(url)
    if revision != "head" or before != head_revision():
        config = alembic_config(url)
        with get_engine(url).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        if path is not None:
            # Fold the write-ahead log into the file now, so that a copy of the file alone is complete.
            with get_engine(url).connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    if path is not None:
        _mark_installed(path)
    return before, current_revision(url)


def ensure_schema(url: str | None = None) -> None:
    """Upgrade only when the database is behind, so commands stay fast.

    A missing SQLite file is created only on the first use of its folder (no ``.installed``
    marker next to it); once Cocon has used a database there, its absence is an error that says
    how to restore it or start again with ``cocon db upgrade``.
    """
    url = url or database_url()
    path = sqlite_file(url)
    if path is not None and not path.exists():
        if installed_marker(path).exists():
            raise DatabaseUnavailable("error.store.db_missing", reason="missing", path=str(path))
        upgrade(url)
        return
    if current_revision(url) != head_revision():
        upgrade(url)
    elif path is not None:
        _mark_installed(path)


def _create_file(path: Path, url: str) -> None:
    if not path.parent.is_dir():
        raise DatabaseUnavailable("error.store.db_folder_missing", reason="unopenable", path=str(path.parent))
    try:
        sqlite3.connect(path).close()
    except (OSError, sqlite3.Error):
        raise DatabaseUnavailable("error.store.db_not_created", reason="unopenable", path=str(path)) from None
    # A new file: forget the one an engine of this process may have opened before.
    _IDENTITY.pop(str(path), None)
    engine_for(url).dispose()


def _mark_installed(path: Path) -> None:
    marker = installed_marker(path)
    if not marker.exists():
        # In a read-only folder the marker cannot be written: the database itself says so when written to.
        with suppress(OSError):
            marker.write_text("Cocon a créé ou utilisé la base de données à côté de ce fichier.\n", encoding="utf-8")
