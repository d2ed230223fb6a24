"""HTTP helpers for tests: CSRF tokens and signing in through the real endpoints."""

from __future__ import annotations

from typing import Any

from tests.factories import PASSWORD


async def csrf_token(client: Any) -> str:
    response = await client.get("/api/v1/session")
    assert response.status_code == 200
    token: str = (await response.get_json())["csrf_token"]
    return token


async def api(client: Any, method: str, path: str, json: Any = None) -> Any:
    """Call the JSON API as a page would: with the session's CSRF token."""
    headers = {"X-CSRF-Token": await csrf_token(client)}
    return await client.open(path, method=method, json=json, headers=headers)


async def login_as(client: Any, username: str, password: str = PASSWORD) -> Any:
    response = await api(
        client, "POST", "/api/v1/session", {"username": username, "password": password}
    )
    assert response.status_code == 200, await response.get_data(as_text=True)
    return response
