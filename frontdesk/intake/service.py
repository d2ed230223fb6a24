"""Contact Us before a case exists: the taxonomy the dropdowns offer, where a choice is
routed, which support options it gets now, and the human check's challenge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from frontdesk.business_hours import UK, BusinessCalendar, WeeklyHours
from frontdesk.clock import Clock
from frontdesk.errors import Code, Invalid
from frontdesk.intake.human_check import HumanCheck
from frontdesk.intake.options import SupportOptions, support_options
from frontdesk.intake.taxonomy import (
    Choice,
    InvalidChoice,
    Routing,
    Taxonomy,
    resolve,
)
from frontdesk.opening_calendar import CalendarDay, opening_calendar


class CurrentTaxonomy(Protocol):
    """Where the taxonomy in use comes from: the store's versions (TaxonomyVersions), or
    a file (TaxonomySource)."""

    def current(self) -> Taxonomy: ...


class IntakeService:
    def __init__(
        self,
        taxonomy: CurrentTaxonomy,
        calendar: BusinessCalendar,
        clock: Clock,
        human_check: HumanCheck,
    ) -> None:
        self._taxonomy = taxonomy
        self._calendar = calendar
        self._clock = clock
        self.human_check = human_check
        self._staffed: Callable[[str], Awaitable[bool]] | None = None

    def staffed_by(self, staffed: Callable[[str], Awaitable[bool]]) -> None:
        """Where to ask whether an agent of a customer group is signed in (live chat,
        built after intake); until then every group counts as staffed."""
        self._staffed = staffed

    def taxonomy(self) -> Taxonomy:
        """The taxonomy in use now: what the dropdowns offer."""
        return self._taxonomy.current()

    def queues(self) -> list[str]:
        return self._taxonomy.current().queues

    def routing(self, choice: Choice) -> Routing:
        """Where a complete choice goes; Invalid INVALID_CHOICE naming the field if the
        taxonomy has no such path."""
        try:
            return resolve(self._taxonomy.current(), choice)
        except InvalidChoice as error:
            field = f"choice.{error.field}"
            raise Invalid(
                error.message, code=Code.INVALID_CHOICE, fields={field: error.message}
            ) from None

    async def support_options(self, choice: Choice) -> SupportOptions:
        """What Contact Us offers for `choice` now: chat only while its group is open and
        one of its agents is signed in."""
        routing = self.routing(choice)
        staffed = True
        if routing.chat and self._staffed is not None:
            staffed = await self._staffed(routing.group_key)
        return support_options(routing, self._calendar, self._clock.now(), staffed=staffed)

    def options_for(self, routing: Routing, at: datetime | None = None) -> SupportOptions:
        """The support options of a choice already routed, as of now (or `at`: when a
        case was opened, to tell its customer what it was given), by office hours
        alone: a chat asked for while nobody is signed in waits (and may leave a
        message), as it would if the last agent signed out a moment later."""
        return support_options(routing, self._calendar, at or self._clock.now())

    def group_hours(self, key: str) -> WeeklyHours:
        """The hours of customer group `key`, which its cases' reply-by dates keep; office
        hours for a group the taxonomy no longer has (a case outlives its routing)."""
        group = self._taxonomy.current().groups.get(key)
        return group.hours if group is not None else WeeklyHours.office()

    def opening_calendar(self, hours: WeeklyHours, weeks: int) -> list[CalendarDay]:
        """`hours` day by day from today (UK) for `weeks` weeks: saved or not yet."""
        today = self._clock.now().astimezone(UK).date()
        return opening_calendar(self._calendar, hours, today, weeks)

    def human_check_challenge(self) -> dict[str, Any]:
        return self.human_check.challenge(self._clock.now())
