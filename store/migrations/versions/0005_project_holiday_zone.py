"""project.holiday_zone: the structure's public holidays (metropole or alsace-moselle)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holiday_zone', sqlmodel.sql.sqltypes.AutoString(length=20),
                                      server_default='metropole', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('holiday_zone')
