"""Taxonomy API: the Contact Us taxonomy in use, its versions, roll-back, and each customer
group's office hours and opening calendar; admins only (404 to anyone else). Every save
checks the whole taxonomy and is audited."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.accounts.models import Role
from frontdesk.intake.diff import Change
from frontdesk.intake.exchange import dumped
from frontdesk.intake.hours import GroupHours, group_of, save_hours
from frontdesk.intake.versions import VersionInfo, checked
from frontdesk.opening_calendar import CalendarDay
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import me
from frontdesk.web.context import services

blueprint = Blueprint("taxonomy_api", __name__, url_prefix="/api/v1")

MAX_VERSION = 2**31 - 1


class TaxonomyOut(BaseModel):
    version: int
    taxonomy: dict[str, Any]


class TaxonomyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    taxonomy: dict[str, Any]
    summary: str = Field(default="", max_length=500)
    based_on: int | None = Field(default=None, ge=0, le=MAX_VERSION)


class ChangeOut(BaseModel):
    path: str
    kind: str
    description: str

    @classmethod
    def of(cls, change: Change) -> ChangeOut:
        return cls(path=change.path, kind=change.kind, description=change.describe())


class VersionOut(BaseModel):
    info: VersionInfo
    taxonomy: dict[str, Any]
    changes: list[ChangeOut]


class VersionsOut(BaseModel):
    versions: list[VersionInfo]


class RollbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    based_on: int | None = Field(default=None, ge=0, le=MAX_VERSION)


class GroupHoursOut(GroupHours):
    key: str
    name: str
    version: int


class GroupHoursIn(GroupHours):
    based_on: int | None = Field(default=None, ge=0, le=MAX_VERSION)


class CalendarQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weeks: int = Field(default=6, ge=1, le=26)


class CalendarOut(BaseModel):
    days: list[CalendarDay]


@blueprint.get("/taxonomy")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_response(TaxonomyOut)
async def get_taxonomy() -> TaxonomyOut:
    """The taxonomy in use (the export format) and its version number."""
    versions = services().taxonomy
    return TaxonomyOut(version=versions.version, taxonomy=dumped(versions.current()))


@blueprint.put("/taxonomy")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(TaxonomyIn)
@validate_response(VersionInfo)
async def put_taxonomy(data: TaxonomyIn) -> VersionInfo:
    """Save a whole taxonomy as the next version: 422 INVALID_TAXONOMY saying what and
    where if it does not check out; 409 if a version after `based_on` was saved."""
    taxonomy = checked(data.taxonomy)
    return await services().taxonomy.save_taxonomy(me(), taxonomy, data.summary, data.based_on)


@blueprint.get("/taxonomy/versions")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_response(VersionsOut)
async def list_versions() -> VersionsOut:
    """Every version, newest first: number, when, who, summary."""
    return VersionsOut(versions=await services().taxonomy.history())


@blueprint.get("/taxonomy/versions/<int:number>")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_response(VersionOut)
async def get_version(number: int) -> VersionOut:
    """One version, and what it changed from the one before."""
    versions = services().taxonomy
    found = await versions.version_of(number)
    changes = [ChangeOut.of(c) for c in await versions.changes(number)]
    info = VersionInfo.model_validate(found.model_dump(exclude={"taxonomy"}))
    return VersionOut(info=info, taxonomy=dumped(found.taxonomy), changes=changes)


@blueprint.post("/taxonomy/versions/<int:number>/rollback")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(RollbackIn)
@validate_response(VersionInfo, 201)
async def roll_back(number: int, data: RollbackIn) -> tuple[VersionInfo, int]:
    """Save a new version equal to version `number`; history stays."""
    return await services().taxonomy.roll_back(me(), number, data.based_on), 201


@blueprint.get("/hours/<key>")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_response(GroupHoursOut)
async def get_hours(key: str) -> GroupHoursOut:
    """A customer group's chat switch and hours (weekly, closures, extra days)."""
    versions = services().taxonomy
    group = group_of(versions.current(), key)
    return GroupHoursOut(
        key=key, name=group.name, version=versions.version, chat=group.chat, hours=group.hours
    )


@blueprint.put("/hours/<key>")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(GroupHoursIn)
@validate_response(VersionInfo)
async def put_hours(key: str, data: GroupHoursIn) -> VersionInfo:
    """Save a group's chat switch and hours as the next taxonomy version."""
    change = GroupHours(chat=data.chat, hours=data.hours)
    return await save_hours(services().taxonomy, me(), key, change, data.based_on)


@blueprint.get("/hours/<key>/calendar")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_querystring(CalendarQuery)
@validate_response(CalendarOut)
async def get_calendar(key: str, query_args: CalendarQuery) -> CalendarOut:
    """The group's opening day by day from today (UK), with why each closed day is."""
    group = group_of(services().taxonomy.current(), key)
    return CalendarOut(days=services().intake.opening_calendar(group.hours, query_args.weeks))
