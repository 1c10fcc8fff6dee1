"""Time of the login-link form for a known and an unknown address (issue 14, item 5).

Starts the app with uvicorn in this process on a free loopback port, over a fresh SQLite file
with one project whose partner has an email, then posts the form R times (default 200) for each
address, alternating, and prints the median and p90 of each and their difference. The SMTP
server is unreachable (port 9): the email stays in the outbox, as it would while SMTP is down.

    .venv/bin/python bench/login_link.py [--requests 200]
"""

import argparse
import os
import re
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KNOWN = "awa@example.org"
UNKNOWN = "personne@example.org"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="cocon-bench-link-"))
    url = f"sqlite:///{home / 'cocon.sqlite'}"
    os.environ.update(COCON_HOME=str(home), COCON_DATABASE_URL=url, COCON_SMTP_URL="smtp://127.0.0.1:9")
    from store.db import session_scope, upgrade
    from tests.factories import make_project

    upgrade(url)
    with session_scope(url) as session:
        make_project(session, slug="bench")
    from cocon.web.server import start_in_thread

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server, thread = start_in_thread("127.0.0.1", port, url)
    times: dict[str, list[float]] = {KNOWN: [], UNKNOWN: []}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        page = client.get("/connexion").text
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
        assert found
        for n in range(args.requests * 2):
            address = KNOWN if n % 2 == 0 else UNKNOWN
            started = time.perf_counter()
            response = client.post("/connexion/lien", data={"email": address, "csrf_token": found.group(1)})
            times[address].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    server.should_exit = True
    thread.join(timeout=10)
    for address, label in ((KNOWN, "known"), (UNKNOWN, "unknown")):
        values = sorted(times[address])
        print(f"{label:8s} median {statistics.median(values):6.2f} ms   p90 {values[int(len(values) * 0.9)]:6.2f} ms")
    gap = statistics.median(times[KNOWN]) - statistics.median(times[UNKNOWN])
    print(f"median difference (known - unknown): {gap:+.2f} ms over {args.requests} requests each")


if __name__ == "__main__":
    main()
