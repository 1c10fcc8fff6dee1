"""content version: one counter moved by triggers on every table a page shows (store/models/changes.py)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 22:40:00

SQLite: three ``AFTER`` row triggers per table. PostgreSQL: one deferred constraint trigger per
table, so that the counter's row is locked only at commit, after every other row the transaction
writes (no deadlock between two transactions that touch the same rows in different orders).
The tables are those of this revision: a later table gets its triggers in its own migration
(tests/test_web_speed.py checks that every table but the untracked ones has them).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRACKED = (
    'account', 'answer_link', 'attendance', 'calendar_feed', 'charter_signature', 'charter_version', 'contribution',
    'feedback_invitation', 'feedback_response', 'gathering', 'gathering_answer', 'gathering_details',
    'gathering_invitation', 'indicator_change', 'indicator_value', 'membership', 'outbox_message', 'pause_link',
    'person', 'plan_change', 'plan_step', 'project', 'project_indicator', 'proposal', 'publication', 'reminder_stop',
    'restitution', 'signing_token', 'site_setting', 'template_record',
)
#: For these tables only a change of these columns moves the version (an account's last login does not).
UPDATE_OF = {
    'account': ('id', 'person_id', 'email', 'kind', 'password_hash', 'structures', 'disabled', 'created_at'),
}
BUMP = 'UPDATE content_version SET version = version + 1 WHERE id = 1'


def create_triggers(table: str, update_of: Sequence[str] | None = None) -> None:
    """The triggers that move the content version when ``table`` changes (also for later migrations)."""
    columns = f" OF {', '.join(update_of)}" if update_of else ''
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'CREATE CONSTRAINT TRIGGER content_version_{table} AFTER INSERT OR UPDATE{columns} OR DELETE ON {table} '
            'DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION content_version_bump()'
        )
        return
    for event in ('INSERT', f'UPDATE{columns}', 'DELETE'):
        name = f"content_version_{table}_{event.split()[0].lower()}"
        op.execute(f'CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END')


def drop_triggers(table: str) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP TRIGGER IF EXISTS content_version_{table} ON {table}')
        return
    for event in ('insert', 'update', 'delete'):
        op.execute(f'DROP TRIGGER IF EXISTS content_version_{table}_{event}')


def upgrade() -> None:
    op.create_table('content_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.execute('INSERT INTO content_version (id, version) VALUES (1, 0)')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            'CREATE FUNCTION content_version_bump() RETURNS trigger LANGUAGE plpgsql AS '
            f'$$ BEGIN {BUMP}; RETURN NULL; END $$'
        )
    for table in TRACKED:
        create_triggers(table, UPDATE_OF.get(table))


def downgrade() -> None:
    for table in TRACKED:
        drop_triggers(table)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS content_version_bump()')
    op.drop_table('content_version')
