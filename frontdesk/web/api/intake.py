"""Contact Us API: taxonomy, support options, human-check challenges, opening cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel
from quart import Blueprint
from quart_schema import tag, validate_request, validate_response

from frontdesk.accounts.models import Role, User
from frontdesk.business_hours import uk_datetime
from frontdesk.cases.models import Case, CaseOpen, Channel
from frontdesk.intake.options import SupportOptions
from frontdesk.intake.taxonomy import Choice, Taxonomy
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.context import services

blueprint = Blueprint("intake_api", __name__, url_prefix="/api/v1")

# A challenge is single-use: no cache may hand the same one to two forms.
NO_STORE = {"Cache-Control": "no-store"}


# Shapes out ----------------------------------------------------------------------------


class CategoryOut(BaseModel):
    name: str
    subcategories: list[str]


class IssueTypeOut(BaseModel):
    name: str
    categories: list[CategoryOut]


class CustomerTypeOut(BaseModel):
    name: str
    issue_types: list[IssueTypeOut]


class QualificationOut(BaseModel):
    name: str
    subjects: list[str]


class TaxonomyOut(BaseModel):
    """What the cascading dropdowns of step 1 offer, in the file's order."""

    customer_types: list[CustomerTypeOut]
    qualifications: list[QualificationOut]

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> Self:
        issues = {
            issue.name: IssueTypeOut(
                name=issue.name,
                categories=[
                    CategoryOut(name=c.name, subcategories=list(c.subcategories))
                    for c in issue.categories
                ],
            )
            for issue in taxonomy.issue_types
        }
        return cls(
            customer_types=[
                CustomerTypeOut(name=c.name, issue_types=[issues[i] for i in c.issue_types])
                for c in taxonomy.customer_types
            ],
            qualifications=[
                QualificationOut(name=q.name, subjects=list(q.subjects))
                for q in taxonomy.qualifications
            ],
        )


class OptionsOut(BaseModel):
    """Step 3: how this choice can reach us now. `*_uk` are dd/mm/yyyy hh:mm, UK time."""

    chat_offered: bool
    chat_open: bool
    chat_reason: str | None
    chat_hours: str
    chat_next_opening: datetime | None
    chat_next_opening_uk: str
    phone: str
    phone_hours: str
    phone_reason: str | None
    phone_next_opening: datetime | None
    phone_next_opening_uk: str
    call_by: datetime
    call_deadline: str
    reply_days: int
    reply_by: datetime
    reply_by_uk: str

    @classmethod
    def of(cls, options: SupportOptions) -> Self:
        return cls(
            **vars(options),
            chat_next_opening_uk=uk_datetime(options.chat_next_opening),
            phone_next_opening_uk=uk_datetime(options.phone_next_opening),
            reply_by_uk=uk_datetime(options.reply_by),
        )


class ChallengeOut(BaseModel):
    """An ALTCHA v2 challenge, as the widget fetches it."""

    parameters: dict[str, Any]
    signature: str


class ContactOut(BaseModel):
    """Step 2's fields as last given; blank where never given."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    country: str = ""
    language: str = ""
    institution: str = ""


class CaseOpenedOut(BaseModel):
    number: str
    channel: Channel
    status: str
    case_url: str
    chat_url: str | None
    phone: str | None
    phone_hours: str | None
    # A call-us case: call by then or it is closed, and that in words (with when the
    # lines open, if they are closed now).
    call_by: datetime | None
    call_by_uk: str
    call_deadline: str | None
    reply_days: int
    reply_by: datetime
    reply_by_uk: str
    created_at: datetime
    created_at_uk: str

    @classmethod
    def of(cls, case: Case, options: SupportOptions) -> Self:
        call = case.channel is Channel.CALL
        return cls(
            number=case.number,
            channel=case.channel,
            status=case.status.label,
            case_url=f"/my-cases/{case.number}",
            chat_url=f"/chat/{case.number}" if case.channel is Channel.CHAT else None,
            phone=case.phone if call else None,
            phone_hours=options.phone_hours if call else None,
            call_by=case.call_by,
            call_by_uk=uk_datetime(case.call_by),
            call_deadline=options.call_deadline if call else None,
            reply_days=case.reply_days,
            reply_by=case.reply_by,
            reply_by_uk=uk_datetime(case.reply_by),
            created_at=case.created_at,
            created_at_uk=uk_datetime(case.created_at),
        )


def _me() -> User:
    user = current_user()
    assert user is not None  # require_user ran first
    return user


# Routes --------------------------------------------------------------------------------


@blueprint.get("/intake/taxonomy")
@tag(["intake"])
@require_user()
@validate_response(TaxonomyOut)
async def get_taxonomy() -> TaxonomyOut:
    """The dropdowns' tree, from the taxonomy file as it is now (edits show at once)."""
    return TaxonomyOut.of(services().intake.taxonomy())


@blueprint.post("/intake/options")
@tag(["intake"])
@require_user()
@validate_request(Choice)
@validate_response(OptionsOut)
async def get_options(data: Choice) -> OptionsOut:
    """The support options of a step-1 choice at this moment: chat, phone, reply target."""
    return OptionsOut.of(await services().intake.support_options(data))


@blueprint.get("/intake/challenge")
@tag(["intake"])
@require_user()
@validate_response(ChallengeOut)
async def get_challenge() -> tuple[ChallengeOut, int, dict[str, str]]:
    """A fresh human-check challenge; its solution is accepted once, within 20 minutes."""
    found = services().intake.human_check_challenge()
    return ChallengeOut.model_validate(found), 200, NO_STORE


@blueprint.get("/intake/contact")
@tag(["intake"])
@require_user()
@validate_response(ContactOut)
async def get_contact() -> tuple[ContactOut, int, dict[str, str]]:
    """Step 2 prefilled: the contact details the customer gave last time."""
    found = await services().cases.previous_contact(_me())
    return ContactOut.model_validate(found), 200, NO_STORE


@blueprint.post("/cases")
@tag(["intake"])
@require_user(Role.CUSTOMER)
@validate_request(CaseOpen)
@validate_response(CaseOpenedOut, 201)
async def open_case(data: CaseOpen) -> tuple[CaseOpenedOut, int]:
    """Open a case from Contact Us by chat, call or message (409 CHAT_UNAVAILABLE when
    chat is closed); the human check's solution is spent."""
    case = await services().cases.open_case(_me(), data)
    intake = services().intake
    opened_with = intake.options_for(intake.routing(data.choice), at=case.created_at)
    return CaseOpenedOut.of(case, opened_with), 201
