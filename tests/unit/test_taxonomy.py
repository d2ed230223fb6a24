"""The Contact Us taxonomy: the shipped file, routing by the guide, bad files, reloads."""

from __future__ import annotations

import copy
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from frontdesk.events import RecordingNotifier
from frontdesk.intake.taxonomy import (
    DEFAULT_TAXONOMY,
    DEMO_TAXONOMY,
    Choice,
    InvalidChoice,
    TaxonomyError,
    TaxonomySource,
    load_taxonomy,
    resolve,
)
from frontdesk.services import Services
from frontdesk.services import taxonomy_file as taxonomy_in_use
from tests.conftest import make_settings

SHIPPED = load_taxonomy(DEFAULT_TAXONOMY)
# The shipped file as plain data, for tests that break one thing in it.
SHIPPED_DATA: dict[str, Any] = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))

GUIDE_CUSTOMER_TYPES = [
    "Exams Officers",
    "Administrators",
    "Quality Nominees",
    "Teachers",
    "Assessors",
    "Assessment Associates",
]
ISSUE_TYPES = [
    "Entries & Registrations",
    "Results",
    "Post Results & Appeals",
    "Certificates",
    "Special Considerations",
    "Complaints",
    "Associate contracts, deployment & allocation",
]
QUALIFICATIONS = [
    "GCSE",
    "International GCSE",
    "A Level",
    "Northgate Nationals",
    "Functional Skills",
]

# A path through the dropdowns for each issue type: (category, subcategory).
PATHS = {
    "Entries & Registrations": ("Entries", "Late Entries"),
    "Results": ("Results Day", "Missing Results"),
    "Post Results & Appeals": ("Reviews of Marking", "Requesting a Review"),
    "Certificates": ("Certificate Delivery", "Missing Certificates"),
    "Special Considerations": ("Special Consideration Requests", "Outcomes"),
    "Complaints": ("Complaint", "Service Complaint"),
    "Associate contracts, deployment & allocation": ("Contracts", "New Contracts"),
    "Marking & Training": ("Training", "Training Dates"),
    "Fees & Invoices": ("Invoices", "Invoice Queries"),
}
SUBJECTS = {
    "GCSE": "Mathematics",
    "International GCSE": "Biology",
    "A Level": "Physics",
    "Northgate Nationals": "Business",
    "Functional Skills": "English",
}


def choice(
    customer_type: str = "Exams Officers",
    issue_type: str = "Results",
    qualification: str = "GCSE",
    **fields: str,
) -> Choice:
    category, subcategory = PATHS.get(issue_type, ("Entries", "Late Entries"))
    values = {
        "customer_type": customer_type,
        "issue_type": issue_type,
        "category": category,
        "subcategory": subcategory,
        "qualification": qualification,
        "qualification_subject": SUBJECTS.get(qualification, "Mathematics"),
        **fields,
    }
    return Choice(**values)


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def edited(change: Any) -> dict[str, Any]:
    """The shipped data with `change(data)` applied to a copy."""
    data = copy.deepcopy(SHIPPED_DATA)
    change(data)
    return data


# The shipped file ------------------------------------------------------------------------


def test_the_shipped_file_has_the_guides_customer_types_and_more():
    names = [c.name for c in SHIPPED.customer_types]
    assert set(GUIDE_CUSTOMER_TYPES) <= set(names)
    assert {"Students & Parents", "Northgate Associates"} <= set(names)


@pytest.mark.parametrize("name", ISSUE_TYPES)
def test_the_shipped_file_has_the_issue_types_with_categories(name):
    issue = SHIPPED.issue_type(name)
    assert issue is not None
    assert issue.categories
    assert all(category.subcategories for category in issue.categories)


@pytest.mark.parametrize("name", QUALIFICATIONS)
def test_the_shipped_file_has_the_qualifications_with_subjects(name):
    qualification = SHIPPED.qualification(name)
    assert qualification is not None
    assert len(qualification.subjects) >= 2


