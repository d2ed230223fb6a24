"""Full-text search, one implementation per store, behind one interface.

SQLite answers with FTS5 (bm25 with column weights, highlight, snippet); PostgreSQL with
its text search (ts_rank over weighted tsvectors, ts_headline). Both put MARK_START and
MARK_END around matched words, which `text.marked_html` turns into safe <mark> elements.
Terms reach either store only as words made of letters and digits (`text.query_terms`),
so no query can use, or break, a store's query syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Select, TextClause, literal_column, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import kb_documents
from frontdesk.db.types import UTCDateTime
from frontdesk.kb.models import Area
from frontdesk.kb.text import MARK_END, MARK_START

# How much more a match in the title counts than one in the summary, than one in the body.
TITLE_WEIGHT, SUMMARY_WEIGHT, BODY_WEIGHT = 10.0, 4.0, 1.0
SNIPPET_WORDS = 28


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
    ) -> list[RawHit]:
        """The page of documents matching every term (or any, if `any_term`), best first."""
        ...

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool
    ) -> dict[Area, int]:
        """How many documents match, by area."""
        ...

    def article_ids(self, terms: list[str], *, title_and_summary: bool) -> Select[Any]:
        """Ids of the articles matching every term, for other queries to filter by."""
        ...

    def title_prefix(self, terms: list[str]) -> Select[Any]:
        """Ids of the articles whose title has words starting with every term."""
        ...


def search_index(dialect: str) -> SearchIndex:
    return SqliteSearch() if dialect == "sqlite" else PostgresSearch()


# The columns every search query returns; views and reply counts from their own tables.
_HIT_COLUMNS = """
    d.kind AS kind,
    COALESCE(a.slug, t.slug) AS slug,
    COALESCE(a.updated_at, t.last_reply_at, t.created_at) AS updated_at,
    a.views AS views,
    t.reply_count AS reply_count"""
_HIT_JOINS = """
    LEFT JOIN kb_articles a ON d.kind = 'article' AND a.id = d.ref_id
    LEFT JOIN kb_discussions t ON d.kind = 'discussion' AND t.id = d.ref_id"""
_KIND = {Area.ARTICLES: "article", Area.DISCUSSIONS: "discussion"}
_AREA = {"article": Area.ARTICLES, "discussion": Area.DISCUSSIONS}


def _kind_clause(area: Area) -> str:
    return "" if area is Area.ALL else "AND d.kind = :kind"


async def _hits(conn: AsyncConnection, query: TextClause, params: dict[str, Any]) -> list[RawHit]:
    rows = await conn.execute(query.columns(updated_at=UTCDateTime), params)
    return [
        RawHit(
            kind=_AREA[row.kind],
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


def _counts(rows: Any) -> dict[Area, int]:
    counts = {Area.ARTICLES: 0, Area.DISCUSSIONS: 0}
    for kind, number in rows:
        counts[_AREA[kind]] = int(number)
    counts[Area.ALL] = counts[Area.ARTICLES] + counts[Area.DISCUSSIONS]
    return counts


class SqliteSearch:
    @staticmethod
    def _match(terms: list[str], any_term: bool, columns: str = "") -> str:
        phrases = (" OR " if any_term else " ").join(f'"{term}"' for term in terms)
        return f"{{{columns}}} : ({phrases})" if columns else phrases

    async def search(
        self,
        conn: AsyncConnection,
        terms: list[str],
        *,
        any_term: bool,
        area: Area,
        limit: int,
        offset: int,
    ) -> list[RawHit]:
        # Rank and page first; highlight only the page's documents.
        query = text(f"""
            WITH page AS (
                SELECT kb_search_fts.rowid AS id, bm25(kb_search_fts, :tw, :sw, :bw) AS score
                FROM kb_search_fts JOIN kb_documents d ON d.id = kb_search_fts.rowid
                WHERE kb_search_fts MATCH :match {_kind_clause(area)}
                ORDER BY score, id LIMIT :limit OFFSET :offset
            )
            SELECT {_HIT_COLUMNS},
                highlight(kb_search_fts, 0, :ms, :me) AS title_marked,
                highlight(kb_search_fts, 1, :ms, :me) AS summary_marked,
                snippet(kb_search_fts, 2, :ms, :me, '…', :words) AS body_marked
            FROM page
            JOIN kb_search_fts ON kb_search_fts.rowid = page.id
            JOIN kb_documents d ON d.id = page.id {_HIT_JOINS}
            WHERE kb_search_fts MATCH :match
            ORDER BY page.score, page.id""")  # noqa: S608 - no values in the text, only binds
        params = {
            "match": self._match(terms, any_term),
            "tw": TITLE_WEIGHT,
            "sw": SUMMARY_WEIGHT,
            "bw": BODY_WEIGHT,
            "ms": MARK_START,
            "me": MARK_END,
            "words": SNIPPET_WORDS,
            "limit": limit,
            "offset": offset,
            "kind": _KIND.get(area, ""),
        }
        return await _hits(conn, query, params)

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool
    ) -> dict[Area, int]:
        rows = await conn.execute(
            text("""
                SELECT d.kind, count(*) FROM kb_search_fts JOIN kb_documents d
                    ON d.id = kb_search_fts.rowid
                WHERE kb_search_fts MATCH :match GROUP BY d.kind"""),
            {"match": self._match(terms, any_term)},
        )
        return _counts(rows)

    def article_ids(self, terms: list[str], *, title_and_summary: bool) -> Select[Any]:
        match = self._match(terms, False, "title summary" if title_and_summary else "")
        return (
            select(kb_documents.c.ref_id)
            .select_from(kb_documents)
            .where(
                kb_documents.c.kind == "article",
                kb_documents.c.id.in_(
                    text("SELECT rowid FROM kb_search_fts WHERE kb_search_fts MATCH :browse")
                    .bindparams(browse=match)
                    .columns(literal_column("rowid"))
                ),
            )
        )

    def title_prefix(self, terms: list[str]) -> Select[Any]:
        match = " ".join(f'"{term}"*' for term in terms)
        return (
            select(kb_documents.c.ref_id)
            .select_from(kb_documents)
            .where(
                kb_documents.c.kind == "article",
                kb_documents.c.id.in_(
                    text("SELECT rowid FROM kb_search_titles WHERE kb_search_titles MATCH :prefix")
                    .bindparams(prefix=match)
                    .columns(literal_column("rowid"))
                ),
            )
        )


class PostgresSearch:
    @staticmethod
    def _query(terms: list[str], any_term: bool) -> str:
        # websearch_to_tsquery never fails on its input; "or" between words means either.
        return (" or " if any_term else " ").join(terms)

    async def search(
        self,
        conn: AsyncConnection,
        terms: list[str],
        *,
        any_term: bool,
        area: Area,
        limit: int,
        offset: int,
    ) -> list[RawHit]:
        # ts_rank's default weights: A (title) 1.0, B (summary) 0.4, C (body) 0.2.
        query = text(f"""
            WITH q AS (SELECT websearch_to_tsquery('english', :query) AS query),
            page AS (
                SELECT d.id, ts_rank(d.kb_search_vector, q.query) AS score
                FROM kb_documents d, q
                WHERE d.kb_search_vector @@ q.query {_kind_clause(area)}
                ORDER BY score DESC, d.id LIMIT :limit OFFSET :offset
            )
            SELECT {_HIT_COLUMNS},
                ts_headline('english', d.title, q.query, :all_words) AS title_marked,
                ts_headline('english', d.summary, q.query, :all_words) AS summary_marked,
                ts_headline('english', d.body, q.query, :snippet) AS body_marked
            FROM page JOIN kb_documents d ON d.id = page.id {_HIT_JOINS}, q
            ORDER BY page.score DESC, page.id""")  # noqa: S608 - no values in the text
        marks = f"StartSel={MARK_START}, StopSel={MARK_END}"
        params = {
            "query": self._query(terms, any_term),
            "all_words": f"{marks}, HighlightAll=true",
            "snippet": f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords=12, ShortWord=2, "
            "MaxFragments=1, FragmentDelimiter=…",
            "limit": limit,
            "offset": offset,
            "kind": _KIND.get(area, ""),
        }
        return await _hits(conn, query, params)

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool
    ) -> dict[Area, int]:
        rows = await conn.execute(
            text("""
                SELECT d.kind, count(*) FROM kb_documents d
                WHERE d.kb_search_vector @@ websearch_to_tsquery('english', :query)
                GROUP BY d.kind"""),
            {"query": self._query(terms, any_term)},
        )
        return _counts(rows)

    def article_ids(self, terms: list[str], *, title_and_summary: bool) -> Select[Any]:
        weights = ":AB" if title_and_summary else ""
        query = " & ".join(f"{term}{weights}" for term in terms)
        return select(kb_documents.c.ref_id).where(
            kb_documents.c.kind == "article",
            text("kb_search_vector @@ to_tsquery('english', :browse)").bindparams(browse=query),
        )

    def title_prefix(self, terms: list[str]) -> Select[Any]:
        query = " & ".join(f"{term}:*" for term in terms)
        return select(kb_documents.c.ref_id).where(
            kb_documents.c.kind == "article",
            text("kb_search_title @@ to_tsquery('simple', :prefix)").bindparams(prefix=query),
        )
