"""call-us deadline per case; the routing of existing cases shown as the system's

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09

`cases.call_by`: when a call-us case closes with no call logged. It starts when the
phone lines next open, so a case opened at night is not closed before they do. Cases
from before it keep NULL, and the sweep gives them 24 hours from opening, as before.

The "Case Owner" item every case was opened with was written as the customer's doing
("Ann Example (Customer) updated this record"), though the taxonomy routed it. A
customer can never change a case's owner, so each such item is the routing: it becomes
the system's, as new ones are written, with the old "from" owner dropped (it named no
queue, only a company).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here, not imported: cases.actions.SYSTEM as it is at this revision.
SYSTEM_NAME = 'frontdesk'
SYSTEM_ROLE = 'System'

activities = sa.table(
    'case_activities',
    sa.column('id', sa.Integer),
    sa.column('kind', sa.String),
    sa.column('actor_id', sa.Integer),
    sa.column('actor_name', sa.String),
    sa.column('actor_role', sa.String),
    sa.column('data', sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table('cases') as batch:
        batch.add_column(
            sa.Column('call_by', frontdesk.db.types.UTCDateTime(timezone=True), nullable=True)
        )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(activities.c.id, activities.c.data).where(
            activities.c.kind == 'field_changed', activities.c.actor_role == 'Customer'
        )
    ).all()
    for row in rows:
        data = json.loads(row.data or '{}')
        if data.get('field') != 'Case Owner':
            continue
        data.pop('from', None)
        conn.execute(
            activities.update()
            .where(activities.c.id == row.id)
            .values(
                actor_id=None, actor_name=SYSTEM_NAME, actor_role=SYSTEM_ROLE,
                data=json.dumps(data),
            )
        )


def downgrade() -> None:
    # The routing items stay the system's: who did it was never the customer.
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('call_by')