def test_every_customer_type_offers_complaints():
    assert all("Complaints" in c.issue_types for c in SHIPPED.customer_types)


def test_queues_lists_every_owner_queue_once():
    queues = SHIPPED.queues
    assert queues == sorted(set(queues))
    assert {
        "Northgate: General Enquiries",
        "Northgate: Exams Officers",
        "Northgate: Customer Complaints",
        "Northgate: Assessment Associates",
        "Northgate: Learner Enquiries",
        "Northgate: International",
    } <= set(queues)


# resolve(): reply targets, owners, phones, chat ------------------------------------------------


@pytest.mark.parametrize(
    "customer_type, issue_type, days",
    [
        ("Exams Officers", "Results", 2),  # the default
        ("Teachers", "Post Results & Appeals", 2),
        ("Administrators", "Certificates", 2),
        ("Assessment Associates", "Associate contracts, deployment & allocation", 3),
        ("Northgate Associates", "Associate contracts, deployment & allocation", 3),
        ("Northgate Associates", "Marking & Training", 3),
        ("Assessment Associates", "Fees & Invoices", 2),
        ("Exams Officers", "Special Considerations", 5),
        ("Students & Parents", "Results", 5),
        ("Students & Parents", "Special Considerations", 5),
        ("Exams Officers", "Complaints", 10),
        ("Students & Parents", "Complaints", 10),
        ("Northgate Associates", "Complaints", 10),
    ],
)
def test_reply_targets_follow_the_guide(customer_type, issue_type, days):
    assert resolve(SHIPPED, choice(customer_type, issue_type)).reply_days == days


@pytest.mark.parametrize(
    "picked, queue",
    [
        (choice(), "Northgate: Exams Officers"),
        (choice("Teachers", "Results"), "Northgate: Teachers"),
        (choice("Teachers", "Post Results & Appeals"), "Northgate: Post Results"),
        (choice(qualification="International GCSE"), "Northgate: International"),
        (choice(issue_type="Special Considerations"), "Northgate: Special Considerations"),
        (choice(issue_type="Complaints"), "Northgate: Customer Complaints"),
        (
            choice("Students & Parents", "Complaints", "International GCSE"),
            "Northgate: Customer Complaints",  # an issue type beats a qualification
        ),
        (choice("Students & Parents", "Results"), "Northgate: Learner Enquiries"),
        (
            choice("Northgate Associates", "Associate contracts, deployment & allocation"),
            "Northgate: Assessment Associates",
        ),
        (choice("Administrators", "Fees & Invoices"), "Northgate: Finance"),
    ],
)
def test_owner_queues(picked, queue):
    assert resolve(SHIPPED, picked).owner_queue == queue


@pytest.mark.parametrize(
    "customer_type, qualification, phone",
    [
        ("Exams Officers", "GCSE", "020 7946 0000"),
        ("Exams Officers", "A Level", "020 7946 0000"),
        ("Exams Officers", "International GCSE", "020 7946 0300"),
        ("Exams Officers", "Northgate Nationals", "020 7946 0200"),
        ("Students & Parents", "GCSE", "020 7946 0500"),
        ("Students & Parents", "Northgate Nationals", "020 7946 0200"),  # its own line for all
    ],
)
def test_phone_numbers_follow_the_qualification(customer_type, qualification, phone):
    assert resolve(SHIPPED, choice(customer_type, "Results", qualification)).phone == phone


def test_phone_hours_come_with_the_phone_line():
    nationals = resolve(SHIPPED, choice(qualification="Northgate Nationals"))
    gcse = resolve(SHIPPED, choice())
    assert nationals.phone_hours == "Monday to Friday, 08:30 to 17:30 (UK time)"
    assert gcse.phone_hours == "Monday to Friday, 08:00 to 17:00 (UK time)"


