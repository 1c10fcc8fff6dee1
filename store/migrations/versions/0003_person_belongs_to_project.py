"""a person's identity belongs to the project that added it

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 16:30:00

Existing people who are members of exactly one project and have no account are given to that
project; people shared by several projects (made before this revision) keep no owner, and new
additions in another project make a new row instead of reusing them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('project_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_person_project_id'), ['project_id'], unique=False)
        batch_op.create_foreign_key('fk_person_project_id_project', 'project', ['project_id'], ['id'])
        batch_op.create_unique_constraint('uq_person_project_email', ['project_id', 'email'])
    op.execute(
        """
        UPDATE person SET project_id = (
            SELECT MIN(m.project_id) FROM membership m WHERE m.person_id = person.id
        )
        WHERE id NOT IN (SELECT person_id FROM account)
          AND (SELECT COUNT(DISTINCT m.project_id) FROM membership m WHERE m.person_id = person.id) = 1
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_project_email', type_='unique')
        batch_op.drop_constraint('fk_person_project_id_project', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_person_project_id'))
        batch_op.drop_column('project_id')
