"""One full reminder cycle (plan, enqueue, deliver to a local SMTP sink) on one worker and on two.

    .venv/bin/python bench/cycle.py                         # 10,000 projects × 15 people × 30 steps
    .venv/bin/python bench/cycle.py --projects 2000 --store /tmp/cycle.sqlite   # build once, reuse

A "worker" is a process running what one ``reminders-shard`` flow run does (the same functions,
without Prefect's own cost, which ``bench/reminders.py`` measures): with N workers each plans and
queues the projects of its shard, waits until all have (the shard runs pause until the parent
resumes them), then sends the rows of its recipients, the outbox's claiming keeping them apart —
what the ``reminders`` flow does with ``shards=N``.
The store is built once (SQLite, or ``--url`` for PostgreSQL); before each run the outbox is
emptied, so each run is the same first cycle of the day. Printed: each run's phases (plan,
enqueue, deliver), messages per second and load average, the ratio two workers / one, enqueueing
alone in rows per second; with fewer than 10,000 projects, a linear extrapolation to 10,000,
labelled as such. The sink (``--sink lean`` by default, or ``aiosmtpd``) must have accepted
exactly what Cocon counted as sent. The machine is shared: figures vary with what else runs on it.
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
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reminders import SINK, build_store, free_port  # noqa: E402

DAY = date(2027, 3, 3)

#: A lean SMTP sink (asyncio, no parsing of the messages), ~3× faster than aiosmtpd on this
#: machine: with aiosmtpd the sink's own CPU, not Cocon, sets the pace (172 against 517 messages/s
#: over one connection, pre-composed, load average 7.6). It answers as a server does (220, 250 to
#: each command, 354 then 250 once a message's data has ended; it offers PIPELINING, as Postfix
#: does) and, when stopped, prints how many
#: messages it accepted, which the bench compares with what Cocon counted as sent.
LEAN_SINK = r"""
import asyncio, signal, sys

accepted = 0

