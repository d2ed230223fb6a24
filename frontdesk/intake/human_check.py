"""The human check of Contact Us: a self-hosted proof-of-work (ALTCHA), no third party.

The server hands out signed challenges in the ALTCHA v2 protocol, which the `altcha`
widget 3.x (package.json) speaks; the browser finds the counter that solves one and sends
the solution with the form. A solution is accepted once: its challenge's signature is
kept in the store until the challenge expires, so a replayed solution is refused on any
node.

Expiry is judged by the injected clock alone. The expiry time travels in the challenge's
signed `data`, not in ALTCHA's own `expiresAt`, which both the widget and the library
compare with the local system clock: a visitor whose computer clock is wrong would see
the check expire at once, and the library would disagree with our clock.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.tables import spent_challenges
from frontdesk.errors import Code, Invalid

CHALLENGE_LIFETIME = timedelta(minutes=20)
# PBKDF2 runs natively in browsers (WebCrypto) and in Python (hashlib). The widget must
# find a counter drawn at random below MAX_COUNTER, each try costing COST iterations:
# a few tenths of a second for a person's browser, the same again for every form a bot
# sends. The server checks a solution with a single derivation.
ALGORITHM = "PBKDF2/SHA-256"
COST = 500
MAX_COUNTER = 2_000
EXPIRES_KEY = "expires"

FAILED_MESSAGE = "Please complete the human check again"


def _failed() -> Invalid:
    # A new error each time: one shared instance would carry every earlier traceback.
    return Invalid(
        FAILED_MESSAGE, code=Code.HUMAN_CHECK_FAILED, fields={"human_check": FAILED_MESSAGE}
    )


class HumanCheck:
    def __init__(
        self,
        secret_key: str,
        *,
        cost: int = COST,
        max_counter: int = MAX_COUNTER,
        purpose: str = "",
    ) -> None:
        # A key of its own: a challenge signature is never valid as anything else, and a
        # check of one purpose (Contact Us) never passes for another (a harder sign-in's).
        self._key = f"{secret_key}:altcha" + (f":{purpose}" if purpose else "")
        self._cost = cost
        self._max_counter = max_counter

    def challenge(self, now: datetime) -> dict[str, Any]:
        """A fresh signed challenge, as the widget fetches it: {"parameters", "signature"}."""
        expires = int((now + CHALLENGE_LIFETIME).timestamp())
        challenge = altcha.create_challenge(
            ALGORITHM,
            self._cost,
            counter=secrets.randbelow(self._max_counter),
            data={EXPIRES_KEY: expires},
            hmac_secret=self._key,
        )
        found: dict[str, Any] = challenge.to_dict()
        return found

    async def spend(self, conn: AsyncConnection, payload: str, now: datetime) -> None:
        """Accept a solution once, in the caller's transaction; Invalid otherwise."""
        signature, expires_at = self._verify(payload)
        if now >= expires_at:
            raise _failed()
        await conn.execute(delete(spent_challenges).where(spent_challenges.c.expires_at <= now))
        try:
            async with conn.begin_nested():
                await conn.execute(
                    insert(spent_challenges).values(signature=signature, expires_at=expires_at)
                )
        except IntegrityError:
            raise _failed() from None

    def _verify(self, payload: str) -> tuple[str, datetime]:
        """The signature and expiry of a correctly solved, untampered challenge."""
        try:
            result = altcha.verify_solution(payload, self._key)
            challenge = altcha.Payload.from_base64(payload).challenge
        except Exception:  # a malformed payload is a failed check, whatever broke
            raise _failed() from None
        data = challenge.parameters.data
        expires = data.get(EXPIRES_KEY) if isinstance(data, dict) else None
        signature = challenge.signature
        if not result.verified or type(expires) is not int or not isinstance(signature, str):
            raise _failed()
        if challenge.parameters.algorithm != ALGORITHM or len(signature) > 128:
            raise _failed()
        return signature, datetime.fromtimestamp(expires, UTC)


def solve(challenge: dict[str, Any]) -> str:
    """The payload the widget sends for `challenge`, found the same way (for tests and
    load generators: a person's browser does this work)."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    if solution is None:
        raise RuntimeError("the challenge could not be solved in time")
    return altcha.Payload(parsed, solution).to_base64()
