"""The human check of Contact Us: a self-hosted proof-of-work (ALTCHA), no third party.

The server hands out signed challenges; the browser finds the number that solves one and
sends the solution with the form. A solution is accepted once: its signature is kept in
the store until the challenge expires, so a replayed solution is refused on any node.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

import altcha
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import spent_challenges
from frontdesk.errors import Invalid

CHALLENGE_LIFETIME = timedelta(minutes=20)
# About a second of work for a browser; a bot pays it for every form it sends.
MAX_NUMBER = 100_000

FAILED = Invalid(
    "Please complete the human check again",
    code="HUMAN_CHECK_FAILED",
    fields={"human_check": "Please complete the human check again"},
)


class HumanCheck:
    def __init__(self, secret_key: str) -> None:
        # A key of its own: a challenge signature is never valid as anything else.
        self._key = f"{secret_key}:altcha"

    def challenge(self, now: datetime) -> dict[str, Any]:
        challenge = altcha.create_challenge_v1(
            max_number=MAX_NUMBER, hmac_key=self._key, expires=now + CHALLENGE_LIFETIME
        )
        return {
            "algorithm": challenge.algorithm,
            "challenge": challenge.challenge,
            "maxnumber": challenge.max_number,
            "salt": challenge.salt,
            "signature": challenge.signature,
        }

    async def spend(self, conn: AsyncConnection, payload: str, now: datetime) -> None:
        """Accept a solution once, in the caller's transaction; Invalid otherwise."""
        try:
            ok, _error = altcha.verify_solution_v1(payload, self._key, check_expires=True)
            signature = _signature(payload)
        except Exception:
            raise FAILED from None
        if not ok or not signature:
            raise FAILED
        await conn.execute(delete(spent_challenges).where(spent_challenges.c.expires_at < now))
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(spent_challenges).values(
                        signature=signature[:128], expires_at=now + CHALLENGE_LIFETIME
                    )
                )
        except IntegrityError:
            raise FAILED from None


def _signature(payload: str) -> str:
    data = json.loads(base64.b64decode(payload))
    return str(data.get("signature", ""))
