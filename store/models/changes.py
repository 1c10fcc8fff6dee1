"""The content version: one number that moves whenever what Cocon shows may have changed.

Database triggers (migration 0009) add one to ``content_version.version`` in the same transaction
as every insert, update or delete of every table but those of :data:`UNTRACKED`: the audit log,
and what signing in writes (the browser sessions and their idle timer, the login attempts and
links, an account's last login). Pages kept in memory (the dashboard, a project's evaluation
report…) are keyed by this number: a change shows on the next request, while a login does not
redraw anything. The triggers fire for any writer (web, CLI, Prefect flows, a hand-made SQL
``UPDATE``), so no service has to remember to say that it changed something.
"""

from sqlmodel import Field, SQLModel

#: Tables whose rows no page shows, changed by signing in or by every action: no trigger on them.
UNTRACKED = frozenset({"audit_event", "web_session", "login_attempt", "magic_link", "content_version"})
#: Columns whose change alone does not move the version.
UNTRACKED_COLUMNS = {"account": frozenset({"last_login_at"})}


class ContentVersion(SQLModel, table=True):
    """The one row (id 1) holding the content version."""

    __tablename__ = "content_version"

    id: int | None = Field(default=None, primary_key=True)
    version: int = 0
