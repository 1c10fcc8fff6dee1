"""Calendar feeds and invitations: how long a subscription takes to build, and how big it is.

    python bench/calendars.py [--projects 20] [--reads 50]

Builds ``--projects`` projects (partenariat-msp, five people each) in a temporary SQLite file,
then times a person's feed (they belong to every project, as a coordinator of many would), a
team feed, and one invitation file.
"""

import argparse
import os
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--reads", type=int, default=50)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cocon-bench-"))
    url = f"sqlite:///{folder / 'cocon.sqlite'}"
    os.environ.update({"COCON_DATABASE_URL": url, "COCON_HOME": str(folder), "COCON_NOW": "2027-01-18T10:00"})
    from planning.ics import calendar_bytes
    from project_templates import find_template
    from store.calendars import create_feed, feed_calendar, feed_of
    from store.db import get_engine, upgrade
    from store.gatherings import calendar_event, gathering_view
    from store.people import add_person
    from store.projects import create_project

    upgrade(url)
    with Session(get_engine(url), expire_on_commit=False) as session:
        loaded = find_template("partenariat-msp")
        first = None
        projects = []
        for n in range(args.projects):
            start = date(2027, 1, 4) + timedelta(days=7 * n)
            project = create_project(session, loaded=loaded, name=f"Projet {n}", structure="MSP des Tilleuls",
                                     start=start, end=start + timedelta(days=180), actor="bench")
            projects.append(project)
            for i, role in enumerate(["coordination", "professionnel", "patient-partenaire", "representant-usagers"]):
                who = add_person(session, project, name=f"P{n}-{i}", role=role, email=f"p{n}-{i}@example.org", actor="bench")
                if n == 0 and i == 2:
                    first = who
        assert first is not None
        # the same person in every project (a coordinator of many projects is the worst case)
        for project in projects[1:]:
            add_person(session, project, name=first.name, role="patient-partenaire", email=first.email, actor="bench")
        person_token = create_feed(session, person=first, actor="bench")
        team_token = create_feed(session, project=projects[0], actor="bench")
        session.commit()
        for label, token in (("person feed (1 project)", person_token), ("team feed (1 project)", team_token)):
            began = time.perf_counter()
            for _ in range(args.reads):
                data = feed_calendar(session, feed_of(session, token))
            took = (time.perf_counter() - began) / args.reads
            print(f"{label}: {took * 1000:.1f} ms per read, {len(data):,} bytes, {data.count(b'BEGIN:VEVENT')} events")
        view = gathering_view(session, projects[0], "rencontre")
        began = time.perf_counter()
        for _ in range(args.reads):
            invitation = calendar_bytes("Cocon", [calendar_event(view)], method="REQUEST")
        took = (time.perf_counter() - began) / args.reads
        print(f"invitation file: {took * 1000:.2f} ms to build, {len(invitation):,} bytes")


if __name__ == "__main__":
    main()
