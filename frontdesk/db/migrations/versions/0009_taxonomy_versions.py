"""taxonomy versions: the Contact Us taxonomy and office hours, kept with their history

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('taxonomy_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('taxonomy', sa.Text(), nullable=False),
    sa.Column('saved_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('saved_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('saved_by', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('rolled_back_from', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['saved_by_id'], ['users.id'], name=op.f('fk_taxonomy_versions_saved_by_id_users')),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_taxonomy_versions'))
    )


def downgrade() -> None:
    op.drop_table('taxonomy_versions')
