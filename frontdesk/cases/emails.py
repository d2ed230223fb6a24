"""The text of case emails: (subject, body) pairs, plain text."""

from __future__ import annotations

from frontdesk.business_hours import uk_datetime
from frontdesk.cases.models import Case, Channel


def case_opened(case: Case, call_deadline: str = "") -> tuple[str, str]:
    """`call_deadline`: for a call-us case, when to call (SupportOptions.call_deadline):
    when the lines open, if they are closed now, and the time to call by."""
    if case.channel is Channel.CALL:
        next_step = f"Please call us on {case.phone} and quote your case number. {call_deadline}"
    elif case.channel is Channel.CHAT:
        # Sent as the chat is asked for: nothing has been said yet.
        next_step = (
            "You asked to chat with our team: the chat opens in your browser, and its "
            "transcript is added to this case when it ends. If nobody can answer, we "
            "will reply by email instead."
        )
    else:
        next_step = (
            f"We aim to reply within {case.reply_days} working days, by "
            f"{uk_datetime(case.reply_by)} (UK time), by email."
        )
    return (
        f"Your case {case.number}: {case.subject}",
        f"Hello {case.contact_first_name},\n\n"
        f"Thank you for contacting us. Your case number is {case.number}.\n\n"
        f"{next_step}\n\n"
        "You can follow your case, add comments and attach files in My Cases.\n",
    )


def chat_became_message(case: Case, why: str) -> tuple[str, str]:
    """No agent could answer a chat: the case is a message case now, answered by email."""
    return (
        f"Your case {case.number}: we will reply by email",
        f"Hello {case.contact_first_name},\n\n"
        f"{why} We are sorry you had to wait.\n\n"
        f"Your case {case.number} stays open as a message: we will reply by email by "
        f"{uk_datetime(case.reply_by)} (UK time). You do not need to ask again.\n\n"
        "You can add a message or attach files to your case in My Cases.\n",
    )


def agent_replied(case: Case, body: str) -> tuple[str, str]:
    return (
        f"Re: your case {case.number}: {case.subject}",
        f"Hello {case.contact_first_name},\n\n{body}\n\n"
        f"You can answer or add files to case {case.number} in My Cases.\n",
    )


def case_resolved(case: Case, rating_link: str | None) -> tuple[str, str]:
    """The case is resolved: said by email, with the link to rate how we did."""
    rate = (
        f"How satisfied were you? Tell us in one click, from 1 to 5, here:\n{rating_link}\n"
        "(You can change your rating for a day after giving it.)\n\n"
        if rating_link
        else ""
    )
    return (
        f"Your case {case.number} is resolved: {case.subject}",
        f"Hello {case.contact_first_name},\n\n"
        f"We have resolved your case {case.number}. If anything is still not right, add a "
        "comment to the case in My Cases and we will pick it up again.\n\n"
        f"{rate}Thank you for contacting us.\n",
    )
