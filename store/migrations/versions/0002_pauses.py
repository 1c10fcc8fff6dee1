"""pauses: pause end date, reminders stopped per project, one-click pause links

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 16:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.Date(), nullable=True))
    op.create_table('reminder_stop',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('stopped_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'project_id')
    )
    with op.batch_alter_table('reminder_stop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_stop_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_stop_project_id'), ['project_id'], unique=False)
    op.create_table('pause_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pause_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pause_link_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pause_link_token_hash'), ['token_hash'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('pause_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pause_link_token_hash'))
        batch_op.drop_index(batch_op.f('ix_pause_link_person_id'))
    op.drop_table('pause_link')
    with op.batch_alter_table('reminder_stop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_stop_project_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_stop_person_id'))
    op.drop_table('reminder_stop')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('paused_until')
