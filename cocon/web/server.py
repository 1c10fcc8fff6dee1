"""Serving the web app with uvicorn: in the foreground (``cocon web``) or in a thread (``cocon serve``, tests)."""

import os
import socket
import threading
import time
from collections.abc import Callable

import uvicorn

from cocon.web.app import create_app
from store.exceptions import InvalidInput


def check_address(host: str, port: int) -> None:
    """Refuse, in one sentence, an address the server could not listen on (before anything starts)."""
    if not 0 <= port <= 65535:
        raise InvalidInput(f"Port {port} impossible : choisissez un port entre 1 et 65535 (par exemple 8000).")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise InvalidInput(
            f"Adresse d'écoute « {host} » inconnue : donnez 127.0.0.1 (cette machine) ou 0.0.0.0 (tout le réseau)."
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise InvalidInput(
                f"Impossible d'écouter sur {host}:{port} ({exc.strerror}) : ce port est peut-être déjà pris ou réservé ; "
                "choisissez-en un autre avec --port (ou COCON_WEB_PORT)."
            ) from None


def server_for(host: str, port: int, database_url: str | None = None) -> uvicorn.Server:
    """A uvicorn server for the app; ``proxy_headers`` lets a TLS proxy mark requests as https."""
    check_address(host, port)
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
    try:
        port = int(os.environ.get("COCON_WEB_PORT", "8000"))
    except ValueError:
        raise InvalidInput("COCON_WEB_PORT doit être un numéro de port, par exemple 8000.") from None
    os.environ.setdefault("COCON_BASE_URL", f"http://{host}:{port}")
    server, thread = start_in_thread(host, port)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://{host}:{port}", stop
