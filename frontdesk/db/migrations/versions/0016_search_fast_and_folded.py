"""search at 100k articles: PostgreSQL folds accents and reads narrow rows; SQLite
suggests from longer prefixes

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-07

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
- kb_search_brief: the title (weight A) and summary (B) alone, small enough to stay in
  the row: Browse Articles matches it through its own GIN index with no recheck, and a
  broad search tells title matches apart without reading the whole document's vector.
- One GIN index per kind of document (article, discussion) instead of one for both: an
  area is counted and windowed in its own index, however common a word is in the other.
- toast_tuple_target 128: the documents' text and whole vectors move out of the row (the
  small vectors stay, storage MAIN), so a scan over many matches reads half the pages. The columns are added in one
  ALTER TABLE, which rewrites (and so backfills and narrows) every row.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0013'
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
        _vector("kb_search_english", column, weight)
        for column, weight in (("title", "A"), ("summary", "B"))
    ),
    "kb_search_title": _vector("kb_search_simple", "title"),
}
_INDEXES = [
    "CREATE INDEX kb_search_articles ON kb_documents USING gin (kb_search_vector)"
    " WHERE kind = 'article'",
    "CREATE INDEX kb_search_discussions ON kb_documents USING gin (kb_search_vector)"
    " WHERE kind = 'discussion'",
    "CREATE INDEX kb_search_brief_index ON kb_documents USING gin (kb_search_brief)",
    "CREATE INDEX kb_search_title_index ON kb_documents USING gin (kb_search_title)",
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
    unaccent = _has_unaccent()
    for statement in _CONFIGURATIONS + (_UNACCENTED if unaccent else []):
        op.execute(statement)
    added = ",\n".join(
        f"ADD COLUMN {name} tsvector GENERATED ALWAYS AS ({expression}) STORED"
        for name, expression in _COLUMNS.items()
    )
    op.execute("ALTER TABLE kb_documents SET (toast_tuple_target = 128)")
    # The small vectors stay in the row (MAIN): they are read for every match.
    op.execute(f"""ALTER TABLE kb_documents
        DROP COLUMN kb_search_vector, DROP COLUMN kb_search_title, {added},
        ALTER COLUMN kb_search_brief SET STORAGE MAIN,
        ALTER COLUMN kb_search_title SET STORAGE MAIN""")
    for statement in _INDEXES:
        op.execute(statement)


def _downgrade_postgres() -> None:
    op.execute("""ALTER TABLE kb_documents DROP COLUMN kb_search_vector,
        DROP COLUMN kb_search_brief, DROP COLUMN kb_search_title""")
    op.execute("ALTER TABLE kb_documents RESET (toast_tuple_target)")
    for statement in _OLD_COLUMNS:
        op.execute(statement)
    op.execute("DROP TEXT SEARCH CONFIGURATION kb_search_english")
    op.execute("DROP TEXT SEARCH CONFIGURATION kb_search_simple")


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _upgrade_postgres()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _downgrade_postgres()
