"""Builds frontdesk/accounts/common_passwords.txt from the locked zxcvbn's list of the
30,000 passwords most often found in breaches: the ones our policy would otherwise accept
(8 or more characters with a letter and a number), lower-cased, most common first.

    .venv/bin/python scripts/common_passwords.py          write the file
    .venv/bin/python scripts/common_passwords.py --check  exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

TARGET = Path(__file__).parent.parent / "frontdesk" / "accounts" / "common_passwords.txt"
HEADER = (
    "# Breached passwords our policy would otherwise accept, most common first, lower case.\n"
    "# Built by scripts/common_passwords.py from zxcvbn's password frequency list; do not edit.\n"
)


def could_pass_policy(password: str) -> bool:
    """Whether some capitalisation of `password` meets the guide's rules."""
    has_letter = any(ch.isalpha() for ch in password)
    return len(password) >= 8 and has_letter and any(ch.isdigit() for ch in password)


def build() -> str:
    seen: dict[str, None] = {}
    for password in FREQUENCY_LISTS["passwords"]:
        if could_pass_policy(password):
            seen.setdefault(password.lower(), None)
    return HEADER + "".join(f"{password}\n" for password in seen)


def main(argv: list[str]) -> int:
    text = build()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        return 0 if current == text else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"{TARGET}: {text.count(chr(10)) - 2} passwords")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
