"""The taxonomy kept in the store: versions, seeding, saves refused with what and where,
roll-back, office hours with closures, the admin pages and API; nobody else sees them."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest

from frontdesk.accounts.models import Role
from frontdesk.intake.exchange import dumped
from frontdesk.intake.versions import TaxonomyVersions
from tests.factories import make_user
from tests.helpers import api, csrf_token, login_as


@pytest.fixture
async def ada(services):
    return await make_user(services, Role.ADMIN, first_name="Ada", last_name="Admin")


@pytest.fixture
async def admin_client(client, ada):
    await login_as(client, ada.username)
    return client


async def form_post(client, path, data):
    data = {"csrf_token": await csrf_token(client), **data}
    return await client.post(path, form=data)


def with_subject(services, subject):
    data = dumped(services.taxonomy.current())
    data["qualifications"][0]["subjects"].append(subject)
    return data


@pytest.mark.both_stores
async def test_the_file_seeds_version_1_once_even_when_two_nodes_start_together(services, clock):
    assert services.taxonomy.version == 1
    others = [
        TaxonomyVersions(services.engine, clock, services.audit, services.taxonomy.current(), "x")
        for _ in range(2)
    ]
    await asyncio.gather(*(other.load() for other in others))
    assert [other.version for other in others] == [1, 1]
    [first] = await services.taxonomy.history()
    assert first.summary == "Imported from taxonomy.yaml on first start"


@pytest.mark.both_stores
async def test_saves_number_versions_keep_history_and_roll_back_as_a_new_version(
    admin_client, services, ada
):
    body = {"taxonomy": with_subject(services, "Astronomy"), "based_on": 1}
    response = await api(admin_client, "PUT", "/api/v1/taxonomy", body)
    assert response.status_code == 200, await response.get_data(as_text=True)
    saved = await response.get_json()
    assert (saved["version"], saved["saved_by"]) == (2, "Ada Admin")
    assert "Astronomy" in saved["summary"] and "added" in saved["summary"]
    assert "Astronomy" in services.intake.taxonomy().qualifications[0].subjects

    back = await api(admin_client, "POST", "/api/v1/taxonomy/versions/1/rollback", {})
    assert back.status_code == 201
    assert (await back.get_json())["rolled_back_from"] == 1
    assert "Astronomy" not in services.intake.taxonomy().qualifications[0].subjects
    versions = (await (await admin_client.get("/api/v1/taxonomy/versions")).get_json())["versions"]
    assert [v["version"] for v in versions] == [3, 2, 1]
    two = await (await admin_client.get("/api/v1/taxonomy/versions/2")).get_json()
    assert [c["kind"] for c in two["changes"]] == ["added"]
    assert "qualifications[" in two["changes"][0]["path"]

    audit = await (await admin_client.get("/api/v1/audit?target=taxonomy")).get_json()
    actions = [(e["action"], e["before"], e["after"].get("version")) for e in audit["entries"]]
    assert actions == [
        ("taxonomy.rolled_back", {"version": 2}, 3),
        ("taxonomy.changed", {"version": 1}, 2),
    ]


@pytest.mark.both_stores
async def test_an_invalid_change_is_refused_with_what_and_where_and_changes_nothing(
    admin_client, services, unchanged
):
    data = dumped(services.taxonomy.current())
    data["customer_types"][3]["group"] = "nowhere"
    before = await unchanged()
    response = await api(admin_client, "PUT", "/api/v1/taxonomy", {"taxonomy": data})
    assert response.status_code == 422
    error = (await response.get_json())["error"]
    assert error["code"] == "INVALID_TAXONOMY"
    assert "at customer_types.3 (Teachers): group 'nowhere' is not under groups" in error["message"]
    assert await unchanged() == before
    assert services.taxonomy.version == 1


async def test_a_save_based_on_an_old_version_is_refused_naming_who_saved(admin_client, services):
    await services.taxonomy.save_taxonomy(None, services.taxonomy.current().model_copy(
        update={"qualifications": services.taxonomy.current().qualifications[:-1]}))  # fmt: skip
    body = {"taxonomy": with_subject(services, "Astronomy"), "based_on": 1}
    response = await api(admin_client, "PUT", "/api/v1/taxonomy", body)
    assert response.status_code == 409
    message = (await response.get_json())["error"]["message"]
    assert message == "Version 2 was saved meanwhile by frontdesk command line; reload"
    assert services.taxonomy.version == 2


ADMIN_ONLY = [
    ("GET", "/api/v1/taxonomy", None),
    ("PUT", "/api/v1/taxonomy", {"taxonomy": {}}),
    ("GET", "/api/v1/taxonomy/versions", None),
    ("GET", "/api/v1/taxonomy/versions/1", None),
    ("POST", "/api/v1/taxonomy/versions/1/rollback", {}),
    ("GET", "/api/v1/hours/centres", None),
    ("PUT", "/api/v1/hours/centres", {"chat": True, "hours": {"days": {}}}),
    ("GET", "/api/v1/hours/centres/calendar", None),
    ("GET", "/admin/hours", None),
    ("POST", "/admin/hours/centres", {}),
    ("GET", "/admin/taxonomy", None),
    ("GET", "/admin/taxonomy/node?path=defaults", None),
    ("POST", "/admin/taxonomy/node", {}),
    ("GET", "/admin/taxonomy/yaml", None),
    ("POST", "/admin/taxonomy/yaml", {}),
    ("GET", "/admin/taxonomy/history", None),
    ("GET", "/admin/taxonomy/history/1", None),
    ("POST", "/admin/taxonomy/history/1/rollback", {}),
]


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR])
async def test_nobody_but_an_admin_finds_the_pages_or_the_api(client, services, role):
    user = await make_user(services, role)
    await login_as(client, user.username)
    for method, path, body in ADMIN_ONLY:
        if path.startswith("/api/"):
            response = await api(client, method, path, body)
        elif method == "POST":
            response = await form_post(client, path, body)
        else:
            response = await client.get(path)
        assert response.status_code == 404, (method, path)
    assert services.taxonomy.version == 1


async def test_a_form_post_without_the_csrf_token_is_refused(admin_client, services):
    response = await admin_client.post("/admin/taxonomy/history/1/rollback", form={})
    assert response.status_code == 403
    response = await admin_client.post("/admin/hours/centres", form={"do": "save"})
    assert response.status_code == 403
    assert services.taxonomy.version == 1


MONDAY_7_DECEMBER = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def december(clock):
    """Before signing in: a session does not outlive a jump of the clock."""
    clock.set(MONDAY_7_DECEMBER)


CLOSURE = {
    "chat": "on", "day_monday": "09:00-17:00", "day_tuesday": "09:00-17:00",
    "day_wednesday": "09:00-12:00, 13:00-17:00", "day_thursday": "09:00-17:00",
    "day_friday": "09:00-17:00", "closure_0_start": "2026-12-09",
    "closure_0_end": "2026-12-09", "closure_0_reason": "Closed for staff training",
    "extra_0_day": "2026-12-12", "extra_0_spans": "09:00-13:00",
}  # fmt: skip


async def test_the_hours_page_previews_unsaved_hours_then_saves_a_version(
    december, admin_client, services
):
    page = await admin_client.get("/admin/hours?group=centres")
    assert page.status_code == 200
    assert 'value="09:00-17:00"' in await page.get_data(as_text=True)

    preview = await form_post(admin_client, "/admin/hours/centres", {**CLOSURE, "do": "preview"})
    html = await preview.get_data(as_text=True)
    assert preview.status_code == 200 and services.taxonomy.version == 1
    row = re.search(r'data-day="2026-12-09">(.*?)</tr>', html, re.S)
    assert row and "Closed for staff training" in row.group(1)
    assert "Extra opening day" in html and "Bank holiday: Christmas Day" in html

    saved = await form_post(admin_client, "/admin/hours/centres", {**CLOSURE, "do": "save"})
    assert saved.status_code == 302
    group = services.taxonomy.current().groups["centres"]
    assert group.hours.closures[0].reason == "Closed for staff training"
    [newest, *_] = await services.taxonomy.history()
    assert newest.summary == (
        "Office hours of Schools, colleges and training providers: closure 09/12/2026"
        " (Closed for staff training) added; extra day 12/12/2026 added; weekly hours now"
        " Monday - Tuesday 09:00-17:00; Wednesday 09:00-12:00, 13:00-17:00;"
        " Thursday - Friday 09:00-17:00"
    )
    audit = await (await admin_client.get("/api/v1/audit?action=hours.changed")).get_json()
    assert audit["total"] == 1


async def test_bad_hours_come_back_with_the_error_beside_the_field_and_nothing_saved(
    admin_client, services
):
    bad = {**CLOSURE, "day_monday": "9 till 5", "closure_0_end": "2026-12-01", "do": "save"}
    response = await form_post(admin_client, "/admin/hours/centres", bad)
    html = await response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="day_monday-error"' in html and "hours must look like 09:00-17:00" in html
    assert 'id="closure_0_end-error"' in html
    assert services.taxonomy.version == 1


async def test_bad_api_input_is_a_4xx_in_the_error_shape(admin_client, services):
    for method, path, body in [
        ("PUT", "/api/v1/hours/centres", {"chat": True, "hours": {"days": {"funday": ""}}}),
        ("PUT", "/api/v1/hours/nowhere", {"chat": True, "hours": {"days": {}}}),
        ("PUT", "/api/v1/taxonomy", {"taxonomy": "not a taxonomy"}),
        ("GET", "/api/v1/taxonomy/versions/99", None),
        ("POST", "/api/v1/taxonomy/versions/99/rollback", {}),
        ("GET", "/api/v1/hours/centres/calendar?weeks=0", None),
    ]:  # fmt: skip
        response = await api(admin_client, method, path, body)
        assert 400 <= response.status_code < 500, (path, response.status_code)
        assert set((await response.get_json())["error"]) == {"code", "message", "fields"}
    assert services.taxonomy.version == 1


async def test_hours_api_round_trip_and_calendar(december, admin_client, services):
    hours = await (await admin_client.get("/api/v1/hours/centres")).get_json()
    assert hours["hours"]["days"]["monday"] == "09:00-17:00"
    hours["hours"]["closures"] = [{"start": "2026-12-09", "end": "2026-12-10", "reason": "Move"}]
    response = await api(admin_client, "PUT", "/api/v1/hours/centres",
                         {"chat": True, "hours": hours["hours"], "based_on": 1})  # fmt: skip
    assert response.status_code == 200, await response.get_data(as_text=True)
    days = (await (await admin_client.get("/api/v1/hours/centres/calendar?weeks=1")).get_json())[
        "days"
    ]
    assert len(days) == 7
    assert {d["day"]: d["why"] for d in days}.get("2026-12-09") == "Move"


async def test_the_tree_yaml_node_and_history_pages_edit_the_taxonomy(admin_client, services):
    tree = await (await admin_client.get("/admin/taxonomy")).get_data(as_text=True)
    assert "Teachers" in tree and "Northgate: Teachers" in tree

    node = await form_post(admin_client, "/admin/taxonomy/node", {
        "path": "qualifications.0", "name": "GCSE", "subjects": "Astronomy\nMathematics",
        "based_on": "1"})  # fmt: skip
    assert node.status_code == 302
    assert services.taxonomy.current().qualifications[0].subjects == ("Astronomy", "Mathematics")

    removed = await form_post(admin_client, "/admin/taxonomy/node",
                              {"path": "issue_types.0", "do": "remove"})  # fmt: skip
    assert removed.status_code == 422
    assert "is not under issue_types" in await removed.get_data(as_text=True)

    text = await (await admin_client.get("/admin/taxonomy/yaml")).get_data(as_text=True)
    assert "Astronomy" in text
    bad = await form_post(admin_client, "/admin/taxonomy/yaml", {"yaml": "defaults: [\n"})
    assert bad.status_code == 422 and "not valid YAML" in await bad.get_data(as_text=True)

    history = await (await admin_client.get("/admin/taxonomy/history")).get_data(as_text=True)
    assert "Version 2" in history and "Ada Admin" in history
    version = await (await admin_client.get("/admin/taxonomy/history/2")).get_data(as_text=True)
    assert "Astronomy" in version and "Roll back to version 2" not in version
    back = await form_post(admin_client, "/admin/taxonomy/history/1/rollback", {"based_on": "2"})
    assert back.status_code == 302 and services.taxonomy.version == 3


async def test_a_bad_node_field_is_refused_beside_that_field(admin_client, services):
    form = {
        "path": "issue_types.3.categories.0",
        "name": "Certificate Delivery",
        "subcategories": "Certificate Receipt Dates",
        "reply_days": "0",
        "based_on": "1",
    }
    response = await form_post(admin_client, "/admin/taxonomy/node", form)
    html = await response.get_data(as_text=True)
    assert response.status_code == 422 and services.taxonomy.version == 1
    error = re.search(r'<p class="field-error" id="reply_days-error">(.*?)</p>', html, re.S)
    assert error and "greater than or equal to 1" in error.group(1)
    assert 'aria-describedby="reply_days-error"' in html
