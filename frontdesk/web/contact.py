"""Contact Us pages: the choice of service, the three-step form, and the chat tab a chat
case opens in (the live chat window: static/js/chat.js talks to the /customer socket)."""

from __future__ import annotations

from pathlib import Path

from quart import Blueprint, ResponseReturnValue, current_app, render_template

from frontdesk.accounts.models import COUNTRIES, Role, User
from frontdesk.business_hours import uk_datetime
from frontdesk.intake.options import longer_replies
from frontdesk.ratings.models import SCORES
from frontdesk.web.auth import current_user, require_user
from frontdesk.web.cases_pages import FILE_RULES
from frontdesk.web.context import services

blueprint = Blueprint("contact", __name__)

# scripts/vendor copies the widget here from node_modules (npm package "altcha");
# js/human_check.js loads it with its worker, and pages link its styles.
ALTCHA_VENDOR = "vendor/altcha/altcha.min.js"
ALTCHA_SCRIPT = "js/human_check.js"
ALTCHA_STYLE = "vendor/altcha/altcha.css"
COUNTRY_NAMES = sorted(COUNTRIES.values())


def _me() -> User:
    user = current_user()
    assert user is not None  # require_user ran first
    return user


def human_check_available() -> bool:
    return (Path(current_app.static_folder or "") / ALTCHA_VENDOR).is_file()


@blueprint.get("/contact-us")
@require_user()
async def contact_us() -> ResponseReturnValue:
    customer_types = [c.name for c in services().intake.taxonomy().customer_types]
    return await render_template("contact/index.html", customer_types=customer_types)


@blueprint.get("/contact-us/qualification-services")
@require_user()
async def qualification_services() -> ResponseReturnValue:
    return await render_template(
        "contact/form.html",
        is_customer=_me().role is Role.CUSTOMER,
        human_check_available=human_check_available(),
        altcha_script=ALTCHA_SCRIPT,
        altcha_style=ALTCHA_STYLE,
        countries=COUNTRY_NAMES,
        longer_replies=longer_replies(services().intake.taxonomy()),
    )


@blueprint.get("/chat/<number>")
@require_user()
async def chat(number: str) -> ResponseReturnValue:
    me = _me()
    case = await services().cases.access_case(me, number)
    return await render_template(
        "contact/chat.html",
        case=case,
        opened=uk_datetime(case.created_at),
        is_customer=me.role is Role.CUSTOMER,
        user_id=me.id,
        file_rules=FILE_RULES,
        rating_scores=SCORES,
    )
