"""The placeholders a canned reply may hold, and filling them in. Pure.

A placeholder is a name in braces, `{customer_first_name}`. Any `{word}` in a reply is
taken for one, so a misspelt name is refused when the reply is saved rather than sent to
a customer as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# Name -> what it becomes, for the people who write replies (the manage page lists them).
PLACEHOLDERS: dict[str, str] = {
    "customer_first_name": "the customer's first name, as given in Contact Us",
    "case_number": "the case's number",
    "agent_name": "your name, as the customer sees it",
    "group_hours": "the chat hours of the case's customer group (UK time)",
}

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def placeholders_in(text: str) -> list[str]:
    """Every placeholder name in `text`, each once, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def unknown_placeholders(text: str) -> list[str]:
    return [name for name in placeholders_in(text) if name not in PLACEHOLDERS]


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with each known placeholder replaced by its value; one with no value (none
    should be left by a saved reply) stays as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
