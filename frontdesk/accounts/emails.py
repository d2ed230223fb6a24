"""What every account email says, naming the portal as people know it (`product`:
FRONTDESK_PRODUCT_NAME)."""

from __future__ import annotations

from frontdesk.accounts.models import User
from frontdesk.email_layout import Link, OutgoingEmail, Paragraph


def verify(first_name: str, link: str, *, product: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"Verify your email address for {product}",
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


def already_registered(user: User, base_url: str, *, product: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"You already have a {product} account",
        heading="You already have an account",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(
                f"Someone tried to create a {product} account with this email address, "
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


def username_reminder(user: User, base_url: str, *, product: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"Your {product} username",
        heading="Your username",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(f"Your username is: {user.username}"),
            Link("Sign in", f"{base_url}/sign-in"),
        ),
    )


def password_reset(user: User, link: str, *, product: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"Reset your {product} password",
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


def invitation(user: User, by: User, link: str, days: int, *, product: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"You are invited to {product}",
        heading="You are invited",
        greeting=f"Hello {user.first_name},",
        blocks=(
            Paragraph(f"{by.display_name} has invited you to {product} as {user.role.value}."),
            Paragraph(
                f"Use this link to choose your password. It works once and expires in {days} days."
            ),
            Link("Choose your password", link),
            Paragraph(f"Then sign in with your email address, {user.email}."),
        ),
    )