@pytest.mark.parametrize(
    "picked, chat",
    [
        (choice(), True),
        (choice("Assessment Associates", "Marking & Training"), True),
        (choice(issue_type="Complaints"), False),  # the issue type says no
        (choice("Northgate Associates", "Marking & Training"), False),  # the customer type does
        (choice("Students & Parents", "Results"), False),  # the group has no chat
    ],
)
def test_chat_is_offered_only_where_group_and_choice_allow(picked, chat):
    assert resolve(SHIPPED, picked).chat is chat


def test_chat_needs_the_group_even_when_every_node_offers_it(tmp_path):
    def offer(data: dict[str, Any]) -> None:
        learner = next(c for c in data["customer_types"] if c["name"] == "Students & Parents")
        learner["chat"] = True
        data["defaults"]["chat"] = True

    def group_chat(data: dict[str, Any]) -> None:
        data["groups"]["learners"]["chat"] = True

    def both(data: dict[str, Any]) -> None:
        offer(data)
        group_chat(data)

    learner = choice("Students & Parents", "Results")
    for change, chat in [(offer, False), (group_chat, False), (both, True)]:
        taxonomy = load_taxonomy(write(tmp_path / "t.yaml", edited(change)))
        assert resolve(taxonomy, learner).chat is chat


def test_a_category_setting_beats_its_issue_type(tmp_path):
    def category_chat(data: dict[str, Any]) -> None:
        complaints = next(i for i in data["issue_types"] if i["name"] == "Complaints")
        complaints["categories"][0].update(chat=True, reply_days=4)

    taxonomy = load_taxonomy(write(tmp_path / "t.yaml", edited(category_chat)))
    routing = resolve(taxonomy, choice(issue_type="Complaints"))
    assert routing.chat
    assert routing.reply_days == 4


def test_routing_carries_the_customer_group_and_its_hours():
    routing = resolve(SHIPPED, choice("Assessment Associates", "Marking & Training"))
    assert routing.group_key == "associates"
    assert routing.group.hours.describe() == "Monday - Thursday 09:00-17:00; Friday 09:00-16:00"
    assert routing.customer_type.name == "Assessment Associates"


# resolve(): wrong choices ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("customer_type", "Examiners"),
        ("issue_type", "Lost Property"),
        ("category", "Grade Boundaries"),  # a Results category, not an Entries one
        ("subcategory", "Missing Results"),  # a Results subcategory
        ("qualification", "O Level"),
        ("qualification_subject", "Applied Science"),  # a Nationals subject, not a GCSE one
    ],
)
def test_each_wrong_field_is_named(field, value):
    picked = choice(issue_type="Entries & Registrations").model_copy(update={field: value})
    with pytest.raises(InvalidChoice) as caught:
        resolve(SHIPPED, picked)
    assert caught.value.field == field
    assert caught.value.message


def test_an_issue_type_not_offered_to_that_customer_type_is_refused():
    assert SHIPPED.issue_type("Entries & Registrations") is not None
    with pytest.raises(InvalidChoice) as caught:
        resolve(SHIPPED, choice("Students & Parents", "Entries & Registrations"))
    assert caught.value.field == "issue_type"


def test_names_must_match_exactly():
    with pytest.raises(InvalidChoice) as caught:
        resolve(SHIPPED, choice(customer_type="exams officers"))
    assert caught.value.field == "customer_type"


def test_a_choice_strips_blanks_and_refuses_empty_or_extra_fields():
    assert choice(category="  Results Day  ").category == "Results Day"
    with pytest.raises(ValidationError):
        choice(category="   ")
    with pytest.raises(ValidationError):
        Choice(**choice().model_dump(), colour="red")


# load_taxonomy on bad files ----------------------------------------------------------------------


def _customer(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["customer_types"] if c["name"] == name)
    return found


