"""search at scale: articles' folded title words; SQLite's full-text index knows each
document's kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

- kb_articles.title_key: the title's words, folded (lower case, no accents) and spaced
  (" entries uk centre entry deadlines "), so "a title word starts with X" is a LIKE
  that any store runs while reading articles most viewed first.
- SQLite: kb_search_fts gains a `kind` column, so a search narrowed to one area, and the
  count of each area, stay inside the full-text index instead of joining kb_documents
  for every match. The table is rebuilt from kb_documents.
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fts_statements(columns: str) -> list[str]:
    values = ", ".join(f"new.{c}" for c in columns.split(", "))
    old_values = ", ".join(f"old.{c}" for c in columns.split(", "))
    return [
        f"""CREATE VIRTUAL TABLE kb_search_fts USING fts5(
            {columns}, content='kb_documents', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER kb_search_documents_insert AFTER INSERT ON kb_documents BEGIN
            INSERT INTO kb_search_fts(rowid, {columns}) VALUES (new.id, {values});
            INSERT INTO kb_search_titles(rowid, title) VALUES (new.id, new.title);
        END""",
        f"""CREATE TRIGGER kb_search_documents_delete AFTER DELETE ON kb_documents BEGIN
            INSERT INTO kb_search_fts(kb_search_fts, rowid, {columns})
                VALUES ('delete', old.id, {old_values});
            INSERT INTO kb_search_titles(kb_search_titles, rowid, title)
                VALUES ('delete', old.id, old.title);
        END""",
        f"""CREATE TRIGGER kb_search_documents_update AFTER UPDATE ON kb_documents BEGIN
            INSERT INTO kb_search_fts(kb_search_fts, rowid, {columns})
                VALUES ('delete', old.id, {old_values});
            INSERT INTO kb_search_titles(kb_search_titles, rowid, title)
                VALUES ('delete', old.id, old.title);
            INSERT INTO kb_search_fts(rowid, {columns}) VALUES (new.id, {values});
            INSERT INTO kb_search_titles(rowid, title) VALUES (new.id, new.title);
        END""",
        "INSERT INTO kb_search_fts(kb_search_fts) VALUES ('rebuild')",
    ]


def _drop_fts() -> None:
    for name in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER kb_search_documents_{name}')
    op.execute('DROP TABLE kb_search_fts')


# frontdesk.kb.text.title_key, with the `words` and `fold` it calls, frozen as they were
# when this revision was written (2026-11-29): a migration must keep meaning what it meant
# then, so it copies what it needs rather than importing live code that may change. Only
# Python's own Unicode tables are not frozen here. A later change to title_key changes
# the keys the app writes from then on, not these: the articles already stored then need
# a revision of their own that recomputes theirs.
_WORD = re.compile(r'[^\W_]+')


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize('NFKD', word.casefold())
    return ''.join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(value: str) -> list[str]:
    return [word for match in _WORD.findall(value) for word in _WORD.findall(_fold(match))]


def _title_key(title: str) -> str:
    return f" {' '.join(_words(title))} "


def upgrade() -> None:
    with op.batch_alter_table('kb_articles') as batch:
        batch.add_column(sa.Column('title_key', sa.Text(), nullable=False, server_default=''))
    bind = op.get_bind()
    articles = sa.table('kb_articles', sa.column('id'), sa.column('title'), sa.column('title_key'))
    for row in bind.execute(sa.select(articles.c.id, articles.c.title)).all():
        bind.execute(
            articles.update().where(articles.c.id == row.id).values(title_key=_title_key(row.title))
        )
    if bind.dialect.name == 'sqlite':
        _drop_fts()
        for statement in _fts_statements('title, summary, body, kind'):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _drop_fts()
        for statement in _fts_statements('title, summary, body'):
            op.execute(statement)
    with op.batch_alter_table('kb_articles') as batch:
        batch.drop_column('title_key')
