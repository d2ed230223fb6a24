"""The knowledge base's rules: search, browsing, article views and feedback, articles just
for you, and what staff learn from them. Community discussions: kb/community.py, whose
threads search finds with the articles."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.business_hours import UK
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.db.tables import kb_articles
from frontdesk.errors import NotFound
from frontdesk.kb import index_store, store
from frontdesk.kb.markdown import plain_text, render
from frontdesk.kb.models import (
    PAGE_SIZE,
    Area,
    Article,
    ArticleIn,
    ArticleRow,
    BrowseFilters,
    BrowsePage,
    FeedbackComment,
    FeedbackRow,
    ForYouIn,
    Hit,
    MissedQuery,
    Saved,
    SearchPage,
    TagKind,
    Vote,
    VoteIn,
    page_count,
)
from frontdesk.kb.search import Limits, RawHit, SearchIndex, SqliteSearch
from frontdesk.kb.search_postgres import PostgresSearch
from frontdesk.kb.spelling import Speller
from frontdesk.kb.text import (
    MARK_START,
    STOPWORDS,
    clean,
    is_bot,
    marked_html,
    query_key,
    query_terms,
    suggestion_terms,
    tag_token,
    tag_tokens,
    title_key,
)

SUGGESTIONS = 8
FOR_YOU = 4
MAX_PAGE = 100
# How much each Contact Us choice says about an article: the narrower the choice, the more.
# Topics and subjects pick out a few articles; qualifications and customer types, many.
NARROW_TAGS = frozenset({TagKind.TOPIC, TagKind.SUBJECT})
FOR_YOU_WEIGHTS = {
    "subcategory": (TagKind.TOPIC, 8),
    "category": (TagKind.TOPIC, 5),
    "issue_type": (TagKind.TOPIC, 3),
    "qualification_subject": (TagKind.SUBJECT, 3),
    "qualification": (TagKind.QUALIFICATION, 2),
    "customer_type": (TagKind.ROLE, 2),
}


def visitor_key(token: str) -> str:
    """What the store keeps of a visitor: a hash, never the cookie or account id itself."""
    return hashlib.sha256(f"frontdesk-visitor:{token}".encode()).hexdigest()


def _hit(raw: RawHit) -> Hit:
    # The body's snippet when the match is there; otherwise the summary (articles), or
    # the body's opening words (threads that matched on their title).
    if MARK_START in raw.body_marked or not raw.summary_marked:
        snippet = raw.body_marked
    else:
        snippet = raw.summary_marked
    return Hit(
        kind=raw.kind,
        slug=raw.slug,
        title_html=str(marked_html(raw.title_marked)),
        snippet_html=str(marked_html(snippet)),
        updated_at=raw.updated_at,
        views=raw.views,
        reply_count=raw.reply_count,
    )


class KnowledgeBase:
    """Support articles, and search over them and the community's threads (which
    kb/community.py saves), for every page and API that shows them; one per node, over
    the store."""

    def __init__(self, engine: AsyncEngine, clock: Clock, limits: Limits | None = None) -> None:
        self._engine = engine
        self._clock = clock
        self._limits = limits or Limits()
        self._options: dict[TagKind, list[str]] = {}
        self._suggestion_queries: dict[tuple[int, int], Select[Any]] = {}
        self._options_version = -1
        self._index: SearchIndex = (
            SqliteSearch() if engine.dialect.name == "sqlite" else PostgresSearch()
        )
        self._speller = Speller({})
        self._speller_version = -1

    # Search ---------------------------------------------------------------------------------

    async def search(self, query: str, area: Area = Area.ALL, page: int = 1) -> SearchPage:
        """Every term first; then near-miss spellings corrected; then any term. A query
        that finds nothing at all is recorded for staff (once, on its first page)."""
        terms = query_terms(clean(query))
        page = min(max(page, 1), MAX_PAGE)
        cap = self._limits.count_cap
        async with reading(self._engine) as conn:
            found = await self._first_that_finds(conn, terms) if terms else None
            if found is not None:
                attempt, any_term, counts = found
                pages = min(page_count(counts[area], PAGE_SIZE), MAX_PAGE)
                page = min(page, pages)  # past the end: the last
                hits = await self._index.search(
                    conn, attempt, any_term=any_term, area=area,
                    limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE,
                    window=self._limits.rank_window if counts[Area.ALL] > cap else None,
                )  # fmt: skip
        if found is None:
            if terms and page == 1:
                await self.record_miss(query)
            return SearchPage(
                query=query, area=area, hits=[], total=0, counts=dict.fromkeys(Area, 0),
                page=1, pages=1,
            )  # fmt: skip
        return SearchPage(
            query=query,
            area=area,
            hits=[_hit(raw) for raw in hits],
            total=min(counts[area], cap),
            counts={each: min(n, cap) for each, n in counts.items()},
            more={each for each, n in counts.items() if n > cap},
            page=page,
            pages=pages,
            corrected=" ".join(attempt) if attempt != terms else None,
        )

    async def _first_that_finds(
        self, conn: AsyncConnection, terms: list[str]
    ) -> tuple[list[str], bool, dict[Area, int]] | None:
        """The first of: every term as typed, every term spelled right, any term spelled
        right, that finds something; with its counts by area. The speller (and its
        vocabulary's version) is only consulted when the words as typed find nothing."""
        cap = self._limits.count_cap + 1  # one more than shown: "1,000+"
        counts = await self._index.count(conn, terms, any_term=False, cap=cap)
        if counts[Area.ALL]:
            return terms, False, counts
        corrected = (await self._speller_for(conn)).correct_all(terms)
        attempts = [(corrected, False)] if corrected != terms else []
        for attempt, any_term in [*attempts, (corrected, True)]:
            counts = await self._index.count(conn, attempt, any_term=any_term, cap=cap)
            if counts[Area.ALL]:
                return attempt, any_term, counts
        return None

    async def _speller_for(self, conn: AsyncConnection) -> Speller:
        """The vocabulary, reloaded when any node has changed the documents since."""
        version = await index_store.select_version(conn)
        if version != self._speller_version:
            # A stopword is never a search term, so never what a typo becomes either.
            known = await index_store.select_words(conn)
            self._speller = Speller({w: n for w, n in known.items() if w not in STOPWORDS})
            self._speller_version = version
        return self._speller

    async def record_miss(self, query: str) -> None:
        key = query_key(query)
        if key:
            async with transaction(self._engine) as conn:
                await index_store.record_miss(conn, key, " ".join(query.split()), self._clock.now())

    async def suggest(self, typed: str, limit: int = SUGGESTIONS) -> list[ArticleRow]:
        """Articles whose title has words starting with every typed word, most read first.

        Two ways to the same answer, whichever reads less: few matches are collected from
        the title index and sorted; many (a short prefix) are found by reading the most
        viewed articles first until enough of their titles have such words."""
        terms = suggestion_terms(clean(typed))
        if not terms or len("".join(terms)) < 2:
            return []
        # Built once per number of words (building is most of a call's time); each call
        # gives its own words as parameters.
        query = self._suggestion_queries.get((len(terms), limit))
        if query is None:
            matches = self._index.title_prefix(terms)
            query = store.suggestions(matches, terms, limit, many=self._limits.many_titles)
            self._suggestion_queries[len(terms), limit] = query
        params = {"fts": self._index.prefix_query(terms), **store.title_start_params(terms)}
        async with reading(self._engine) as conn:
            # A suggestion shows its title, date and views: no tags to read.
            return await store.article_rows(conn, query, params, with_tags=False)

    async def browse(self, filters: BrowseFilters) -> BrowsePage:
        """Articles with the words in their title or summary, narrowed by every chosen
        filter, most read first.

        Words and filters are one full-text query (tags are indexed as words). As for
        suggestions, two ways to the same page: few matches are collected from the
        index and sorted; many are found by reading the most viewed articles first."""
        terms = query_terms(clean(filters.q))
        tags = [tag_token(kind.value, value) for kind, value in filters.tags()]
        cap = self._limits.count_cap
        matches = self._index.browsing(terms, tags) if terms or tags else None
        found = store.articles_query() if matches is None else select(matches.c.doc_id)
        async with reading(self._engine) as conn:
            total = await store.count_up_to(conn, found, cap + 1)
            pages = min(page_count(min(total, cap), PAGE_SIZE), MAX_PAGE)
            page = min(filters.page, pages)
            if matches is not None and total <= self._limits.many_browsed:
                query = store.matched_articles(matches)
            else:
                query = store.articles_query()
                if matches is not None:
                    query = query.where(self._index.browsed(terms, tags))
            ordered = query.order_by(kb_articles.c.views.desc(), kb_articles.c.id)
            rows = await store.article_rows(
                conn, ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
            )
        return BrowsePage(
            rows=rows, total=min(total, cap), page=page, pages=pages, more=total > cap
        )

    async def filter_options(self) -> dict[TagKind, list[str]]:
        """The tag values in use, by kind; kept until any node changes an article."""
        async with reading(self._engine) as conn:
            version = await index_store.select_version(conn)
            if version != self._options_version:
                self._options = await store.select_tag_values(conn)
                self._options_version = version
        return self._options

    async def for_you(self, choices: ForYouIn, limit: int = FOR_YOU) -> list[ArticleRow]:
        """Articles for the Contact Us choices made so far, narrowest choice first.

        Articles for the narrowest topic or subject chosen come first, ranked by the
        weights of all the choices they fit, then by views; then those for the next
        narrowest. The broad choices (qualification, customer type) only fill what is
        left: articles for both, then for either, most viewed first. With no choice, or
        none that fits, the most viewed articles."""
        weighted = [
            (kind, value, weight)
            for field, (kind, weight) in FOR_YOU_WEIGHTS.items()
            if (value := getattr(choices, field))
        ]
        narrow = [c for c in weighted if c[0] in NARROW_TAGS]
        broad = [c for c in weighted if c[0] not in NARROW_TAGS]
        found: list[ArticleRow] = []

        def wanted() -> int:
            return limit - len(found)

        def skip() -> list[str]:
            return [row.slug for row in found]

        async with reading(self._engine) as conn:
            for anchor in narrow:
                if wanted():
                    query = store.scored_for_you(weighted, anchor, skip(), wanted())
                    found += await store.article_rows(conn, query)
            for required in (broad, *([c] for c in broad), []):
                if wanted() and (required or not weighted or not found):
                    query = store.popular_with(required, skip(), wanted())
                    found += await store.article_rows(conn, query)
        return found

    # Articles -------------------------------------------------------------------------------

    async def article(self, slug: str) -> Article:
        async with reading(self._engine) as conn:
            found = await store.select_article(conn, slug)
        if found is None:
            raise NotFound("There is no such article.")
        return found

    async def read_article(self, slug: str, visitor: str, user_agent: str) -> Article:
        """The article, counting the view once per visitor per UK day, and never for bots."""
        article = await self.article(slug)
        if is_bot(user_agent):
            return article
        day = self._clock.now().astimezone(UK).date().isoformat()
        async with transaction(self._engine) as conn:
            counted = await store.record_view(conn, article.id, visitor_key(visitor), day)
        return article.model_copy(update={"views": article.views + 1}) if counted else article

    async def vote_of(self, slug: str, visitor: str) -> Vote | None:
        article = await self.article(slug)
        async with reading(self._engine) as conn:
            return await store.select_vote(conn, article.id, visitor_key(visitor))

    async def vote(self, slug: str, visitor: str, vote: VoteIn) -> Vote:
        """Record or change this visitor's vote. A vote without a comment keeps the
        comment given before; an empty comment removes it."""
        article = await self.article(slug)
        key = visitor_key(visitor)
        async with transaction(self._engine) as conn:
            await store.lock_article(conn, article.id)
            before = await store.select_vote(conn, article.id, key)
            comment = vote.comment if vote.comment is not None else (before and before.comment)
            saved = Vote(helpful=vote.helpful, comment=(comment or "").strip() or None)
            await store.save_vote(conn, article.id, key, saved, self._clock.now())
        return saved

    async def feedback_report(self) -> list[FeedbackRow]:
        async with reading(self._engine) as conn:
            return await store.select_feedback_report(conn)

    async def feedback_comments(self, slug: str) -> tuple[Article, list[FeedbackComment]]:
        article = await self.article(slug)
        async with reading(self._engine) as conn:
            return article, await store.select_feedback_comments(conn, article.id)

    async def missed_queries(self, limit: int = 200) -> list[MissedQuery]:
        async with reading(self._engine) as conn:
            return await index_store.select_misses(conn, limit)

    # Importing ------------------------------------------------------------------------------

    async def save_article(self, article: ArticleIn, source_hash: str) -> Saved:
        """Create or update the article with this slug; an unchanged source is skipped."""
        async with transaction(self._engine) as conn:
            found = await store.select_article_source(conn, article.slug)
            if found is not None and found[1] == source_hash:
                return "unchanged"
            body_html = render(article.body, trusted=True)
            values = {
                "slug": article.slug,
                "title": article.title,
                "title_key": title_key(article.title),
                "summary": article.summary,
                "body_md": article.body,
                "body_html": body_html,
                "source_hash": source_hash,
                "updated_at": datetime.combine(article.updated, datetime.min.time(), UTC),
            }
            if found is None:
                values |= {"views": article.views, "helpful_yes": 0, "helpful_no": 0}
            article_id = await store.save_article(conn, values, article.tags())
            document = {
                "kind": "article",
                "ref_id": article_id,
                "title": clean(article.title),
                "summary": clean(article.summary),
                "body": clean(plain_text(body_html)),
                "tags": tag_tokens([(k.value, v) for k, v in article.tags().pairs()]),
            }
            await index_store.save_documents(conn, [document])
        return "created" if found is None else "updated"
