"""What chat emails say: the transcript, and what happens next."""

from __future__ import annotations

from frontdesk.cases.emails import case_url
from frontdesk.cases.models import OPEN_STATUSES, Case
from frontdesk.email_layout import Link, OutgoingEmail, Paragraph, Quote


def transcript(
    case: Case, first_name: str, text: str, public_url: str, *, ended: bool
) -> OutgoingEmail:
    """A chat's transcript, asked for by its customer (during the chat or after it) or
    sent as the chat ended."""
    return OutgoingEmail(
        subject=f"Your chat transcript for case {case.number}",
        heading="Your chat transcript",
        greeting=f"Hello {first_name},",
        case_number=case.number,
        blocks=(
            Paragraph(
                f"Here is the transcript of your chat about case {case.number}: "
                f"{case.subject}. Files shared in the chat are named in it; you can "
                "download them from the case in My Cases."
            ),
            Quote(text, title="Transcript"),
            Paragraph(_next_step(case, ended=ended)),
            Link(f"Open case {case.number} in My Cases", case_url(public_url, case)),
        ),
    )


def _next_step(case: Case, *, ended: bool) -> str:
    if not ended:
        return (
            "What happens next: the chat is still open, so go back to the chat window to "
            "carry on. The whole transcript is added to your case when the chat ends."
        )
    if case.status in OPEN_STATUSES:
        return (
            "What happens next: the transcript is part of your case, which stays open. "
            "If we said we would look into anything, we will reply by email; to add "
            "something yourself, comment on the case in My Cases."
        )
    return (
        "What happens next: nothing more is needed from you. If anything is still not "
        "right, add a comment to the case in My Cases and we will pick it up again."
    )
