"""canned replies: shared ones and each agent's own

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('canned_replies',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('owner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_group', sa.String(length=100), nullable=True),
    sa.Column('shortcut', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_canned_replies_created_by_id_users')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_canned_replies_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_canned_replies'))
    )
    op.create_index('ix_canned_replies_owner_id_shortcut', 'canned_replies', ['owner_id', 'shortcut'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_canned_replies_owner_id_shortcut', table_name='canned_replies')
    op.drop_table('canned_replies')
