"""Internal notes: staff write them on a case's activity, marked staff only; the customer
never meets one, in pages, the feed fragment, the API, emails or chat transcripts."""

from __future__ import annotations

import pytest

from frontdesk.accounts.models import Role
from frontdesk.business_hours import BusinessCalendar
from frontdesk.cases.models import ActivityKind, Channel, Status
from frontdesk.cases.sla import ReplyTargets
from frontdesk.chat.chats import ChatService
from frontdesk.chat.models import MessageIn
from tests.factories import make_user, open_case, outbox_messages
from tests.helpers import api, csrf_token, login_as

NOTE = "Internal: the centre was warned twice; do not promise a date."
BADGE = "Internal note · staff only"


@pytest.fixture
async def case(services, customer):
    return await open_case(services, customer, email="exams@northfield.sch.uk")


@pytest.fixture
async def staff(web_app, agent):
    client = web_app.test_client()
    await login_as(client, agent.username)
    return client


@pytest.fixture
async def theirs(web_app, customer):
    """The customer's own browser session."""
    client = web_app.test_client()
    await login_as(client, customer.username)
    return client


def notes_path(number):
    return f"/api/v1/cases/{number}/notes"


async def add_note(client, number, body=NOTE):
    return await api(client, "POST", notes_path(number), {"body": body})


async def feed_items(client, number, order="newest"):
    response = await client.get(f"/api/v1/cases/{number}/feed?order={order}")
    assert response.status_code == 200
    return (await response.get_json())["items"]


async def text_of(client, path):
    response = await client.get(path)
    assert response.status_code == 200, path
    return await response.get_data(as_text=True)


async def error_of(response, status):
    body = await response.get_json()
    assert response.status_code == status, body
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# Writing a note ------------------------------------------------------------------------------


@pytest.mark.both_stores
async def test_a_note_goes_into_the_staff_feed_marked_staff_only(
    services, staff, case, customer, clock
):
    mails = len(await outbox_messages(services))
    clock.advance(hours=1)

    response = await add_note(staff, case.number)

    assert response.status_code == 201
    note = await response.get_json()
    assert (note["kind"], note["summary"], note["body"], note["staff_only"]) == (
        "note",
        "added an internal note.",
        NOTE,
        True,
    )
    assert (note["actor_name"], note["actor_role"]) == ("Sam Agent", "Agent")
    assert (await feed_items(staff, case.number))[0] == note
    # No email, no new status, and the customer's "updated" time stays.
    assert len(await outbox_messages(services)) == mails
    found = await services.cases.access_case(customer, case.number)
    assert (found.status, found.updated_at) == (Status.NEW, case.updated_at)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
async def test_supervisors_and_admins_write_notes_too(web_app, services, case, role):
    client = web_app.test_client()
    await login_as(client, (await make_user(services, role)).username)
    response = await add_note(client, case.number)
    assert response.status_code == 201
    assert (await response.get_json())["actor_role"] == role.value.title()


@pytest.mark.parametrize("status", [Status.CLOSED, Status.RESOLVED, Status.WAITING_ON_CUSTOMER])
async def test_notes_can_be_added_whatever_the_status(services, staff, case, agent, status):
    await services.case_work.change_status(agent, case.number, status, "Need the centre number")
    response = await add_note(staff, case.number, "Closed, but the centre may call back.")
    assert response.status_code == 201
    found = await services.cases.access_case(agent, case.number)
    assert found.status is status  # a note changes no status, even a closed case's


async def test_a_note_is_trimmed(staff, case):
    response = await add_note(staff, case.number, "  Checked the dispatch log.  \n")
    assert (await response.get_json())["body"] == "Checked the dispatch log."


BAD_BODIES = [
    pytest.param({"body": ""}, 422, ["body"], id="empty"),
    pytest.param({"body": " \n\t "}, 422, ["body"], id="blank"),
    pytest.param({"body": "x" * 10_001}, 422, ["body"], id="too-long"),
    pytest.param({}, 422, ["body"], id="missing"),
    pytest.param({"body": 42}, 422, ["body"], id="not-text"),
    pytest.param({"body": "Hi", "staff_only": False}, 422, ["staff_only"], id="extra-field"),
    pytest.param(["Hi"], 422, None, id="a-list"),
]


@pytest.mark.parametrize(("body", "status", "fields"), BAD_BODIES)
async def test_bad_notes_are_refused_in_the_one_error_shape(
    staff, case, store_counts, body, status, fields
):
    before = await store_counts()
    response = await api(staff, "POST", notes_path(case.number), body)
    error = await error_of(response, status)
    if fields is not None:
        assert sorted(error["fields"]) == fields
    assert await store_counts() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{not json", "application/json"), ("Hello", "text/plain"), ("", None)],
    ids=["malformed", "text", "no-body"],
)
async def test_a_note_that_is_not_json_is_a_4xx_in_the_one_shape(
    staff, case, store_counts, data, content_type
):
    before = await store_counts()
    headers = {"X-CSRF-Token": await csrf_token(staff)}
    if content_type:
        headers["Content-Type"] = content_type
    response = await staff.post(notes_path(case.number), data=data, headers=headers)
    assert 400 <= response.status_code < 500
    body = await response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert "Traceback" not in str(body)
    assert await store_counts() == before


