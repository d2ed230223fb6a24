"""search at 100k articles: tags indexed as words for Browse; PostgreSQL folds accents
and reads narrow rows

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07

Both stores:
- kb_articles' index by views also holds title_key (ix_kb_articles_views_title_key):
  suggestions read the most viewed articles first until enough titles have a word
  starting with what was typed, and test that in the index instead of each row.
- kb_documents.tags: an article's tags as words (frontdesk.kb.text.tag_tokens), filled
  in here from kb_article_tags, and indexed with the document's text, so that Browse
  Articles' filters are words of its full-text query (the index intersects them) rather
  than a join with kb_article_tags for every matching article.

SQLite: kb_search_fts gains a `tags` column; it is rebuilt from kb_documents.

PostgreSQL (everything named kb_search_*, outside the portable metadata as in 0005):
- Text search configurations kb_search_english and kb_search_simple: 'english' and
  'simple' with the unaccent dictionary first, so "café" is indexed, searched and
  highlighted as "cafe" (SQLite's unicode61 tokenizer removes accents the same way).
  unaccent is a trusted extension (PostgreSQL 13+): the owner of the database may create
  it without being a superuser. Where it cannot be created at all, the configurations are
  plain copies and accents stay as they are.
- The tsvector columns are rebuilt over the text with `<>&/@.:` read as spaces, so that
  PostgreSQL's parser sees words, as SQLite's tokenizer does, and not tags (dropping
  what a <script> element holds), entities, paths, e-mail addresses or host names.
- kb_search_brief: the title (weight A), summary (B) and tags (D) alone, small enough
  to stay in the row: Browse Articles matches it through its own GIN index with no
  recheck, and a broad search tells title matches apart without reading the whole
  document's vector.
- One GIN index per kind of document (article, discussion) instead of one for both: an
  area is counted and windowed in its own index, however common a word is in the other.
  All four GIN indexes without fastupdate (see _GIN).
- toast_tuple_target 128: the documents' text and whole vectors move out of the row (the
  small vectors stay, storage MAIN), so a scan over many matches reads half the pages. The columns are added in one
  ALTER TABLE, which rewrites (and so backfills and narrows) every row.
"""

import hashlib
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frontdesk.kb.search.PostgresSearch.SPACED, frozen as it was when this revision was
# written: the characters PostgreSQL's parser builds tags, entities, paths, e-mail
# addresses and hosts from, each turned into a control character its parser reads as a
# space (and that `text.clean` keeps out of every document, so it can be turned back).
_SPACED = "translate({}, '<>&/@.:', E'\\x04\\x05\\x06\\x07\\x08\\x0e\\x0f')"

_CONFIGURATIONS = [
    "CREATE TEXT SEARCH CONFIGURATION kb_search_english (COPY = english)",
    "CREATE TEXT SEARCH CONFIGURATION kb_search_simple (COPY = simple)",
]
_UNACCENTED = [
    """ALTER TEXT SEARCH CONFIGURATION kb_search_english
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem""",
    """ALTER TEXT SEARCH CONFIGURATION kb_search_simple
        ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple""",
]


def _vector(config: str, column: str, weight: str | None = None) -> str:
    vector = f"to_tsvector('{config}', {_SPACED.format(column)})"
    return vector if weight is None else f"setweight({vector}, '{weight}')"


_COLUMNS = {
    "kb_search_vector": " || ".join(
        _vector("kb_search_english", column, weight)
        for column, weight in (("title", "A"), ("summary", "B"), ("body", "C"))
    ),
    "kb_search_brief": " || ".join(
        [
            *(
                _vector("kb_search_english", column, weight)
                for column, weight in (("title", "A"), ("summary", "B"))
            ),
            "to_tsvector('simple', tags)",
        ]
    ),
    "kb_search_title": _vector("kb_search_simple", "title"),
}
# fastupdate off: a new document goes straight into the indexes instead of a pending
# list that every search reads through until (auto)vacuum merges it. With a few MB
# pending after an import, a search statement that scans the index four times took
# 250 ms at the median instead of 7. Documents are written rarely; searched often.
_GIN = "USING gin ({}) WITH (fastupdate = off)"
_INDEXES = [
    f"CREATE INDEX kb_search_articles ON kb_documents {_GIN.format('kb_search_vector')}"
    " WHERE kind = 'article'",
    f"CREATE INDEX kb_search_discussions ON kb_documents {_GIN.format('kb_search_vector')}"
    " WHERE kind = 'discussion'",
    f"CREATE INDEX kb_search_brief_index ON kb_documents {_GIN.format('kb_search_brief')}",
    f"CREATE INDEX kb_search_title_index ON kb_documents {_GIN.format('kb_search_title')}",
]

# As 0005 made them, for the downgrade.
_OLD_COLUMNS = [
    """ALTER TABLE kb_documents ADD COLUMN kb_search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', summary), 'B')
        || setweight(to_tsvector('english', body), 'C')) STORED,
        ADD COLUMN kb_search_title tsvector
        GENERATED ALWAYS AS (to_tsvector('simple', title)) STORED""",
    "CREATE INDEX kb_search_vector_index ON kb_documents USING gin (kb_search_vector)",
    "CREATE INDEX kb_search_title_index ON kb_documents USING gin (kb_search_title)",
]


# frontdesk.kb.text.tag_token, frozen as it was when this revision was written.
def _tag_token(kind: str, value: str) -> str:
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).hexdigest()
    return f"tag{digest}"


