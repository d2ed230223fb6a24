"""Audit API: the administrative actions, newest first, filtered; admins only (404 to
anyone else)."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag, validate_querystring, validate_response

from frontdesk.accounts.models import Role
from frontdesk.audit.models import AuditPage, AuditQuery
from frontdesk.web.auth import require_user
from frontdesk.web.context import services

blueprint = Blueprint("audit_api", __name__, url_prefix="/api/v1")


@blueprint.get("/audit")
@tag(["admin"])
@require_user(Role.ADMIN, hidden=True)
@validate_querystring(AuditQuery)
@validate_response(AuditPage)
async def list_audit(query_args: AuditQuery) -> AuditPage:
    """Who did what to what, with the thing before and after; filter by action, actor
    id, target (any part of its name) and time (since, until: ISO 8601)."""
    return await services().audit.entries(query_args)
