"""Full-text search, one implementation per store, behind one interface.

SQLite answers with FTS5 (bm25 with column weights, highlight, snippet), here;
PostgreSQL with its text search (ts_rank over weighted tsvectors, ts_headline), in
search_postgres.py. Both put MARK_START and
MARK_END around matched words, which `text.marked_html` turns into safe <mark> elements.
Terms reach either store only as words made of letters and digits (`text.query_terms`),
so no query can use, or break, a store's query syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Subquery, TextClause, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import kb_articles, kb_documents
from frontdesk.db.types import UTCDateTime
from frontdesk.kb.models import Area
from frontdesk.kb.text import MARK_END, MARK_START

# How much more a match in the title counts than one in the summary, than one in the body.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
SNIPPET_WORDS = 28


@dataclass(frozen=True)
class Limits:
    """How much work one search may do, whatever the size of the knowledge base."""

    # Counts are exact up to here (a page shows "1,000+" past it; nobody pages further).
    count_cap: int = 1000
    # A query matching more than count_cap is broad: its words say little, and scoring
    # every match would be a pass over much of the index, so only the newest rank_window
    # matches are ranked: those with the words in the title first, then the newest.
    rank_window: int = 1000
    # Title suggestions with more matches than this read articles by views instead (in
    # an index that holds each title's words). Either way costs about as much at 200 of
    # 100,000 titles: each match collected is two rows read, each article passed over
    # only an index entry.
    many_titles: int = 200
    # So does Browse Articles: more matches than this are found by reading articles most
    # viewed first (testing each), fewer are collected from the index and sorted.
    many_browsed: int = 500


@dataclass(frozen=True)
class RawHit:
    kind: Area
    slug: str
    title_marked: str
    summary_marked: str
    body_marked: str
    updated_at: datetime
    views: int | None
    reply_count: int | None


class SearchIndex(Protocol):
    async def search(
        self,
        conn: AsyncConnection,
        terms: list[str],
        *,
        any_term: bool,
        area: Area,
        limit: int,
        offset: int,
        window: int | None,
    ) -> list[RawHit]:
        """A page of the documents matching every term (or any, if `any_term`), best
        first; with a `window`, best among the newest `window` matches."""
        ...

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool, cap: int
    ) -> dict[Area, int]:
        """How many documents match, by area, each counted up to `cap`."""
        ...

    def browsing(self, terms: list[str], tags: list[str]) -> Subquery:
        """The articles' documents (column doc_id) with every term in the title or
        summary and every tag token (text.tag_token): for a query to start from,
        joining kb_documents by key (never for an IN test, which a planner may turn
        into one full-text lookup per document)."""
        ...

    def browsed(self, terms: list[str], tags: list[str]) -> ColumnElement[bool]:
        """Condition on kb_articles: the article's document is one of browsing(terms,
        tags), tested row by row, cheaply, for a query reading articles most viewed first."""
        ...

    def title_prefix(self, terms: list[str]) -> Subquery:
        """The documents (column doc_id) whose title has words starting with every term;
        its one parameter, "fts", is `prefix_query(terms)`."""
        ...

    def prefix_query(self, terms: list[str]) -> str:
        """The value of title_prefix's "fts" parameter for these terms."""
        ...


# The columns every search query returns; views and reply counts from their own tables.
HIT_COLUMNS = """
    d.kind AS kind,
    COALESCE(a.slug, t.slug) AS slug,
    COALESCE(a.updated_at, t.last_reply_at, t.created_at) AS updated_at,
    a.views AS views,
    t.reply_count AS reply_count"""
HIT_JOINS = """
    LEFT JOIN kb_articles a ON d.kind = 'article' AND a.id = d.ref_id
    LEFT JOIN kb_discussions t ON d.kind = 'discussion' AND t.id = d.ref_id"""
KIND = {Area.ARTICLES: "article", Area.DISCUSSIONS: "discussion"}
AREA = {"article": Area.ARTICLES, "discussion": Area.DISCUSSIONS}


async def hits(conn: AsyncConnection, query: TextClause, params: dict[str, Any]) -> list[RawHit]:
    rows = await conn.execute(query.columns(updated_at=UTCDateTime), params)
    return [
        RawHit(
            kind=AREA[row.kind],
            slug=row.slug,
            title_marked=row.title_marked,
            summary_marked=row.summary_marked or "",
            body_marked=row.body_marked or "",
            updated_at=row.updated_at,
            views=row.views,
            reply_count=row.reply_count,
        )
        for row in rows
    ]


def with_all(articles: int, discussions: int) -> dict[Area, int]:
    return {
        Area.ALL: articles + discussions,
        Area.ARTICLES: articles,
        Area.DISCUSSIONS: discussions,
    }


