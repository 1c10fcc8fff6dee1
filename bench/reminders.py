"""Benchmark of the reminder cycle: planning, enqueueing, delivery through Apprise, Prefect's share.

    .venv/bin/python bench/reminders.py                       # 2,000 projects, 15 people, 30 steps
    .venv/bin/python bench/reminders.py --projects 500 --deliver 1000 --no-prefect

It builds a synthetic store in a temporary directory (SQLite), then prints:

* planning time per 10,000 projects (pure planner, and with reading the store);
* rows enqueued per second;
* messages delivered per second to a local SMTP sink (aiosmtpd in another process), through the
  outbox and Apprise, next to plain ``smtplib`` sending the same messages (one connection per
  message) in the same run, and the ratio — plus Apprise as shipped, for reference;
* the share of wall time spent in Prefect's own machinery for one ``reminders`` flow run against
  a real local Prefect server (started by Cocon as ``cocon serve`` does).
"""

import argparse
import os
import random
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SINK = """
import sys, time
from aiosmtpd.controller import Controller

class Count:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
"""

ROLES = (
    ["coordination"]
    + ["professionnel"] * 6
    + ["patient-partenaire"] * 4
    + ["representant-usagers"] * 2
    + ["facilitation"] * 2
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_store(url: str, *, projects: int, people: int, steps: int, today: date, seed: int = 7) -> None:
    """A synthetic store: projects from the built-in template, spread over the last months."""
    from sqlalchemy import insert

    from project_templates import find_template
    from store.db import session_scope, upgrade
    from store.models import Membership, Person, PlanStep, Project
    from store.projects import create_project

    upgrade(url)
    rng = random.Random(seed)
    loaded = find_template("partenariat-msp")
    declared = [(phase.value, step) for phase, step in loaded.template.steps() if not step.rule.recurring]
    checkpoint = loaded.template.step("point-etape")
    with session_scope(url) as session:
        first = create_project(
            session,
            loaded=loaded,
            name="Gabarit",
            structure="MSP",
            start=today,
            end=today + timedelta(days=180),
            actor="bench",
        )
        record_id = first.template_record_id
        session.flush()
        next_project = (first.id or 0) + 1
        next_person = 1
        created = datetime.now(UTC)
        for chunk_start in range(0, projects, 250):
            project_rows: list[dict[str, Any]] = []
            person_rows: list[dict[str, Any]] = []
            member_rows: list[dict[str, Any]] = []
            step_rows: list[dict[str, Any]] = []
            for n in range(chunk_start, min(projects, chunk_start + 250)):
                pid = next_project + n
                start = today - timedelta(days=rng.randint(0, 150))
                project_rows.append(
                    dict(
                        id=pid,
                        slug=f"p{pid}",
                        name=f"Projet {pid}",
                        structure=f"MSP {pid % 97}",
                        template_record_id=record_id,
                        start=start,
                        end=start + timedelta(days=180),
                        phase="avant" if start > today - timedelta(days=40) else "pendant",
                        phase_changed_at=created,
                        language="fr",
                        created_at=created,
                    )
                )
                for i in range(people):
                    person_rows.append(
                        dict(
                            id=next_person,
                            name=f"Personne {next_person}",
                            email=f"p{next_person}@example.org",
                            language="fr" if i % 5 else "en",
                            availability=[],
                            unavailable=[],
                            paused=False,
                            opted_out=False,
                            created_at=created,
                        )
                    )
                    member_rows.append(
                        dict(project_id=pid, person_id=next_person, role=ROLES[i % len(ROLES)], joined_at=created)
                    )
                    next_person += 1
                for k in range(steps):
                    due = start + timedelta(days=6 * (k + 1))
                    done = due < today - timedelta(days=5) and rng.random() < 0.8
                    if k < len(declared):
                        phase, step = declared[k]
                        key, template_step, occurrence, kind = step.id, step.id, None, step.kind.value
                    else:
                        occurrence = k - len(declared) + 1
                        phase, key, template_step, kind = (
                            "pendant",
                            f"point-etape-{occurrence}",
                            "point-etape",
                            checkpoint.kind.value,
                        )
                    step_rows.append(
                        dict(
                            project_id=pid,
                            key=key,
                            template_step=template_step,
                            occurrence=occurrence,
                            position=k,
                            phase=phase,
                            kind=kind,
                            owner_role="coordination",
                            due=due,
                            baseline_due=due,
                            pinned=False,
                            depends_on=[],
                            status="done" if done else "planned",
                            done_at=created if done else None,
                        )
                    )
            session.execute(insert(Project), project_rows)
            session.execute(insert(Person), person_rows)
            session.execute(insert(Membership), member_rows)
            session.execute(insert(PlanStep), step_rows)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def plain_smtplib(port: int, messages: Sequence[Any]) -> float:
    """Send the same messages with smtplib, one connection per message; returns messages/s."""
    start = time.perf_counter()
    for envelope, address in messages:
        message = EmailMessage()
        message["From"] = "cocon@bench.example.org"
        message["To"] = address
        message["Subject"] = envelope.subject
        message.set_content(envelope.text)
        if envelope.html:
            message.add_alternative(envelope.html, subtype="html")
        for item in envelope.attachments:
            maintype, subtype = item.mime.split("/")
            message.add_attachment(item.content, maintype=maintype, subtype=subtype, filename=item.filename)
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(message)
    return len(messages) / (time.perf_counter() - start)


def apprise_as_shipped(port: int, count: int) -> float:
    """Apprise with its own SMTP controller (an SSL context per email), a fresh object per message."""
    import apprise
    from apprise.plugins.email import base as email_base
    from apprise.plugins.email.smtp import AppriseSMTPController

    from notifications.delivery import install_fast_smtp

    email_base.AppriseSMTPController = AppriseSMTPController  # type: ignore[misc]
    try:
        start = time.perf_counter()
        for n in range(count):
            notifier = apprise.Apprise()
            notifier.add(
                f"mailto://127.0.0.1:{port}?smtp=127.0.0.1&from=cocon@bench.example.org&to=p{n}@example.org&mode=insecure"
            )
            notifier.notify(body="Bonjour,\nun rappel.", title="Rappel")
        return count / (time.perf_counter() - start)
    finally:
        install_fast_smtp()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--people", type=int, default=15)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--deliver", type=int, default=2000, help="messages to deliver for the delivery figures")
    parser.add_argument("--workers", type=int, default=4, help="concurrent sends")
    parser.add_argument("--no-prefect", action="store_true", help="skip the Prefect flow run")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="cocon-bench-"))
    url = f"sqlite:///{workdir / 'bench.sqlite'}"
    port = free_port()
    os.environ.update(
        COCON_DATABASE_URL=url,
        COCON_HOME=str(workdir / "home"),
        COCON_NOW="2027-03-03T10:00",
        COCON_SMTP_URL=f"smtp://127.0.0.1:{port}",
        COCON_MAIL_FROM="cocon@bench.example.org",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
    )
    from notifications.cycle import new_items
    from notifications.delivery import Postman
    from notifications.dispatch import dispatch
    from notifications.planner import plan
    from notifications.queue import enqueue_items
    from notifications.snapshot import load_projects
    from store.clock import today
    from store.db import session_scope

    print(f"Synthetic store: {args.projects} projects × {args.people} people × {args.steps} steps ({workdir})")
    seconds, _ = timed(
        lambda: build_store(url, projects=args.projects, people=args.people, steps=args.steps, today=today())
    )
    print(f"  built in {seconds:.1f} s")

    with session_scope(url) as session:
        load_s, views = timed(lambda: load_projects(session, email_enabled=True, today=today()))
        plan_s, items = timed(lambda: plan(views, today()))
        fresh = new_items(session, items)
        enqueue_s, inserted = timed(lambda: enqueue_items(session, fresh))
    scale = 10_000 / len(views)
    print("\nPlanning")
    print(f"  {len(views)} open projects, {len(items)} reminders due on {today()}")
    print(f"  pure planning:            {plan_s * scale:6.2f} s per 10,000 projects")
    print(f"  reading the store + plan: {(load_s + plan_s) * scale:6.2f} s per 10,000 projects")
    print("\nEnqueueing")
    print(f"  {inserted} rows in {enqueue_s:.2f} s: {inserted / enqueue_s:,.0f} rows/s")

    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
        sent: list[tuple[Any, str]] = []

        class Recording(Postman):
            def deliver(self, envelopes: Sequence[Any]) -> list[Any]:
                results = super().deliver(envelopes)
                sent.extend((e, "recipient@example.org") for e in envelopes)
                return results

        postman = Recording(workers=args.workers)
        deliver_s, report = timed(lambda: dispatch(postman=postman, limit=args.deliver))
        cocon_rate = report.messages / deliver_s
        postman_s, _ = timed(lambda: Postman(workers=args.workers).deliver([e for e, _ in sent]))
        apprise_rate = len(sent) / postman_s
        smtplib_rate = plain_smtplib(port, sent)
        shipped_rate = apprise_as_shipped(port, min(200, len(sent)))
        print("\nDelivery to a local SMTP sink (aiosmtpd, another process)")
        print(
            f"  outbox → Apprise, {report.messages} digests ({report.sent} rows): {cocon_rate:6.0f} messages/s "
            f"(claim, re-check, render, send, confirm; {args.workers} threads)"
        )
        print(f"  Apprise alone, same messages:     {apprise_rate:6.0f} messages/s")
        print(f"  plain smtplib, same messages:     {smtplib_rate:6.0f} messages/s (one connection per message)")
        print(
            f"  ratio outbox/smtplib:             {cocon_rate / smtplib_rate:6.2f}  (Apprise alone: {apprise_rate / smtplib_rate:.2f})"
        )
        print(f"  Apprise as shipped (SSL context per email, fresh object): {shipped_rate:.0f} messages/s")

        if not args.no_prefect:
            prefect_share(url)
    finally:
        sink.terminate()
        sink.wait()


