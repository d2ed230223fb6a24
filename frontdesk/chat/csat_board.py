"""The dashboard's customer satisfaction: today's and the last 7 days' average rating and
response rate per customer group and per agent, counted from the store and pushed to
supervisors when they change.

Counted again as soon as a rating is given on this node (`changed`, after the commit)
and every few seconds on every node (`recount` on a background loop), so chats ending
and cases resolving anywhere, and midnight, move the response rates too. Like the case
board, each node remembers what it last pushed and pushes only a change.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable

from frontdesk.chat.protocol import CsatChanged
from frontdesk.events import SUPERVISORS, Notifier
from frontdesk.metrics import Metrics
from frontdesk.ratings.models import CsatFigures
from frontdesk.ratings.service import Ratings


class CsatBoard:
    def __init__(
        self,
        ratings: Ratings,
        group_name: Callable[[str], str],
        notifier: Notifier,
        metrics: Metrics,
        wake: asyncio.Event,
    ) -> None:
        self._ratings = ratings
        self._group_name = group_name
        self._notifier = notifier
        self._metrics = metrics
        self._last: CsatFigures | None = None
        # Set when a rating is given on this node (the ratings service sets it after its
        # commit): the recount loop wakes for it instead of waiting its turn.
        self.wake = wake

    def changed(self) -> None:
        """A rating was given here (committed): count again now."""
        self.wake.set()

    async def current(self) -> CsatFigures:
        """The figures now, for a dashboard that starts watching and for the API."""
        return await self._ratings.figures(self._group_name)

    async def recount(self) -> bool:
        """Count; set the gauges; push to supervisors if the figures moved since this
        node last pushed. Whether it pushed."""
        figures = await self.current()
        self._set_gauges(figures)
        if figures == self._last:
            return False
        self._last = figures
        await self._notifier.publish(SUPERVISORS, CsatChanged(**figures.model_dump()))
        return True

    def _set_gauges(self, figures: CsatFigures) -> None:
        m = self._metrics
        for row in figures.groups:
            for window, counts in (("today", row.today), ("7d", row.week)):
                labels = {"group": row.group, "window": window}
                m.csat_requests.labels(**labels).set(counts.asked)
                m.csat_responses.labels(**labels).set(counts.rated)
                m.csat_average.labels(**labels).set(_value(counts.average))
                m.csat_response_rate.labels(**labels).set(_value(counts.response_rate))
        for agent in figures.agents:
            for window, counts in (("today", agent.today), ("7d", agent.week)):
                labels = {"agent_id": str(agent.agent_id), "window": window}
                m.csat_agent_requests.labels(**labels).set(counts.asked)
                m.csat_agent_responses.labels(**labels).set(counts.rated)
                m.csat_agent_average.labels(**labels).set(_value(counts.average))
                m.csat_agent_response_rate.labels(**labels).set(_value(counts.response_rate))


def _value(figure: float | None) -> float:
    # No rating yet: not a zero average, which would read as the worst of scores.
    return math.nan if figure is None else figure