BAD_FILES = {
    "unknown group": (
        lambda d: _customer(d, "Teachers").update(group="staff"),
        ["customer_types.3 (Teachers)", "group 'staff' is not under groups"],
    ),
    "unknown issue type": (
        lambda d: _customer(d, "Teachers")["issue_types"].append("Lost Property"),
        ["customer_types.3 (Teachers)", "issue type 'Lost Property' is not under issue_types"],
    ),
    "duplicate issue type": (
        lambda d: d["issue_types"].append(copy.deepcopy(d["issue_types"][1])),
        ["issue_types: 'Results' appears twice"],
    ),
    "duplicate customer type": (
        lambda d: d["customer_types"].append(copy.deepcopy(d["customer_types"][0])),
        ["customer_types: 'Exams Officers' appears twice"],
    ),
    "duplicate qualification": (
        lambda d: d["qualifications"].append({"name": "GCSE", "subjects": ["Art"]}),
        ["qualifications: 'GCSE' appears twice"],
    ),
    "duplicate category": (
        lambda d: d["issue_types"][1]["categories"].append(
            {"name": "Results Day", "subcategories": ["Other"]}
        ),
        ["issue type 'Results' categories: 'Results Day' appears twice"],
    ),
    "duplicate subcategory": (
        lambda d: d["issue_types"][1]["categories"][0]["subcategories"].append("Results Slips"),
        ["issue type 'Results' category 'Results Day' subcategories", "'Results Slips' appears"],
    ),
    "duplicate subject": (
        lambda d: d["qualifications"][0]["subjects"].append("History"),
        ["qualification 'GCSE' subjects: 'History' appears twice"],
    ),
    "an issue type listed twice for a customer type": (
        lambda d: _customer(d, "Teachers")["issue_types"].append("Results"),
        ["customer_types.3 (Teachers) issue_types: 'Results' appears twice"],
    ),
    "missing default reply days": (
        lambda d: d["defaults"].pop("reply_days"),
        ["at defaults.reply_days: Field required"],
    ),
    "missing default owner queue": (
        lambda d: d["defaults"].pop("owner_queue"),
        ["at defaults.owner_queue: Field required"],
    ),
    "missing defaults": (lambda d: d.pop("defaults"), ["at defaults: Field required"]),
    "hours that close before they open": (
        lambda d: d["groups"]["centres"]["hours"]["days"].update(monday="17:00-09:00"),
        ["at groups.centres.hours.days", "monday: '17:00-09:00' closes before it opens"],
    ),
    "hours that are not times": (
        lambda d: d["groups"]["associates"]["hours"]["days"].update(friday="9am-4pm"),
        ["at groups.associates.hours.days", "friday: hours must look like 09:00-17:00"],
    ),
    "blank hours": (
        lambda d: d["groups"]["centres"]["hours"]["days"].update(monday=None),
        ["at groups.centres.hours.days", "monday: hours must look like 09:00-17:00"],
    ),
    "an unknown weekday": (
        lambda d: d["groups"]["centres"]["hours"]["days"].update(funday="09:00-17:00"),
        ["at groups.centres.hours.days", "'funday' is not a weekday name"],
    ),
    "a misspelt setting": (
        lambda d: _customer(d, "Teachers").update(reply_day=3),
        ["at customer_types.3.reply_day", "Extra inputs are not permitted"],
    ),
    "a reply target of nought": (
        lambda d: d["issue_types"][0].update(reply_days=0),
        ["at issue_types.0.reply_days", "greater than or equal to 1"],
    ),
    "a phone number too long to keep": (
        lambda d: d["qualifications"][1].update(phone="020 7946 0300 or 020 7946 0301, ext. 1234"),
        ["at qualifications.1.phone", "at most 40 characters"],
    ),
    "a name too long to choose": (
        lambda d: d["qualifications"][0]["subjects"].append("Mathematics" + "!" * 190),
        ["at qualifications.0.subjects.13", "at most 200 characters"],
    ),
    "a group key too long to keep": (
        lambda d: d["groups"].update({"g" * 101: {"name": "Too long"}}),
        ["at groups.ggg", "at most 100 characters"],
    ),
    "a blank name": (
        lambda d: d["issue_types"][0].update(name=""),
        ["at issue_types.0.name", "at least 1 character"],
    ),
    "a qualification without subjects": (
        lambda d: d["qualifications"][0].update(subjects=[]),
        ["at qualifications.0.subjects"],
    ),
}


