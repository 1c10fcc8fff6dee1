"""Tables of what Cocon publishes: the site's public address and each project's report notes.

``site_setting`` holds settings of the installation that every process must agree on (the
public address written into links is set once, by ``cocon serve`` or ``COCON_BASE_URL``).
``publication`` holds what the coordination writes for a project's reports and certificates:
the conclusions, and the place documents are made at ("Fait à Dole, le …").
"""

from datetime import datetime

from sqlmodel import Field, SQLModel

from store.clock import now


class SiteSetting(SQLModel, table=True):
    """One setting of the installation (``public_url``…)."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=80)
    value: str = Field(max_length=2000)
    updated_at: datetime = Field(default_factory=now)


class Publication(SQLModel, table=True):
    """What the coordination writes into a project's reports and certificates."""

    __tablename__ = "publication"

    project_id: int = Field(primary_key=True, foreign_key="project.id")
    conclusions_fr: str | None = Field(default=None, max_length=20000)
    conclusions_en: str | None = Field(default=None, max_length=20000)
    place: str | None = Field(default=None, max_length=120, description="town documents are made at")
    written_by: str = Field(max_length=200)
    written_at: datetime = Field(default_factory=now)
