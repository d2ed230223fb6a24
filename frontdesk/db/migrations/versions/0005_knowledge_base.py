"""knowledge base: articles, tags, views, feedback, discussions, search documents

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Search is indexed by each store its own way, outside the portable metadata; everything
it adds is named kb_search_* (the schema comparison in the tests skips those names):
- SQLite: FTS5 tables over kb_documents (external content), kept in step by triggers.
  kb_search_fts holds title, summary and body, Porter-stemmed, for ranked search;
  kb_search_titles holds titles as written, with prefix indexes, for suggestions.
- PostgreSQL: generated tsvector columns with GIN indexes: kb_search_vector weights the
  title A, the summary B and the body C (English stemming); kb_search_title is the
  title alone, unstemmed ('simple'), for prefix suggestions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import frontdesk.db.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Id = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
When = frontdesk.db.types.UTCDateTime(timezone=True)

SQLITE_SEARCH = [
    """CREATE VIRTUAL TABLE kb_search_fts USING fts5(
        title, summary, body, content='kb_documents', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE kb_search_titles USING fts5(
        title, content='kb_documents', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
    """CREATE TRIGGER kb_search_documents_insert AFTER INSERT ON kb_documents BEGIN
        INSERT INTO kb_search_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, new.body);
        INSERT INTO kb_search_titles(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER kb_search_documents_delete AFTER DELETE ON kb_documents BEGIN
        INSERT INTO kb_search_fts(kb_search_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO kb_search_titles(kb_search_titles, rowid, title)
            VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER kb_search_documents_update AFTER UPDATE ON kb_documents BEGIN
        INSERT INTO kb_search_fts(kb_search_fts, rowid, title, summary, body)
            VALUES ('delete', old.id, old.title, old.summary, old.body);
        INSERT INTO kb_search_titles(kb_search_titles, rowid, title)
            VALUES ('delete', old.id, old.title);
        INSERT INTO kb_search_fts(rowid, title, summary, body)
            VALUES (new.id, new.title, new.summary, new.body);
        INSERT INTO kb_search_titles(rowid, title) VALUES (new.id, new.title);
    END""",
]

POSTGRES_SEARCH = [
    """ALTER TABLE kb_documents ADD COLUMN kb_search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', body), 'C')) STORED""",
    "CREATE INDEX kb_search_vector_index ON kb_documents USING gin (kb_search_vector)",
    """ALTER TABLE kb_documents ADD COLUMN kb_search_title tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED""",
    "CREATE INDEX kb_search_title_index ON kb_documents USING gin (kb_search_title)",
]


def upgrade() -> None:
    op.create_table('kb_articles',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', When, nullable=False),
    sa.Column('views', sa.BigInteger(), nullable=False),
    sa.Column('helpful_yes', sa.Integer(), nullable=False),
    sa.Column('helpful_no', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_articles_slug'))
    )
    op.create_index('ix_kb_articles_views', 'kb_articles', ['views'], unique=False)
    op.create_table('kb_article_tags',
    sa.Column('article_id', Id, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_tags_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'kind', 'value', name=op.f('pk_kb_article_tags'))
    )
    op.create_index('ix_kb_article_tags_kind_value', 'kb_article_tags', ['kind', 'value', 'article_id'], unique=False)
    op.create_table('kb_article_views',
    sa.Column('article_id', Id, nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_views_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'visitor', 'day', name=op.f('pk_kb_article_views'))
    )
    op.create_table('kb_feedback',
    sa.Column('article_id', Id, nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', When, nullable=False),
    sa.Column('updated_at', When, nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_feedback_article_id_kb_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'visitor', name=op.f('pk_kb_feedback'))
    )
    op.create_table('kb_discussions',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('author_id', Id, nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('author_role', sa.String(length=100), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('source_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', When, nullable=False),
    sa.Column('last_reply_at', When, nullable=True),
    sa.Column('reply_count', sa.Integer(), nullable=False),
    sa.Column('answer_id', Id, nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_discussions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_discussions')),
    sa.UniqueConstraint('slug', name=op.f('uq_kb_discussions_slug'))
    )
    op.create_index('ix_kb_discussions_created_at', 'kb_discussions', ['created_at'], unique=False)
    op.create_table('kb_replies',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('discussion_id', Id, nullable=False),
    sa.Column('author_id', Id, nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('is_staff', sa.Boolean(), nullable=False),
    sa.Column('body_md', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('created_at', When, nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_kb_replies_author_id_users')),
    sa.ForeignKeyConstraint(['discussion_id'], ['kb_discussions.id'], name=op.f('fk_kb_replies_discussion_id_kb_discussions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_replies'))
    )
    op.create_index('ix_kb_replies_discussion_id', 'kb_replies', ['discussion_id'], unique=False)
    op.create_table('kb_documents',
    sa.Column('id', Id, autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref_id', Id, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_documents')),
    sa.UniqueConstraint('kind', 'ref_id', name='uq_kb_documents_kind_ref_id')
    )
    op.create_table('kb_words',
    sa.Column('word', sa.String(length=100), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_kb_words'))
    )
    op.create_table('kb_missed_queries',
    sa.Column('query_key', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=200), nullable=False),
    sa.Column('times', sa.Integer(), nullable=False),
    sa.Column('first_at', When, nullable=False),
    sa.Column('last_at', When, nullable=False),
    sa.PrimaryKeyConstraint('query_key', name=op.f('pk_kb_missed_queries'))
    )
    op.create_table('kb_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_state'))
    )
    statements = SQLITE_SEARCH if op.get_bind().dialect.name == 'sqlite' else POSTGRES_SEARCH
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER kb_search_documents_{name}')
        op.execute('DROP TABLE kb_search_titles')
        op.execute('DROP TABLE kb_search_fts')
    for table in ('kb_state', 'kb_missed_queries', 'kb_words', 'kb_documents', 'kb_replies',
                  'kb_discussions', 'kb_feedback', 'kb_article_views', 'kb_article_tags',
                  'kb_articles'):
        op.drop_table(table)
