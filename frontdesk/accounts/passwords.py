"""Password hashing with argon2id, off the event loop (a hash costs tens of milliseconds)."""

from __future__ import annotations

import asyncio
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """argon2id with the cost from settings; tests use a cheap cost, production may not."""

    def __init__(self, *, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)

    @cached_property
    def _dummy_hash(self) -> str:
        # Verified against when no account matches, so a wrong username costs as long as
        # a wrong password and timing does not reveal which accounts exist.
        return self._hasher.hash("no account has this password 0")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        def check() -> bool:
            try:
                matched = self._hasher.verify(password_hash or self._dummy_hash, password)
            except (VerificationError, InvalidHashError):
                return False
            return matched and bool(password_hash)

        return await asyncio.to_thread(check)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
