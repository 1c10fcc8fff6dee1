"""gatherings: time and place per occurrence, answers, invitations sent, answer links, calendar feeds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('gathering_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('start_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
    sa.Column('minutes', sa.Integer(), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('video_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('changed_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('changed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'step_key')
    )
    with op.batch_alter_table('gathering_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_details_project_id'), ['project_id'], unique=False)
    op.create_table('gathering_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('coming', sa.Boolean(), nullable=False),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'step_key', 'person_id')
    )
    with op.batch_alter_table('gathering_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_answer_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gathering_answer_project_id'), ['project_id'], unique=False)
    op.create_table('gathering_invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('invited_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('project_id', 'step_key', 'person_id')
    )
    with op.batch_alter_table('gathering_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gathering_invitation_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gathering_invitation_project_id'), ['project_id'], unique=False)
    op.create_table('answer_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('step_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('answer_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_link_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_link_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_link_token_hash'), ['token_hash'], unique=True)
    op.create_table('calendar_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('calendar_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feed_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calendar_feed_token_hash'), ['token_hash'], unique=True)


def downgrade() -> None:
    for table in ('calendar_feed', 'answer_link', 'gathering_invitation', 'gathering_answer', 'gathering_details'):
        op.drop_table(table)
