"""chat files and transcript emails: a chat message may carry a case attachment, and a
chat remembers when its transcript was last emailed (one per chat every few minutes)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('chat_messages') as batch:
        batch.add_column(
            sa.Column(
                'attachment_id',
                sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                nullable=True,
            )
        )
        batch.create_foreign_key(
            op.f('fk_chat_messages_attachment_id_attachments'),
            'attachments',
            ['attachment_id'],
            ['id'],
        )
    with op.batch_alter_table('chats') as batch:
        batch.add_column(
            sa.Column(
                'transcript_emailed_at',
                frontdesk.db.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('chats') as batch:
        batch.drop_column('transcript_emailed_at')
    with op.batch_alter_table('chat_messages') as batch:
        batch.drop_constraint(
            op.f('fk_chat_messages_attachment_id_attachments'), type_='foreignkey'
        )
        batch.drop_column('attachment_id')
