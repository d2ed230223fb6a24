"""What every account email says."""

from __future__ import annotations

from frontdesk.accounts.models import User
from frontdesk.email_layout import Link, OutgoingEmail, Paragraph


def verify(first_name: str, link: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject="Verify your email address for frontdesk",
        heading="Verify your email address",
        greeting=f"Hello {first_name},",
        blocks=(
            Paragraph("Please confirm your email address to finish creating your account."),
            Link("Verify your email address", link),
            Paragraph(
                "The link works once and expires after 24 hours. After that you will need "
                "to create your account again."
            ),
            Paragraph("If you did not ask for an account, you can ignore this email."),
        ),
    )


def already_registered(user: User, base_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject="You already have a frontdesk account",
        heading="You already have an account",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(
                "Someone tried to create a frontdesk account with this email address, "
                "which already has one. If it was you, sign in instead."
            ),
            Link("Sign in", f"{base_url}/sign-in"),
            Paragraph("Forgotten your password? You can reset it."),
            Link("Reset your password", f"{base_url}/forgot-password"),
            Paragraph(
                "If it was not you, you can ignore this email; your account has not changed."
            ),
        ),
    )


def username_reminder(user: User, base_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject="Your frontdesk username",
        heading="Your username",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(f"Your username is: {user.username}"),
            Link("Sign in", f"{base_url}/sign-in"),
        ),
    )


def password_reset(user: User, link: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject="Reset your frontdesk password",
        heading="Reset your password",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(
                "Use this link to choose a new password. It works once and expires in one hour."
            ),
            Link("Choose a new password", link),
            Paragraph("When you set a new password you are signed out everywhere."),
            Paragraph("If you did not ask for this, you can ignore this email."),
        ),
    )


def invitation(user: User, by: User, link: str, days: int) -> OutgoingEmail:
    return OutgoingEmail(
        subject="You are invited to frontdesk",
        heading="You are invited",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(f"{by.display_name} has invited you to frontdesk as {user.role.value}."),
            Paragraph(
                f"Use this link to choose your password. It works once and expires in {days} days."
            ),
            Link("Choose your password", link),
            Paragraph(f"Then sign in with your email address, {user.email}."),
        ),
    )
