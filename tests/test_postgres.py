"""The store on PostgreSQL: migrations and the CLI spine run unchanged (nothing SQLite-only).

A throw-away PostgreSQL cluster is started on 127.0.0.1 from the machine's PostgreSQL binaries;
the test is skipped where PostgreSQL is not installed.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None) if Path("/usr/lib/postgresql").exists() else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    if BIN is None or not (BIN / "initdb").exists():
        pytest.skip("PostgreSQL binaries not installed")
    pytest.importorskip("psycopg")
    # pytest's own temporary directories are private to root; the postgres user needs its own.
    base = Path(tempfile.mkdtemp(prefix="cocon-pg-"))
    base.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data = base / "data"
    subprocess.run(_as_postgres([str(BIN / "initdb"), "-D", str(data), "-U", "cocon", "--auth=trust", "-E", "UTF8"]),
                   check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        _as_postgres([str(BIN / "postgres"), "-D", str(data), "-p", str(port), "-k", str(data), "-c", "listen_addresses=127.0.0.1",
                      "-c", "fsync=off"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"postgresql+psycopg://cocon@127.0.0.1:{port}/postgres"
    try:
        import psycopg

        for _ in range(100):
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=cocon dbname=postgres").close()
                break
            except psycopg.OperationalError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(base, ignore_errors=True)


def test_spine_on_postgresql(postgres_url: str, cli) -> None:
    env = {"COCON_DATABASE_URL": postgres_url}
    assert cli("db", "upgrade", env=env).exit_code == 0
    created = cli("project", "new", "--template", "ambassadeur-sante", "--name", "Ambassadrice ICOPE", "--structure",
                  "MSP Valras-Plage", "--start", "2027-01-04", "--end", "2027-06-04", "--json", env=env)
    assert created.exit_code == 0, created.output
    slug = json.loads(created.output)["slug"]
    assert cli("person", "add", slug, "--name", "Marie", "--role", "ambassadeur", "--email", "marie@example.org",
               "--availability", "matin", "--unavailable", "2027-02-01..2027-02-05", env=env).exit_code == 0
    moved = cli("plan", "move", slug, "rencontre", "--to", "2027-01-25", "--reason", "marché de Noël", "--json", env=env)
    assert moved.exit_code == 0, moved.output
    shown = json.loads(cli("project", "show", slug, "--json", env=env).output)
    assert shown["phase"] == "avant" and shown["structure"] == "MSP Valras-Plage"
    listed = json.loads(cli("project", "list", "--json", env=env).output)
    assert [(p["slug"], p["done"]) for p in listed] == [(slug, 0)] and listed[0]["steps"] > 5
    history = json.loads(cli("plan", "history", slug, "--json", env=env).output)
    assert history and history[0]["reason"] == "marché de Noël"