def _fill_tags() -> None:
    bind = op.get_bind()
    tags = sa.table('kb_article_tags', sa.column('article_id'), sa.column('kind'),
                    sa.column('value'))
    documents = sa.table('kb_documents', sa.column('kind'), sa.column('ref_id'),
                         sa.column('tags'))
    tokens: defaultdict[int, set[str]] = defaultdict(set)
    for article_id, kind, value in bind.execute(sa.select(tags.c.article_id, tags.c.kind,
                                                          tags.c.value)):
        tokens[article_id].add(_tag_token(kind, value))
    if tokens:
        bind.execute(
            documents.update()
            .where(documents.c.kind == 'article', documents.c.ref_id == sa.bindparam('article'))
            .values(tags=sa.bindparam('tokens')),
            [{'article': a, 'tokens': ' '.join(sorted(t))} for a, t in sorted(tokens.items())],
        )


def _sqlite_search(fts_columns: str) -> list[str]:
    """kb_search_fts over these columns of kb_documents, kb_search_titles over titles
    (as 0005 made it), the triggers that keep both in step, and a rebuild of both."""
    new = ", ".join(f"new.{c}" for c in fts_columns.split(", "))
    old = ", ".join(f"old.{c}" for c in fts_columns.split(", "))
    insert = f"""INSERT INTO kb_search_fts(rowid, {fts_columns}) VALUES (new.id, {new});
            INSERT INTO kb_search_titles(rowid, title) VALUES (new.id, new.title);"""
    delete = f"""INSERT INTO kb_search_fts(kb_search_fts, rowid, {fts_columns})
                VALUES ('delete', old.id, {old});
            INSERT INTO kb_search_titles(kb_search_titles, rowid, title)
                VALUES ('delete', old.id, old.title);"""
    return [
        f"""CREATE VIRTUAL TABLE kb_search_fts USING fts5(
            {fts_columns}, content='kb_documents', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        """CREATE VIRTUAL TABLE kb_search_titles USING fts5(
            title, content='kb_documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
        f"""CREATE TRIGGER kb_search_documents_insert AFTER INSERT ON kb_documents BEGIN
            {insert}
        END""",
        f"""CREATE TRIGGER kb_search_documents_delete AFTER DELETE ON kb_documents BEGIN
            {delete}
        END""",
        f"""CREATE TRIGGER kb_search_documents_update AFTER UPDATE ON kb_documents BEGIN
            {delete}
            {insert}
        END""",
        "INSERT INTO kb_search_fts(kb_search_fts) VALUES ('rebuild')",
        "INSERT INTO kb_search_titles(kb_search_titles) VALUES ('rebuild')",
    ]


def _drop_sqlite_search() -> None:
    for name in ('insert', 'delete', 'update'):
        op.execute(f'DROP TRIGGER kb_search_documents_{name}')
    op.execute('DROP TABLE kb_search_fts')
    op.execute('DROP TABLE kb_search_titles')


def _upgrade_sqlite() -> None:
    _drop_sqlite_search()  # the triggers would reindex every document the backfill touches
    op.add_column('kb_documents', sa.Column('tags', sa.Text(), nullable=False, server_default=''))
    _fill_tags()
    for statement in _sqlite_search('title, summary, body, kind, tags'):
        op.execute(statement)


def _downgrade_sqlite() -> None:
    _drop_sqlite_search()
    with op.batch_alter_table('kb_documents') as batch:
        batch.drop_column('tags')
    for statement in _sqlite_search('title, summary, body, kind'):
        op.execute(statement)


def _has_unaccent() -> bool:
    """Create the unaccent extension if it can be; whether it is there."""
    bind = op.get_bind()
    try:
        with bind.begin_nested():  # a refusal must not end the migration's transaction
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except sa.exc.DBAPIError as refused:
        print(f"kb search: no unaccent extension ({refused.orig}); accents stay as written")
        return False
    return True


def _upgrade_postgres() -> None:
    # Dropped first: every row the backfill updates would recompute them.
    op.execute("ALTER TABLE kb_documents DROP COLUMN kb_search_vector, DROP COLUMN kb_search_title")
    op.add_column('kb_documents', sa.Column('tags', sa.Text(), nullable=False, server_default=''))
    _fill_tags()
    unaccent = _has_unaccent()
    for statement in _CONFIGURATIONS + (_UNACCENTED if unaccent else []):
        op.execute(statement)
    added = ",\n".join(
        f"ADD COLUMN {name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in _COLUMNS.items()
    )
    op.execute("ALTER TABLE kb_documents SET (toast_tuple_target = 128)")
    # The small vectors stay in the row (MAIN): they are read for every match.
    op.execute(f"""ALTER TABLE kb_documents {added},
        ALTER COLUMN kb_search_brief SET STORAGE MAIN,
        ALTER COLUMN kb_search_title SET STORAGE MAIN""")
    for statement in _INDEXES:
        op.execute(statement)


def _downgrade_postgres() -> None:
    op.execute("""ALTER TABLE kb_documents DROP COLUMN kb_search_vector,
        DROP COLUMN kb_search_brief, DROP COLUMN kb_search_title, DROP COLUMN tags""")
    op.execute("ALTER TABLE kb_documents RESET (toast_tuple_target)")
    for statement in _OLD_COLUMNS:
        op.execute(statement)
    op.execute("DROP TEXT SEARCH CONFIGURATION kb_search_english")
    op.execute("DROP TEXT SEARCH CONFIGURATION kb_search_simple")


def upgrade() -> None:
    op.drop_index('ix_kb_articles_views', table_name='kb_articles')
    op.create_index('ix_kb_articles_views_title_key', 'kb_articles', ['views', 'title_key'])
    if op.get_bind().dialect.name == 'sqlite':
        _upgrade_sqlite()
    else:
        _upgrade_postgres()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _downgrade_sqlite()
    else:
        _downgrade_postgres()
    op.drop_index('ix_kb_articles_views_title_key', table_name='kb_articles')
    op.create_index('ix_kb_articles_views', 'kb_articles', ['views'])
