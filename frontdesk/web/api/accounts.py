"""Accounts API: register, verify, sign in and out, recover username and password."""

from __future__ import annotations

from quart import Blueprint, ResponseReturnValue
from quart_schema import tag, validate_request, validate_response

from frontdesk.accounts.models import (
    COUNTRIES,
    Country,
    EmailIn,
    MessageOut,
    RegistrationIn,
    RegistrationOut,
    ResetPasswordIn,
    SessionOut,
    SignInIn,
    TokenIn,
    UsernameIn,
    UserPublic,
)
from frontdesk.web.api.intake import NO_STORE, ChallengeOut
from frontdesk.web.auth import (
    client_address,
    csrf_token,
    current_user,
    end_session,
    require_user,
    start_session,
)
from frontdesk.web.context import services

blueprint = Blueprint("accounts_api", __name__, url_prefix="/api/v1")


@blueprint.get("/session")
@tag(["accounts"])
@validate_response(SessionOut)
async def get_session() -> SessionOut:
    """Who is signed in, and the CSRF token to send as X-CSRF-Token with every change."""
    user = current_user()
    return SessionOut(user=UserPublic.of(user) if user else None, csrf_token=csrf_token())


@blueprint.post("/session")
@tag(["accounts"])
@validate_request(SignInIn)
@validate_response(SessionOut)
async def sign_in(data: SignInIn) -> SessionOut:
    """Sign in with a username or email address and a password. A name with many failed
    sign-ins answers 403 HUMAN_CHECK_REQUIRED until `human_check` carries a solved
    challenge from GET /session/challenge."""
    grant = await services().accounts.sign_in(
        data.username, data.password, address=client_address(), human_check=data.human_check
    )
    start_session(grant)
    return SessionOut(user=UserPublic.of(grant.user), csrf_token=csrf_token())


@blueprint.get("/session/challenge")
@tag(["accounts"])
@validate_response(ChallengeOut)
async def get_sign_in_challenge() -> tuple[ChallengeOut, int, dict[str, str]]:
    """A sign-in human-check challenge (harder than Contact Us's), accepted once."""
    found = services().accounts.sign_in_check.challenge(services().clock.now())
    return ChallengeOut.model_validate(found), 200, NO_STORE


@blueprint.delete("/session")
@tag(["accounts"])
async def sign_out() -> ResponseReturnValue:
    """Sign out: the session ends on every node."""
    await end_session()
    return "", 204


@blueprint.get("/me")
@tag(["accounts"])
@validate_response(UserPublic)
@require_user()
async def me() -> UserPublic:
    user = current_user()
    assert user is not None
    return UserPublic.of(user)


@blueprint.post("/accounts")
@tag(["accounts"])
@validate_request(RegistrationIn)
@validate_response(RegistrationOut, 201)
async def register(data: RegistrationIn) -> tuple[RegistrationOut, int]:
    """Create an account; it can sign in once the emailed link is followed (24 hours)."""
    return await services().accounts.register(data, address=client_address()), 201


@blueprint.post("/accounts/verify")
@tag(["accounts"])
@validate_request(TokenIn)
@validate_response(UserPublic)
async def verify_email(data: TokenIn) -> UserPublic:
    """Spend a verification link's token."""
    return UserPublic.of(await services().accounts.verify_email(data.token))


@blueprint.post("/accounts/username-reminder")
@tag(["accounts"])
@validate_request(EmailIn)
@validate_response(MessageOut, 202)
async def send_username_reminder(data: EmailIn) -> tuple[MessageOut, int]:
    """Email the usernames of the accounts with this address, if there are any."""
    message = await services().accounts.send_username_reminder(data.email, address=client_address())
    return MessageOut(message=message), 202


@blueprint.post("/accounts/password-reset")
@tag(["accounts"])
@validate_request(UsernameIn)
@validate_response(MessageOut, 202)
async def send_password_reset(data: UsernameIn) -> tuple[MessageOut, int]:
    """Email a single-use reset link (valid one hour), if the account exists."""
    message = await services().accounts.send_password_reset(data.username, address=client_address())
    return MessageOut(message=message), 202


@blueprint.post("/accounts/password")
@tag(["accounts"])
@validate_request(ResetPasswordIn)
@validate_response(UserPublic)
async def reset_password(data: ResetPasswordIn) -> UserPublic:
    """Choose a new password with a reset link's token; all sessions end."""
    user = await services().accounts.reset_password(data.token, data.password)
    await end_session()
    return UserPublic.of(user)


@blueprint.get("/countries")
@tag(["accounts"])
@validate_response(list[Country])
async def list_countries() -> list[Country]:
    return [Country(code=code, name=name) for code, name in sorted(COUNTRIES.items(), key=_name)]


def _name(item: tuple[str, str]) -> str:
    return item[1]
