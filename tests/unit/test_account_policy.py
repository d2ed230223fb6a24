"""The guide's account rules: password policy, public email domains, registration input."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from pydantic import BaseModel, Field, ValidationError

from frontdesk.accounts.breached import COMMON_FILE, COMMON_MESSAGE
from frontdesk.accounts.models import RegistrationIn, ResetPasswordIn
from frontdesk.accounts.policy import (
    MIN_PASSWORD_LENGTH,
    PUBLIC_EMAIL_DOMAINS,
    is_public_email,
    password_problem,
)
from frontdesk.errors import Invalid
from frontdesk.web.validation import field_errors, parse
from tests.factories import registration


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        RegistrationIn.model_validate(data)
    return field_errors(caught.value)


# Password policy --------------------------------------------------------------------------


def test_minimum_length_is_eight():
    assert MIN_PASSWORD_LENGTH == 8


def test_seven_characters_are_too_few():
    assert password_problem("Abcdef1") == "Your password must have 8 or more characters"


def test_eight_characters_are_enough():
    assert password_problem("Abcdefq1") is None


def test_password_needs_an_uppercase_letter():
    assert password_problem("abcdefg1") == "Your password must have at least one uppercase letter"


def test_password_needs_a_number():
    assert password_problem("Abcdefgh") == "Your password must have at least one number"


@pytest.mark.parametrize(
    "password", ["Correct1horse", "ÄBCDEFG1", "90817263A", "P4ssword with spaces"]
)
def test_passwords_meeting_every_rule_pass(password):
    assert password_problem(password) is None


@pytest.mark.parametrize(
    "password", ["Password1", "Welcome123", "Qwerty123", "Passw0rd", "PASSWORD1", "Abcdefg1"]
)
def test_common_breached_passwords_are_refused_whatever_their_case(password):
    assert password_problem(password) == COMMON_MESSAGE


def test_the_common_list_is_what_the_script_builds_from_the_locked_zxcvbn():
    builder = runpy.run_path(str(Path(__file__).parents[2] / "scripts" / "common_passwords.py"))
    shipped = COMMON_FILE.read_text(encoding="utf-8")
    assert shipped == builder["build"](), "run .venv/bin/python scripts/common_passwords.py"
    listed = [line for line in shipped.splitlines() if not line.startswith("#")]
    assert len(listed) > 3_000  # ASVS 6.2.4: at least the top 3,000 our policy admits
    assert all(builder["could_pass_policy"](p) for p in listed)


def test_length_is_checked_before_the_other_rules():
    assert "8 or more" in password_problem("a")


def test_reset_password_input_applies_the_same_policy():
    with pytest.raises(ValidationError) as caught:
        ResetPasswordIn.model_validate({"token": "t", "password": "Abcdef1"})
    assert field_errors(caught.value) == {
        "password": "Your password must have 8 or more characters"
    }
    assert ResetPasswordIn.model_validate({"token": "t", "password": "Abcdefq1"}).password


# Public email domains ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    ["someone@gmail.com", "Someone@GMAIL.com", "a@hotmail.co.uk", "a@yahoo.com", "a@outlook.com"],
)
def test_public_mailbox_providers_are_recognised(email):
    assert is_public_email(email)


@pytest.mark.parametrize(
    "email",
    ["head@school.sch.uk", "a@gmail.com.evil.example", "a@mail.gmail.co", "gmail.com@centre.ac.uk"],
)
def test_centre_addresses_are_not_public(email):
    assert not is_public_email(email)


def test_the_guides_examples_are_on_the_public_list():
    assert {"gmail.com", "hotmail.com", "yahoo.com"} <= PUBLIC_EMAIL_DOMAINS


# RegistrationIn ---------------------------------------------------------------------------


def test_valid_registration_is_accepted_and_normalised():
    data = RegistrationIn.model_validate(
        registration(email=" Ann@Centre.AC.UK ", email_confirm="ann@centre.ac.uk", country="gb")
    )
    assert data.email == "Ann@centre.ac.uk"  # the domain is normalised, the local part kept
    assert data.country == "GB"


def test_username_defaults_to_the_email():
    data = RegistrationIn.model_validate(registration(email="ann@centre.ac.uk", username=""))
    assert data.username == "ann@centre.ac.uk"


def test_a_chosen_username_is_kept():
    data = RegistrationIn.model_validate(registration(username="ann.example"))
    assert data.username == "ann.example"


def test_own_email_as_username_is_allowed():
    data = RegistrationIn.model_validate(
        registration(email="ann@centre.ac.uk", username="ANN@centre.ac.uk")
    )
    assert data.username == "ANN@centre.ac.uk"


def test_someone_elses_email_as_username_is_refused():
    fields = errors_of(registration(email="ann@centre.ac.uk", username="boss@centre.ac.uk"))
    assert fields == {"username": "A username that is an email address must be your own"}


@pytest.mark.parametrize("username", ["ab", "ann example", "ann\texample"])
def test_short_or_spaced_usernames_are_refused(username):
    assert "username" in errors_of(registration(username=username))


def test_mismatched_emails_are_refused_on_the_confirmation():
    fields = errors_of(registration(email="ann@centre.ac.uk", email_confirm="anne@centre.ac.uk"))
    assert fields == {"email_confirm": "The email addresses do not match"}


def test_confirmation_matches_regardless_of_case_and_spaces():
    data = RegistrationIn.model_validate(
        registration(email="ann@centre.ac.uk", email_confirm="  ANN@Centre.ac.uk ")
    )
    assert data.email == "ann@centre.ac.uk"


def test_an_invalid_email_is_reported_once_on_the_email():
    fields = errors_of(registration(email="not-an-email", email_confirm="not-an-email"))
    assert set(fields) == {"email"}
    assert fields["email"].startswith("Enter a valid email address")


def test_weak_password_is_refused_on_the_password():
    assert errors_of(registration(password="weakpassword1")) == {
        "password": "Your password must have at least one uppercase letter"
    }


@pytest.mark.parametrize("country", ["XX", "ZZ", "UK"])
def test_country_must_be_a_known_iso_code(country):
    assert errors_of(registration(country=country)) == {
        "country": "Choose your country from the list"
    }


@pytest.mark.parametrize("country", ["GB", "ie", "US", "IN"])
def test_known_iso_codes_are_accepted(country):
    assert RegistrationIn.model_validate(registration(country=country)).country == country.upper()


def test_country_name_instead_of_code_is_refused():
    assert "country" in errors_of(registration(country="United Kingdom"))


def test_terms_must_be_accepted():
    assert errors_of(registration(accept_terms=False)) == {
        "accept_terms": "You must accept the Terms of Use and the Privacy Policy"
    }


def test_extra_fields_are_forbidden():
    assert errors_of(registration(role="admin")) == {"role": "This field is not expected"}


def test_missing_fields_are_required():
    data = registration()
    del data["first_name"], data["accept_terms"]
    assert errors_of(data) == {
        "first_name": "This field is required",
        "accept_terms": "This field is required",
    }


def test_blank_names_are_required():
    fields = errors_of(registration(first_name="   ", last_name=""))
    assert fields == {"first_name": "This field is required", "last_name": "This field is required"}


def test_every_problem_is_reported_at_once():
    fields = errors_of(
        registration(
            email="ann@centre.ac.uk",
            email_confirm="bob@centre.ac.uk",
            password="short",
            country="XX",
            accept_terms=False,
        )
    )
    assert set(fields) == {"email_confirm", "password", "country", "accept_terms"}


# field_errors and parse --------------------------------------------------------------------


class _Nested(BaseModel):
    count: int


class _Sample(BaseModel):
    model_config = {"extra": "forbid"}
    name: str = Field(min_length=2)
    inner: _Nested | None = None


def _errors(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate(data)
    return field_errors(caught.value)


def test_field_errors_names_nested_fields_with_dots():
    assert list(_errors({"name": "ok", "inner": {"count": "many"}})) == ["inner.count"]


def test_field_errors_drops_the_value_error_prefix():
    fields = errors_of(registration(country="XX"))
    assert not fields["country"].startswith("Value error")


def test_field_errors_says_required_for_missing_and_empty():
    assert _errors({}) == {"name": "This field is required"}
    assert _errors({"name": ""}) == {"name": "This field is required"}


def test_field_errors_keeps_the_length_message_for_a_short_value():
    assert _errors({"name": "a"})["name"] == "String should have at least 2 characters"


def test_field_errors_keeps_the_first_message_per_field():
    error = ValidationError.from_exception_data(
        "Sample",
        [
            {
                "type": "value_error",
                "loc": ("a",),
                "input": 1,
                "ctx": {"error": ValueError("first")},
            },
            {
                "type": "value_error",
                "loc": ("a",),
                "input": 1,
                "ctx": {"error": ValueError("second")},
            },
        ],
    )
    assert field_errors(error) == {"a": "first"}


def test_field_errors_names_a_whole_model_problem_form():
    with pytest.raises(ValidationError) as caught:
        _Sample.model_validate("not a mapping")
    assert list(field_errors(caught.value)) == ["form"]


def test_parse_returns_the_model():
    assert parse(_Sample, {"name": "ok"}).name == "ok"


def test_parse_raises_invalid_with_fields():
    with pytest.raises(Invalid) as caught:
        parse(_Sample, {"name": "", "extra": 1})
    assert caught.value.status == 422
    assert caught.value.code == "INVALID"
    assert caught.value.fields == {
        "name": "This field is required",
        "extra": "This field is not expected",
    }
