"""Every email says the same in its plain-text and HTML parts; the HTML escapes what
people wrote, links its links and sets the case number apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from frontdesk.accounts import emails as account_emails
from frontdesk.accounts.models import Role, User
from frontdesk.cases import emails as case_emails
from frontdesk.cases.models import Case, Channel, Status
from frontdesk.chat import emails as chat_emails
from frontdesk.email_layout import OutgoingEmail
from tests.mailbox import assert_same_content, read_html

SITE = "https://help.northgate.test"
OPENED = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # a Monday, 11:00 UK time
HOSTILE = '<script>alert("x")</script> & <b>bold</b>'


def a_user(**overrides: object) -> User:
    values: dict[str, object] = {
        "id": 1, "email": "ann@centre.ac.uk", "username": "ann@centre.ac.uk",
        "first_name": "Ann", "last_name": "Example", "country": "GB",
        "role": Role.CUSTOMER, "is_active": True, "created_at": OPENED, "verified_at": OPENED,
    }  # fmt: skip
    return User.model_validate({**values, **overrides})


def a_case(channel: Channel = Channel.MESSAGE, **overrides: object) -> Case:
    values: dict[str, object] = {
        "id": 7, "number": "10234567", "customer_id": 1,
        "subject": "Certificates / Certificate Delivery", "description": "Not arrived.",
        "contact_first_name": "Ann", "contact_last_name": "Example",
        "contact_email": "ann@centre.ac.uk", "contact_phone": "01234 567890",
        "contact_country": "United Kingdom", "contact_language": "English",
        "contact_institution": "Northfield School", "customer_type": "Exams Officers",
        "issue_type": "Certificates", "category": "Certificate Delivery",
        "subcategory": "Receipt Dates", "qualification": "GCSE",
        "qualification_subject": "Mathematics", "customer_group": "exams",
        "channel": channel, "status": Status.NEW, "waiting_reason": None,
        "owner_queue": "Exams Officers", "reply_days": 2,
        "reply_by": OPENED + timedelta(days=2), "phone": "020 7946 0000",
        "created_at": OPENED, "updated_at": OPENED, "call_logged_at": None,
        "closed_at": None, "closed_reason": None,
    }  # fmt: skip
    return Case.model_validate({**values, **overrides})


RESOLVED = a_case(status=Status.RESOLVED)
# SupportOptions.call_deadline for lines closed now (intake/phone_lines.py's wording).
CALL_DEADLINE = (
    "Our lines are closed now and open again Tuesday 16 June at 08:00 (UK time). If you"
    " do not call us by Wednesday 17 June at 08:00 (UK time), we will close the case"
    " automatically."
)
PRODUCT = "Exams Help"  # FRONTDESK_PRODUCT_NAME: the account emails name the portal so
ACCOUNT_EMAILS = (
    "verify",
    "already_registered",
    "username_reminder",
    "password_reset",
    "invitation",
)
EVERY_EMAIL = {
    "verify": account_emails.verify("Ann", f"{SITE}/verify-email?token=a.b", product=PRODUCT),
    "already_registered": account_emails.already_registered(a_user(), SITE, product=PRODUCT),
    "username_reminder": account_emails.username_reminder(a_user(), SITE, product=PRODUCT),
    "password_reset": account_emails.password_reset(
        a_user(), f"{SITE}/reset-password?token=c", product=PRODUCT
    ),
    "invitation": account_emails.invitation(
        a_user(role=Role.AGENT),
        a_user(first_name="Ada", last_name="Admin"),
        f"{SITE}/r?t=1",
        7,
        product=PRODUCT,
    ),
    "message_opened": case_emails.case_opened(a_case(), SITE, "Mon-Fri 09:00-17:00"),
    "call_opened": case_emails.case_opened(
        a_case(Channel.CALL), SITE, "Mon-Fri 09:00-17:00", call_deadline=CALL_DEADLINE
    ),
    "chat_opened": case_emails.case_opened(a_case(Channel.CHAT), SITE, "Mon-Fri 09:00-17:00"),
    "chat_unanswered": case_emails.chat_became_message(a_case(), "No agent could answer.", SITE),
    "message_left": case_emails.chat_became_message(a_case(), "Thanks.", SITE, message=HOSTILE),
    "agent_replied": case_emails.agent_replied(a_case(), f"Hello\n\n{HOSTILE}", SITE),
    "resolved_rated": case_emails.case_resolved(RESOLVED, f"{SITE}/rate/tok", SITE),
    "resolved": case_emails.case_resolved(RESOLVED, None, SITE),
    "transcript_so_far": chat_emails.transcript(a_case(), "Ann", HOSTILE, SITE, ended=False),
    "transcript": chat_emails.transcript(RESOLVED, "Ann", "Agent: done", SITE, ended=True),
}
CASE_EMAILS = [name for name, email in EVERY_EMAIL.items() if email.case_number]


@pytest.mark.parametrize("name", EVERY_EMAIL)
def test_both_parts_say_the_same(name):
    email = EVERY_EMAIL[name]
    assert_same_content(email.text(), email.html())


@pytest.mark.parametrize("name", EVERY_EMAIL)
def test_every_address_in_the_text_is_a_link_in_the_html(name):
    email = EVERY_EMAIL[name]
    addresses = [line for line in email.text().splitlines() if line.startswith(SITE)]
    assert addresses  # every email takes its reader somewhere
    assert set(addresses) <= set(read_html(email.html()).links.values())


@pytest.mark.parametrize("name", CASE_EMAILS)
def test_a_case_email_sets_the_number_apart_and_links_the_case(name):
    html = EVERY_EMAIL[name].html()
    assert '<html lang="en">' in html
    assert ">10234567</strong>" in html
    assert read_html(html).links["Open case 10234567 in My Cases"] == f"{SITE}/my-cases/10234567"


@pytest.mark.parametrize("name", ["message_left", "agent_replied", "transcript_so_far"])
def test_what_people_wrote_is_escaped_in_the_html(name):
    email = EVERY_EMAIL[name]
    html = email.html()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert HOSTILE in email.text()


def test_an_address_in_what_people_wrote_becomes_a_link():
    email = case_emails.agent_replied(a_case(), "See https://example.org/help?a=1&b=2 please", SITE)
    assert read_html(email.html()).links["https://example.org/help?a=1&b=2"] == (
        "https://example.org/help?a=1&b=2"
    )


@pytest.mark.parametrize(
    "name, next_step",
    [
        ("message_opened", "we will reply by email within 2 working days, by 17/06/2026 11:00"),
        ("call_opened", "please call us on 020 7946 0000 and quote your case number"),
        ("call_opened", "Our lines are open Mon-Fri 09:00-17:00."),
        ("call_opened", CALL_DEADLINE),
        ("chat_opened", "The chat opens in your browser"),
        ("chat_unanswered", "stays open as a message. We will reply by email within 2 working"),
        ("message_left", "Your message"),
        ("transcript_so_far", "the chat is still open, so go back to the chat window"),
        ("transcript", "nothing more is needed from you"),
    ],
)
def test_each_email_says_what_happens_next_in_its_channel_s_words(name, next_step):
    email: OutgoingEmail = EVERY_EMAIL[name]
    assert next_step.casefold() in email.text().casefold()


@pytest.mark.parametrize("name", ACCOUNT_EMAILS)
def test_account_emails_name_the_portal_as_configured(name):
    email = EVERY_EMAIL[name]
    assert PRODUCT in email.subject
    assert "frontdesk" not in email.subject
