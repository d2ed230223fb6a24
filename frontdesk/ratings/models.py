"""Pydantic shapes of ratings: what a customer sends, what is stored, the figures."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

# A rating may be changed this long after it was first given, then it stands.
CHANGE_WINDOW = timedelta(hours=24)
MAX_COMMENT_LENGTH = 1000
SCORES = {
    1: "Very dissatisfied",
    2: "Dissatisfied",
    3: "Neither satisfied nor dissatisfied",
    4: "Satisfied",
    5: "Very satisfied",
}


class Subject(StrEnum):
    """What is rated: a chat an agent answered, or a message or call case resolved."""

    CHAT = "chat"
    CASE = "case"


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    score: int = Field(ge=1, le=5, description="1 very dissatisfied ... 5 very satisfied")
    comment: str | None = Field(default=None, max_length=MAX_COMMENT_LENGTH)


class Rating(BaseModel):
    """A request for a rating and, once given, the rating: one per chat or case."""

    model_config = ConfigDict(frozen=True)

    id: int
    subject: Subject
    case_id: int
    chat_id: str | None  # the chat's public id, for a chat's rating
    customer_group: str
    agent_id: int | None
    customer_id: int
    asked_at: datetime
    link_expires_at: datetime | None
    score: int | None
    comment: str | None
    first_rated_at: datetime | None
    rated_at: datetime | None

    @property
    def changeable_until(self) -> datetime | None:
        return None if self.first_rated_at is None else self.first_rated_at + CHANGE_WINDOW

    def changeable_at(self, now: datetime) -> bool:
        until = self.changeable_until
        return until is None or now < until


class RatingOut(BaseModel):
    """A rating as its customer is shown it."""

    model_config = ConfigDict(frozen=True)

    score: int | None
    comment: str | None
    rated_at: datetime | None
    changeable_until: datetime | None
    changeable: bool

    @classmethod
    def of(cls, rating: Rating, now: datetime) -> RatingOut:
        return cls(
            score=rating.score, comment=rating.comment, rated_at=rating.rated_at,
            changeable_until=rating.changeable_until, changeable=rating.changeable_at(now),
        )  # fmt: skip


class CsatWindow(BaseModel):
    """Of the chats ended and cases resolved in a window (asked to rate): how many were
    rated, their average score, and the share rated (None while nothing was asked)."""

    model_config = ConfigDict(frozen=True)

    asked: int
    rated: int
    average: float | None
    response_rate: float | None

    @classmethod
    def of(cls, asked: int, rated: int, total: int) -> CsatWindow:
        return cls(
            asked=asked, rated=rated,
            average=round(total / rated, 2) if rated else None,
            response_rate=round(rated / asked, 4) if asked else None,
        )  # fmt: skip


class GroupCsat(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: str
    group_name: str
    today: CsatWindow
    week: CsatWindow


class AgentCsat(BaseModel):
    model_config = ConfigDict(frozen=True)

    agent_id: int
    name: str
    today: CsatWindow
    week: CsatWindow


class CsatFigures(BaseModel):
    """Today (since midnight, UK time) and the last 7 days, per customer group and per
    agent; counted from the store, so every node says the same."""

    model_config = ConfigDict(frozen=True)

    groups: list[GroupCsat]
    agents: list[AgentCsat]
