"""What the signed copy costs: building the PDF sent after each signature (issue 12, item 4).

The confirmation is queued in the signing request itself, so its PDF is drawn while the signer
waits. Over a fresh SQLite file with one project of five signers, this signs for each in turn and
prints the time to build each signed copy (the list of signatures grows), then the outbox row's size.

    .venv/bin/python bench/charter_confirmation.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="cocon-bench-signed-"))
    url = f"sqlite:///{home / 'cocon.sqlite'}"
    os.environ.update(COCON_HOME=str(home), COCON_DATABASE_URL=url)
    from charters.signing import sign_on_paper
    from notifications.charter_confirmation import queue_signature_confirmation
    from store.db import session_scope, upgrade
    from store.models import OutboxMessage
    from store.people import members
    from tests.factories import make_project

    upgrade(url)
    times: list[float] = []
    sizes: list[int] = []
    with session_scope(url) as session:
        project = make_project(session, slug="bench")
        for person, _ in members(session, project):
            signature = sign_on_paper(session, project, person, actor="bench")
            started = time.perf_counter()
            row = queue_signature_confirmation(session, project, person, signature)
            times.append((time.perf_counter() - started) * 1000)
            assert isinstance(row, OutboxMessage) and row.attachments is not None
            sizes.append(len(row.attachments))
    print("signature  ms to build and queue  outbox row (KB)")
    for n, (ms, size) in enumerate(zip(times, sizes, strict=True), start=1):
        print(f"{n:>9}  {ms:21.0f}  {size / 1024:15.1f}")
    print(f"median after the first: {statistics.median(times[1:]):.0f} ms (the first loads WeasyPrint)")


if __name__ == "__main__":
    main()
