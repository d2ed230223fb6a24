"""Pydantic shapes of accounts: what comes in, what the domain holds, what goes out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from frontdesk.accounts.policy import password_problem


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


# The roles of support staff: they answer cases and chats and moderate the community.
STAFF = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})


COUNTRIES: dict[str, str] = {c.alpha_2: c.name for c in pycountry.countries}


def normalise_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"Enter a valid email address ({error})") from None


def _policy_password(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


# One definition each of what an email address and a new password must be.
Email = Annotated[str, Field(max_length=254), AfterValidator(normalise_email)]
NewPassword = Annotated[str, Field(max_length=256), AfterValidator(_policy_password)]


def _loose_normal(value: str) -> str:
    try:
        return normalise_email(value).lower()
    except ValueError:
        return value.strip().lower()


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RegistrationIn(_In):
    email: Email
    email_confirm: str = Field(max_length=254)
    # Blank means "same as email address", as the guide recommends.
    username: str = Field(default="", max_length=254)
    password: NewPassword
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2)
    accept_terms: bool

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value.upper() not in COUNTRIES:
            raise ValueError("Choose your country from the list")
        return value.upper()

    @field_validator("accept_terms")
    @classmethod
    def _terms(cls, value: bool) -> bool:
        if not value:
            raise ValueError("You must accept the Terms of Use and the Privacy Policy")
        return value

    @field_validator("username")
    @classmethod
    def _username(cls, value: str, info: ValidationInfo) -> str:
        if value and (len(value) < 3 or any(ch.isspace() for ch in value)):
            raise ValueError("A username has 3 or more characters and no spaces")
        # An email address as username could pass for someone else's sign-in name.
        email = info.data.get("email")
        if "@" in value and email is not None and value.lower() != email.lower():
            raise ValueError("A username that is an email address must be your own")
        return value

    @field_validator("email_confirm")
    @classmethod
    def _confirmed(cls, value: str, info: ValidationInfo) -> str:
        email = info.data.get("email")
        if email is None:  # the email itself was invalid; that error is enough
            return value
        if _loose_normal(value) != email.lower():
            raise ValueError("The email addresses do not match")
        return value

    @model_validator(mode="after")
    def _default_username(self) -> RegistrationIn:
        if not self.username:
            self.username = self.email
        return self


class SignInIn(_In):
    username: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    # The solved sign-in challenge (GET /api/v1/session/challenge): asked for only once a
    # name has had too many failed sign-ins (HUMAN_CHECK_REQUIRED).
    human_check: str | None = Field(default=None, max_length=10_000)


class EmailIn(_In):
    email: Email


class UsernameIn(_In):
    username: str = Field(min_length=1, max_length=254)


class TokenIn(_In):
    token: str = Field(min_length=1, max_length=512)


class ResetPasswordIn(_In):
    token: str = Field(min_length=1, max_length=512)
    password: NewPassword


class User(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    email: str
    username: str
    first_name: str
    last_name: str
    country: str
    role: Role
    is_active: bool
    created_at: datetime
    verified_at: datetime | None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class UserPublic(BaseModel):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    country: str
    role: Role

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls.model_validate(user.model_dump())


class RegistrationOut(BaseModel):
    message: str
    warnings: dict[str, str] = {}


class MessageOut(BaseModel):
    message: str


class SessionOut(BaseModel):
    user: UserPublic | None
    csrf_token: str


class Country(BaseModel):
    code: str
    name: str
