"""Dashboard latency of the web app under concurrent clients, on loopback.

Builds a store of N projects (default 1,000, spread over 20 structures, each with its full plan
from the built-in template, some steps late, some messages dead), starts the app with uvicorn in a
separate process as `cocon web` runs it (``--workers``, by default one per core, at most 4), logs a
facilitator in who follows every structure, then lets C clients (default 20) fetch the dashboard R
times in all, and one client fetch every page of two projects (the overview and each part: plan,
people, charter…, those that exist), and prints p50, p95, p99 and the throughput against the aims:
dashboard p95 under 200 ms with 20 clients, project page p95 under 100 ms with one client.

The clients are asyncio tasks of this process (httpx.AsyncClient, one connection each, each request
sent when the previous one is answered), not threads: they share the machine's cores with the
server but add no GIL waits of their own to the latencies. The server's CPU time per request (its
processes, read from /proc) is printed with each figure: unlike latencies it hardly depends on the
other work on the machine, whose load average is printed too.

    .venv/bin/python bench/web.py [--projects 1000] [--clients 20] [--requests 400] [--workers N]
                                  [--store /tmp/bench.sqlite]   # kept and reused between runs
"""

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "mot-de-passe-de-bench"
EMAIL = "facilitation@bench.example"


def build_store(url: str, projects: int) -> None:
    from accounts.staff import add_account
    from notifications.queue import enqueue
    from project_templates import find_template
    from store.db import session_scope, upgrade
    from store.models import AccountKind, OutboxMessage, OutboxState
    from store.plans import mark_done
    from store.projects import create_project

    upgrade(url)
    loaded = find_template("partenariat-msp")
    structures = [f"MSP n°{n:02d}" for n in range(20)]
    today = date.today()
    with session_scope(url) as session:
        for n in range(projects):
            start = today - timedelta(days=(n * 7) % 150)
            project = create_project(
                session,
                loaded=loaded,
                name=f"Projet {n:04d}",
                structure=structures[n % 20],
                start=start,
                end=start + timedelta(days=200),
                slug=f"projet-{n:04d}",
                actor="bench",
            )
            assert project.id is not None
            if n % 3 == 0:
                mark_done(session, project, "cartographie", actor="bench")
            if n % 10 == 0:
                row = enqueue(
                    session,
                    project_id=project.id,
                    person_id=None,
                    occasion="bench",
                    about=f"bench:{n}",
                    due_on=today,
                    subject="s",
                    text="t",
                    channel_url="json://localhost/",
                )
                assert row is not None
                dead = session.get(OutboxMessage, row.id)
                assert dead is not None
                dead.state = OutboxState.DEAD
                session.add(dead)
        add_account(
            session,
            email=EMAIL,
            name="Facilitation",
            kind=AccountKind.FACILITATOR,
            structures=structures,
            password=PASSWORD,
            actor="bench",
        )


#: The parts of a project page; those the app does not have (404) are left out of the figures.
PROJECT_PARTS = (
    "", "/planning", "/personnes", "/charte", "/points-etape", "/contributions", "/propositions",
    "/indicateurs", "/questionnaire", "/evaluation", "/messages",
)


