"""Helpers for the staff's case tools tests: people signed in on their own clients, a
case's reply-by moved straight in the store, JSON errors checked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontdesk.cases import store as case_store
from frontdesk.cases.models import Case
from frontdesk.db.engine import transaction
from tests.helpers import login_as


async def signed_in(web_app: Any, user: Any) -> Any:
    """A test client of its own, signed in as `user`."""
    client = web_app.test_client()
    await login_as(client, user.username)
    return client


async def set_reply_by(services: Any, case: Case, at: datetime) -> None:
    async with transaction(services.engine) as conn:
        await case_store.update_case(conn, case.id, reply_by=at)


async def error_of(response: Any, status: int) -> dict[str, Any]:
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    error: dict[str, Any] = body["error"]
    return error


async def numbers(client: Any, query: str) -> list[str]:
    """The case numbers a search finds, in order."""
    response = await client.get(f"/api/v1/cases/search?{query}")
    body = await response.get_json()
    assert response.status_code == 200, body
    return [item["number"] for item in body["items"]]