class SqliteSearch:
    """FTS5: kb_search_fts (title, summary, body, kind), kb_search_titles (title)."""

    # Every match scored by bm25, the title weighing most, then the summary, the body.
    _RANKED = """page AS (
        SELECT rowid AS id, bm25(kb_search_fts, :tw, :sw, :bw, 0) AS score
        FROM kb_search_fts WHERE kb_search_fts MATCH :match
        ORDER BY score, id LIMIT :limit OFFSET :offset)"""
    # A broad query: its newest matches (FTS5 reads them newest first and stops), those
    # with the words in the title first. No bm25: before scoring anything, it reads the
    # whole posting list of every query word, which is what makes a common word slow.
    _WINDOWED = """window_ AS MATERIALIZED (
        SELECT rowid AS id FROM kb_search_fts WHERE kb_search_fts MATCH :match
        ORDER BY rowid DESC LIMIT :window),
    titled AS (
        SELECT rowid AS id FROM kb_search_fts WHERE kb_search_fts MATCH :in_title
        AND rowid >= (SELECT min(id) FROM window_)),
    page AS (
        SELECT window_.id, (titled.id IS NULL) * 1e15 - window_.id AS score
        FROM window_ LEFT JOIN titled ON titled.id = window_.id
        ORDER BY score LIMIT :limit OFFSET :offset)"""

    @staticmethod
    def _match(
        terms: list[str], any_term: bool, area: Area = Area.ALL, columns: str = "title summary body"
    ) -> str:
        phrases = (" OR " if any_term else " ").join(f'"{term}"' for term in terms)
        # Words are looked for in the text only: never in the kind column.
        match = f"{{{columns}}} : ({phrases})"
        return match if area is Area.ALL else f'{match} AND {{kind}} : "{KIND[area]}"'

    async def search(
        self,
        conn: AsyncConnection,
        terms: list[str],
        *,
        any_term: bool,
        area: Area,
        limit: int,
        offset: int,
        window: int | None,
    ) -> list[RawHit]:
        # Rank and page first; highlight only the page's documents.
        query = text(f"""
            WITH {self._WINDOWED if window else self._RANKED}
            SELECT {HIT_COLUMNS},
                highlight(kb_search_fts, 0, :ms, :me) AS title_marked,
                highlight(kb_search_fts, 1, :ms, :me) AS summary_marked,
                snippet(kb_search_fts, 2, :ms, :me, '…', :words) AS body_marked
            FROM page
            JOIN kb_search_fts ON kb_search_fts.rowid = page.id
            JOIN kb_documents d ON d.id = page.id {HIT_JOINS}
            WHERE kb_search_fts MATCH :match
            ORDER BY page.score, page.id""")  # noqa: S608 - no values in the text, only binds
        params = {
            "match": self._match(terms, any_term, area),
            "in_title": self._match(terms, any_term, area, columns="title"),
            "tw": TITLE_WEIGHT,
            "sw": SUMMARY_WEIGHT,
            "bw": BODY_WEIGHT,
            "ms": MARK_START,
            "me": MARK_END,
            "words": SNIPPET_WORDS,
            "limit": limit,
            "offset": offset,
            "window": window,
        }
        return await hits(conn, query, params)

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool, cap: int
    ) -> dict[Area, int]:
        # Each area counted in the index (its kind column), both in one round trip.
        capped = "(SELECT count(*) FROM (SELECT 1 FROM kb_search_fts " \
            "WHERE kb_search_fts MATCH :{area} LIMIT :cap))"  # fmt: skip
        both = text(f"SELECT {capped.format(area='articles')}, {capped.format(area='discussions')}")
        params = {
            "articles": self._match(terms, any_term, Area.ARTICLES),
            "discussions": self._match(terms, any_term, Area.DISCUSSIONS),
            "cap": cap,
        }
        articles, discussions = (await conn.execute(both, params)).one()
        return with_all(int(articles), int(discussions))

    def prefix_query(self, terms: list[str]) -> str:
        return " ".join(f'"{term}"*' for term in terms)

    @classmethod
    def _browse_match(cls, terms: list[str], tags: list[str]) -> str:
        parts = [cls._match(terms, False, columns="title summary")] if terms else []
        quoted = " ".join(f'"{tag}"' for tag in tags)
        parts += [f"{{tags}} : ({quoted})"] if tags else []
        # Tags are an article's only, but words are also in discussions.
        return " AND ".join([*parts, f'{{kind}} : "{KIND[Area.ARTICLES]}"'])

    def browsing(self, terms: list[str], tags: list[str]) -> Subquery:
        return self._matches("kb_search_fts", self._browse_match(terms, tags))

    def browsed(self, terms: list[str], tags: list[str]) -> ColumnElement[bool]:
        # The article's document by its kind and ref_id (an index holding its rowid),
        # then that rowid among the matches, which SQLite collects once for the query:
        # neither reads a document's row.
        matches = self.browsing(terms, tags)
        return (
            select(kb_documents.c.id)
            .where(
                kb_documents.c.kind == KIND[Area.ARTICLES],
                kb_documents.c.ref_id == kb_articles.c.id,
                kb_documents.c.id.in_(select(matches.c.doc_id)),
            )
            .exists()
        )

    def title_prefix(self, terms: list[str]) -> Subquery:
        return self._matches("kb_search_titles", self.prefix_query(terms))

    @staticmethod
    def _matches(table: str, match: str) -> Subquery:
        return (
            text(f"SELECT rowid AS doc_id FROM {table} WHERE {table} MATCH :fts")  # noqa: S608
            .bindparams(fts=match)
            .columns(literal_column("doc_id"))
            .subquery("matches")
        )
