"""The cluster set-up of docs/deploy.md, for real: a Prefect server on PostgreSQL, a process work
pool, two workers, ``prefect deploy --all`` from prefect.yaml, and Cocon's store on PostgreSQL.

Reminders for a few hundred people are delivered exactly once, by shard runs that the two workers
pick up (a worker takes whatever is scheduled when it polls: the log says which); then,
on a new day, one worker is killed with SIGKILL in the middle of the cycle: nothing is lost and
the duplicates stay within the documented bound (one dispatch batch per killed process).
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from notifications.dispatch import BATCH_SIZE
from tests.fixtures_notifications import SmtpSink, _Collector, free_port
from tests.test_flows_served import FINAL, PrefectApi, wait_for
from tests.test_postgres import postgres_url  # noqa: F401  (the throw-away PostgreSQL cluster)

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DAY = date(2027, 3, 15)
#: Projects of the store: enough for a cycle that lasts while a worker is killed in the middle of it
PROJECTS = 60
T0 = time.monotonic()


def mark(label: str) -> None:
    """Where the test's time goes (shown with ``pytest -s``)."""
    print(f"[cluster {time.monotonic() - T0:6.1f} s] {label}", file=sys.stderr, flush=True)


class SlowCollector(_Collector):
    """An SMTP server taking a little time per message, so that a worker can be killed mid-cycle."""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.005)
        return await super().handle_DATA(server, session, envelope)


def runs_hosted_by(pid: int) -> dict[int, str]:
    """The flow runs executed by the worker ``pid``'s processes: {process id: flow run id}."""
    hosted = {}
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
            for entry in environ:
                if entry.startswith(b"PREFECT__FLOW_RUN_ID="):
                    hosted[child] = entry.split(b"=", 1)[1].decode()
    return hosted


def descendants(pid: int) -> list[int]:
    found = []
    children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        found.append(int(child))
        found.extend(descendants(int(child)))
    return found


