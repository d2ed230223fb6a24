"""One brand: the product's and the organisation's names come from settings, wherever
people see them, and the Contact Us promise uses the taxonomy's own names."""

from __future__ import annotations

import re
from typing import Any

import pytest

from frontdesk.settings import Settings
from tests.conftest import make_settings
from tests.factories import EXAMS_OFFICERS_QUEUE, open_case
from tests.helpers import login_as

PRODUCT = "Helpdesk"
ORGANISATION = "Example Board"


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    return make_settings(
        database_url, tmp_path, product_name=f"  {PRODUCT} ", organisation_name=ORGANISATION
    )


async def page_text(client: Any, path: str) -> str:
    response = await client.get(path)
    assert response.status_code == 200
    return str(await response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/terms", "/articles"])
async def test_every_page_names_the_product_and_organisation_from_settings(client, path):
    page = await page_text(client, path)
    assert re.search(rf"<title>[^<]+ · {PRODUCT} · {ORGANISATION}</title>", page)
    assert f'<a class="brand" href="/">{ORGANISATION}</a>' in page
    assert f"<p>{PRODUCT} for {ORGANISATION} · " in page
    assert "frontdesk" not in re.sub(r"<(meta|script|link)[^>]*>", "", page).replace(
        "frontdesk-", ""
    )
    assert "Northgate Assessment" not in page


async def test_a_new_case_is_the_organisations_until_routing_gives_it_a_queue(
    services, client, customer
):
    case = await open_case(services, customer)
    [_created, owner] = await services.cases.feed(customer, case.number, newest_first=False)
    assert owner.data["from"] == ORGANISATION
    assert owner.data["to"] == EXAMS_OFFICERS_QUEUE
    await login_as(client, customer.username)
    page = await page_text(client, f"/my-cases/{case.number}")
    # Routing is the system's doing, said in words and named as the portal is.
    said = f"<strong>{PRODUCT}</strong> (System) routed this case to the {EXAMS_OFFICERS_QUEUE}"
    assert said in re.sub(r"\s+", " ", page)


async def test_contact_us_names_the_taxonomys_customer_types(client, customer):
    await login_as(client, customer.username)
    page = await page_text(client, "/contact-us")
    assert (
        "For Exams Officers, Administrators, Quality Nominees, Teachers, Assessors, "
        "Assessment Associates, Northgate Associates and Students &amp; Parents: "
    ) in page


async def test_contact_us_lists_longer_replies_in_the_taxonomys_names(client, customer):
    await login_as(client, customer.username)
    page = await page_text(client, "/contact-us/qualification-services")
    replies = re.findall(r"<li>([^<]+) - (\d+) Working days</li>", page)
    assert replies == [
        ("Northgate Associates", "3"),
        ("Associate contracts, deployment &amp; allocation", "3"),
        ("Students &amp; Parents", "5"),
        ("Special Considerations", "5"),
        ("Complaints", "10"),
    ]
