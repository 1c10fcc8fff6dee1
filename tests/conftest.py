"""Shared fixtures: a real, migrated SQLite file per test and the CLI run against it."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

pytest_plugins: list[str] = ["tests.fixtures_notifications", "tests.fixtures_web", "tests.fixtures_evaluation"]

_MIGRATED_TEMPLATE: dict[str, bytes] = {}


#: The public address of the test installation, as `cocon serve --public-url` records it.
PUBLIC_URL = "https://cocon.msp-tilleuls.test"


def _record_public_url(url: str) -> None:
    from store.db import get_engine
    from store.publication import record_public_url

    engine = get_engine(url)
    with Session(engine) as session:
        record_public_url(session, PUBLIC_URL, actor="test")
        session.commit()
    engine.dispose()


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite file created by the Alembic migrations, set as COCON_DATABASE_URL."""
    from store.db import upgrade

    path = tmp_path / "cocon.sqlite"
    if "db" not in _MIGRATED_TEMPLATE:
        seed = tmp_path / "seed.sqlite"
        upgrade(f"sqlite:///{seed}")
        _record_public_url(f"sqlite:///{seed}")
        _MIGRATED_TEMPLATE["db"] = seed.read_bytes()
        seed.unlink()
    path.write_bytes(_MIGRATED_TEMPLATE["db"])
    url = f"sqlite:///{path}"
    monkeypatch.setenv("COCON_DATABASE_URL", url)
    monkeypatch.setenv("COCON_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COCON_ACTOR", "test")
    monkeypatch.delenv("COCON_NOW", raising=False)
    monkeypatch.delenv("COCON_LANG", raising=False)
    return url


@pytest.fixture
def session(db_url: str) -> Iterator[Session]:
    from store.db import get_engine

    with Session(get_engine(db_url), expire_on_commit=False) as session:
        yield session
        session.commit()


@pytest.fixture
def cli(db_url: str) -> Callable[..., Result]:
    """Run ``cocon ARGS…`` in-process against the test database."""
    from cocon.cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return invoke