def prefect_share(url: str) -> None:
    """One `reminders` flow run on a real local Prefect server: how much of it is Prefect itself."""
    os.environ["COCON_NOW"] = "2027-03-04T10:00"
    from flows.server import PrefectServer

    start_s, server = timed(lambda: PrefectServer().__enter__())
    try:
        import flows.reminders as module

        inside = [0.0]

        def measured(fn: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                begin = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    inside[0] += time.perf_counter() - begin

            return wrapper

        module.plan_and_enqueue = measured(module.plan_and_enqueue)  # type: ignore[assignment]
        module.dispatch = measured(module.dispatch)  # type: ignore[assignment]
        module.reminders()  # warm-up: imports, first API round trips
        inside[0] = 0.0
        os.environ["COCON_NOW"] = "2027-03-05T10:00"
        wall, result = timed(module.reminders)
        machinery = wall - inside[0]
        tasks = 1 + len(result["dispatch"])
        print("\nPrefect (local server started by Cocon)")
        print(f"  server start: {start_s:.1f} s")
        print(f"  flow run: {wall:.2f} s wall, {inside[0]:.2f} s in Cocon's functions, {tasks} task runs")
        print(f"  Prefect's own machinery: {machinery:.2f} s = {machinery / wall:.0%} of the run")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
