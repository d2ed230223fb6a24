"""Contact Us API: taxonomy, support options, human-check challenges, opening cases."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("intake_api", __name__, url_prefix="/api/v1")