@pytest.fixture(scope="module")
def cluster(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:  # noqa: F811
    import psycopg

    base = postgres_url.removeprefix("postgresql+psycopg://")
    with psycopg.connect(f"postgresql://{base}", autocommit=True) as connection:
        connection.execute("CREATE DATABASE prefect")
        connection.execute("CREATE DATABASE cocon")
    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "COCON_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_CLI_PROMPT="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    server_env = {
        **env,
        "PREFECT_API_DATABASE_CONNECTION_URL": f"postgresql+asyncpg://{base.rsplit('/', 1)[0]}/prefect",
        # a concurrency slot held by a run whose machine died is freed after 30 s (default 300 s)
        "PREFECT_SERVER_CONCURRENCY_INITIAL_DEPLOYMENT_LEASE_DURATION": "30",
        "PREFECT_UI_ENABLED": "false",  # nobody looks at it: its files are not prepared
    }
    log = open(home / "server.log", "wb")  # noqa: SIM115
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from bench.reminders import build_store
    from flows.server import healthy

    cocon_url = f"postgresql+psycopg://{base.rsplit('/', 1)[0]}/cocon"
    try:
        # Cocon's store is built while the Prefect server starts (both take seconds)
        build_store(cocon_url, projects=PROJECTS, people=15, steps=30, today=DAY)
        mark("store built")
        wait_for(lambda: healthy(api_url), 400, "the Prefect server on PostgreSQL")
        mark("Prefect server up")
        env["PREFECT_API_URL"] = api_url
        yield {"env": env, "api_url": api_url, "cocon_url": cocon_url}
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # a throw-away server: a short grace, then killed
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def finished(process: "subprocess.Popen[str]", timeout: float = 300) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def test_two_workers_share_reminders_exactly_once_and_survive_a_kill(cluster: dict[str, Any], tmp_path: Path) -> None:
    from store.db import get_engine

    sink = SmtpSink()
    sink.collector = SlowCollector()
    sink.start()
    env = {
        **cluster["env"],
        "COCON_DATABASE_URL": cluster["cocon_url"],
        "COCON_HOME": str(tmp_path / "home"),
        "COCON_NOW": f"{DAY.isoformat()}T10:00",
        "COCON_SMTP_URL": sink.url,
        "COCON_MAIL_FROM": "cocon@cpts.example.org",
        "COCON_REMINDER_SHARDS": "2",
        "COCON_SHARD_TIMEOUT": "600",
    }
    # the commands of docs/deploy.md, "Cluster"; the workers start while `prefect deploy` runs
    run([str(BIN / "prefect"), "work-pool", "create", "cocon", "--type", "process"], env)
    deploy = subprocess.Popen(
        [str(BIN / "prefect"), "deploy", "--all"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    api = PrefectApi(cluster["api_url"])
    workers: list[subprocess.Popen[bytes]] = []
    logs: list[Any] = []
    refusal: subprocess.Popen[str] | None = None
    try:
        for name in ("worker-a", "worker-b"):
            logs.append(open(tmp_path / f"{name}.log", "wb"))  # noqa: SIM115
            workers.append(
                subprocess.Popen(
                    [str(BIN / "prefect"), "worker", "start", "--pool", "cocon", "--name", name],
                    env={**env, "PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_WORKER_QUERY_SECONDS": "1"},
                    cwd=tmp_path,
                    stdout=logs[-1],
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        code, out, err = finished(deploy)
        assert code == 0, out + err
        mark("deployed, workers starting")
        deployed = api.deployment("reminders/cocon-reminders")
        assert deployed["entrypoint"] == "flows.reminders.reminders" and deployed["pull_steps"] == []
        # `cocon serve` pointed at this server must refuse and leave the deployments as they are:
        # started now, checked once day one is done (it runs while the workers work)
        refusal = subprocess.Popen(
            [str(BIN / "cocon"), "serve", "--no-web"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

        engine = get_engine(cluster["cocon_url"])

        def states() -> Counter[str]:
            with engine.connect() as connection:
                return Counter(
                    dict(connection.execute(text("SELECT state, count(*) FROM outbox_message GROUP BY state")).all())
                )  # type: ignore[arg-type]

        # day one: two workers share the cycle, everyone gets their digest once
        assert api.wait(api.run("reminders/cocon-reminders"), 400) == "COMPLETED"
        mark("day one sent")
        code, _, err = finished(refusal)
        assert code == 1 and "pool" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
        after = api.deployment("reminders/cocon-reminders")
        assert (
            after["paused"] is False and after["work_pool_name"] == "cocon" and after["updated"] == deployed["updated"]
        )
        shards = api.runs("reminders-shard/cocon-reminders-shard", ["COMPLETED"])
        assert len(shards) == 2  # one run per shard: plan, pause until both planned, send
        sent = states()
        assert set(sent) == {"SENT"} and sent["SENT"] > 100, sent
        addresses = [r.envelope_to[0] for r in sink.received]
        assert addresses and len(addresses) == len(set(addresses))  # exactly once
        people_due = len(addresses)

        # day two (same reminders due again): the worker sending a shard dies with its machine
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM outbox_message"))
        sink.collector.received.clear()
        first = api.run("reminders/cocon-reminders")
        # as soon as a shard is sending (a few groups already confirmed), its machine dies
        wait_for(lambda: len(sink.received) >= 2 * BATCH_SIZE, 300, "the cycle to be under way")
        sending = {r["id"] for r in api.runs("reminders-shard/cocon-reminders-shard", ["RUNNING"])}
        victim = next((w for w in workers if set(runs_hosted_by(w.pid).values()) & sending), workers[0])
        hosted = runs_hosted_by(victim.pid)
        for pid in [victim.pid, *descendants(victim.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        killed_at = len(sink.received)
        assert killed_at < people_due, "the kill came too late to test anything"
        mark(f"worker killed after {killed_at} of {people_due} messages")
        # what Prefect's zombie automation (flow heartbeats, docs/deploy.md) does: the runs of the
        # dead machine are marked crashed, so the parent stops waiting for them
        for run_id in hosted.values():
            api.crash(run_id)
        assert api.wait(first, 400) in FINAL  # completes (its shards ran elsewhere) or fails/crashes
        mark("day two's first run over")
        # the next run sends what is left: the dead process's claims are taken back at once (same
        # host, process gone). Unsharded, so one flow run process instead of five (what is tested
        # is the recovery, not the sharing again); a run cancelled because a slot is still held
        # by a dead run (freed after its lease) is simply started again
        deadline = time.monotonic() + 300
        while (states().keys() - {"SENT"} or len(sink.received) < people_due) and time.monotonic() < deadline:
            if api.wait(api.run("reminders/cocon-reminders", {"shards": 1}), 400) != "COMPLETED":
                time.sleep(1)
        mark("day two sent")
        final = states()
        assert set(final) == {"SENT"}, final
        received = Counter(r.envelope_to[0] for r in sink.received)
        assert set(received) == set(addresses)  # nothing lost
        duplicates = sum(count - 1 for count in received.values())
        assert duplicates <= 2 * BATCH_SIZE, duplicates  # at most one batch per killed process (shard, parent)
    finally:
        api.close()
        for process in (deploy, refusal):
            if process is not None and process.poll() is None:
                process.kill()
                process.communicate()
        for worker in workers:
            if worker.poll() is None:
                for pid in [*descendants(worker.pid), worker.pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    worker.kill()
        for log in logs:  # the workers' logs stay in tmp_path for whoever reads a failure
            log.close()
        sink.stop()


def test_a_cycle_counts_what_it_queues_on_postgresql(
    postgres_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tomllib

    import psycopg
    from sqlmodel import Session

    from notifications.cycle import plan_and_enqueue
    from store.db import get_engine, upgrade
    from store.models import OutboxMessage
    from tests.factories import make_project

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(d.startswith("psycopg") for d in extras["postgres"])  # pip install 'cocon[postgres]'
    base = postgres_url.removeprefix("postgresql+psycopg://")
    with psycopg.connect(f"postgresql://{base}", autocommit=True) as connection:
        connection.execute("CREATE DATABASE cycle")
    url = postgres_url.rsplit("/", 1)[0] + "/cycle"
    upgrade(url)
    monkeypatch.setenv("COCON_DATABASE_URL", url)
    monkeypatch.setenv("COCON_SMTP_URL", "smtp://127.0.0.1:9")
    monkeypatch.setenv("COCON_NOW", "2027-01-18T10:00")
    with Session(get_engine(url), expire_on_commit=False) as session:
        make_project(session)
        session.commit()
    report = plan_and_enqueue()
    with Session(get_engine(url)) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert report.enqueued == len(rows) > 0  # was always 0 on PostgreSQL
    assert plan_and_enqueue().enqueued == 0
