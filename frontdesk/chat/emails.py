"""The text of chat emails: (subject, body) pairs, plain text."""

from __future__ import annotations

from frontdesk.cases.models import Case


def transcript(case: Case, first_name: str, text: str) -> tuple[str, str]:
    """A chat's transcript, asked for by its customer or sent as the chat ended."""
    return (
        f"Your chat transcript for case {case.number}",
        f"Hello {first_name},\n\n"
        f"Here is the transcript of your chat about case {case.number}: {case.subject}.\n"
        "Files shared in the chat are named in it; you can download them from the case "
        "in My Cases.\n\n"
        f"{text}",
    )