async def test_a_note_without_the_csrf_token_is_refused(staff, case, store_counts):
    before = await store_counts()
    response = await staff.post(notes_path(case.number), json={"body": NOTE})
    assert (await error_of(response, 403))["code"] == "CSRF_FAILED"
    assert await store_counts() == before


async def test_a_note_on_an_unknown_case_is_not_found(staff):
    response = await add_note(staff, "99999999")
    assert (await error_of(response, 404))["code"] == "CASE_NOT_FOUND"


@pytest.mark.both_stores
@pytest.mark.parametrize("who", ["owner", "stranger"])
async def test_customers_may_not_add_notes_and_nothing_changes(
    web_app, services, customer, case, store_counts, who
):
    """Refused like every staff route (require_user(*STAFF, hidden=True)): 404 before the
    case is looked up, so the answer is the same for the owner, a stranger and a made-up
    case."""
    client = web_app.test_client()
    person = customer if who == "owner" else await make_user(services)
    await login_as(client, person.username)
    before = await store_counts()
    for number in (case.number, "99999999"):
        response = await add_note(client, number)
        assert (await error_of(response, 404))["code"] == "NOT_FOUND"
        page = await client.post(
            f"/agent/cases/{number}/note",
            form={"csrf_token": await csrf_token(client), "body": NOTE},
        )
        assert page.status_code == 404
    assert await store_counts() == before


async def test_the_openapi_description_lists_the_notes_path(client):
    spec = await (await client.get("/openapi.json")).get_json()
    operation = spec["paths"]["/api/v1/cases/{number}/notes"]["post"]
    assert "NoteIn" in str(operation["requestBody"])
    assert "201" in operation["responses"]
    assert "staff_only" in str(spec["components"]["schemas"]["ActivityOut"])


# What the customer sees: nothing ------------------------------------------------------------


@pytest.mark.both_stores
async def test_the_customer_never_sees_a_note_in_pages_api_or_emails(
    services, staff, theirs, case, customer, clock
):
    clock.advance(minutes=5)
    assert (await add_note(staff, case.number)).status_code == 201
    clock.advance(minutes=5)
    # Work that does reach the customer, after the note: a reply (emailed) and a reason.
    reply = await api(staff, "POST", f"/api/v1/cases/{case.number}/replies", {"body": "Posted."})
    assert reply.status_code == 201
    status = {"status": "waiting_on_customer", "reason": "Send the centre number"}
    changed = await api(staff, "POST", f"/api/v1/cases/{case.number}/status", status)
    assert changed.status_code == 200

    for order in ("newest", "oldest"):
        items = await feed_items(theirs, case.number, order)
        assert "note" not in {item["kind"] for item in items}
        assert not any(item["staff_only"] for item in items)
        assert NOTE not in str(items)
        assert {"replied.", "created this case."} <= {item["summary"] for item in items}
    detail = await (await theirs.get(f"/api/v1/cases/{case.number}")).get_json()
    listed = await (await theirs.get("/api/v1/cases")).get_json()
    for seen in (
        str(detail),
        str(listed),
        await text_of(theirs, f"/my-cases/{case.number}"),
        await text_of(theirs, f"/my-cases/{case.number}?order=oldest"),
        await text_of(theirs, f"/my-cases/{case.number}/feed"),
        await text_of(theirs, f"/my-cases/{case.number}/feed?view=summary"),
        await text_of(theirs, "/my-cases"),
    ):
        assert NOTE not in seen
        assert "internal note" not in seen.lower()
    mails = await outbox_messages(services)
    assert any("Posted." in mail.body for mail in mails)  # the reply went out
    assert not any(NOTE in f"{mail.subject} {mail.body}" for mail in mails)


async def test_staff_see_the_note_on_the_case_page_and_fragments(staff, case):
    await add_note(staff, case.number)
    for path in (
        f"/agent/cases/{case.number}",
        f"/agent/cases/{case.number}/feed",
        f"/agent/cases/{case.number}/feed?view=summary",
    ):
        page = await text_of(staff, path)
        assert NOTE in page
        assert f'<span class="internal-badge">{BADGE}</span>' in page
        assert 'class="activity activity-note"' in page


