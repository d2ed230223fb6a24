"""People API: find anyone, invite staff, change a role, disable or enable an account,
send a reset link; admins only (404 to anyone else). Each change is audited."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from quart import Blueprint, ResponseReturnValue
from quart_schema import tag, validate_querystring, validate_request, validate_response

from frontdesk.accounts.models import Role, User
from frontdesk.accounts.people import InviteIn, PeoplePage, PeopleQuery
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import me
from frontdesk.web.context import services

blueprint = Blueprint("people_api", __name__, url_prefix="/api/v1")


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role


class ActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    active: bool


@blueprint.get("/people")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_querystring(PeopleQuery)
@validate_response(PeoplePage)
async def list_people(query_args: PeopleQuery) -> PeoplePage:
    """Everyone whose name, email or username holds every word of `q`, by name."""
    return await services().people.find(query_args)


@blueprint.post("/people")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(InviteIn)
@validate_response(User, 201)
async def invite(data: InviteIn) -> tuple[User, int]:
    """Invite a member of staff: the account, and an email with a link to choose a
    password (single use, valid seven days)."""
    return await services().people.invite(me(), data), 201


@blueprint.put("/people/<int:user_id>/role")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(RoleIn)
@validate_response(User)
async def set_role(user_id: int, data: RoleIn) -> User:
    """A new role; the person's sessions end. Not your own."""
    return await services().people.set_role(me(), user_id, data.role)


@blueprint.put("/people/<int:user_id>/active")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_request(ActiveIn)
@validate_response(User)
async def set_active(user_id: int, data: ActiveIn) -> User:
    """Disable (sessions end, sign-in refused) or enable an account. Not your own."""
    return await services().people.set_active(me(), user_id, data.active)


@blueprint.post("/people/<int:user_id>/reset")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
async def send_reset(user_id: int) -> ResponseReturnValue:
    """Email the person a link to choose a new password."""
    await services().people.send_reset(me(), user_id)
    return "", 204
