"""Pages: the top menu's destinations and every account page. Thin: forms in, service
calls, templates out."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from quart import Blueprint, ResponseReturnValue, redirect, render_template, request

from frontdesk.accounts.models import (
    COUNTRIES,
    EmailIn,
    RegistrationIn,
    ResetPasswordIn,
    SignInIn,
    TokenIn,
    UsernameIn,
)
from frontdesk.accounts.policy import PUBLIC_EMAIL_DOMAINS
from frontdesk.errors import Code, FrontdeskError, Invalid
from frontdesk.web.auth import (
    client_address,
    current_user,
    end_session,
    require_user,
    start_session,
)
from frontdesk.web.contact import ALTCHA_SCRIPT, ALTCHA_STYLE, human_check_available
from frontdesk.web.context import services
from frontdesk.web.validation import parse

blueprint = Blueprint("pages", __name__)

COUNTRY_CHOICES = sorted(COUNTRIES.items(), key=lambda item: item[1])


async def _form() -> dict[str, Any]:
    form = await request.form
    return {key: value for key, value in form.items() if key != "csrf_token"}


async def _page(template: str, status: int = 200, /, **context: Any) -> ResponseReturnValue:
    return await render_template(template, **context), status


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would let links bounce users elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    # Browsers read "/\\host" as "//host" and drop tabs and newlines ("/\t/host"), so
    # either would still leave the site.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    return target if not urlsplit(target).netloc else "/"


@blueprint.get("/")
async def home() -> ResponseReturnValue:
    return await _page("pages/home.html")


CHECK_CODES = frozenset({Code.HUMAN_CHECK_REQUIRED, Code.HUMAN_CHECK_FAILED})


@blueprint.route("/sign-in", methods=["GET", "POST"])
async def sign_in() -> ResponseReturnValue:
    next_path = _safe_next(request.args.get("next"))
    if request.method == "GET":
        return await _page("accounts/sign_in.html", form={}, next_path=next_path)
    form = await _form()
    fields = {k: form.get(k, "") for k in ("username", "password")}
    try:
        data = parse(SignInIn, {**fields, "human_check": form.get("human_check") or None})
        grant = await services().accounts.sign_in(
            data.username,
            data.password,
            address=client_address(),
            user_agent=request.headers.get("User-Agent", ""),
            human_check=data.human_check,
        )
    except FrontdeskError as error:
        form.pop("password", None)
        # Asked for, or sent and still needed: a name under attack asks on every try.
        needs_check = error.code in CHECK_CODES or bool(form.pop("human_check", None))
        return await _page(
            "accounts/sign_in.html", error.status, form=form, error=error,
            next_path=next_path, needs_check=needs_check,
            human_check_available=human_check_available(), altcha_script=ALTCHA_SCRIPT,
            altcha_style=ALTCHA_STYLE,
        )  # fmt: skip
    start_session(grant)
    return redirect(_safe_next(form.get("next")))


@blueprint.post("/sign-out")
async def sign_out() -> ResponseReturnValue:
    await end_session()
    return redirect("/")


@blueprint.route("/create-account", methods=["GET", "POST"])
async def create_account() -> ResponseReturnValue:
    context = {"countries": COUNTRY_CHOICES, "public_domains": sorted(PUBLIC_EMAIL_DOMAINS)}
    if request.method == "GET":
        return await _page("accounts/register.html", form={"same_as_email": "on"}, **context)
    form = await _form()
    fields = {k: form.get(k, "") for k in RegistrationIn.model_fields if k != "accept_terms"}
    fields["accept_terms"] = form.get("accept_terms") == "on"
    if form.get("same_as_email") == "on":
        fields["username"] = ""
    try:
        data = parse(RegistrationIn, fields)
        result = await services().accounts.register(data, address=client_address())
    except FrontdeskError as error:
        form.pop("password", None)
        return await _page(
            "accounts/register.html", error.status, form=form, error=error, **context
        )
    return await _page("accounts/check_email.html", result=result)


@blueprint.route("/verify-email", methods=["GET", "POST"])
async def verify_email() -> ResponseReturnValue:
    # Opening the link only shows a button: mail scanners that fetch links must not
    # spend the single-use token before the person does.
    if request.method == "GET":
        return await _page("accounts/verify.html", token=request.args.get("token", ""))
    form = await _form()
    try:
        user = await services().accounts.verify_email(parse(TokenIn, form).token)
    except FrontdeskError as error:
        return await _page("accounts/verify.html", error.status, token="", error=error)
    return await _page("accounts/verified.html", user=user)


@blueprint.route("/forgot-username", methods=["GET", "POST"])
async def forgot_username() -> ResponseReturnValue:
    if request.method == "GET":
        return await _page("accounts/forgot_username.html", form={})
    form = await _form()
    try:
        data = parse(EmailIn, form)
        message = await services().accounts.send_username_reminder(
            data.email, address=client_address()
        )
    except FrontdeskError as error:
        return await _page("accounts/forgot_username.html", error.status, form=form, error=error)
    return await _page("accounts/message.html", title="Check your email", message=message)


@blueprint.route("/forgot-password", methods=["GET", "POST"])
async def forgot_password() -> ResponseReturnValue:
    if request.method == "GET":
        return await _page("accounts/forgot_password.html", form={})
    form = await _form()
    try:
        data = parse(UsernameIn, form)
        message = await services().accounts.send_password_reset(
            data.username, address=client_address()
        )
    except FrontdeskError as error:
        return await _page("accounts/forgot_password.html", error.status, form=form, error=error)
    return await _page("accounts/message.html", title="Check your email", message=message)


@blueprint.route("/reset-password", methods=["GET", "POST"])
async def reset_password() -> ResponseReturnValue:
    if request.method == "GET":
        return await _page("accounts/reset_password.html", token=request.args.get("token", ""))
    form = await _form()
    try:
        data = parse(ResetPasswordIn, form)
        await services().accounts.reset_password(data.token, data.password)
    except FrontdeskError as error:
        token = form.get("token", "") if isinstance(error, Invalid) and error.fields else ""
        return await _page("accounts/reset_password.html", error.status, token=token, error=error)
    await end_session()
    return await _page(
        "accounts/message.html",
        title="Password changed",
        message="Your password has been changed and you have been signed out everywhere. "
        "Sign in with your new password.",
        sign_in_link=True,
    )


@blueprint.get("/account")
@require_user()
async def account() -> ResponseReturnValue:
    return await _page("accounts/account.html", user=current_user())


@blueprint.get("/terms")
async def terms() -> ResponseReturnValue:
    return await _page("pages/legal.html", title="Terms of Use")


@blueprint.get("/privacy")
async def privacy() -> ResponseReturnValue:
    return await _page("pages/legal.html", title="Privacy Policy")
