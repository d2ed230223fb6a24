"""The agent's case pages: queue list and case work."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("agent_pages", __name__)
