"""Regenerate the initial migration from the models (only while nothing has been released).

    python -m store.migrations.rebuild

Once a release exists, new tables get a new revision instead (``alembic revision
--autogenerate`` against a database at head), so the history stays linear.
"""

import tempfile
from pathlib import Path

from alembic import command

from store.db import MIGRATIONS_DIR, alembic_config


def main() -> None:
    versions = MIGRATIONS_DIR / "versions"
    for old in versions.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'empty.sqlite'}"
        command.revision(alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001")
    print("regenerated", *sorted(p.name for p in versions.glob("0001_*.py")))


if __name__ == "__main__":
    main()
