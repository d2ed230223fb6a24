"""Full-text search on PostgreSQL: tsvector columns and GIN indexes (migration 0016).

kb_documents carries three generated vectors, all in the kb_search_english or
kb_search_simple configuration ('english' and 'simple' with accents removed first):
kb_search_vector (title A, summary B, body C; one GIN index per kind of document),
kb_search_brief (title A, summary B: small, kept in the row, with its own GIN index) and
kb_search_title (the title's words unstemmed, for prefixes). They index the text with
SPACED's characters read as spaces, and headlines are made from the same text, then
turned back, so that what is highlighted is what was indexed.

Why the queries look as they do, at 100k documents:
- A GIN index answers "which rows match" as a bitmap, in no useful order, and every row
  it names must still be read from the table: a common word means tens of thousands of
  rows. So an area is counted only up to the cap (the first rows the bitmap names), and
  a broad query's window, its newest matches, is read from a range of the newest ids
  that should hold enough of them: the bitmap is ANDed with that range of the primary
  key, and only the rows in both are read. The range comes from how many of the newest
  SAMPLE documents match; if it held too few, the whole bitmap is read after all (so
  the window is always exactly the newest matches).
- Title matches within the window are told apart with kb_search_brief, which is in the
  row, instead of the whole document's vector, which is not.
"""

# ruff: noqa: S608 - the statements are built from this module's constants and the kinds
# of document only; every value (words, limits) goes in as a bind parameter.
from __future__ import annotations

from sqlalchemy import ColumnElement, Subquery, TextClause, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import kb_articles, kb_documents
from frontdesk.kb.models import Area
from frontdesk.kb.search import (
    HIT_COLUMNS,
    HIT_JOINS,
    SNIPPET_WORDS,
    RawHit,
    hits,
    with_all,
)
from frontdesk.kb.text import MARK_END, MARK_START

CONFIG = "kb_search_english"
# The characters from which PostgreSQL's parser builds tags (whose text it then drops),
# entities, paths, e-mail addresses and host names, each made a control character that
# it reads as a space; `text.clean` keeps those out of every document, so a headline's
# text can be turned back exactly. Migration 0016 indexes the text spaced the same way.
_SPECIAL, _STANDINS = "<>&/@.:", "\\x04\\x05\\x06\\x07\\x08\\x0e\\x0f"
SPACED = f"translate({{}}, '{_SPECIAL}', E'{_STANDINS}')"
UNSPACED = f"translate({{}}, E'{_STANDINS}', '{_SPECIAL}')"
# Newest documents looked at to guess how far back a broad query's window reaches, and
# how many of them must match for the guess to be used rather than reading every match.
SAMPLE, SURE = 256, 8
_KINDS = {Area.ALL: ("article", "discussion"), Area.ARTICLES: ("article",),
          Area.DISCUSSIONS: ("discussion",)}  # fmt: skip
_QUERY = f"q AS (SELECT websearch_to_tsquery('{CONFIG}', :query) AS query"
_WITH_TITLE = f"{_QUERY}, to_tsquery('{CONFIG}', :in_title) AS in_title)"
# A document of this kind matches (the condition names the kind, so the planner uses
# that kind's own GIN index).
_MATCH = "d.kind = '{kind}' AND d.kb_search_vector @@ (SELECT query FROM q)"


def _headline(column: str, options: str) -> str:
    return UNSPACED.format(f"ts_headline('{CONFIG}', {SPACED.format(column)}, q.query, {options})")


def _ranked(kinds: tuple[str, ...]) -> str:
    """Every match scored: fewer than the cap, so few enough to read."""
    scored = " UNION ALL ".join(
        f"SELECT d.id, ts_rank(d.kb_search_vector, (SELECT query FROM q)) AS score "
        f"FROM kb_documents d WHERE {_MATCH.format(kind=kind)}"
        for kind in kinds
    )
    return f"""page AS (SELECT id, score FROM ({scored}) AS m
        ORDER BY score DESC, id LIMIT :limit OFFSET :offset)"""


