"""ratings: one customer satisfaction rating per answered chat or resolved case

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ratings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('case_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('chat_id', sa.String(length=32), nullable=True),
    sa.Column('case_key', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_group', sa.String(length=100), nullable=False),
    sa.Column('agent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('asked_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=True),
    sa.Column('link_expires_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('first_rated_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rated_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_ratings_agent_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_ratings_customer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('case_key', name=op.f('uq_ratings_case_key')),
    sa.UniqueConstraint('chat_id', name=op.f('uq_ratings_chat_id')),
    sa.UniqueConstraint('nonce_hash', name=op.f('uq_ratings_nonce_hash'))
    )
    op.create_index('ix_ratings_asked_at', 'ratings', ['asked_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ratings_asked_at', table_name='ratings')
    op.drop_table('ratings')
