"""Pure account rules: the guide's password policy (and no common password), public
email domains."""

from __future__ import annotations

from frontdesk.accounts.breached import COMMON_MESSAGE, is_common

MIN_PASSWORD_LENGTH = 8

# The guide asks for a centre-based address where possible; these are the public
# mailbox providers people most often use instead. A warning, never a refusal.
PUBLIC_EMAIL_DOMAINS = frozenset(
    {
        "aol.com", "btinternet.com", "gmail.com", "gmx.com", "googlemail.com",
        "hotmail.co.uk", "hotmail.com", "icloud.com", "live.co.uk", "live.com",
        "mail.com", "me.com", "msn.com", "outlook.com", "proton.me", "protonmail.com",
        "sky.com", "yahoo.co.uk", "yahoo.com", "ymail.com", "zoho.com",
    }
)  # fmt: skip

PUBLIC_EMAIL_WARNING = (
    "This looks like a public email address. If you are contacting us for your school, "
    "college or centre, please use its email address where you can."
)


def password_problem(password: str) -> str | None:
    """Why `password` breaks the guide's policy, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "Your password must have 8 or more characters"
    if not any(ch.isupper() for ch in password):
        return "Your password must have at least one uppercase letter"
    if not any(ch.isdigit() for ch in password):
        return "Your password must have at least one number"
    if is_common(password):
        return COMMON_MESSAGE
    return None


def is_public_email(email: str) -> bool:
    return email.rsplit("@", 1)[-1].lower() in PUBLIC_EMAIL_DOMAINS
