"""Serving the web app with uvicorn: in the foreground (``cocon web``) or in a thread (``cocon serve``, tests)."""

import os
import threading
import time
from collections.abc import Callable

import uvicorn

from cocon.web.app import create_app


def server_for(host: str, port: int, database_url: str | None = None) -> uvicorn.Server:
    """A uvicorn server for the app; ``proxy_headers`` lets a TLS proxy mark requests as https."""
    config = uvicorn.Config(
        create_app(database_url), host=host, port=port, log_level="warning", proxy_headers=True, access_log=False
    )
    return uvicorn.Server(config)


def start_in_thread(host: str, port: int, database_url: str | None = None) -> tuple[uvicorn.Server, threading.Thread]:
    """Start the app in a daemon thread and wait until it accepts connections."""
    server = server_for(host, port, database_url)
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
    port = int(os.environ.get("COCON_WEB_PORT", "8000"))
    os.environ.setdefault("COCON_BASE_URL", f"http://{host}:{port}")
    server, thread = start_in_thread(host, port)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{host}:{port}", stop
