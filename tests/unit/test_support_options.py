"""Step 3 of Contact Us: whether chat is open now, why not, the phone line, reply-by."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.business_hours import UK, BusinessCalendar
from frontdesk.intake.options import (
    NOBODY_SIGNED_IN,
    LongerReply,
    chat_hours_report,
    longer_replies,
    support_options,
)
from frontdesk.intake.taxonomy import (
    DEFAULT_TAXONOMY,
    DEMO_TAXONOMY,
    Choice,
    Routing,
    check_taxonomy,
    load_taxonomy,
    resolve,
)

TAXONOMY = load_taxonomy(DEFAULT_TAXONOMY)
calendar = BusinessCalendar()

NOT_OFFERED = "Chat is not offered for this kind of query; please call us or send a message."


def uk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK).astimezone(UTC)


def routing(customer_type: str = "Exams Officers", issue_type: str = "Results") -> Routing:
    paths = {
        "Results": ("Results Day", "Missing Results"),
        "Complaints": ("Complaint", "Service Complaint"),
        "Special Considerations": ("Special Consideration Requests", "Outcomes"),
        "Marking & Training": ("Training", "Training Dates"),
        "Associate contracts, deployment & allocation": ("Contracts", "New Contracts"),
    }
    category, subcategory = paths[issue_type]
    return resolve(
        TAXONOMY,
        Choice(
            customer_type=customer_type,
            issue_type=issue_type,
            category=category,
            subcategory=subcategory,
            qualification="GCSE",
            qualification_subject="Mathematics",
        ),
    )


def test_chat_open_in_office_hours():
    options = support_options(routing(), calendar, uk(2026, 6, 16, 10, 0))
    assert options.chat_offered
    assert options.chat_open
    assert options.chat_reason is None
    assert options.chat_next_opening is None
    assert options.chat_hours == "Monday - Friday 09:00-17:00"


def test_chat_closed_at_the_weekend_says_when_it_opens():
    options = support_options(routing(), calendar, uk(2026, 6, 20, 11, 0))
    assert options.chat_offered
    assert not options.chat_open
    assert options.chat_next_opening == uk(2026, 6, 22, 9, 0)
    assert options.chat_reason == (
        "Our chat team is away now. Chat opens again Monday 22 June at 09:00 (UK time)."
    )


def test_chat_closes_at_five():
    assert support_options(routing(), calendar, uk(2026, 6, 16, 16, 59, 59)).chat_open
    options = support_options(routing(), calendar, uk(2026, 6, 16, 17, 0))
    assert not options.chat_open
    assert options.chat_next_opening == uk(2026, 6, 17, 9, 0)
    assert "Wednesday 17 June at 09:00" in (options.chat_reason or "")


def test_chat_closed_on_a_bank_holiday_opens_the_next_working_day():
    options = support_options(routing(), calendar, uk(2026, 8, 31, 11, 0))
    assert not options.chat_open
    assert options.chat_next_opening == uk(2026, 9, 1, 9, 0)
    assert "Tuesday 01 September at 09:00 (UK time)" in (options.chat_reason or "")


def test_the_reason_gives_the_opening_in_uk_time_across_the_clock_change():
    options = support_options(routing(), calendar, uk(2026, 3, 27, 17, 30))
    assert options.chat_next_opening == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert "Monday 30 March at 09:00 (UK time)" in (options.chat_reason or "")


def test_associates_chat_closes_early_on_friday():
    associate = routing("Assessment Associates", "Marking & Training")
    assert support_options(associate, calendar, uk(2026, 6, 19, 15, 59)).chat_open
    options = support_options(associate, calendar, uk(2026, 6, 19, 16, 0))
    assert not options.chat_open
    assert options.chat_next_opening == uk(2026, 6, 22, 9, 0)
    assert options.chat_hours == "Monday - Thursday 09:00-17:00; Friday 09:00-16:00"


@pytest.mark.parametrize(
    "customer_type, issue_type",
    [
        ("Exams Officers", "Complaints"),
        ("Northgate Associates", "Marking & Training"),
        ("Students & Parents", "Results"),
    ],
)
@pytest.mark.parametrize(
    "now", [uk(2026, 6, 16, 10, 0), uk(2026, 6, 20, 10, 0)], ids=["open hours", "weekend"]
)
def test_chat_not_offered_says_so_without_an_opening(customer_type, issue_type, now):
    options = support_options(routing(customer_type, issue_type), calendar, now)
    assert not options.chat_offered
    assert not options.chat_open
    assert options.chat_reason == NOT_OFFERED
    assert options.chat_next_opening is None


def test_the_phone_line_of_the_choice_is_offered():
    options = support_options(routing("Students & Parents", "Results"), calendar, uk(2026, 6, 16))
    assert options.phone == "020 7946 0500"
    assert options.phone_hours == "Monday to Friday, 08:00 to 17:00 (UK time)"


@pytest.mark.parametrize(
    "customer_type, issue_type, days, due",
    [
        ("Exams Officers", "Results", 2, uk(2026, 6, 18, 10, 30)),
        (
            "Northgate Associates",
            "Associate contracts, deployment & allocation",
            3,
            uk(2026, 6, 19, 10, 30),
        ),
        ("Exams Officers", "Special Considerations", 5, uk(2026, 6, 23, 10, 30)),
        ("Students & Parents", "Results", 5, uk(2026, 6, 23, 10, 30)),
        ("Students & Parents", "Complaints", 10, uk(2026, 6, 30, 10, 30)),
    ],
)
def test_reply_by_counts_the_reply_days_in_working_days(customer_type, issue_type, days, due):
    # From Tuesday 16 June 2026, 10:30 UK time.
    options = support_options(routing(customer_type, issue_type), calendar, uk(2026, 6, 16, 10, 30))
    assert options.reply_days == days
    assert options.reply_by == due


def test_reply_by_from_a_friday_before_a_bank_holiday_monday():
    options = support_options(routing(), calendar, uk(2026, 8, 28, 15, 0))
    assert options.reply_by == uk(2026, 9, 2, 15, 0)


def test_reply_by_from_a_saturday_counts_from_monday_morning():
    # Was Tuesday 23:59: a time nobody is at work. Monday 09:00 + 2 days of the group's hours.
    options = support_options(routing(), calendar, uk(2026, 6, 20, 10, 0))
    assert options.reply_by == uk(2026, 6, 24, 9, 0)


def test_reply_by_before_opening_counts_from_opening_time():
    options = support_options(routing(), calendar, uk(2026, 12, 7, 7, 20))
    assert options.reply_by == uk(2026, 12, 9, 9, 0)


def test_reply_by_keeps_the_customer_groups_own_hours():
    # Associates' hours close at 16:00 on Fridays: three days from Tuesday 16:30 is due
    # by Friday's close, not at 16:30 when nobody is there.
    associates = routing("Northgate Associates", "Associate contracts, deployment & allocation")
    options = support_options(associates, calendar, uk(2026, 6, 16, 16, 30))
    assert options.reply_by == uk(2026, 6, 19, 16, 0)


def test_reply_by_of_a_group_that_never_opens_counts_office_hours():
    from dataclasses import replace

    from frontdesk.business_hours import WeeklyHours

    closed_group = routing().group.model_copy(update={"hours": WeeklyHours(days={})})
    options = support_options(
        replace(routing(), group=closed_group), calendar, uk(2026, 6, 20, 10, 0)
    )
    assert options.reply_by == uk(2026, 6, 24, 9, 0)


# The start banner's report of chat by group ---------------------------------------------

DEMO = load_taxonomy(DEMO_TAXONOMY)


def test_the_report_puts_open_groups_first_and_says_what_to_choose():
    sunday_night = uk(2026, 12, 6, 23, 30)
    lines = chat_hours_report(DEMO, calendar, sunday_night)
    assert lines[0] == (
        "open now    Demo centre: chat around the clock (around the clock, every day);"
        " in Contact Us choose Demo centre (chat at any hour)"
    )
    assert lines[1].startswith(
        "closed now  Schools, colleges and training providers (Monday - Friday 09:00-17:00),"
        " opens Monday 07 December at 09:00; in Contact Us choose Exams Officers,"
    )
    # Students and parents have no chat: no line for them.
    assert len(lines) == 3
    assert not any("Students" in line for line in lines)


def test_inside_office_hours_every_chat_group_is_open():
    tuesday_morning = uk(2026, 12, 8, 10, 0)
    lines = chat_hours_report(DEMO, calendar, tuesday_morning)
    assert all(line.startswith("open now") for line in lines)
    assert all("opens" not in line for line in lines)


def test_in_hours_with_nobody_signed_in_chat_is_not_offered_and_we_say_why():
    options = support_options(routing(), calendar, uk(2026, 6, 16, 10, 0), staffed=False)
    assert options.chat_offered and not options.chat_open
    assert options.chat_reason == NOBODY_SIGNED_IN
    assert options.chat_next_opening is None
    closed = support_options(routing(), calendar, uk(2026, 6, 20, 11, 0), staffed=False)
    assert closed.chat_reason is not None and "opens again" in closed.chat_reason


def test_a_closure_gives_its_reason_and_the_next_opening_after_it():
    from dataclasses import replace
    from datetime import date

    from frontdesk.business_hours import Closure

    plain = routing()
    closure = Closure(start=date(2026, 12, 9), end=date(2026, 12, 10), reason="Staff training")
    hours = plain.group.hours.model_copy(update={"closures": (closure,)})
    closed = replace(plain, group=plain.group.model_copy(update={"hours": hours}))
    options = support_options(closed, calendar, uk(2026, 12, 9, 11, 0))
    assert options.chat_open is False
    assert options.chat_reason == (
        "Staff training. Chat opens again Friday 11 December at 09:00 (UK time)."
    )


def test_longer_replies_are_the_guides_list_in_the_taxonomys_names():
    assert longer_replies(TAXONOMY) == [
        LongerReply("Northgate Associates", 3),
        LongerReply("Associate contracts, deployment & allocation", 3),
        LongerReply("Students & Parents", 5),
        LongerReply("Special Considerations", 5),
        LongerReply("Complaints", 10),
    ]


def test_longer_replies_follow_an_edit_and_leave_out_the_default_and_shorter():
    data = TAXONOMY.model_dump(exclude_none=True)
    data["defaults"]["reply_days"] = 5
    data["qualifications"][0]["reply_days"] = 7  # GCSE
    data["issue_types"][0]["categories"][0]["reply_days"] = 1  # shorter: no promise broken
    edited = check_taxonomy(data)
    assert longer_replies(edited) == [LongerReply("GCSE", 7), LongerReply("Complaints", 10)]
