"""Serving the web app with uvicorn: in the foreground (``cocon web``, one process or several workers)
or in a thread (``cocon serve``, tests).

Why several workers: a page is mostly Python work (queries, templates) and Python runs one thread at
a time per process, so one process serves one page at a time whatever the number of cores. With
``--workers N`` uvicorn starts N processes sharing the listening socket; SQLite in WAL mode lets
them read together (see store/db.py) and each keeps its own dashboard cache, invalidated by the
same data stamp (store/attention.py).
"""

import os
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from cocon.web.app import create_app
from store.exceptions import InvalidInput


def check_address(host: str, port: int) -> None:
    """Refuse, in one sentence, an address the server could not listen on (before anything starts)."""
    if not 0 <= port <= 65535:
        raise InvalidInput("error.web.port_range", port=port)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidInput("error.web.unknown_host", host=host) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InvalidInput("error.web.cannot_listen", host=host, port=port, reason=exc.strerror) from None


#: The most workers ``cocon web`` starts by default: past the cores they only compete for them.
MAX_DEFAULT_WORKERS = 4
#: How long a worker may take to start (import Cocon) or to answer a health check before it is replaced.
WORKER_STARTUP_S = 120


def default_workers() -> int:
    """As many workers as cores (at most :data:`MAX_DEFAULT_WORKERS`), or ``COCON_WEB_WORKERS``."""
    configured = os.environ.get("COCON_WEB_WORKERS", "").strip()
    if configured:
        return check_workers(_workers_number(configured))
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def _workers_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInput("error.web.workers_number") from None


def check_workers(workers: int) -> int:
    """Refuse, in one sentence, a number of workers that cannot serve."""
    if not 1 <= workers <= 64:
        raise InvalidInput("error.web.workers_range", n=workers)
    return workers


def app_from_environment() -> FastAPI:
    """The app each worker process builds (``COCON_DATABASE_URL``, ``COCON_BASE_URL`` come from the parent)."""
    return create_app()


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket the workers share. Unlike uvicorn's ``bind_socket`` it is created with
    ``IPPROTO_TCP``: asyncio only sets ``TCP_NODELAY`` on connections accepted from such a socket, and
    without it every response waited ~40 ms for the client's delayed acknowledgement."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.set_inheritable(True)
    return sock


class Workers:
    """Several uvicorn worker processes on one listening socket, until Ctrl-C or SIGTERM."""

    def __init__(self, config: uvicorn.Config, database_url: str | None) -> None:
        self.config = config
        self.database_url = database_url

    def run(self) -> None:
        if self.database_url is not None:  # the workers are new processes: they read it from the environment
            os.environ["COCON_DATABASE_URL"] = self.database_url
        sock = listening_socket(self.config.host, self.config.port)
        try:
            Multiprocess(self.config, sockets=[sock]).run()
        finally:
            sock.close()


def server_for(host: str, port: int, database_url: str | None = None, *, workers: int = 1) -> uvicorn.Server | Workers:
    """A uvicorn server for the app (one process), or ``workers`` processes serving it;
    ``proxy_headers`` lets a TLS proxy mark requests as https."""
    check_address(host, port)
    check_workers(workers)
    options: dict[str, object] = {"host": host, "port": port, "log_level": "warning", "proxy_headers": True,
                                  "access_log": False}
    if workers == 1:
        return uvicorn.Server(uvicorn.Config(create_app(database_url), **options))  # type: ignore[arg-type]
    create_app(database_url)  # brings the schema up to date once, before the workers start
    config = uvicorn.Config(
        "cocon.web.server:app_from_environment",
        factory=True,
        workers=workers,
        # A worker answers uvicorn's health check only once it has imported the app: on a busy
        # machine that takes longer than uvicorn's 5 s, and the worker would be killed and restarted forever.
        timeout_worker_healthcheck=WORKER_STARTUP_S,
        **options,  # type: ignore[arg-type]
    )
    return Workers(config, database_url)


def start_in_thread(host: str, port: int, database_url: str | None = None) -> tuple[uvicorn.Server, threading.Thread]:
    """Start the app in a daemon thread and wait until it accepts connections."""
    server = server_for(host, port, database_url)
    assert isinstance(server, uvicorn.Server)
    thread = threading.Thread(target=server.run, name="cocon-web", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"le serveur web n'a pas démarré sur {host}:{port}")
        time.sleep(0.02)
    return server, thread


def start_for_serve() -> tuple[str, Callable[[], None]]:
    """What ``cocon serve`` starts next to the flows: the web app on ``COCON_WEB_HOST``:``COCON_WEB_PORT``
    (default 127.0.0.1:8000). Returns its address and the function that stops it."""
    host = os.environ.get("COCON_WEB_HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("COCON_WEB_PORT", "8000"))
    except ValueError:
        raise InvalidInput("error.web.port_number") from None
    os.environ.setdefault("COCON_BASE_URL", f"http://{host}:{port}")
    server, thread = start_in_thread(host, port)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{host}:{port}", stop
