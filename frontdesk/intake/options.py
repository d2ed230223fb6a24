"""Step 3 of Contact Us: which support options a choice gets, now. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.cases.sla import reply_due
from frontdesk.intake.phone_lines import call_deadline, call_window, lines_closed
from frontdesk.intake.taxonomy import Routing, Taxonomy


@dataclass(frozen=True)
class SupportOptions:
    chat_offered: bool  # this customer group and choice have chat at all
    chat_open: bool  # ...and it is open and an agent of the group is signed in right now
    chat_reason: str | None  # why chat is not open, for people
    chat_hours: str
    chat_next_opening: datetime | None
    phone: str
    phone_hours: str
    phone_reason: str | None  # why the lines do not answer now (closed), for people
    phone_next_opening: datetime | None
    call_by: datetime  # if a call-us case were opened now: call by then, or it closes
    call_deadline: str  # that, for people
    reply_days: int
    reply_by: datetime  # if a message case were opened now


NOBODY_SIGNED_IN = (
    "No chat agent is signed in right now. Please call us, or send us a message and we"
    " will reply by email."
)


def support_options(
    routing: Routing, calendar: BusinessCalendar, now: datetime, *, staffed: bool = True
) -> SupportOptions:
    """`staffed`: whether an agent of the group is signed in; chat is offered only then,
    so nobody asks for a chat that no one can answer."""
    hours = routing.group.hours
    in_hours = routing.chat and calendar.is_open(hours, now)
    chat_open = in_hours and staffed
    next_opening = None
    reason = None
    if not routing.chat:
        reason = "Chat is not offered for this kind of query; please call us or send a message."
    elif in_hours and not staffed:
        reason = NOBODY_SIGNED_IN
    elif not chat_open:
        next_opening = calendar.next_opening(hours, now)
        # A closure says why in its own words ("Closed for staff training").
        closure = hours.closure_on(now.astimezone(UK).date())
        reason = f"{closure.reason.rstrip('.')}." if closure else "Our chat team is away now."
        if next_opening is not None:
            reason += (
                f" Chat opens again {next_opening.astimezone(UK):%A %d %B at %H:%M} (UK time)."
            )
    window = call_window(calendar, routing.phone_hours, now)
    return SupportOptions(
        chat_offered=routing.chat,
        chat_open=chat_open,
        chat_reason=reason,
        chat_hours=hours.describe(),
        chat_next_opening=next_opening,
        phone=routing.phone,
        phone_hours=routing.phone_hours,
        phone_reason=lines_closed(window),
        phone_next_opening=window.opens_at,
        call_by=window.call_by,
        call_deadline=call_deadline(window),
        reply_days=routing.reply_days,
        reply_by=reply_due(calendar, hours, now, routing.reply_days),
    )


def chat_hours_report(taxonomy: Taxonomy, calendar: BusinessCalendar, now: datetime) -> list[str]:
    """One line per customer group with chat, open ones first: whether it is open now, its
    hours (UK time), and the customer types that reach it (what to pick in Contact Us)."""
    lines = []
    for key, group in taxonomy.groups.items():
        if not group.chat:
            continue
        is_open = calendar.is_open(group.hours, now)
        opening = None if is_open else calendar.next_opening(group.hours, now)
        line = (
            f"{'open now' if is_open else 'closed now':<11} {group.name} ({group.hours.describe()})"
        )
        if opening is not None:
            line += f", opens {opening.astimezone(UK):%A %d %B at %H:%M}"
        types = ", ".join(c.name for c in taxonomy.customer_types if c.group == key)
        lines.append(f"{line}; in Contact Us choose {types}")
    return sorted(lines, key=lambda line: not line.startswith("open now"))


@dataclass(frozen=True)
class LongerReply:
    name: str  # a customer type, qualification, issue type or category
    days: int


def longer_replies(taxonomy: Taxonomy) -> list[LongerReply]:
    """What has a reply target longer than the default, shortest first (then in file
    order): Contact Us lists them under its promise ("Some queries may take longer"), in
    the taxonomy's own names, so the list says what routing will do."""
    nodes: list[tuple[str, int | None]] = [
        *((c.name, c.reply_days) for c in taxonomy.customer_types),
        *((q.name, q.reply_days) for q in taxonomy.qualifications),
    ]
    for issue in taxonomy.issue_types:
        nodes += [
            (issue.name, issue.reply_days),
            *((c.name, c.reply_days) for c in issue.categories),
        ]
    default = taxonomy.defaults.reply_days
    longer = [LongerReply(name, days) for name, days in nodes if days and days > default]
    return sorted(longer, key=lambda reply: reply.days)
