"""`cocon serve` as a user runs it: a subprocess with its own Prefect server, a real SMTP server.

The reminders deployment is scheduled every few seconds (``--reminders-cron 15``) and must fire by
itself and deliver its mail; then each of the three scheduled deployments is triggered through
Prefect's API and must reach *Completed* (the issue: they all crashed on import when served).
The web app it serves alongside answers; Ctrl-C stops everything quietly, Prefect's server too.
"""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from tests.factories import make_project
from tests.fixtures_notifications import SmtpSink, free_port

pytestmark = pytest.mark.slow

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def wait_for(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class PrefectApi:
    """The few calls of Prefect's REST API the deployed-product tests need."""

    def __init__(self, url: str) -> None:
        # Prefect's SQLite-backed server answers 503 for a while under load: the transport retries
        self.client = httpx.Client(
            base_url=url.rstrip("/") + "/", timeout=30, event_hooks={"response": [self._wait_if_busy]}
        )

    def _wait_if_busy(self, response: httpx.Response) -> None:
        if response.status_code == 503:
            time.sleep(2)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for _ in range(30):
            response = self.client.request(method, path, **kwargs)
            if response.status_code != 503:
                break
        return response

    def deployment(self, full_name: str) -> dict[str, Any]:
        response = self._send("GET", f"deployments/name/{full_name}")
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    def exists(self, full_name: str) -> bool:
        return self._send("GET", f"deployments/name/{full_name}").status_code == 200

    def run(self, full_name: str, parameters: dict[str, Any] | None = None) -> str:
        deployment = self.deployment(full_name)
        response = self._send(
            "POST", f"deployments/{deployment['id']}/create_flow_run", json={"parameters": parameters or {}}
        )
        response.raise_for_status()
        return str(response.json()["id"])

    def state(self, run_id: str) -> str:
        response = self._send("GET", f"flow_runs/{run_id}")
        response.raise_for_status()
        state = response.json()["state"]
        return str(state["type"]) if state else "PENDING"

    def wait(self, run_id: str, timeout: float = 420) -> str:
        return str(wait_for(lambda: (s := self.state(run_id)) in FINAL and s, timeout, f"flow run {run_id}"))

    def runs(self, full_name: str, states: list[str]) -> list[dict[str, Any]]:
        deployment = self.deployment(full_name)
        response = self._send(
            "POST",
            "flow_runs/filter",
            json={
                "deployments": {"id": {"any_": [deployment["id"]]}},
                "flow_runs": {"state": {"type": {"any_": states}}},
            },
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()
        return found

    def crash(self, run_id: str) -> None:
        """Mark a run crashed (as an operator, or Prefect's zombie automation, does for a dead machine)."""
        response = self._send(
            "POST",
            f"flow_runs/{run_id}/set_state",
            json={"state": {"type": "CRASHED", "name": "Crashed", "message": "machine lost"}, "force": True},
        )
        response.raise_for_status()

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def served(
    db_url: str, tmp_path: Path, smtp_sink: SmtpSink
) -> Iterator[tuple[subprocess.Popen[str], PrefectApi, list[str]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(
        COCON_DATABASE_URL=db_url,
        COCON_HOME=str(tmp_path / "home"),
        COCON_NOW="2027-01-18T10:00",
        COCON_SMTP_URL=smtp_sink.url,
        COCON_MAIL_FROM="cocon@msp-tilleuls.example.org",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_RUNNER_POLL_FREQUENCY="2",
        COCON_PREFECT_START_TIMEOUT="600",
        COCON_WEB_PORT=str(free_port()),  # the web app starts with `cocon serve` too
        PYTHONFAULTHANDLER="1",  # a hang on Ctrl-C shows its threads (SIGABRT below)
    )
    cocon = str(Path(sys.executable).parent / "cocon")
    process = subprocess.Popen(
        [cocon, "serve", "--reminders-cron", "15"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    api = None
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 620
        while time.monotonic() < deadline and process.poll() is None:
            line = process.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line:
                break
        found = re.search(r"\((http://127\.0\.0\.1:\d+/api)\)", "".join(lines))
        assert found is not None, lines
        api = PrefectApi(found.group(1))
        yield process, api, lines
    finally:
        if api is not None:
            api.close()
        if process.poll() is None:  # the test stops it itself; this is for a failure on the way
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=90)


def test_cocon_serve_runs_every_deployment_and_its_schedule(
    served: tuple[subprocess.Popen[str], PrefectApi, list[str]], session: Session, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    process, api, lines = served
    assert "« reminders » (15)" in "".join(lines)
    make_project(session)
    session.commit()
    wait_for(lambda: api.exists("reminders-shard/cocon-reminders-shard"), 120, "the served deployments")
    for name, entrypoint in (
        ("reminders/cocon-reminders", "flows.reminders.reminders"),
        ("lifecycle/cocon-lifecycle", "flows.lifecycle.lifecycle"),
        ("evaluation-cycle/cocon-evaluation", "flows.evaluation_cycle.evaluation_cycle"),
        ("reminders-shard/cocon-reminders-shard", "flows.reminders.reminders_shard"),
    ):
        assert api.deployment(name)["entrypoint"] == entrypoint

    # nobody types anything: the schedule fires, the reminders arrive
    wait_for(lambda: len(smtp_sink.received) >= 5, 150, "the scheduled reminders")
    scheduled = wait_for(lambda: api.runs("reminders/cocon-reminders", ["COMPLETED"]), 60, "a completed scheduled run")
    assert scheduled[0]["auto_scheduled"] is True

    # each deployment triggered through the API completes (reminders in two shards)
    for name, parameters in (
        ("lifecycle/cocon-lifecycle", {}),
        ("evaluation-cycle/cocon-evaluation", {}),
        ("reminders/cocon-reminders", {"shards": 2}),
    ):
        for _attempt in range(10):  # a scheduled reminders run going at that moment cancels ours (CANCEL_NEW)
            wait_for(lambda name=name: not api.runs(name, ["RUNNING", "PENDING"]), 120, f"{name} to be idle")
            state = api.wait(api.run(name, parameters))
            if state != "CANCELLED":
                break
        assert state == "COMPLETED", (name, state)
    assert len(api.runs("reminders-shard/cocon-reminders-shard", ["COMPLETED"])) == 2  # one run per shard
    time.sleep(1)
    assert len(smtp_sink.received) == 5  # sent once, however many runs
    assert process.poll() is None

    # the web app came up with the flows, on the address it announced
    web = re.search(r"Application web : (http://127\.0\.0\.1:\d+)", "".join(lines))
    assert web is not None, lines
    assert httpx.get(f"{web.group(1)}/connexion", timeout=30).status_code == 200

    # Ctrl-C: everything stops, quietly, the Prefect server it started too
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:  # where it hangs: faulthandler prints every thread on SIGABRT
        process.send_signal(signal.SIGABRT)
        out, err = process.communicate(timeout=30)
        raise AssertionError(f"cocon serve did not stop on Ctrl-C:\n{err[-6000:]}") from None
    assert process.returncode == 0, err
    assert "Traceback" not in out + err and "CancelledError" not in out + err, err
    assert "Cocon arrêté" in out  # at once, or after the grace if something held the process (bounded stop)
    assert (tmp_path / "home" / "prefect" / "prefect.db").exists()  # its database under COCON_HOME
    from flows.server import healthy

    assert not healthy(str(api.client.base_url).rstrip("/"))