def _windowed(kinds: tuple[str, ...]) -> str:
    """The newest :window matches of each kind, title matches first, then the newest."""
    hit = " OR ".join(f"(s.kind = '{kind}' AND s.kb_search_vector @@ (SELECT query FROM q))"
                      for kind in kinds)  # fmt: skip
    # How far back the window reaches, per kind: twice what the sample's share of
    # matches says; 0 when too few of the sample match to tell (read every match).
    floors = ", ".join(
        f"""CASE WHEN count(*) FILTER (WHERE kind = '{kind}' AND hit) >= {SURE}
            THEN max(id) - (2.0 * :window * (max(id) - min(id) + 1)
                / count(*) FILTER (WHERE kind = '{kind}' AND hit))::bigint
            ELSE 0 END AS {kind}"""
        for kind in kinds
    )
    parts = [
        f"""sample AS (SELECT s.id, s.kind, {hit} AS hit FROM (SELECT id, kind, kb_search_vector
            FROM kb_documents ORDER BY id DESC LIMIT {SAMPLE}) AS s),
        floors AS MATERIALIZED (SELECT {floors} FROM sample)"""
    ]
    chosen = "d.id, (d.kb_search_brief @@ (SELECT in_title FROM q)) AS in_title"
    window: list[str] = []
    for kind in kinds:
        floor, match = f"coalesce((SELECT {kind} FROM floors), 0)", _MATCH.format(kind=kind)
        parts.append(f"""near_{kind} AS MATERIALIZED (SELECT {chosen} FROM kb_documents d
            WHERE {floor} > 0 AND {match} AND d.id >= {floor}
            ORDER BY d.id DESC LIMIT :window),
        all_{kind} AS MATERIALIZED (SELECT {chosen} FROM kb_documents d
            WHERE ({floor} <= 0 OR (SELECT count(*) FROM near_{kind}) < :window) AND {match}
            ORDER BY d.id DESC LIMIT :window)""")  # fmt: skip
        window += [f"SELECT * FROM near_{kind}", f"SELECT * FROM all_{kind}"]
    parts.append(f"""window_ AS (SELECT id, in_title FROM ({" UNION ".join(window)}) AS w
            ORDER BY id DESC LIMIT :window),
        page AS (SELECT id, in_title::int * 1e15 + id AS score FROM window_
            ORDER BY score DESC LIMIT :limit OFFSET :offset)""")
    return ",\n".join(parts)


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
        window: int | None,
    ) -> list[RawHit]:
        kinds = _KINDS[area]
        marks = f"StartSel={MARK_START}, StopSel={MARK_END}"
        query = text(f"""
            WITH {_WITH_TITLE},
            {_windowed(kinds) if window else _ranked(kinds)}
            SELECT {HIT_COLUMNS},
                {_headline("d.title", ":all_words")} AS title_marked,
                {_headline("d.summary", ":all_words")} AS summary_marked,
                {_headline("d.body", ":snippet")} AS body_marked
            FROM page JOIN kb_documents d ON d.id = page.id {HIT_JOINS}, q
            ORDER BY page.score DESC, page.id""")
        params = {
            "query": self._query(terms, any_term),
            "in_title": (" | " if any_term else " & ").join(f"{term}:A" for term in terms),
            "all_words": f"{marks}, HighlightAll=true",
            "snippet": f"{marks}, MaxWords={SNIPPET_WORDS}, MinWords=12, ShortWord=2, "
            "MaxFragments=1, FragmentDelimiter=…",
            "limit": limit,
            "offset": offset,
        }
        if window:
            params["window"] = window
        # Planned for these words every time: a plan cached for any words (after five runs
        # of a prepared statement) knows neither how common they are nor how far back a
        # window reaches, and may walk the whole primary key for a rare word.
        await conn.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        return await hits(conn, query, params)

    async def count(
        self, conn: AsyncConnection, terms: list[str], *, any_term: bool, cap: int
    ) -> dict[Area, int]:
        capped = f"""(SELECT count(*) FROM (SELECT 1 FROM kb_documents d
            WHERE {_MATCH} LIMIT :cap) AS m)"""
        both = text(f"""
            WITH {_QUERY})
            SELECT {capped.format(kind="article")}, {capped.format(kind="discussion")}""")
        params = {"query": self._query(terms, any_term), "cap": cap}
        articles, discussions = (await conn.execute(both, params)).one()
        return with_all(int(articles), int(discussions))

    def prefix_query(self, terms: list[str]) -> str:
        return " & ".join(f"{term}:*" for term in terms)

    @staticmethod
    def _browse_match(terms: list[str], tags: list[str]) -> TextClause:
        # The brief vector holds the title, summary and tags alone: no weights to
        # recheck, and in the row. Tags are words of the 'simple' configuration.
        words = f"to_tsquery('{CONFIG}', :browse_words)" if terms else None
        tagged = "to_tsquery('simple', :browse_tags)" if tags else None
        query = " && ".join(q for q in (words, tagged) if q)
        return text(f"kb_documents.kb_search_brief @@ ({query})").bindparams(
            **({"browse_words": " & ".join(terms)} if terms else {}),
            **({"browse_tags": " & ".join(tags)} if tags else {}),
        )

    def browsing(self, terms: list[str], tags: list[str]) -> Subquery:
        return (
            select(kb_documents.c.id.label("doc_id"))
            .where(kb_documents.c.kind == "article", self._browse_match(terms, tags))
            .subquery("matches")
        )

    def browsed(self, terms: list[str], tags: list[str]) -> ColumnElement[bool]:
        # The article's document by its kind and ref_id, its brief vector tested there.
        return (
            select(kb_documents.c.id)
            .where(
                kb_documents.c.kind == "article",
                kb_documents.c.ref_id == kb_articles.c.id,
                self._browse_match(terms, tags),
            )
            .exists()
        )

    def title_prefix(self, terms: list[str]) -> Subquery:
        return self._matches(
            "kb_search_title @@ to_tsquery('kb_search_simple', :fts)", self.prefix_query(terms)
        )

    @staticmethod
    def _matches(condition: str, query: str) -> Subquery:
        return (
            select(kb_documents.c.id.label("doc_id"))
            .where(text(condition).bindparams(fts=query))
            .subquery("matches")
        )
