"""Team API: what work each agent takes (chat groups, case queues, chat capacity), for
supervisors and admins; to anyone else these addresses do not exist (404)."""

from __future__ import annotations

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import tag, validate_request, validate_response

from frontdesk.accounts.models import Role
from frontdesk.team import AgentWork, AgentWorkIn
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import me
from frontdesk.web.context import services

blueprint = Blueprint("team_api", __name__, url_prefix="/api/v1")

LEADS = (Role.SUPERVISOR, Role.ADMIN)


class TeamOut(BaseModel):
    agents: list[AgentWork]
    chat_groups: list[str]
    queues: list[str]


@blueprint.get("/agents")
@tag(["team"])
@require_user(*LEADS, hidden=True)
@validate_response(TeamOut)
async def list_agents() -> TeamOut:
    """Every agent and supervisor who takes work, with the groups and queues to choose."""
    return TeamOut(
        agents=await services().team.agents(),
        chat_groups=services().live.router.chat_groups(),
        queues=services().intake.queues(),
    )


@blueprint.get("/agents/<int:agent_id>")
@tag(["team"])
@require_user(*LEADS, hidden=True)
@validate_response(AgentWork)
async def get_agent(agent_id: int) -> AgentWork:
    return await services().team.agent(agent_id)


@blueprint.put("/agents/<int:agent_id>")
@tag(["team"])
@require_user(*LEADS, hidden=True)
@validate_request(AgentWorkIn)
@validate_response(AgentWork)
async def put_agent(agent_id: int, data: AgentWorkIn) -> AgentWork:
    """Set what the agent takes: `groups` null for every chat group, `queues` empty for
    every case queue. A signed-in agent is routed by it at once."""
    return await services().team.set_work(me(), agent_id, data)
