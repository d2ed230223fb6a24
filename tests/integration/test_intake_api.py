"""The Contact Us API on both stores: the taxonomy, support options at the edges of
office hours, the human check, and opening a case by chat, call or message."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import ActivityKind
from frontdesk.chat.protocol import SetPresence
from frontdesk.intake.human_check import CHALLENGE_LIFETIME, solve
from frontdesk.intake.options import NOBODY_SIGNED_IN
from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from frontdesk.web import contact
from tests.factories import make_user, outbox_messages
from tests.helpers import api, csrf_token, login_as

# Mondays in June are inside office hours at 10:00 UTC (11:00 BST); 31 August 2026 is
# the summer bank holiday in England.
MONDAY_MORNING = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
MONDAY_EVENING = datetime(2026, 6, 15, 16, 30, tzinfo=UTC)  # 17:30 BST, closed
BANK_HOLIDAY = datetime(2026, 8, 31, 10, 0, tzinfo=UTC)

# Exams Officers (centres: chat in office hours) asking about GCSE certificates.
CHOICE = {
    "customer_type": "Exams Officers",
    "issue_type": "Certificates",
    "category": "Certificate Delivery",
    "subcategory": "Certificate Receipt Dates",
    "qualification": "GCSE",
    "qualification_subject": "Mathematics",
}
# Students & Parents: a group without chat, its own phone line, 5 working days.
LEARNER_CHOICE = {
    "customer_type": "Students & Parents",
    "issue_type": "Results",
    "category": "Results Day",
    "subcategory": "Missing Results",
    "qualification": "A Level",
    "qualification_subject": "Physics",
}
CONTACT = {
    "first_name": "Ann",
    "last_name": "Example",
    "email": "ann.example@northfield.sch.uk",
    "phone": "+44 (0) 1234 567 890",
    "country": "United Kingdom",
    "language": "English",
    "institution": "Northfield School Examination Officer",
}
CASE_NUMBER = re.compile(r"^\d{8}$")


@pytest.fixture
async def customer(services):
    return await make_user(services, first_name="Ann", last_name="Account")


@pytest.fixture
async def signed_in(client, customer):
    await login_as(client, customer.username)
    return client


async def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code, body
    return body["error"]


async def human_check(client: Any) -> str:
    """Fetch a challenge as the widget does and solve it as the widget would."""
    response = await client.get("/api/v1/intake/challenge")
    assert response.status_code == 200
    return solve(await response.get_json())


async def case_form(client: Any, channel: str, **overrides: Any) -> dict[str, Any]:
    return {
        "choice": CHOICE,
        "description": "Our GCSE certificates have not arrived yet.",
        "contact": CONTACT,
        "channel": channel,
        "human_check": await human_check(client),
        **overrides,
    }


async def post_case(client: Any, form: dict[str, Any]) -> Any:
    return await api(client, "POST", "/api/v1/cases", form)


async def options(client: Any, choice: dict[str, str]) -> dict[str, Any]:
    response = await api(client, "POST", "/api/v1/intake/options", choice)
    body = await response.get_json()
    assert response.status_code == 200, body
    return body


# The taxonomy ----------------------------------------------------------------------------


async def test_taxonomy_has_the_dropdowns_tree(signed_in):
    response = await signed_in.get("/api/v1/intake/taxonomy")
    assert response.status_code == 200
    body = await response.get_json()

    customers = {c["name"]: c for c in body["customer_types"]}
    assert list(customers)[:6] == [
        "Exams Officers", "Administrators", "Quality Nominees", "Teachers", "Assessors",
        "Assessment Associates",
    ]  # fmt: skip
    issues = {i["name"]: i for i in customers["Exams Officers"]["issue_types"]}
    assert "Onscreen Testing" not in issues  # only the issue types of this customer type
    categories = {c["name"]: c for c in issues["Certificates"]["categories"]}
    assert categories["Certificate Delivery"]["subcategories"] == [
        "Certificate Receipt Dates", "Missing Certificates", "Returned Certificates",
    ]  # fmt: skip
    qualifications = {q["name"]: q["subjects"] for q in body["qualifications"]}
    assert "Mathematics" in qualifications["GCSE"]
    # Routing stays on the server: no queues, phones or groups in what pages see.
    assert "owner_queue" not in str(body) and "phone" not in str(body)


async def test_a_saved_version_shows_on_the_next_request_and_the_file_no_longer_counts(
    start_app, tmp_path
):
    path = tmp_path / "taxonomy.yaml"
    shutil.copy(DEFAULT_TAXONOMY, path)
    app = await start_app(taxonomy_path=path)
    client = app.test_client()
    services = app.extensions["frontdesk"]
    customer = await make_user(services)
    await login_as(client, customer.username)

    def subjects(body: dict[str, Any]) -> list[str]:
        return next(q["subjects"] for q in body["qualifications"] if q["name"] == "GCSE")

    before = await (await client.get("/api/v1/intake/taxonomy")).get_json()
    assert "Astronomy" not in subjects(before)

    # The file seeded the store; an edit to it now changes nothing (import it instead).
    text = path.read_text(encoding="utf-8")
    old = "[English Language, English Literature,"
    path.write_text(text.replace(old, f"[Astronomy, {old[1:]}", 1), encoding="utf-8")
    unchanged = await (await client.get("/api/v1/intake/taxonomy")).get_json()
    assert "Astronomy" not in subjects(unchanged)

    await services.taxonomy.save_taxonomy(None, load_taxonomy(path), "Astronomy for GCSE")
    after = await (await client.get("/api/v1/intake/taxonomy")).get_json()
    assert subjects(after)[0] == "Astronomy"


# Support options ---------------------------------------------------------------------------


async def test_options_offer_chat_only_once_an_agent_of_the_group_is_signed_in(
    services, signed_in, clock
):
    clock.set(MONDAY_MORNING)
    body = await options(signed_in, CHOICE)
    assert (body["chat_offered"], body["chat_open"]) == (True, False)
    assert body["chat_reason"] == NOBODY_SIGNED_IN
    # Signed in and away counts (they may turn available any moment); offline does not.
    agent = await make_user(services, Role.AGENT)
    await services.live.set_presence(agent.id, SetPresence(presence="away"))
    assert (await options(signed_in, CHOICE))["chat_open"] is True
    await services.live.set_presence(agent.id, SetPresence(presence="offline"))
    assert (await options(signed_in, CHOICE))["chat_open"] is False


async def test_options_inside_office_hours_offer_open_chat(services, signed_in, clock):
    clock.set(MONDAY_MORNING)
    agent = await make_user(services, Role.AGENT)
    await services.live.set_presence(agent.id, SetPresence(presence="available"))
    body = await options(signed_in, CHOICE)
    assert body["chat_offered"] is True
    assert body["chat_open"] is True
    assert body["chat_reason"] is None
    assert body["chat_next_opening"] is None
    assert body["chat_hours"] == "Monday - Friday 09:00-17:00"
    assert body["phone"] == "020 7946 0000"
    assert body["phone_hours"] == "Monday to Friday, 08:00 to 17:00 (UK time)"
    assert body["reply_days"] == 2
    assert body["reply_by"] == "2026-06-17T10:00:00Z"
    assert body["reply_by_uk"] == "17/06/2026 11:00"


async def test_options_outside_office_hours_say_when_chat_opens(signed_in, clock):
    clock.set(MONDAY_EVENING)
    body = await options(signed_in, CHOICE)
    assert body["chat_offered"] is True
    assert body["chat_open"] is False
    assert body["chat_next_opening"] == "2026-06-16T08:00:00Z"
    assert body["chat_next_opening_uk"] == "16/06/2026 09:00"
    assert "Tuesday 16 June at 09:00" in body["chat_reason"]


async def test_options_on_a_bank_holiday_close_chat_until_the_next_working_day(
    client, customer, clock
):
    clock.set(BANK_HOLIDAY)  # before signing in: sessions last 14 days by this clock
    await login_as(client, customer.username)
    body = await options(client, CHOICE)
    assert body["chat_open"] is False
    assert body["chat_next_opening_uk"] == "01/09/2026 09:00"
    assert "Tuesday 01 September at 09:00" in body["chat_reason"]
    # The reply target skips the holiday too: counted from Tuesday's opening, the first
    # time anyone is at work, it is due at that time on Thursday.
    assert body["reply_by_uk"] == "03/09/2026 09:00"


async def test_options_for_a_group_without_chat_never_offer_it(signed_in, clock):
    clock.set(MONDAY_MORNING)
    body = await options(signed_in, LEARNER_CHOICE)
    assert body["chat_offered"] is False
    assert body["chat_open"] is False
    assert body["chat_next_opening"] is None
    assert "not offered" in body["chat_reason"]
    assert body["phone"] == "020 7946 0500"
    assert body["reply_days"] == 5


async def test_options_for_an_invalid_choice_name_the_field(signed_in):
    response = await api(
        signed_in, "POST", "/api/v1/intake/options", {**CHOICE, "subcategory": "Entry Codes"}
    )
    error = await error_of(response, 422, "INVALID_CHOICE")
    assert list(error["fields"]) == ["choice.subcategory"]


# Opening cases ---------------------------------------------------------------------------


async def test_a_message_case_is_opened_with_its_reply_target(services, signed_in, customer, clock):
    clock.set(MONDAY_MORNING)
    response = await post_case(signed_in, await case_form(signed_in, "message"))
    body = await response.get_json()
    assert response.status_code == 201, body
    assert CASE_NUMBER.match(body["number"])
    assert body["channel"] == "message"
    assert body["case_url"] == f"/my-cases/{body['number']}"
    assert body["chat_url"] is None and body["phone"] is None
    assert body["reply_days"] == 2
    assert body["reply_by"] == "2026-06-17T10:00:00Z"
    assert body["reply_by_uk"] == "17/06/2026 11:00"
    await opened_with_activity_and_email(services, customer, body["number"])


async def test_a_call_case_is_opened_with_the_phone_line(services, signed_in, customer):
    form = await case_form(signed_in, "call", choice=LEARNER_CHOICE)
    response = await post_case(signed_in, form)
    body = await response.get_json()
    assert response.status_code == 201, body
    assert CASE_NUMBER.match(body["number"])
    assert body["channel"] == "call"
    assert body["phone"] == "020 7946 0500"
    assert body["phone_hours"] == "Monday to Friday, 08:00 to 17:00 (UK time)"
    messages = await opened_with_activity_and_email(services, customer, body["number"])
    assert "020 7946 0500" in messages[-1].body


async def test_a_call_case_outside_the_lines_hours_says_when_they_open(
    services, client, customer, clock
):
    clock.set(datetime(2026, 6, 19, 18, 30, tzinfo=UTC))  # Friday 19:30 in London
    await login_as(client, customer.username)
    offered = await options(client, LEARNER_CHOICE)
    assert offered["phone_reason"] == (
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time)."
    )
    assert offered["phone_next_opening_uk"] == "22/06/2026 08:00"
    response = await post_case(client, await case_form(client, "call", choice=LEARNER_CHOICE))
    body = await response.get_json()
    assert response.status_code == 201, body
    assert body["call_by"] == "2026-06-23T07:00:00Z"
    assert body["call_by_uk"] == "23/06/2026 08:00"
    deadline = (
        "Our lines are closed now and open again Monday 22 June at 08:00 (UK time). If you do"
        " not call us by Tuesday 23 June at 08:00 (UK time), we will close the case"
        " automatically."
    )
    assert body["call_deadline"] == deadline
    # The confirmation email says the same, in the same words.
    messages = await opened_with_activity_and_email(services, customer, body["number"])
    assert deadline in messages[-1].body


async def test_a_chat_case_is_opened_inside_office_hours(services, signed_in, customer, clock):
    clock.set(MONDAY_MORNING)
    response = await post_case(signed_in, await case_form(signed_in, "chat"))
    body = await response.get_json()
    assert response.status_code == 201, body
    assert body["channel"] == "chat"
    assert body["chat_url"] == f"/chat/{body['number']}"
    await opened_with_activity_and_email(services, customer, body["number"])


async def opened_with_activity_and_email(services, customer, number: str) -> list[Any]:
    case = await services.cases.access_case(customer, number)
    assert case.customer_id == customer.id
    assert case.contact_email == CONTACT["email"]
    feed = await services.cases.feed(customer, number, newest_first=False)
    assert [item.kind for item in feed] == [ActivityKind.CREATED, ActivityKind.FIELD_CHANGED]
    messages = await outbox_messages(services, CONTACT["email"])
    assert len(messages) == 1
    assert number in messages[0].subject
    return messages


async def test_chat_outside_office_hours_is_refused_and_nothing_is_created(
    signed_in, clock, store_counts
):
    clock.set(MONDAY_EVENING)
    form = await case_form(signed_in, "chat")
    before = await store_counts()
    error = await error_of(await post_case(signed_in, form), 409, "CHAT_UNAVAILABLE")
    assert "Chat opens again Tuesday 16 June at 09:00" in error["message"]
    assert await store_counts() == before
    # The human check was not spent: the same solution opens a message case instead.
    response = await post_case(signed_in, {**form, "channel": "message"})
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_type", "Astronauts"),
        ("issue_type", "Onscreen Testing"),  # real, but not for Exams Officers
        ("qualification_subject", "Underwater Basket Weaving"),
    ],
)
async def test_an_invalid_choice_is_refused_naming_the_field(signed_in, store_counts, field, value):
    form = await case_form(signed_in, "message", choice={**CHOICE, field: value})
    before = await store_counts()
    error = await error_of(await post_case(signed_in, form), 422, "INVALID_CHOICE")
    assert list(error["fields"]) == [f"choice.{field}"]
    assert await store_counts() == before


async def test_missing_contact_details_are_refused_field_by_field(signed_in, store_counts):
    form = await case_form(signed_in, "message", contact={**CONTACT, "phone": "", "email": "x"})
    before = await store_counts()
    error = await error_of(await post_case(signed_in, form), 422, "INVALID")
    assert {"contact.phone", "contact.email"} <= set(error["fields"])
    assert await store_counts() == before


async def test_a_missing_human_check_is_refused(signed_in, store_counts):
    form = await case_form(signed_in, "message")
    del form["human_check"]
    before = await store_counts()
    error = await error_of(await post_case(signed_in, form), 422, "INVALID")
    assert error["fields"] == {"human_check": "This field is required"}
    assert await store_counts() == before


async def test_a_forged_human_check_is_refused(signed_in, store_counts):
    form = await case_form(signed_in, "message", human_check="eyJub3QiOiAic29sdmVkIn0=")
    before = await store_counts()
    error = await error_of(await post_case(signed_in, form), 422, "HUMAN_CHECK_FAILED")
    assert "human_check" in error["fields"]
    assert await store_counts() == before


async def test_a_replayed_human_check_is_refused(signed_in, store_counts):
    form = await case_form(signed_in, "message")
    assert (await post_case(signed_in, form)).status_code == 201
    before = await store_counts()
    await error_of(await post_case(signed_in, form), 422, "HUMAN_CHECK_FAILED")
    assert await store_counts() == before


async def test_a_human_check_expires_by_the_portal_clock(signed_in, clock):
    form = await case_form(signed_in, "message")
    clock.advance(seconds=CHALLENGE_LIFETIME.total_seconds())
    await error_of(await post_case(signed_in, form), 422, "HUMAN_CHECK_FAILED")
    clock.advance(seconds=-1)
    assert (await post_case(signed_in, form)).status_code == 201


async def test_the_challenge_is_fresh_and_never_cached(signed_in, clock):
    first = await signed_in.get("/api/v1/intake/challenge")
    second = await signed_in.get("/api/v1/intake/challenge")
    assert first.headers["Cache-Control"] == "no-store"
    one, two = await first.get_json(), await second.get_json()
    assert set(one) == {"parameters", "signature"}
    assert one["signature"] != two["signature"]
    expires = clock.now() + CHALLENGE_LIFETIME
    assert one["parameters"]["data"] == {"expires": int(expires.timestamp())}


async def test_opening_a_case_needs_the_csrf_token(signed_in, store_counts):
    form = await case_form(signed_in, "message")
    before = await store_counts()
    response = await signed_in.post("/api/v1/cases", json=form)
    await error_of(response, 403, "CSRF_FAILED")
    assert await store_counts() == before


async def test_staff_cannot_open_cases(services, client, store_counts):
    agent = await make_user(services, Role.AGENT)
    await login_as(client, agent.username)
    form = await case_form(client, "message")
    before = await store_counts()
    await error_of(await post_case(client, form), 403, "FORBIDDEN")
    assert await store_counts() == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/intake/taxonomy"),
        ("POST", "/api/v1/intake/options"),
        ("GET", "/api/v1/intake/challenge"),
        ("GET", "/api/v1/intake/contact"),
        ("POST", "/api/v1/cases"),
    ],
)
async def test_anonymous_callers_are_asked_to_sign_in(client, method, path):
    headers = {"X-CSRF-Token": await csrf_token(client)}
    json = CHOICE if path.endswith("options") else None
    response = await client.open(path, method=method, json=json, headers=headers)
    await error_of(response, 401, "NOT_SIGNED_IN")


# Step 2's prefill --------------------------------------------------------------------------


async def test_contact_prefill_starts_from_the_account(signed_in, customer):
    body = await (await signed_in.get("/api/v1/intake/contact")).get_json()
    assert body["first_name"] == "Ann"
    assert body["last_name"] == "Account"
    assert body["email"] == customer.email
    assert body["phone"] == "" and body["institution"] == ""


async def test_contact_prefill_returns_the_details_used_last(signed_in, clock):
    first = {**CONTACT, "phone": "01234 000001", "institution": "Old School"}
    response = await post_case(signed_in, await case_form(signed_in, "message", contact=first))
    assert response.status_code == 201
    clock.advance(minutes=5)
    assert (await post_case(signed_in, await case_form(signed_in, "call"))).status_code == 201
    response = await signed_in.get("/api/v1/intake/contact")
    assert response.headers["Cache-Control"] == "no-store"
    assert await response.get_json() == CONTACT


async def test_the_time_on_a_case_is_the_portal_clock(services, signed_in, customer, clock):
    clock.set(MONDAY_MORNING + timedelta(days=1))
    body = await (await post_case(signed_in, await case_form(signed_in, "message"))).get_json()
    assert body["created_at"] == "2026-06-16T10:00:00Z"
    assert body["created_at_uk"] == "16/06/2026 11:00"


# The pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/contact-us", "/contact-us/qualification-services"])
async def test_contact_us_pages_need_sign_in(client, path):
    response = await client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sign-in?next={path}"


async def test_the_form_page_loads_its_script_for_customers_only(
    services, signed_in, web_app, monkeypatch
):
    # Any file that is there stands in for the widget, which scripts/setup vendors.
    monkeypatch.setattr(contact, "ALTCHA_SCRIPT", "js/contact.js")
    page = await (await signed_in.get("/contact-us/qualification-services")).get_data(True)
    assert "js/contact.js" in page and "JavaScript is needed" in page
    assert '<altcha-widget id="human-check" challenge="/api/v1/intake/challenge"' in page

    agent = await make_user(services, Role.AGENT)
    staff = web_app.test_client()
    await login_as(staff, agent.username)
    page = await (await staff.get("/contact-us/qualification-services")).get_data(True)
    assert "js/contact.js" not in page and "This form is for customers" in page


async def test_the_chat_tab_shows_only_my_own_case(services, signed_in, web_app):
    body = await (await post_case(signed_in, await case_form(signed_in, "chat"))).get_json()
    response = await signed_in.get(body["chat_url"])
    page = await response.get_data(True)
    assert response.status_code == 200
    assert body["number"] in page and "Save Chat" in page and "End Chat" in page

    stranger = await make_user(services)
    other = web_app.test_client()
    await login_as(other, stranger.username)
    assert (await other.get(body["chat_url"])).status_code == 404


async def test_without_the_vendored_widget_the_form_says_the_check_cannot_load(
    signed_in, monkeypatch
):
    monkeypatch.setattr(contact, "ALTCHA_VENDOR", "vendor/altcha/missing.js")
    page = await (await signed_in.get("/contact-us/qualification-services")).get_data(True)
    assert "<altcha-widget" not in page
    notice = re.search(r'<p class="notice" id="human-check-missing"[^>]*>', page)
    assert notice is not None and "hidden" not in notice.group(0)
