"""case assignment: the staff member working a case, if any

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(
            sa.Column(
                'assigned_agent_id',
                sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                nullable=True,
            )
        )
        batch.create_foreign_key(
            op.f('fk_cases_assigned_agent_id_users'), 'users', ['assigned_agent_id'], ['id']
        )
    op.create_index(
        'ix_cases_assigned_agent_id_status', 'cases', ['assigned_agent_id', 'status'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_cases_assigned_agent_id_status', table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_constraint(op.f('fk_cases_assigned_agent_id_users'), type_='foreignkey')
        batch.drop_column('assigned_agent_id')
