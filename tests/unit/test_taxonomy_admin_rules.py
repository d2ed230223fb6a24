"""Pure rules behind the taxonomy's administration: the opening calendar, the diff of two
versions, the hours form, validation messages, and the YAML round trip."""

from __future__ import annotations

from datetime import date

import pytest

from frontdesk.business_hours import BusinessCalendar, WeeklyHours
from frontdesk.errors import Invalid
from frontdesk.intake.diff import diff, summarize
from frontdesk.intake.exchange import as_yaml, dumped, from_yaml
from frontdesk.intake.hours import GroupHours, hours_form, hours_from_form
from frontdesk.intake.taxonomy import DEFAULT_TAXONOMY, TaxonomyError, load_taxonomy
from frontdesk.intake.versions import checked
from frontdesk.opening_calendar import DayKind, opening_calendar

SHIPPED = load_taxonomy(DEFAULT_TAXONOMY)


def test_the_calendar_says_why_each_closed_day_is_closed():
    hours = WeeklyHours.model_validate({
        "days": {"monday": "09:00-17:00", "tuesday": "09:00-17:00", "thursday": "09:00-17:00",
                 "friday": "09:00-17:00"},
        "closures": [{"start": date(2026, 12, 21), "end": date(2026, 12, 22),
                      "reason": "Closed for staff training"}],
        "extra_days": [{"day": date(2026, 12, 26), "spans": "10:00-12:00"}],
    })  # fmt: skip
    days = {d.day: d for d in opening_calendar(BusinessCalendar(), hours, date(2026, 12, 21), 2)}
    assert len(days) == 14
    assert (days[date(2026, 12, 21)].kind, days[date(2026, 12, 21)].why) == (
        DayKind.CLOSURE, "Closed for staff training",
    )  # fmt: skip
    assert days[date(2026, 12, 23)].why == "No opening hours on Wednesdays"
    assert days[date(2026, 12, 24)].hours == "09:00-17:00"
    assert days[date(2026, 12, 25)].why == "Bank holiday: Christmas Day"
    assert (days[date(2026, 12, 26)].kind, days[date(2026, 12, 26)].hours) == (
        DayKind.EXTRA, "10:00-12:00",
    )  # fmt: skip
    assert days[date(2026, 12, 27)].why == "Weekend"
    assert days[date(2026, 12, 28)].kind == DayKind.BANK_HOLIDAY  # Boxing Day, substituted


def test_the_diff_names_each_change_by_path_and_in_words():
    before = dumped(SHIPPED)
    after = dumped(SHIPPED)
    after["qualifications"][0]["subjects"].append("Astronomy")
    after["customer_types"][3]["reply_days"] = 4
    del after["issue_types"][0]
    changes = diff(before, after)
    described = [c.describe() for c in changes]
    assert "customer_types[Teachers].reply_days" in [c.path for c in changes]
    assert "Teachers: reply target (working days) set to 4" in described
    assert f"{SHIPPED.issue_types[0].name} removed" in described
    assert f"{SHIPPED.qualifications[0].name}: subjects: 'Astronomy' added" in described
    assert summarize(changes).count(";") == 2
    assert diff(before, dumped(SHIPPED)) == []


def test_an_invalid_taxonomy_is_refused_with_what_and_where():
    data = dumped(SHIPPED)
    data["customer_types"][3]["group"] = "x"
    with pytest.raises(Invalid) as caught:
        checked(data)
    assert caught.value.message == (
        "Not saved: at customer_types.3 (Teachers): group 'x' is not under groups"
    )
    assert caught.value.fields == {"customer_types.3 (Teachers)": "group 'x' is not under groups"}


def test_the_yaml_export_loads_again_as_the_same_taxonomy():
    assert from_yaml(as_yaml(SHIPPED, 3)) == SHIPPED
    with pytest.raises(TaxonomyError, match="cannot extend a file"):
        from_yaml("extends: taxonomy.yaml\n")


def test_the_hours_form_reads_back_what_it_shows():
    group = SHIPPED.groups["centres"]
    change = GroupHours(chat=group.chat, hours=group.hours)
    assert hours_from_form(hours_form(change)) == change


def test_the_hours_form_names_the_field_of_each_problem():
    form = {"day_monday": "nine to five", "closure_0_start": "2026-12-09",
            "closure_0_reason": "", "extra_1_day": "2026-12-12",
            "extra_1_spans": "09:00"}  # fmt: skip
    with pytest.raises(Invalid) as caught:
        hours_from_form(form)
    assert set(caught.value.fields) == {"day_monday", "closure_0_reason", "extra_1_spans"}
