"""site settings and report notes (public address, conclusions, place)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 16:45:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "publication",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("conclusions_fr", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=True),
        sa.Column("conclusions_en", sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=True),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
        sa.Column("written_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("project_id"),
    )


def downgrade() -> None:
    op.drop_table("publication")
    op.drop_table("site_setting")
