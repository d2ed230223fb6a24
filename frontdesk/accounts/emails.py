"""The text of every account email: (subject, body) pairs, plain text."""

from __future__ import annotations

from frontdesk.accounts.models import User


def verify(first_name: str, link: str) -> tuple[str, str]:
    return (
        "Verify your email address for frontdesk",
        f"Hello {first_name},\n\n"
        "Please confirm your email address to finish creating your account:\n\n"
        f"{link}\n\n"
        "The link works once and expires after 24 hours. After that you will need to "
        "create your account again.\n\n"
        "If you did not ask for an account, you can ignore this email.\n",
    )


def already_registered(user: User, base_url: str) -> tuple[str, str]:
    return (
        "You already have a frontdesk account",
        f"Hello {user.first_name},\n\n"
        "Someone tried to create a frontdesk account with this email address, which "
        "already has one. If it was you, sign in instead:\n\n"
        f"{base_url}/sign-in\n\n"
        f"Forgotten your password? Reset it here: {base_url}/forgot-password\n\n"
        "If it was not you, you can ignore this email; your account has not changed.\n",
    )


def username_reminder(user: User, base_url: str) -> tuple[str, str]:
    return (
        "Your frontdesk username",
        f"Hello {user.first_name},\n\n"
        f"Your username is: {user.username}\n\n"
        f"Sign in here: {base_url}/sign-in\n",
    )


def password_reset(user: User, link: str) -> tuple[str, str]:
    return (
        "Reset your frontdesk password",
        f"Hello {user.first_name},\n\n"
        "Use this link to choose a new password. It works once and expires in one hour:\n\n"
        f"{link}\n\n"
        "When you set a new password you are signed out everywhere.\n"
        "If you did not ask for this, you can ignore this email.\n",
    )


def invitation(user: User, by: User, link: str, days: int) -> tuple[str, str]:
    return (
        "You are invited to frontdesk",
        f"Hello {user.first_name},\n\n"
        f"{by.display_name} has invited you to frontdesk as {user.role.value}.\n"
        f"Use this link to choose your password. It works once and expires in {days} days:\n\n"
        f"{link}\n\n"
        f"Then sign in with your email address, {user.email}.\n",
    )
