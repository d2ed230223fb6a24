"""Rating rules: who may rate what, once, changeable for a day; and the figures.

A chat an agent answered is asked for a rating as it ends (in the chat's transaction);
a message or call case as it is resolved (in the case's transaction), by an emailed
link. The link is a signed nonce (accounts/tokens.py) whose hash the rating keeps: a
made-up or tampered link is refused before the store is read. It opens the case's one
rating: to give it, then to change it for a day (CHANGE_WINDOW), then to read it.
Each rating given or changed is an activity of the case, for staff only.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts import tokens
from frontdesk.accounts.models import Role, User
from frontdesk.business_hours import UK
from frontdesk.cases import actions
from frontdesk.cases.actions import Actor
from frontdesk.cases.models import ActivityKind, Case
from frontdesk.chat.models import Chat, ChatStatus
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Conflict, Invalid, NotFound
from frontdesk.ratings import store
from frontdesk.ratings.models import (
    SCORES,
    AgentCsat,
    CsatFigures,
    CsatWindow,
    GroupCsat,
    Rating,
    RatingIn,
    RatingOut,
    Subject,
)

LINK_PURPOSE = "rating"
# A signed nonce is about 90 characters; anything far longer is no link of ours.
MAX_TOKEN_LENGTH = 200
WEEK = timedelta(days=7)

ChatAccess = Callable[[User, str], Awaitable[Chat]]


@dataclass(frozen=True)
class LinkedRating:
    """A case's rating as its emailed link opens it, with the case it is about."""

    rating: Rating
    case_number: str
    case_subject: str


def _not_ratable() -> Conflict:
    return Conflict("Only a chat that an agent answered can be rated, once it has ended",
                    code=Code.NOT_RATABLE)  # fmt: skip


def _link_not_found() -> NotFound:
    return NotFound("This rating link is not valid; check that you copied all of it",
                    code=Code.RATING_NOT_FOUND)  # fmt: skip


