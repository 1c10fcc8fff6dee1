"""A local Prefect server, started and supervised by Cocon (the embedded default of `cocon serve`).

Prefect's temporary server cannot schedule flows, so `cocon serve` runs a real
``prefect server start`` with its SQLite database under Cocon's data directory
(``<data_dir>/prefect``), bound to 127.0.0.1 on a free port. Its output goes to
``<data_dir>/prefect/server.log``, never to the terminal. If it dies it is started again; on exit
it is stopped (SIGTERM to its process group, SIGKILL after a grace period).

When ``PREFECT_API_URL`` is set, that server is used and nothing is started.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from store.exceptions import CoconError
from store.settings import data_dir

log = logging.getLogger(__name__)


class PrefectServerError(CoconError):
    """The Prefect server cannot be started or reached (one French sentence)."""

#: How long Prefect may take to answer its health check: 4.7–9.8 s measured on an idle machine,
#: over 90 s on a busy 2-core one (a fresh database is migrated first). ``COCON_PREFECT_START_TIMEOUT``
#: (seconds) changes it.
START_TIMEOUT = 180.0


def configured_start_timeout() -> float:
    value = os.environ.get("COCON_PREFECT_START_TIMEOUT", "")
    return float(value) if value.replace(".", "", 1).isdigit() else START_TIMEOUT


def prefect_home() -> Path:
    path = data_dir() / "prefect"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether the Prefect API at ``api_url`` (…/api) answers its health check."""
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def quiet_prefect_environment(home: Path | None = None) -> dict[str, str]:
    """Settings that keep Prefect off the network and out of the terminal."""
    settings = {
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        "PREFECT_CLI_PROMPT": "false",
    }
    if home is not None:
        settings["PREFECT_HOME"] = str(home)
        settings["PREFECT_API_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    return settings


class PrefectServer:
    """``with PrefectServer() as server:`` — a Prefect API for this process (``server.api_url``)."""

    def __init__(self, *, port: int | None = None, start_timeout: float | None = None) -> None:
        self.external = os.environ.get("PREFECT_API_URL")
        self.port = port
        self.start_timeout = start_timeout if start_timeout is not None else configured_start_timeout()
        self.api_url = self.external or ""
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None
        self.restarts = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> "PrefectServer":
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> str:
        """Start (or reach) the server; returns its API URL once it answers."""
        if self.external:
            if not healthy(self.external, timeout=5):
                raise PrefectServerError("error.flows.external_server_down", url=self.external)
            return self.external
        home = prefect_home()
        os.environ.update(quiet_prefect_environment(home))
        self.port = self.port or _free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self._spawn(home)
        self._wait_healthy()
        os.environ["PREFECT_API_URL"] = self.api_url
        self._supervisor = threading.Thread(target=self._supervise, name="prefect-server-supervisor", daemon=True)
        self._supervisor.start()
        return self.api_url

    def _spawn(self, home: Path) -> None:
        env = {**os.environ, **quiet_prefect_environment(home)}
        env.pop("PREFECT_API_URL", None)
        log_file = open(home / "server.log", "ab")  # noqa: SIM115 - handed to the child process
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(self.port)],
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=home,
                start_new_session=True,  # Ctrl-C reaches Cocon only; Cocon stops the server itself
            )
        finally:
            log_file.close()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PrefectServerError("error.flows.server_stopped", log=str(prefect_home() / "server.log"))
            if healthy(self.api_url, timeout=1):
                return
            time.sleep(0.25)
        self._terminate()
        raise PrefectServerError("error.flows.server_timeout", seconds=round(self.start_timeout),
                                 log=str(prefect_home() / "server.log"))

    def _supervise(self) -> None:
        """Start the server again if it dies (waiting longer after each failure)."""
        delay = 1.0
        while not self._stopping.wait(2.0):
            if self.process is None or self.process.poll() is None:
                delay = 1.0
                continue
            log.warning("Prefect server stopped (code %s); starting it again", self.process.returncode)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, 60.0)
            try:
                self._spawn(prefect_home())
                self._wait_healthy()
                self.restarts += 1
            except PrefectServerError:
                log.warning("Prefect server did not start again; retrying")

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server started here (nothing to do for an external one)."""
        self._stopping.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
        self._terminate(grace)
        if not self.external and os.environ.get("PREFECT_API_URL") == self.api_url:
            del os.environ["PREFECT_API_URL"]

    def _terminate(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except ProcessLookupError:
            pass