class Smtp(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer, self.in_data = transport, b"", False
        transport.write(b"220 sink ESMTP\r\n")

    def data_received(self, chunk):
        global accepted
        self.buffer += chunk
        replies = []
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    break
                self.buffer, self.in_data = self.buffer[end + 5 :], False
                accepted += 1
                replies.append(b"250 accepted\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                break
            verb, self.buffer = self.buffer[:4].upper(), self.buffer[end + 2 :]
            if verb == b"EHLO":
                replies.append(b"250-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 33554432\r\n")
            elif verb == b"DATA":
                self.in_data = True
                replies.append(b"354 end with .\r\n")
            elif verb == b"QUIT":
                self.transport.write(b"".join(replies) + b"221 bye\r\n")
                self.transport.close()
                return
            else:
                replies.append(b"250 OK\r\n")
        if replies:
            self.transport.write(b"".join(replies))

async def main(port):
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
    server = await loop.create_server(Smtp, "127.0.0.1", port)
    print("ready", flush=True)
    await stop
    server.close()
    print(accepted, flush=True)

asyncio.run(main(int(sys.argv[1])))
"""


def _stage(args: tuple[str, int, int]) -> dict[str, Any]:
    stage, k, n = args
    from notifications.cycle import plan_and_enqueue
    from notifications.dispatch import dispatch

    shard = (k, n) if n > 1 else None
    cpu = time.process_time()
    if stage == "plan":
        report = plan_and_enqueue(shard=shard)
        return {"enqueued": report.enqueued, **report.seconds, "cpu": time.process_time() - cpu}
    return {**dispatch(shard=shard).as_dict(), "cpu": time.process_time() - cpu}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Cycle(NamedTuple):
    seconds: float
    rows: int
    messages: int
    phases: dict[str, float]  # wall time of each phase, all workers together
    worker_cpu: float  # CPU seconds of the workers while they delivered (SQLite runs in them)
    sink_cpu: float  # CPU seconds of the SMTP sink meanwhile


def cycle(url: str, workers: int, sink_pid: int) -> Cycle:
    """Empty the outbox, then one full cycle with ``workers`` processes."""
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
        middle = time.perf_counter()
        sink_before = cpu_seconds(sink_pid)
        sent = pool.map(_stage, [("send", k, workers) for k in range(workers)])
        end = time.perf_counter()
        sink_cpu = cpu_seconds(sink_pid) - sink_before
    # plan and enqueue run in each worker one after the other: split the stage's wall time as the
    # slowest worker split it
    slowest = max(planned, key=lambda p: p["plan"] + p["enqueue"])
    share = slowest["plan"] / max(1e-9, slowest["plan"] + slowest["enqueue"])
    phases = {
        "plan": (middle - start) * share,
        "enqueue": (middle - start) * (1 - share),
        "deliver": end - middle,
    }
    return Cycle(
        end - start,
        sum(p["enqueued"] for p in planned),
        sum(s["messages"] for s in sent),
        phases,
        sum(s["cpu"] for s in sent),
        sink_cpu,
    )


def enqueue_old(session: Any, rows: list[dict[str, Any]]) -> int:
    """The enqueueing of commit 6506d70 (``git show 6506d70:notifications/outbox.py``), for comparison:
    one multi-row ``INSERT … VALUES`` of 200 rows at a time through the ORM's insert."""
    from sqlalchemy.dialects import postgresql, sqlite

    from store.models import OutboxMessage

    dialect_insert = sqlite.insert if session.get_bind().dialect.name == "sqlite" else postgresql.insert
    inserted = 0
    for outer in range(0, len(rows), 500):
        chunk = rows[outer : outer + 500]
        for start in range(0, len(chunk), 200):
            statement = (
                dialect_insert(OutboxMessage)
                .values(chunk[start : start + 200])
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            inserted += max(0, int(getattr(session.execute(statement), "rowcount", 0) or 0))
    return inserted


def enqueue_rate(url: str) -> tuple[int, float, float]:
    """Enqueueing alone, the same planned items, old path then new: (rows, old rows/s, new rows/s)."""
    from sqlalchemy import text

    from notifications.cycle import new_items, plan_due
    from notifications.queue import enqueue_items, idempotency_key
    from store.clock import now
    from store.db import get_engine, session_scope
    from store.models import OutboxState

    def empty() -> None:
        with get_engine(url).begin() as connection:
            connection.execute(text("DELETE FROM outbox_message"))

    empty()
    with session_scope(url) as session:
        _, items = plan_due(session, DAY, email_enabled=True)
        fresh = new_items(session, items)
    moment = now()
    with session_scope(url) as session:
        start = time.perf_counter()
        rows = [  # what enqueue_items built at 6506d70, timed with the old insert
            {
                "idempotency_key": idempotency_key(
                    i.project_id, i.about, i.occasion, f"person:{i.person_id}", i.due_on
                ),
                "project_id": i.project_id,
                "person_id": i.person_id,
                "occasion": i.occasion,
                "about": i.about,
                "due_on": i.due_on,
                "digest": True,
                "facts": i.facts,
                "state": OutboxState.PENDING,
                "attempts": 0,
                "next_attempt_at": moment,
                "created_at": moment,
            }
            for i in fresh
        ]
        old_count = enqueue_old(session, rows)
        session.commit()
        old_rate = old_count / (time.perf_counter() - start)
    empty()
    with session_scope(url) as session:
        start = time.perf_counter()
        inserted = enqueue_items(session, fresh)
        session.commit()
        rate = inserted / (time.perf_counter() - start)
    assert inserted == len(fresh), (inserted, len(fresh))
    get_engine(url).dispose()
    return inserted, old_rate, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--store", type=Path, help="SQLite file to build once and reuse")
    parser.add_argument("--url", help="an existing database URL (PostgreSQL) instead of SQLite")
    parser.add_argument("--sink", choices=("lean", "aiosmtpd"), default="lean", help="the local SMTP sink")
    parser.add_argument(
        "--extrapolate-to",
        type=int,
        default=10_000,
        help="when fewer projects were measured, also print a linear extrapolation to this many, labelled so",
    )
    args = parser.parse_args()

    # the code measured is the code at start: imported before the workers fork (a long run must
    # not pick up files edited meanwhile)
    import notifications.cycle
    import notifications.dispatch  # noqa: F401

    load_start = os.getloadavg()[0]
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
    code = LEAN_SINK if args.sink == "lean" else SINK
    sink = subprocess.Popen([sys.executable, "-c", code, str(port)], stdout=subprocess.PIPE, text=True)
    print(f"SMTP sink: {args.sink}; {os.cpu_count()} CPUs; load average {load_start:.1f}", flush=True)
    sent = 0
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        inserted, old_rate, rate = enqueue_rate(url)
        print(
            f"Enqueueing {inserted} rows: old path (6506d70) {old_rate:,.0f} rows/s, now {rate:,.0f} rows/s "
            f"({rate / old_rate:.1f}×)"
        )
        results = {}
        for workers in (1, 2):
            load = os.getloadavg()[0]
            results[workers] = run = cycle(url, workers, sink.pid)
            print(
                f"Full cycle, {workers} worker(s): {run.seconds:6.1f} s = plan {run.phases['plan']:.1f} s"
                f" + enqueue {run.phases['enqueue']:.1f} s + deliver {run.phases['deliver']:.1f} s"
                f"  ({run.rows} rows queued, {run.messages} messages sent, {run.messages / run.phases['deliver']:,.0f}"
                f" messages/s; load average {load:.1f} → {os.getloadavg()[0]:.1f})",
                flush=True,
            )
            deliver = run.phases["deliver"]
            print(
                f"  while delivering: workers {run.worker_cpu:.1f} CPU-s ({100 * run.worker_cpu / deliver:.0f} % of one"
                f" core, SQLite included), SMTP sink {run.sink_cpu:.1f} CPU-s ({100 * run.sink_cpu / deliver:.0f} %);"
                f" {run.messages / max(run.worker_cpu, 1e-9):,.0f} messages per worker CPU-second",
                flush=True,
            )
            sent += run.messages
        one, two = results[1], results[2]
        print(
            f"Ratio two workers / one: {one.seconds / two.seconds:.2f}× (delivery alone {one.phases['deliver'] / two.phases['deliver']:.2f}×)  "
            f"(CPUs: {os.cpu_count()}, load average at the start: {load_start:.1f}, now: {os.getloadavg()[0]:.1f})"
        )
        if args.extrapolate_to > args.projects:
            factor = args.extrapolate_to / args.projects
            print(
                f"EXTRAPOLATED, not measured: {args.extrapolate_to} projects, linear from the {args.projects} measured "
                f"here: about {one.seconds * factor:.0f} s on one worker, {two.seconds * factor:.0f} s on two"
            )
    finally:
        sink.terminate()
        accepted = sink.communicate(timeout=30)[0].strip()
    if args.sink == "lean":
        print(f"The sink accepted {accepted} messages; Cocon counted {sent} sent.")
        assert accepted == str(sent), (accepted, sent)


if __name__ == "__main__":
    main()
