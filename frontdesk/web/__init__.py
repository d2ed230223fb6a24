"""The web transport: pages, the JSON API, and operational endpoints."""

from __future__ import annotations

from quart import Quart

from frontdesk.web import auth, errors, ops, pages
from frontdesk.web.api import accounts as accounts_api


def register_blueprints(app: Quart) -> None:
    auth.install(app)
    errors.install(app)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(accounts_api.blueprint)