@pytest.mark.parametrize("change, fragments", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_naming_the_file_and_the_place(tmp_path, change, fragments):
    path = write(tmp_path / "taxonomy.yaml", edited(change))
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


SHIPPED_TEXT = DEFAULT_TAXONOMY.read_text(encoding="utf-8")
TWICE_GROUP = SHIPPED_TEXT.replace("  learners:\n", "  centres:\n    name: Again\n  learners:\n")
TWICE_SETTING = SHIPPED_TEXT.replace("reply_days: 10\n", "reply_days: 10\n    reply_days: 2\n")
MISINDENTED = SHIPPED_TEXT.replace("\n  chat: false\n", "\n chat: false\n", 1)


def line_of(text: str, line: str, nth: int = 1) -> str:
    """ "line N" as YAML's messages name the nth line that reads `line`."""
    numbers = [n for n, found in enumerate(text.splitlines(), start=1) if found == line]
    return f"line {numbers[nth - 1]}"


BAD_TEXTS = {
    "invalid YAML": (
        "defaults:\n  owner_queue: [General\n  reply_days: 2\n",
        ["not valid YAML", "line 3"],
    ),
    "bad indentation": (MISINDENTED, ["not valid YAML", line_of(MISINDENTED, " chat: false")]),
    "a group key given twice": (
        TWICE_GROUP,
        ["found 'centres' twice", line_of(TWICE_GROUP, "  centres:", 2)],
    ),
    "a setting given twice": (
        TWICE_SETTING,
        ["found 'reply_days' twice", line_of(TWICE_SETTING, "    reply_days: 2")],
    ),
    "an empty file": ("", ["at top level", "valid dictionary"]),
    "a list, not a mapping": ("- GCSE\n- A Level\n", ["at top level", "valid dictionary"]),
}


@pytest.mark.parametrize("text, fragments", BAD_TEXTS.values(), ids=BAD_TEXTS.keys())
def test_a_file_that_is_not_a_taxonomy_is_refused(tmp_path, text, fragments):
    path = write(tmp_path / "taxonomy.yaml", text)
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read it"):
        load_taxonomy(tmp_path / "nowhere.yaml")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_bytes(b"defaults:\n  owner_queue: \xff\xfe\n")
    with pytest.raises(TaxonomyError, match="not UTF-8"):
        load_taxonomy(path)


def test_a_copy_of_the_shipped_data_loads(tmp_path):
    # The bad-file tests above change one thing each; unchanged, the data is good.
    taxonomy = load_taxonomy(write(tmp_path / "taxonomy.yaml", edited(lambda d: None)))
    assert taxonomy == SHIPPED


# TaxonomySource: edits take effect, bad edits are kept out ------------------------------------


def touch_later(path: Path) -> None:
    """Move the file's modification time on by a second, as a later save would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def taxonomy_file(tmp_path: Path) -> Path:
    return write(tmp_path / "taxonomy.yaml", SHIPPED_TEXT)


def complaints_days(source: TaxonomySource) -> int:
    return resolve(source.current(), choice(issue_type="Complaints")).reply_days


def test_an_edited_file_takes_effect_without_a_restart(taxonomy_file):
    source = TaxonomySource(taxonomy_file)
    assert complaints_days(source) == 10
    # Same length, so only the modification time tells the change.
    write(taxonomy_file, SHIPPED_TEXT.replace("reply_days: 10", "reply_days: 12"))
    touch_later(taxonomy_file)
    assert complaints_days(source) == 12


def test_an_unchanged_file_is_not_read_again(taxonomy_file):
    source = TaxonomySource(taxonomy_file)
    first = source.current()
    assert source.current() is first


def test_a_bad_edit_keeps_the_last_good_taxonomy_and_logs_why(taxonomy_file, caplog):
    source = TaxonomySource(taxonomy_file)
    good = source.current()
    write(taxonomy_file, SHIPPED_TEXT.replace("group: centres", "group: staff", 1))
    touch_later(taxonomy_file)
    with caplog.at_level(logging.ERROR, logger="frontdesk.intake"):
        assert source.current() is good
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "keeping the last good one" in errors[0].getMessage()
    assert str(taxonomy_file) in errors[0].getMessage()
    assert "group 'staff' is not under groups" in errors[0].getMessage()
    # Asked again, the same bad file is not logged again...
    caplog.clear()
    assert source.current() is good
    assert not caplog.records
    # ...and once it is mended, the mended file is used.
    write(taxonomy_file, SHIPPED_TEXT.replace("reply_days: 10", "reply_days: 12"))
    touch_later(taxonomy_file)
    assert complaints_days(source) == 12


def test_a_deleted_file_keeps_the_last_good_taxonomy(taxonomy_file):
    source = TaxonomySource(taxonomy_file)
    good = source.current()
    taxonomy_file.unlink()
    assert source.current() is good


def test_a_bad_file_stops_the_source_at_start(tmp_path):
    with pytest.raises(TaxonomyError):
        TaxonomySource(write(tmp_path / "taxonomy.yaml", "defaults: [\n"))


@pytest.mark.parametrize(
    "text, fragment", [("groups: {}\n", "at defaults"), (None, "cannot read it")]
)
def test_services_refuse_to_build_with_a_bad_taxonomy(tmp_path, text, fragment):
    path = tmp_path / "taxonomy.yaml"
    if text is not None:
        write(path, text)
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}", tmp_path, taxonomy_path=path
    )
    with pytest.raises(TaxonomyError) as caught:
        Services.build(settings, notifier=RecordingNotifier())
    assert str(caught.value).startswith(f"{path}: ")
    assert fragment in str(caught.value)


def test_services_build_with_a_good_taxonomy_file(tmp_path):
    path = write(tmp_path / "taxonomy.yaml", SHIPPED_TEXT.replace("days: 10", "days: 12"))
    settings = make_settings(
        f"sqlite+aiosqlite:///{tmp_path / 'frontdesk.db'}", tmp_path, taxonomy_path=path
    )
    services = Services.build(settings, notifier=RecordingNotifier())
    assert services.intake.routing(choice(issue_type="Complaints")).reply_days == 12


# A file that extends another ------------------------------------------------------------

LOCAL_GROUP = {"name": "Evening desk", "chat": True, "hours": {"days": {"monday": "17:00-22:00"}}}
LOCAL_TYPE = {
    "name": "Evening Officers",
    "group": "evening",
    "chat": True,
    "issue_types": ["Results", "Complaints"],
}


def test_a_file_extends_another_adding_groups_and_customer_types(tmp_path):
    write(tmp_path / "shipped.yaml", SHIPPED_TEXT)
    local = write(
        tmp_path / "local.yaml",
        {"extends": "shipped.yaml", "groups": {"evening": LOCAL_GROUP},
         "customer_types": [LOCAL_TYPE]},
    )  # fmt: skip
    taxonomy = load_taxonomy(local)
    assert set(taxonomy.groups) == {*SHIPPED.groups, "evening"}
    assert [c.name for c in taxonomy.customer_types] == [
        *(c.name for c in SHIPPED.customer_types),
        "Evening Officers",
    ]
    assert taxonomy.issue_types == SHIPPED.issue_types
    assert resolve(taxonomy, choice("Evening Officers")).group.name == "Evening desk"


def test_an_extending_file_replaces_items_of_the_same_name_and_merges_defaults(tmp_path):
    write(tmp_path / "shipped.yaml", SHIPPED_TEXT)
    teachers = {**_customer(SHIPPED_DATA, "Teachers"), "reply_days": 9}
    local = write(
        tmp_path / "local.yaml",
        {"extends": "shipped.yaml", "defaults": {"phone": "020 7946 0999"},
         "customer_types": [teachers]},
    )  # fmt: skip
    taxonomy = load_taxonomy(local)
    names = [c.name for c in taxonomy.customer_types]
    assert names.count("Teachers") == 1
    assert taxonomy.customer_type("Teachers").reply_days == 9  # type: ignore[union-attr]
    assert taxonomy.defaults.phone == "020 7946 0999"
    assert taxonomy.defaults.owner_queue == SHIPPED.defaults.owner_queue


@pytest.mark.parametrize(
    "extends, fragment",
    [
        ("missing.yaml", "cannot read it"),
        ("", "name the taxonomy file this one extends"),
        (["shipped.yaml"], "name the taxonomy file this one extends"),
        ("local.yaml", "extends this file again"),
    ],
)
def test_a_bad_extends_is_refused_naming_the_file(tmp_path, extends, fragment):
    write(tmp_path / "shipped.yaml", SHIPPED_TEXT)
    local = write(tmp_path / "local.yaml", {"extends": extends})
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(local)
    assert fragment in str(caught.value)


def test_a_cycle_of_two_files_is_refused(tmp_path):
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    with pytest.raises(TaxonomyError, match="extends this file again"):
        load_taxonomy(tmp_path / "a.yaml")


def test_a_bad_merged_result_names_both_files(tmp_path):
    base = write(tmp_path / "shipped.yaml", SHIPPED_TEXT)
    local = write(
        tmp_path / "local.yaml",
        {"extends": "shipped.yaml", "customer_types": [{**LOCAL_TYPE, "group": "nowhere"}]},
    )
    with pytest.raises(TaxonomyError) as caught:
        load_taxonomy(local)
    message = str(caught.value)
    assert message.startswith(f"{local} (with {base.resolve()}): ")
    assert "customer_types.8 (Evening Officers): group 'nowhere' is not under groups" in message


def test_an_edit_to_the_extended_file_takes_effect_without_a_restart(tmp_path):
    base = write(tmp_path / "shipped.yaml", SHIPPED_TEXT)
    local = write(tmp_path / "local.yaml", {"extends": "shipped.yaml"})
    source = TaxonomySource(local)
    assert complaints_days(source) == 10
    write(base, SHIPPED_TEXT.replace("reply_days: 10", "reply_days: 12"))
    touch_later(base)
    assert complaints_days(source) == 12


def test_the_demo_taxonomy_is_the_shipped_one_plus_a_group_open_around_the_clock():
    demo = load_taxonomy(DEMO_TAXONOMY)
    assert set(demo.groups) == {*SHIPPED.groups, "demo"}
    for key, group in SHIPPED.groups.items():
        assert demo.groups[key] == group  # the real groups keep their real hours
    assert demo.groups["demo"].hours.describe() == "around the clock, every day"
    routing = resolve(demo, choice("Demo centre (chat at any hour)"))
    assert routing.chat
    assert routing.group_key == "demo"


@pytest.mark.parametrize(
    "env, taxonomy_path, expected",
    [
        ("demo", None, DEMO_TAXONOMY),
        ("test", None, DEFAULT_TAXONOMY),
        ("demo", Path("/etc/frontdesk/taxonomy.yaml"), Path("/etc/frontdesk/taxonomy.yaml")),
    ],
)
def test_the_demo_environment_uses_the_demo_taxonomy_unless_one_is_set(
    tmp_path, env, taxonomy_path, expected
):
    settings = make_settings("sqlite+aiosqlite://", tmp_path, env=env, taxonomy_path=taxonomy_path)
    assert taxonomy_in_use(settings) == expected
