"""What case emails say: each says what happens next, in the words of its channel."""

from __future__ import annotations

from frontdesk.business_hours import uk_datetime
from frontdesk.cases.models import Case, Channel
from frontdesk.email_layout import Block, Link, OutgoingEmail, Paragraph, Quote


def case_url(public_url: str, case: Case) -> str:
    return f"{public_url.rstrip('/')}/my-cases/{case.number}"


def _hello(case: Case) -> str:
    return f"Hello {case.contact_first_name},"


def _case_link(case: Case, public_url: str) -> Link:
    return Link(f"Open case {case.number} in My Cases", case_url(public_url, case))


def _reply_promise(case: Case) -> str:
    return (
        f"We will reply by email within {case.reply_days} working days, by "
        f"{uk_datetime(case.reply_by)} (UK time)."
    )


def case_opened(
    case: Case, public_url: str, phone_hours: str, call_deadline: str = ""
) -> OutgoingEmail:
    """The confirmation sent as Contact Us opens the case, for its channel. `call_deadline`:
    for a call-us case, when to call (SupportOptions.call_deadline): when the lines open,
    if they are closed now, and the time to call by."""
    heading, next_steps = _opened_by_channel(case, phone_hours, call_deadline)
    return OutgoingEmail(
        subject=f"Your case {case.number}: {case.subject}",
        heading=heading,
        greeting=_hello(case),
        case_number=case.number,
        blocks=(
            Paragraph(f"Thank you for contacting us. Your case number is {case.number}."),
            *next_steps,
            Paragraph("You can follow your case, add comments and attach files in My Cases."),
            _case_link(case, public_url),
        ),
    )


def _opened_by_channel(
    case: Case, phone_hours: str, call_deadline: str
) -> tuple[str, tuple[Block, ...]]:
    if case.channel is Channel.CALL:
        return "Please call us", (
            Paragraph(
                f"What happens next: please call us on {case.phone} and quote your case "
                f"number, {case.number}. Our lines are open {phone_hours}."
            ),
            Paragraph(f"{call_deadline} You can contact us again at any time.".strip()),
        )
    if case.channel is Channel.CHAT:
        # Sent as the chat is asked for: nothing has been said yet.
        return "Your chat is starting", (
            Paragraph(
                "What happens next: You asked to chat with our team. The chat opens in "
                "your browser, and its transcript is added to this case when it ends."
            ),
            Paragraph(
                "If nobody can answer, your case stays open as a message and we will "
                "reply by email instead."
            ),
        )
    return "We have your message", (
        Paragraph(f"What happens next: {_reply_promise(case)}"),
        Paragraph("You do not need to do anything else."),
    )


def chat_became_message(
    case: Case, why: str, public_url: str, message: str | None = None
) -> OutgoingEmail:
    """No agent could answer a chat, or the customer left a `message` instead: the case
    is a message case now, answered by email."""
    left = (Quote(message, title="Your message"),) if message else ()
    return OutgoingEmail(
        subject=f"Your case {case.number}: we will reply by email",
        heading="We will reply by email",
        greeting=_hello(case),
        case_number=case.number,
        blocks=(
            Paragraph(why),
            *left,
            Paragraph(
                f"What happens next: your case {case.number} stays open as a message. "
                f"{_reply_promise(case)} You do not need to ask again."
            ),
            Paragraph("You can add a message or attach files to your case in My Cases."),
            _case_link(case, public_url),
        ),
    )


def agent_replied(case: Case, body: str, public_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=f"Re: your case {case.number}: {case.subject}",
        heading="We have replied to your case",
        greeting=_hello(case),
        case_number=case.number,
        blocks=(
            Quote(body),
            Paragraph(f"You can answer or add files to case {case.number} in My Cases."),
            _case_link(case, public_url),
        ),
    )


def case_resolved(case: Case, rating_link: str | None, public_url: str) -> OutgoingEmail:
    """The case is resolved: said by email, with the link to rate how we did."""
    rate: tuple[Block, ...] = (
        (
            Paragraph("How satisfied were you? Tell us in one click, from 1 to 5."),
            Link("Rate how we did", rating_link),
            Paragraph("You can change your rating for a day after giving it."),
        )
        if rating_link
        else ()
    )
    return OutgoingEmail(
        subject=f"Your case {case.number} is resolved: {case.subject}",
        heading="Your case is resolved",
        greeting=_hello(case),
        case_number=case.number,
        blocks=(
            Paragraph(
                f"We have resolved your case {case.number}. If anything is still not right, "
                "add a comment to the case in My Cases and we will pick it up again."
            ),
            _case_link(case, public_url),
            *rate,
            Paragraph("Thank you for contacting us."),
        ),
    )