@pytest.mark.both_stores
async def test_a_customer_cannot_like_or_comment_on_a_note_by_its_id(
    services, staff, theirs, case, customer, store_counts
):
    note_id = (await (await add_note(staff, case.number)).get_json())["id"]
    before = await store_counts()
    base = f"/api/v1/cases/{case.number}/activities/{note_id}"
    for method, path, body in [
        ("POST", f"{base}/comments", {"body": "What is this?"}),
        ("PUT", f"{base}/like", None),
        ("DELETE", f"{base}/like", None),
    ]:
        response = await api(theirs, method, path, body)
        assert (await error_of(response, 404))["code"] == "ACTIVITY_NOT_FOUND"
    page = f"/my-cases/{case.number}/activities/{note_id}"
    token = await csrf_token(theirs)
    for path, form in [(f"{page}/like", {"liked": "true"}), (f"{page}/comments", {"body": "?"})]:
        response = await theirs.post(path, form={"csrf_token": token, **form})
        assert response.status_code == 404
        assert NOTE not in await response.get_data(as_text=True)
    assert await store_counts() == before


async def test_staff_comments_on_a_note_leave_the_case_updated_time(
    services, staff, case, customer, clock
):
    note_id = (await (await add_note(staff, case.number)).get_json())["id"]
    clock.advance(hours=1)
    path = f"/api/v1/cases/{case.number}/activities/{note_id}/comments"
    response = await api(staff, "POST", path, {"body": "Agreed."})
    assert response.status_code == 201
    assert [c["body"] for c in (await response.get_json())["comments"]] == ["Agreed."]
    found = await services.cases.access_case(customer, case.number)
    assert found.updated_at == case.updated_at


@pytest.mark.both_stores
async def test_a_note_written_during_a_chat_stays_out_of_its_transcripts(services, customer, agent):
    chats = ChatService(
        services.engine,
        services.clock,
        ReplyTargets(BusinessCalendar()),
        public_url="http://127.0.0.1:8000",
    )
    case = await open_case(services, customer, Channel.CHAT)
    chat = await chats.accept((await chats.request_chat(customer, case.number)).public_id, agent)
    await chats.post_message(chat.public_id, customer, MessageIn(client_msg_id="q", body="Hi"))
    await services.case_work.add_note(agent, case.number, NOTE)
    await chats.post_message(chat.public_id, agent, MessageIn(client_msg_id="a", body="Hello"))

    saved = await services.live.save_chat(chat.public_id, customer)  # "Save Chat"
    assert "Hello" in saved["text"] and NOTE not in saved["text"]
    # The agent beside the chat sees the note in the case's feed; the customer never.
    staff_view = await chats.view(agent, chat.public_id, with_case=True)
    assert NOTE in [item.body for item in staff_view.feed]
    await chats.end_chat(chat.public_id, agent)

    theirs = await services.cases.feed(customer, case.number)
    (transcript,) = [item for item in theirs if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "Hello" in transcript.body and NOTE not in transcript.body
    assert ActivityKind.NOTE not in {item.kind for item in theirs}
    assert not any(NOTE in str(item) for item in theirs)
    assert not any(NOTE in mail.body for mail in await outbox_messages(services))


# The agent's case page, without JavaScript ------------------------------------------------


async def post_form(client, path, **fields):
    return await client.post(path, form={"csrf_token": await csrf_token(client), **fields})


async def test_the_note_form_posts_and_redirects_with_a_notice(staff, case):
    page = await text_of(staff, f"/agent/cases/{case.number}")
    assert 'action="/agent/cases/' + case.number + '/note"' in page
    assert "Note for the team (never shown to the customer)" in page

    response = await post_form(staff, f"/agent/cases/{case.number}/note", body=NOTE)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/agent/cases/{case.number}"
    page = await text_of(staff, f"/agent/cases/{case.number}")
    assert "Your internal note was added (staff only)" in page
    assert NOTE in page and BADGE in page


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write a note first"), ("x" * 10_001, "At most 10,000 characters")],
    ids=["empty", "too-long"],
)
async def test_a_note_form_error_is_tied_to_its_field(staff, case, store_counts, body, message):
    before = await store_counts()
    response = await post_form(staff, f"/agent/cases/{case.number}/note", body=body)
    assert response.status_code == 422
    page = await response.get_data(as_text=True)
    assert 'id="note-body-error"' in page and message in page
    assert 'aria-invalid="true" aria-describedby="note-body-error note-body-hint"' in page
    assert 'href="#note-body"' in page  # the summary links to the field
    assert ">" + body + "</textarea>" in page  # what was written is kept
    assert await store_counts() == before


async def test_the_note_form_needs_its_csrf_token(staff, case, store_counts):
    before = await store_counts()
    response = await staff.post(f"/agent/cases/{case.number}/note", form={"body": NOTE})
    assert response.status_code == 403
    assert await store_counts() == before
