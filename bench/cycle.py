"""One full reminder cycle (plan, enqueue, deliver to a local SMTP sink) on one worker and on two.

    .venv/bin/python bench/cycle.py                         # 10,000 projects × 15 people × 30 steps
    .venv/bin/python bench/cycle.py --projects 2000 --store /tmp/cycle.sqlite   # build once, reuse

A "worker" is a process running what one ``reminders-shard`` flow run does (the same functions,
without Prefect's own cost, which ``bench/reminders.py`` measures): with N workers each first
plans and queues the projects of its shard, then sends the rows of its recipients, the outbox's
claiming keeping them apart — exactly the two stages of the ``reminders`` flow with ``shards=N``.
The store is built once (SQLite, or ``--url`` for PostgreSQL); before each run the outbox is
emptied, so each run is the same first cycle of the day. Also printed: enqueueing alone, in
rows per second. The machine is shared: figures vary with what else runs on it.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reminders import SINK, build_store, free_port  # noqa: E402

DAY = date(2027, 3, 3)


def _stage(args: tuple[str, int, int]) -> dict[str, Any]:
    stage, k, n = args
    from notifications.cycle import plan_and_enqueue
    from notifications.dispatch import dispatch

    shard = (k, n) if n > 1 else None
    if stage == "plan":
        report = plan_and_enqueue(shard=shard)
        return {"enqueued": report.enqueued}
    return dispatch(shard=shard).as_dict()


def cycle(url: str, workers: int) -> tuple[float, int, int]:
    """Empty the outbox, then one full cycle with ``workers`` processes: (seconds, rows, messages)."""
    from sqlalchemy import text

    from store.db import get_engine

    engine = get_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox_message"))
    engine.dispose()  # no connection crosses the fork
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        start = time.perf_counter()
        planned = pool.map(_stage, [("plan", k, workers) for k in range(workers)])
        sent = pool.map(_stage, [("send", k, workers) for k in range(workers)])
        seconds = time.perf_counter() - start
    return seconds, sum(p["enqueued"] for p in planned), sum(s["messages"] for s in sent)


def enqueue_rate(url: str) -> tuple[int, float]:
    from sqlalchemy import text

    from notifications.cycle import new_items, plan_due
    from notifications.queue import enqueue_items
    from store.db import get_engine, session_scope

    with get_engine(url).begin() as connection:
        connection.execute(text("DELETE FROM outbox_message"))
    with session_scope(url) as session:
        _, items = plan_due(session, DAY, email_enabled=True)
        fresh = new_items(session, items)
        start = time.perf_counter()
        inserted = enqueue_items(session, fresh)
        session.commit()
        rate = inserted / (time.perf_counter() - start)
    get_engine(url).dispose()
    return inserted, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--store", type=Path, help="SQLite file to build once and reuse")
    parser.add_argument("--url", help="an existing database URL (PostgreSQL) instead of SQLite")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cocon-cycle-"))
    store = args.store or workdir / "cycle.sqlite"
    url = args.url or f"sqlite:///{store}"
    port = free_port()
    os.environ.update(
        COCON_DATABASE_URL=url,
        COCON_HOME=str(workdir / "home"),
        COCON_NOW=f"{DAY.isoformat()}T10:00",
        COCON_SMTP_URL=f"smtp://127.0.0.1:{port}",
        COCON_MAIL_FROM="cocon@bench.example.org",
    )
    if args.url or not store.exists():
        begin = time.perf_counter()
        build_store(url, projects=args.projects, people=args.people, steps=args.steps, today=DAY)
        print(
            f"Store built: {args.projects} projects × {args.people} people × {args.steps} steps "
            f"in {time.perf_counter() - begin:.1f} s ({url})"
        )
    else:
        print(f"Store reused: {url}")
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        inserted, rate = enqueue_rate(url)
        print(f"Enqueueing: {inserted} rows at {rate:,.0f} rows/s")
        results = {}
        for workers in (1, 2):
            results[workers] = seconds, rows, messages = cycle(url, workers)
            print(f"Full cycle, {workers} worker(s): {seconds:6.1f} s  ({rows} rows queued, {messages} messages sent)", flush=True)
        one, two = results[1], results[2]
        print(
            f"Ratio two workers / one: {one[0] / two[0]:.2f}×  (CPUs: {os.cpu_count()}, load now: {os.getloadavg()[0]:.1f})"
        )
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    main()
