"""Operational endpoints: liveness, readiness, Prometheus metrics."""

from __future__ import annotations

import logging

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from quart import Blueprint, ResponseReturnValue
from quart_schema import hide

from frontdesk.web.context import services

log = logging.getLogger("frontdesk.web")

blueprint = Blueprint("ops", __name__)


@blueprint.get("/healthz")
@hide
async def healthz() -> ResponseReturnValue:
    return {"status": "ok"}


@blueprint.get("/readyz")
@hide
async def readyz() -> ResponseReturnValue:
    parts = await services().check_ready()
    if all(state == "ok" for state in parts.values()):
        return {"status": "ok", "parts": parts}
    log.warning("not ready: %s", parts, extra={"parts": parts})
    return {"status": "unavailable", "parts": parts}, 503


@blueprint.get("/metrics")
@hide
async def metrics() -> ResponseReturnValue:
    body = generate_latest(services().metrics.registry)
    return body, 200, {"Content-Type": CONTENT_TYPE_LATEST}
