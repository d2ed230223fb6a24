"""Knowledge-base API: search, title suggestions, articles just for you, and votes.
None of it needs a sign-in: browsing articles is open to everyone (DESIGN, Accounts)."""

from __future__ import annotations

from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.business_hours import UK
from frontdesk.kb.models import Area, Article, ArticleRow, ForYouIn, Hit, SearchPage, Vote, VoteIn
from frontdesk.kb.text import clean, mark_terms, query_terms
from frontdesk.web.context import services
from frontdesk.web.visitors import remember_visitor, visitor

blueprint = Blueprint("kb_api", __name__, url_prefix="/api/v1/kb")
blueprint.after_request(remember_visitor)

MAX_QUERY = 200
MAX_PAGE = 100


def uk_date(at: datetime) -> str:
    """The date as the guide shows article dates ("21 June 2022"), in UK time."""
    day = at.astimezone(UK)
    return f"{day.day} {day:%B %Y}"


def article_url(slug: str) -> str:
    return f"/articles/{slug}"


def hit_url(hit: Hit) -> str:
    return article_url(hit.slug) if hit.kind is Area.ARTICLES else f"/community/{hit.slug}"


# Shapes in ----------------------------------------------------------------------------


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SuggestionsQuery(_In):
    q: str = Field(default="", max_length=MAX_QUERY)


class SearchQuery(_In):
    q: str = Field(default="", max_length=MAX_QUERY)
    area: Area = Area.ALL
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


# Shapes out ---------------------------------------------------------------------------


class ArticleOut(BaseModel):
    """An article in a list. `title_html` is the title escaped, typed words in <mark>."""

    slug: str
    url: str
    title: str
    title_html: str
    summary: str
    views: int
    updated: str
    updated_at: datetime

    @classmethod
    def of(cls, row: ArticleRow, typed: str = "") -> Self:
        terms = query_terms(clean(typed))
        return cls(
            slug=row.slug, url=article_url(row.slug), title=row.title,
            title_html=str(mark_terms(row.title, terms)), summary=row.summary,
            views=row.views, updated=uk_date(row.updated_at), updated_at=row.updated_at,
        )  # fmt: skip


class ArticleListOut(BaseModel):
    items: list[ArticleOut]


class HitOut(BaseModel):
    """One result; `title_html` and `snippet_html` are escaped text with <mark> only."""

    kind: Area
    slug: str
    url: str
    title_html: str
    snippet_html: str
    updated: str
    updated_at: datetime
    views: int | None
    reply_count: int | None

    @classmethod
    def of(cls, hit: Hit) -> Self:
        return cls(
            **hit.model_dump(), url=hit_url(hit), updated=uk_date(hit.updated_at)
        )  # fmt: skip


class SearchOut(BaseModel):
    """Counts stop at 1,000: an area listed in `more` has more results than counted."""

    query: str
    area: Area
    total: int
    counts: dict[Area, int]
    more: set[Area]
    page: int
    pages: int
    corrected: str | None
    hits: list[HitOut]

    def count_text(self, area: Area) -> str:
        """How a count reads on the page: "9", "1,000+"."""
        return f"{self.counts[area]:,}{'+' if area in self.more else ''}"

    @classmethod
    def of(cls, found: SearchPage) -> Self:
        return cls(
            **found.model_dump(exclude={"hits"}), hits=[HitOut.of(hit) for hit in found.hits]
        )


class VoteOut(BaseModel):
    """This visitor's vote (`helpful` null before any) and the article's tallies."""

    helpful: bool | None
    comment: str | None
    helpful_yes: int
    helpful_no: int

    @classmethod
    def of(cls, vote: Vote | None, article: Article) -> Self:
        return cls(
            helpful=vote.helpful if vote else None, comment=vote.comment if vote else None,
            helpful_yes=article.helpful_yes, helpful_no=article.helpful_no,
        )  # fmt: skip


# Routes --------------------------------------------------------------------------------


@blueprint.get("/suggestions")
@tag(["kb"])
@validate_querystring(SuggestionsQuery)
@validate_response(ArticleListOut)
async def get_suggestions(query_args: SuggestionsQuery) -> ArticleListOut:
    """Articles whose title has words starting with every typed word, most viewed first."""
    rows = await services().kb.suggest(query_args.q)
    return ArticleListOut(items=[ArticleOut.of(row, query_args.q) for row in rows])


@blueprint.get("/search")
@tag(["kb"])
@validate_querystring(SearchQuery)
@validate_response(SearchOut)
async def get_search(query_args: SearchQuery) -> SearchOut:
    """Articles and community discussions matching the words, one page of one area."""
    found = await services().kb.search(query_args.q, query_args.area, query_args.page)
    return SearchOut.of(found)


@blueprint.get("/for-you")
@tag(["kb"])
@validate_querystring(ForYouIn)
@validate_response(ArticleListOut)
async def get_for_you(query_args: ForYouIn) -> ArticleListOut:
    """Articles just for you: those that best fit the Contact Us choices made so far."""
    rows = await services().kb.for_you(query_args)
    return ArticleListOut(items=[ArticleOut.of(row) for row in rows])


@blueprint.get("/articles/<slug>/vote")
@tag(["kb"])
@validate_response(VoteOut)
async def get_vote(slug: str) -> VoteOut:
    """This visitor's vote on the article, if any, with the article's tallies."""
    kb = services().kb
    vote = await kb.vote_of(slug, visitor())
    return VoteOut.of(vote, await kb.article(slug))


@blueprint.put("/articles/<slug>/vote")
@tag(["kb"])
@validate_request(VoteIn)
@validate_response(VoteOut)
async def put_vote(slug: str, data: VoteIn) -> VoteOut:
    """Vote the article helpful or not, or change the vote; a comment is optional (left
    out, the earlier comment stays; empty, it is removed)."""
    kb = services().kb
    vote = await kb.vote(slug, visitor(), data)
    return VoteOut.of(vote, await kb.article(slug))
