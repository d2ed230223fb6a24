"""Every node serves the same taxonomy version: a save on one reaches the others within
about a second (their refresh loop), through the store they share."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.intake.exchange import dumped
from frontdesk.intake.versions import REFRESH_SECONDS, checked

pytestmark = pytest.mark.both_stores


async def test_a_save_on_one_node_is_served_by_the_other_within_a_refresh(start_app):
    one = (await start_app()).extensions["frontdesk"]
    two = (await start_app()).extensions["frontdesk"]
    assert one.taxonomy.version == two.taxonomy.version == 1

    data = dumped(one.taxonomy.current())
    data["qualifications"][0]["subjects"].append("Astronomy")
    saved = await one.taxonomy.save_taxonomy(None, checked(data), "Astronomy")
    assert one.taxonomy.version == 2  # the saving node at once

    async with asyncio.timeout(REFRESH_SECONDS * 5):
        await two.taxonomy.wait_for(saved.version)
    assert "Astronomy" in two.intake.taxonomy().qualifications[0].subjects
