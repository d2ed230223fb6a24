"""chat routing: agents' chat settings and presence; indexes for rebuild and figures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chat_agents',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('presence', sa.String(length=20), nullable=False),
    sa.Column('groups', sa.Text(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('updated_at', frontdesk.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_chat_agents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_chat_agents'))
    )
    op.create_index('ix_chats_status', 'chats', ['status'], unique=False)
    op.create_index('ix_chats_group_name_requested_at', 'chats', ['group_name', 'requested_at'], unique=False)
    op.create_index('ix_chats_agent_id_status', 'chats', ['agent_id', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_chats_agent_id_status', table_name='chats')
    op.drop_index('ix_chats_group_name_requested_at', table_name='chats')
    op.drop_index('ix_chats_status', table_name='chats')
    op.drop_table('chat_agents')
