"""The web transport: pages, the JSON API, and operational endpoints."""

from __future__ import annotations

from quart import Quart

from frontdesk.web import (
    admin_pages,
    agent_pages,
    auth,
    case_tools_pages,
    cases_pages,
    community_pages,
    contact,
    errors,
    hours_pages,
    kb_pages,
    kb_staff_pages,
    ops,
    pages,
    people_pages,
    rating_pages,
    replies_pages,
    supervisor_pages,
    taxonomy_pages,
    team_pages,
)
from frontdesk.web.api import accounts as accounts_api
from frontdesk.web.api import attachments as attachments_api
from frontdesk.web.api import audit as audit_api
from frontdesk.web.api import case_tools as case_tools_api
from frontdesk.web.api import cases as cases_api
from frontdesk.web.api import chat_files as chat_files_api
from frontdesk.web.api import intake as intake_api
from frontdesk.web.api import kb as kb_api
from frontdesk.web.api import people as people_api
from frontdesk.web.api import ratings as ratings_api
from frontdesk.web.api import replies as replies_api
from frontdesk.web.api import taxonomy as taxonomy_api
from frontdesk.web.api import team as team_api


def register_blueprints(app: Quart) -> None:
    auth.install(app)
    errors.install(app)
    for module in (
        ops,
        pages,
        contact,
        cases_pages,
        community_pages,
        agent_pages,
        case_tools_pages,
        supervisor_pages,
        team_pages,
        admin_pages,
        people_pages,
        accounts_api,
        intake_api,
        kb_pages,
        kb_staff_pages,
        kb_api,
        cases_api,
        case_tools_api,
        attachments_api,
        chat_files_api,
        team_api,
        audit_api,
        people_api,
        taxonomy_api,
        replies_api,
        hours_pages,
        taxonomy_pages,
        replies_pages,
        rating_pages,
        ratings_api,
    ):
        app.register_blueprint(module.blueprint)
