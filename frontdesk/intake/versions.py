"""The Contact Us taxonomy (with every group's office hours) kept in the store as numbered
versions: the newest is in use, a save or a roll-back adds one, none is ever deleted.

Each node keeps the version in use in memory, so the dropdowns, routing and the router
read it without I/O. The saving node takes a new version at once; every other node
finds it with `refresh`, which the node's loop runs every REFRESH_SECONDS."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts.models import User
from frontdesk.audit.models import Action
from frontdesk.audit.service import COMMAND_LINE, AuditLog
from frontdesk.clock import Clock
from frontdesk.db.engine import reading, transaction
from frontdesk.errors import Code, Conflict, Invalid, NotFound
from frontdesk.intake import store
from frontdesk.intake.diff import Change, diff, summarize
from frontdesk.intake.exchange import as_json, dumped, from_json
from frontdesk.intake.taxonomy import Taxonomy, TaxonomyError, check_taxonomy

log = logging.getLogger("frontdesk.intake")

# Why a poll of the newest number, not Redis pub/sub: it works the same with or without
# Redis, costs one primary-key look-up per node per second, and heals by itself: a
# message lost while a node reconnects to Redis would leave that node on an old version
# until the next save.
REFRESH_SECONDS = 1.0
HISTORY_LIMIT = 200
TARGET = "Contact Us taxonomy"


class VersionInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: int
    saved_at: datetime
    saved_by_id: int | None
    saved_by: str
    summary: str
    rolled_back_from: int | None


class StoredVersion(VersionInfo):
    taxonomy: Taxonomy


class TaxonomyVersions:
    def __init__(
        self, engine: AsyncEngine, clock: Clock, audit: AuditLog, seed: Taxonomy, seed_name: str
    ) -> None:
        """`seed`: the taxonomy file's, in use until `load` and stored as version 1 in a
        store that has none yet."""
        self._engine = engine
        self._clock = clock
        self._audit = audit
        self._seed, self._seed_name = seed, seed_name
        self._current = seed
        self._version = 0
        self._taken = asyncio.Condition()

    def current(self) -> Taxonomy:
        return self._current

    @property
    def version(self) -> int:
        """The number of the version in use on this node (0 before `load`)."""
        return self._version

    async def load(self) -> None:
        """Store the seed as version 1 if the store has no version yet (two nodes may
        start at once: one stores it, the other finds it), then take the newest."""
        async with transaction(self._engine) as conn:
            if await store.select_newest_number(conn) == 0:
                await store.insert_first_version(conn, {
                    "taxonomy": as_json(self._seed), "saved_at": self._clock.now(),
                    "saved_by_id": None, "saved_by": COMMAND_LINE,
                    "summary": f"Imported from {self._seed_name} on first start",
                })  # fmt: skip
        await self.refresh()

    async def refresh(self) -> bool:
        """Take the newest version if this node has an older one; whether it did."""
        async with reading(self._engine) as conn:
            newest = await store.select_newest_number(conn)
            if newest == self._version:
                return False
            row = await store.select_version(conn, newest)
        if row is None:
            return False
        try:
            taxonomy = from_json(row["taxonomy"])
        except TaxonomyError as error:  # stored by a newer release this one cannot read
            log.error("taxonomy version %d not taken, keeping %d: %s", newest, self._version, error)
            return False
        await self._take(taxonomy, newest)
        log.info("taxonomy version %d in use", newest)
        return True

    async def _take(self, taxonomy: Taxonomy, number: int) -> None:
        async with self._taken:
            self._current, self._version = taxonomy, number
            self._taken.notify_all()

    async def wait_for(self, number: int) -> None:
        """Return once this node uses version `number` or a newer one."""
        async with self._taken:
            await self._taken.wait_for(lambda: self._version >= number)

    async def save_taxonomy(
        self,
        by: User | None,
        taxonomy: Taxonomy,
        summary: str = "",
        based_on: int | None = None,
        *,
        action: Action = Action.TAXONOMY_CHANGED,
        rolled_back_from: int | None = None,
    ) -> VersionInfo:
        """Store `taxonomy` (already checked: a Taxonomy cannot be invalid) as the next
        version and use it. Conflict if someone saved after `based_on` (or at the same
        moment); Invalid if it changes nothing. The summary defaults to the changes."""
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            newest = await store.select_newest_number(conn)
            old = await self._stored(conn, newest)
            if based_on is not None and based_on != newest:
                raise _saved_meanwhile(newest, old.saved_by)
            changes = diff(dumped(old.taxonomy), dumped(taxonomy))
            if not changes:
                raise Invalid(f"Nothing to save: this is version {newest} as it is")
            info = VersionInfo(
                version=newest + 1, saved_at=now, saved_by_id=by.id if by else None,
                saved_by=by.display_name if by else COMMAND_LINE,
                summary=(summary.strip() or summarize(changes))[:500],
                rolled_back_from=rolled_back_from,
            )  # fmt: skip
            try:
                await store.insert_version(
                    conn, {**info.model_dump(), "taxonomy": as_json(taxonomy)}
                )
            except IntegrityError:
                raise _saved_meanwhile(newest + 1, "someone else") from None
        await self._take(taxonomy, info.version)
        after = {"version": info.version, "summary": info.summary}
        if rolled_back_from is not None:
            after["rolled_back_to"] = rolled_back_from
        await self._audit.record(by, action, TARGET, {"version": newest}, after)
        return info

    async def roll_back(
        self, by: User | None, number: int, based_on: int | None = None
    ) -> VersionInfo:
        """A new version equal to version `number`; history stays as it was."""
        old = await self.version_of(number)
        return await self.save_taxonomy(
            by, old.taxonomy, f"Rolled back to version {number}", based_on,
            action=Action.TAXONOMY_ROLLED_BACK, rolled_back_from=number,
        )  # fmt: skip

    async def history(self, limit: int = HISTORY_LIMIT) -> list[VersionInfo]:
        async with reading(self._engine) as conn:
            rows = await store.select_versions(conn, limit)
        return [VersionInfo.model_validate(row) for row in rows]

    async def version_of(self, number: int) -> StoredVersion:
        async with reading(self._engine) as conn:
            return await self._stored(conn, number)

    async def changes(self, number: int) -> list[Change]:
        """What version `number` changed from the one before (version 1: everything)."""
        async with reading(self._engine) as conn:
            new = await self._stored(conn, number)
            old = await self._stored(conn, number - 1) if number > 1 else None
        return diff(dumped(old.taxonomy) if old else {}, dumped(new.taxonomy))

    async def _stored(self, conn: AsyncConnection, number: int) -> StoredVersion:
        row = await store.select_version(conn, number)
        if row is None:
            raise NotFound(f"There is no version {number}", code=Code.NOT_FOUND)
        return StoredVersion.model_validate({**row, "taxonomy": from_json(row["taxonomy"])})


def checked(data: object) -> Taxonomy:
    """`data` as a Taxonomy, or Invalid saying what is wrong and where."""
    try:
        return check_taxonomy(data)
    except TaxonomyError as error:
        raise refused(error) from None


def refused(error: TaxonomyError) -> Invalid:
    """A taxonomy that does not check out, as the error people and clients are shown."""
    return Invalid(
        f"Not saved: {error}", code=Code.INVALID_TAXONOMY, fields={error.where: error.problem}
    )


def _saved_meanwhile(number: int, by: str) -> Conflict:
    return Conflict(
        f"Version {number} was saved meanwhile by {by}; reload", code=Code.TAXONOMY_SAVED_MEANWHILE
    )
