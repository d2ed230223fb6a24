"""Passwords attackers try first, refused beside the guide's rules (ASVS 6.2.4).

Always: the breached passwords our policy would otherwise accept, from zxcvbn's list of
the 30,000 most common (common_passwords.txt, built by scripts/common_passwords.py),
compared without regard to case, so "Password1" is refused as "password1" would be.

Optionally (FRONTDESK_PWNED_PASSWORDS_URL, off by default): the Have I Been Pwned range
API, by k-anonymity. Only the first five hex characters of the password's SHA-1 leave
the portal; the answer lists every suffix with that prefix, compared here. A service that
does not answer in time lets the password through (logged): the list above still holds,
and nobody is kept from registering by someone else's outage.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
COMMON_MESSAGE = (
    "This password is one of the most common, which attackers try first: choose another"
)
BREACHED_MESSAGE = (
    "This password has appeared in a data breach, so attackers may try it: choose another"
)


@functools.cache
def _common() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    return password.lower() in _common()


class PwnedPasswords:
    """Asks a Pwned Passwords range API (`url` + the 5-character prefix) whether a
    password was breached; None as `url` asks nobody."""

    def __init__(self, url: str | None, timeout_seconds: float) -> None:
        self._url = url
        self._timeout = timeout_seconds

    @property
    def enabled(self) -> bool:
        return self._url is not None

    async def breached(self, password: str) -> bool:
        if self._url is None:
            return False
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        prefix, suffix = digest[:5], digest[5:]
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as http:
                # Add-Padding: every answer is about the same size, so its length on the
                # wire does not tell which prefix was asked.
                answer = await http.get(f"{self._url}{prefix}", headers={"Add-Padding": "true"})
                answer.raise_for_status()
        except httpx.HTTPError as error:
            log.warning("breached-password check unavailable, not applied: %s", error)
            return False
        for line in answer.text.splitlines():
            found, _, count = line.partition(":")
            if found.strip() == suffix and count.strip() not in ("", "0"):
                return True
        return False
