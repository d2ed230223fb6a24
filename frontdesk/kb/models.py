"""Knowledge-base shapes: what is imported, stored, searched and shown."""

from __future__ import annotations

import math
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# One page of search results, of articles browsed, and of community threads.
PAGE_SIZE = 10
# What saving an imported article or thread did.
Saved = Literal["created", "updated", "unchanged"]


def page_count(total: int, size: int) -> int:
    return max(1, math.ceil(total / size))


class TagKind(StrEnum):
    """What an article is for, in the Contact Us taxonomy's words."""

    ROLE = "role"
    QUALIFICATION = "qualification"
    SUBJECT = "subject"
    TOPIC = "topic"  # "I need information about": issue types, categories, subcategories


class Area(StrEnum):
    """The parts of the site a search can be narrowed to."""

    ALL = "all"
    ARTICLES = "articles"
    DISCUSSIONS = "discussions"


class Tags(BaseModel):
    model_config = ConfigDict(frozen=True)

    roles: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def pairs(self) -> list[tuple[TagKind, str]]:
        return [
            *((TagKind.ROLE, v) for v in self.roles),
            *((TagKind.QUALIFICATION, v) for v in self.qualifications),
            *((TagKind.SUBJECT, v) for v in self.subjects),
            *((TagKind.TOPIC, v) for v in self.topics),
        ]


# A tag value as kb_article_tags.value holds it: checked here so that an import finds a
# too-long value before it saves anything, not in PostgreSQL's varchar half-way through.
Tag = Annotated[str, Field(max_length=200)]


def _text(value: str) -> str:
    return " ".join(value.split())


class ArticleIn(BaseModel):
    """An article as a Markdown file's front matter and body describe it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=500)
    roles: list[Tag] = []
    qualifications: list[Tag] = []
    subjects: list[Tag] = []
    topics: list[Tag] = []
    updated: date
    views: int = Field(default=0, ge=0)
    body: str = Field(min_length=1)

    _clean_title = field_validator("title", "summary")(_text)

    def tags(self) -> Tags:
        return Tags(
            roles=tuple(self.roles),
            qualifications=tuple(self.qualifications),
            subjects=tuple(self.subjects),
            topics=tuple(self.topics),
        )


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    author: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)
    created: datetime
    staff: bool = False
    answer: bool = False


class DiscussionIn(BaseModel):
    """A community thread as imported: the question and its replies."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    slug: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=120)
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=200)
    author_role: str = Field(default="", max_length=100)  # kb_discussions.author_role
    created: datetime
    topics: list[str] = []
    replies: list[ReplyIn] = []
    body: str = Field(min_length=1)

    _clean_title = field_validator("title")(_text)


class Article(BaseModel):
    id: int
    slug: str
    title: str
    summary: str
    body_html: str
    updated_at: datetime
    views: int
    helpful_yes: int
    helpful_no: int
    tags: Tags = Tags()


class ArticleRow(BaseModel):
    """An article in a list: browse results, suggestions, articles just for you."""

    slug: str
    title: str
    summary: str
    updated_at: datetime
    views: int
    tags: Tags = Tags()


class Reply(BaseModel):
    id: int
    author_name: str
    is_staff: bool
    body_html: str
    created_at: datetime


class Discussion(BaseModel):
    id: int
    slug: str
    title: str
    body_html: str
    author_name: str
    author_role: str
    created_at: datetime
    reply_count: int
    answer_id: int | None
    replies: list[Reply] = []


class DiscussionRow(BaseModel):
    slug: str
    title: str
    author_name: str
    created_at: datetime
    reply_count: int
    answered: bool


class PostIn(BaseModel):
    """A new thread from a signed-in visitor."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=5, max_length=200)
    body: str = Field(min_length=10, max_length=20_000)


class ReplyPostIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=2, max_length=20_000)


class Hit(BaseModel):
    """One search result. The *_html fields are safe: escaped text with <mark> only."""

    kind: Area
    slug: str
    title_html: str
    snippet_html: str
    updated_at: datetime
    views: int | None = None
    reply_count: int | None = None


class SearchPage(BaseModel):
    query: str
    area: Area
    hits: list[Hit]
    total: int
    counts: dict[Area, int]
    page: int
    pages: int
    # Set when a near-miss spelling was corrected: what was searched for instead.
    corrected: str | None = None
    # The areas with more results than counted (counts stop at 1,000: shown "1,000+").
    more: set[Area] = set()


class BrowseFilters(BaseModel):
    """Browse Articles' second search: words in the title or summary, and any filters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    q: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    qualification: str = Field(default="", max_length=200)
    subject: str = Field(default="", max_length=200)
    topic: str = Field(default="", max_length=200)
    page: int = Field(default=1, ge=1, le=10_000)

    def tags(self) -> list[tuple[TagKind, str]]:
        chosen = (
            (TagKind.ROLE, self.role),
            (TagKind.QUALIFICATION, self.qualification),
            (TagKind.SUBJECT, self.subject),
            (TagKind.TOPIC, self.topic),
        )
        return [(kind, value) for kind, value in chosen if value]


class BrowsePage(BaseModel):
    rows: list[ArticleRow]
    total: int
    page: int
    pages: int
    # More articles match than were counted (counts stop at 1,000: shown "1,000+").
    more: bool = False


class ForYouIn(BaseModel):
    """The Contact Us choices made so far; any may still be empty."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    customer_type: str = Field(default="", max_length=200)
    issue_type: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=200)
    subcategory: str = Field(default="", max_length=200)
    qualification: str = Field(default="", max_length=200)
    qualification_subject: str = Field(default="", max_length=200)


class VoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool
    comment: str | None = Field(default=None, max_length=2000)


class Vote(BaseModel):
    helpful: bool
    comment: str | None


class FeedbackRow(BaseModel):
    """One article in the staff feedback report."""

    slug: str
    title: str
    views: int
    helpful_yes: int
    helpful_no: int
    comments: int

    @property
    def votes(self) -> int:
        return self.helpful_yes + self.helpful_no

    @property
    def helpful_share(self) -> float | None:
        return self.helpful_yes / self.votes if self.votes else None


class FeedbackComment(BaseModel):
    helpful: bool
    comment: str
    updated_at: datetime


class MissedQuery(BaseModel):
    query: str
    times: int
    first_at: datetime
    last_at: datetime