def start_server(url: str, home: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COCON_DATABASE_URL": url, "COCON_HOME": home, "PYTHONPATH": str(ROOT)}
    more = f", workers={workers}" if workers != 1 else ""  # one worker: also how older versions are measured
    code = f"from cocon.web.server import server_for; server_for('127.0.0.1', {port}, {url!r}{more}).run()"
    process = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.monotonic() + 180  # a busy machine imports slowly
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/connexion", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("le serveur web n'a pas démarré")


def log_in(base: str) -> httpx.Cookies:
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        page = client.get("/connexion")
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert found
        response = client.post("/connexion", data={"email": EMAIL, "password": PASSWORD, "csrf_token": found.group(1)})
        assert response.status_code == 303, response.status_code
        return client.cookies


def run_clients(base: str, cookies: httpx.Cookies, clients: int, requests: int, path: str) -> tuple[list[float], float]:
    """``clients`` browsers fetching ``path`` together, ``requests`` times in all: each client its own
    connection, one request after another without pause. The clients are asyncio tasks in this
    process (not threads): twenty threads would contend for this process's GIL and add their waits to
    the latencies measured, which are the server's."""
    return asyncio.run(_run_clients(base, cookies, clients, requests, path))


async def _run_clients(
    base: str, cookies: httpx.Cookies, clients: int, requests: int, path: str
) -> tuple[list[float], float]:
    latencies: list[float] = []
    per_client = max(1, requests // clients)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for _ in range(per_client):
            began = time.perf_counter()
            response = await client.get(path)
            elapsed = time.perf_counter() - began
            assert response.status_code == 200 and "Projet " in response.text, (path, response.status_code)
            latencies.append(elapsed)

    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    browsers = [httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60, limits=limits) for _ in range(clients)]
    try:
        for browser in browsers:  # connect first: the figures are for pages, not for TCP handshakes
            await browser.get("/connexion")
        began = time.perf_counter()
        await asyncio.gather(*(client_loop(browser) for browser in browsers))
        return latencies, time.perf_counter() - began
    finally:
        for browser in browsers:
            await browser.aclose()


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server's processes (uvicorn and its workers), from /proc."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(n) for n in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def exists(base: str, cookies: httpx.Cookies, path: str) -> bool:
    with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
        return client.get(path).status_code == 200


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=None, help="web processes (default: as `cocon web`)")
    parser.add_argument("--only", choices=("all", "dashboard", "projects"), default="all", help="which pages to measure")
    parser.add_argument("--store", type=Path, default=None, help="SQLite file kept between runs (built if missing)")
    args = parser.parse_args()
    workers = args.workers or max(1, min(4, os.cpu_count() or 1))  # as `cocon web` (cocon.web.server.default_workers)
    print(f"load average before (2 cores shared): {load()}; {os.cpu_count()} cores, {workers} web worker(s)")
    with tempfile.TemporaryDirectory() as home:
        os.environ["COCON_HOME"] = home
        path = args.store.absolute() if args.store else Path(home) / "bench.sqlite"
        url = f"sqlite:///{path}"
        if not path.exists():
            began = time.perf_counter()
            build_store(url, args.projects)
            print(f"store: {args.projects} projects built in {time.perf_counter() - began:.1f} s")
        from tests.fixtures_notifications import free_port

        port = free_port()
        server = start_server(url, home, port, workers)
        try:
            base = f"http://127.0.0.1:{port}"
            cookies = log_in(base)
            views = (
                ("dashboard, all projects", "/tableau-de-bord"),
                ("dashboard, one structure", "/tableau-de-bord?structure=MSP+n%C2%B001"),
                ("dashboard, needs attention, by lateness", "/tableau-de-bord?attention=any&sort=lateness"),
                ("dashboard, search", "/tableau-de-bord?q=projet+09"),
            )
            runs: tuple[tuple[str, str, int, float | None], ...] = (
                *((label, path, args.clients, 0.200) for label, path in views),
                ("dashboard, all projects, for reference", "/tableau-de-bord", 1, None),
            )
            if args.only == "projects":
                runs = ()
            else:
                # The first view of each after the start (or after any change to the data) is drawn, then kept
                # by each worker: measured apart, as what a facilitator waits for the first time.
                for label, path in views:
                    first, _ = run_clients(base, cookies, args.clients, args.clients, path)
                    print(f"{label}, first view (drawn): {args.clients} clients together — "
                          f"slowest {max(first) * 1000:.0f} ms, fastest {min(first) * 1000:.0f} ms (load {load()})")
            parts = [part for part in PROJECT_PARTS if exists(base, cookies, f"/projets/projet-0001{part}")]
            if args.only == "dashboard":
                parts = []
            runs += tuple(
                (f"project page {slug}{part or ' (overview)'}", f"/projets/{slug}{part}", 1, 0.100)
                for part in parts
                for slug in ("projet-0001", f"projet-{args.projects - 2:04d}")
            )
            for label, path, clients, aim in runs:
                cpu = server_cpu(server.pid)
                latencies, wall = run_clients(base, cookies, clients, args.requests if clients > 1 else 40, path)
                p95 = percentile(latencies, 0.95)
                verdict = "" if aim is None else (f" — aim p95 < {aim * 1000:.0f} ms: " + ("met" if p95 < aim else "MISSED"))
                print(
                    f"{label}: {len(latencies)} requests, {clients} client(s) — "
                    f"p50 {percentile(latencies, 0.50) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                    f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, mean {statistics.mean(latencies) * 1000:.0f} ms, "
                    f"{len(latencies) / wall:.1f} req/s, server CPU {(server_cpu(server.pid) - cpu) / len(latencies) * 1000:.1f} ms"
                    f"/request{verdict} (load {load()})"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