class Ratings:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        secret_key: str,
        public_url: str,
        link_days: int,
        rated: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._secret_key = secret_key
        self._base = public_url.rstrip("/")
        self._link_valid = timedelta(days=link_days)
        # Told after a commit that gave or changed a rating (the dashboard's figures).
        self._rated = rated
        self._access_chat: ChatAccess | None = None

    def chats_from(self, access_chat: ChatAccess) -> None:
        """How a chat is read for someone (chat/'s access rule: another's is NotFound)."""
        self._access_chat = access_chat

    # Asking, inside the caller's transaction -------------------------------------------

    async def ask_for_chat(self, conn: AsyncConnection, chat: Chat) -> None:
        """A chat ended: if an agent answered it, its customer is asked to rate it."""
        if chat.accepted_at is None:
            return
        await store.insert_chat_request(conn, {
            "subject": Subject.CHAT.value, "case_id": chat.case_id, "chat_id": chat.public_id,
            "customer_group": chat.group_name, "agent_id": chat.agent_id,
            "customer_id": chat.customer_id, "asked_at": chat.ended_at or self._clock.now(),
        })  # fmt: skip

    async def ask_for_case(self, conn: AsyncConnection, case: Case, agent_id: int | None) -> str:
        """A message or call case was resolved (by `agent_id`, unless someone else works
        it): the link to rate it, for the resolution email. Only the newest link works."""
        nonce = tokens.new_nonce()
        now = self._clock.now()
        await store.upsert_case_request(conn, {
            "subject": Subject.CASE.value, "case_id": case.id, "case_key": case.id,
            "customer_group": case.customer_group,
            "agent_id": case.assigned_agent_id or agent_id, "customer_id": case.customer_id,
            "asked_at": now, "nonce_hash": tokens.digest(nonce),
            "link_expires_at": now + self._link_valid,
        })  # fmt: skip
        return f"{self._base}/rate/{tokens.sign(self._secret_key, LINK_PURPOSE, nonce)}"

    # Rating ------------------------------------------------------------------------------

    async def rate_chat(self, customer: User, chat_id: str, given: RatingIn) -> RatingOut:
        """The chat's customer rates it (or changes their rating within the day)."""
        chat = await self._chat_of(customer, chat_id)
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            await self.ask_for_chat(conn, chat)  # a chat that ended before ratings began
            rating = await store.select_rating(conn, chat_id=chat.public_id, for_update=True)
            assert rating is not None, "asked for just now"
            rated = await self._rate(conn, rating, given, Actor.of(customer), now)
        self._rated()
        return RatingOut.of(rated, now)

    async def _chat_of(self, customer: User, chat_id: str) -> Chat:
        assert self._access_chat is not None, "wired in services.py"
        if customer.role is not Role.CUSTOMER:
            raise NotFound("We could not find that chat", code=Code.CHAT_NOT_FOUND)
        chat = await self._access_chat(customer, chat_id)
        if chat.status is not ChatStatus.ENDED or chat.accepted_at is None:
            raise _not_ratable()
        return chat

    async def linked(self, token: str) -> LinkedRating:
        """What an emailed link opens: the case's rating, given or not."""
        async with reading(self._engine) as conn:
            rating = await self._by_link(conn, token)
            return await self._linked(conn, rating)

    async def rate_by_link(self, token: str, given: RatingIn) -> LinkedRating:
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            rating = await self._by_link(conn, token, for_update=True)
            case = await actions.case_by_id(conn, rating.case_id)
            customer = f"{case.contact_first_name} {case.contact_last_name}"
            actor = Actor(case.customer_id, customer, "Customer")
            rated = await self._rate(conn, rating, given, actor, now)
            linked = await self._linked(conn, rated)
        self._rated()
        return linked

    async def _by_link(
        self, conn: AsyncConnection, token: str, *, for_update: bool = False
    ) -> Rating:
        nonce = None
        if len(token) <= MAX_TOKEN_LENGTH:
            nonce = tokens.unsign(self._secret_key, LINK_PURPOSE, token)
        if nonce is None:
            raise _link_not_found()
        rating = await store.select_rating(
            conn, nonce_hash=tokens.digest(nonce), for_update=for_update
        )
        if rating is None:
            raise _link_not_found()
        expires = rating.link_expires_at
        if rating.score is None and expires is not None and expires <= self._clock.now():
            message = "This rating link has expired: thank you all the same"
            raise Invalid(message, code=Code.LINK_EXPIRED)
        return rating

    async def _linked(self, conn: AsyncConnection, rating: Rating) -> LinkedRating:
        case = await actions.case_by_id(conn, rating.case_id)
        return LinkedRating(rating=rating, case_number=case.number, case_subject=case.subject)

    async def _rate(
        self, conn: AsyncConnection, rating: Rating, given: RatingIn, actor: Actor, now: datetime
    ) -> Rating:
        """Give or change the score; the case's activity says so, for staff."""
        if not rating.changeable_at(now):
            message = "This rating was given more than a day ago and can no longer be changed"
            raise Conflict(message, code=Code.RATING_LOCKED)
        comment = given.comment or None
        await store.update_rating(
            conn, rating.id, score=given.score, comment=comment, rated_at=now,
            first_rated_at=rating.first_rated_at or now,
        )  # fmt: skip
        verb = "Changed the rating to" if rating.score is not None else "Rated"
        what = "the chat" if rating.subject is Subject.CHAT else "the case"
        body = f"{verb} {given.score} of 5 ({SCORES[given.score]}) for {what}."
        await actions.log_activity(
            conn, rating.case_id, actor, ActivityKind.RATING, now,
            body=f"{body}\n{comment}" if comment else body,
            data={"score": given.score, "comment": comment or "", "subject": rating.subject.value,
                  **({"chat_id": rating.chat_id} if rating.chat_id else {})},
        )  # fmt: skip
        found = await store.select_rating(conn, id=rating.id)
        assert found is not None
        return found

    # Figures -----------------------------------------------------------------------------

    async def figures(self, group_name: Callable[[str], str]) -> CsatFigures:
        """Today's (since midnight, UK time) and the last 7 days' figures per customer
        group and per agent, counted from the store."""
        now = self._clock.now()
        day_start = datetime.combine(now.astimezone(UK).date(), datetime.min.time(), UK)
        week_start = now - WEEK
        async with reading(self._engine) as conn:
            groups = await store.select_counts(conn, "customer_group", week_start, day_start)
            agents = await store.select_counts(conn, "agent_id", week_start, day_start)
            names = await store.select_user_names(conn, [int(row["key"]) for row in agents])
        return CsatFigures(
            groups=[
                GroupCsat(group=row["key"], group_name=group_name(row["key"]), **_windows(row))
                for row in groups
            ],
            agents=sorted(
                (AgentCsat(agent_id=row["key"], name=names.get(row["key"], f"Staff {row['key']}"),
                           **_windows(row)) for row in agents),
                key=lambda agent: agent.name,
            ),
        )  # fmt: skip


def _windows(row: dict[str, Any]) -> dict[str, CsatWindow]:
    def window(prefix: str) -> CsatWindow:
        counts = [int(row[f"{prefix}_{name}"] or 0) for name in ("asked", "rated", "total")]
        return CsatWindow.of(*counts)

    return {"today": window("today"), "week": window("week")}
