"""Which real services the tests can reach; skip without them locally, fail under CI."""

from __future__ import annotations

import asyncio
import os
import shutil
from functools import cache

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "FRONTDESK_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("FRONTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("FRONTDESK_TEST_CHROMIUM", "/usr/bin/chromium")
NGINX = os.environ.get("FRONTDESK_TEST_NGINX", "/usr/sbin/nginx")


@cache
def postgres_problem() -> str | None:
    async def probe() -> None:
        import asyncpg

        conn = await asyncpg.connect(POSTGRES_URL.replace("+asyncpg", ""), timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as error:
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {error}"
    return None


@cache
def redis_problem() -> str | None:
    async def probe() -> None:
        from redis.asyncio import Redis

        client = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        try:
            await client.ping()
        finally:
            await client.aclose()

    try:
        asyncio.run(probe())
    except Exception as error:
        return f"Redis not reachable at {REDIS_URL}: {error}"
    return None


@cache
def chromium_problem() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


@cache
def nginx_problem() -> str | None:
    if not os.access(NGINX, os.X_OK):
        return f"nginx not found at {NGINX} (scripts/setup --dev, or apt-get install nginx)"
    return None


def require(problem: str | None) -> None:
    """Skip the test for a missing service, or fail it under CI, where all must be there."""
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"CI needs this service: {problem}", pytrace=False)
    pytest.skip(problem)
