"""Case numbers: eight random digits, never starting with 0."""

from __future__ import annotations

import secrets

LOWEST = 10_000_000
HIGHEST = 99_999_999


def new_case_number() -> str:
    # Random, not sequential: a number reveals nothing about how many cases exist, and
    # the unique index in the store makes a clash a retry, not a duplicate.
    return str(LOWEST + secrets.randbelow(HIGHEST - LOWEST + 1))
