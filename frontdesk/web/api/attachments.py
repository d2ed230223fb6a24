"""Attachments API: streaming uploads to a case, downloads for its customer and staff."""

from __future__ import annotations

from quart import Blueprint

blueprint = Blueprint("attachments_api", __name__, url_prefix="/api/v1")
