"""Account rules: register, verify, sign in and out, recover username and password.

Messages about sign-in and recovery never say whether an account exists: a wrong
username and a wrong password read the same, throttling counts attempts against the
name typed whether or not it matches anyone, and recovery always answers "if an account
matches, we have emailed it".
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.accounts import emails, store, tokens
from frontdesk.accounts.breached import BREACHED_MESSAGE, PwnedPasswords
from frontdesk.accounts.models import RegistrationIn, RegistrationOut, Role, User
from frontdesk.accounts.passwords import Passwords
from frontdesk.accounts.policy import PUBLIC_EMAIL_WARNING, is_public_email
from frontdesk.clock import Clock
from frontdesk.db.engine import looking_up, reading, transaction
from frontdesk.email_layout import OutgoingEmail
from frontdesk.errors import Code, Conflict, Forbidden, Invalid, TooManyRequests, Unauthorized
from frontdesk.intake.human_check import HumanCheck
from frontdesk.mail import queue_mail
from frontdesk.settings import Settings

# Session keys per query when checking which still hold: well under any store's limit
# on bound parameters (SQLite's is 32,766; asyncpg's 32,767).
SESSION_BATCH = 500

# An address that already has an account is told someone tried to register it at most
# once in this long (kept as an attempt of the kind REMINDED).
RECIPIENT_WINDOW = timedelta(hours=1)
REMINDED = "remind:recipient"
HUMAN_CHECK_NEEDED = (
    "This account has had many failed sign-ins: complete the human check, then sign in"
)

RECOVERY_SENT = "If an account matches what you entered, we have sent it an email."


@dataclass(frozen=True)
class SessionGrant:
    user: User
    token: str


@dataclass(frozen=True)
class SignedIn:
    """Who a session cookie belongs to, and the key of its session (never the token)."""

    user: User
    session_key: str


def session_key(token: str) -> str:
    return tokens.digest(token)


class AccountService:
    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        settings: Settings,
        mail_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._settings = settings
        self._mail_queued = mail_queued  # wakes the outbox sender after a commit
        self._passwords = Passwords(
            time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib
        )
        # Asked of a name under attack: many times the work of Contact Us's check.
        self.sign_in_check = HumanCheck(
            settings.secret_key, max_counter=settings.sign_in_check_max_counter, purpose="sign-in"
        )
        self._pwned = PwnedPasswords(
            settings.pwned_passwords_url, settings.pwned_passwords_timeout_seconds
        )

    # Registration and verification ----------------------------------------------------

    async def register(self, data: RegistrationIn, *, address: str) -> RegistrationOut:
        now = self._clock.now()
        await self._refuse_breached(data.password)
        password_hash = await self._passwords.hash(data.password)
        keys = sorted({data.email.lower(), data.username.lower()})
        email_key = data.email.lower()
        try:
            async with transaction(self._engine) as conn:
                await self._check_throttle(conn, "register", address, now, account_key=email_key)
                await store.delete_stale_unverified(conn, keys, now - self._verify_window)
                held = await store.select_user_holding(
                    conn, email=data.email, username=data.username
                )
                owner = next((user for user, what in held if what == "email"), None)
                if owner is not None:
                    await self._remind_owner(conn, owner, now)
                elif held:
                    raise Conflict(
                        "This username is taken; choose another",
                        code=Code.USERNAME_TAKEN,
                        fields={"username": "This username is taken; choose another"},
                    )
                else:
                    user_id = await store.insert_user(
                        conn,
                        email=data.email,
                        username=data.username,
                        first_name=data.first_name,
                        last_name=data.last_name,
                        country=data.country,
                        role=Role.CUSTOMER,
                        password_hash=password_hash,
                        now=now,
                    )
                    link = await self._issue_link(
                        conn, user_id, tokens.VERIFY, now + self._verify_window
                    )
                    await self._mail(
                        conn,
                        data.email,
                        emails.verify(data.first_name, link, product=self.product_name),
                    )
                # Counted when accepted (an email may go): a refused one changes nothing.
                await self._count_attempt(conn, "register", email_key, address, now)
        except IntegrityError:  # a racing registration took the name between our checks
            raise Conflict(
                "This username or email was just taken; try again", code=Code.USERNAME_TAKEN
            ) from None
        self._mail_queued()
        warnings = {"email": PUBLIC_EMAIL_WARNING} if is_public_email(data.email) else {}
        return RegistrationOut(
            message=f"We have sent a link to {data.email}. Open it within "
            f"{self._settings.verify_hours} hours to finish creating your account.",
            warnings=warnings,
        )

    async def _remind_owner(self, conn: AsyncConnection, owner: User, now: datetime) -> None:
        """Someone registered an email that already has an account: tell its owner, and
        answer the registration as usual, so the form does not reveal the account. At most
        once an hour: registering someone else's address again and again must not flood
        their mailbox (the answer is the same either way)."""
        key = owner.email.lower()
        told, _ = await store.select_failures_since(conn, REMINDED, key, now - RECIPIENT_WINDOW)
        if told:
            return
        await store.insert_failure(conn, REMINDED, key, now)
        if owner.verified_at is None:
            link = await self._issue_link(
                conn, owner.id, tokens.VERIFY, owner.created_at + self._verify_window
            )
            await self._mail(
                conn, owner.email, emails.verify(owner.first_name, link, product=self.product_name)
            )
        else:
            base = self._settings.public_url
            await self._mail(
                conn, owner.email, emails.already_registered(owner, base, product=self.product_name)
            )

    async def verify_email(self, token: str) -> User:
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            user_id = await self._use_link(conn, tokens.VERIFY, token, now)
            await store.update_user_verified(conn, user_id, now)
            user = await store.select_user(conn, user_id)
        assert user is not None
        return user

    # Sessions -------------------------------------------------------------------------

    async def sign_in(
        self,
        login: str,
        password: str,
        *,
        address: str,
        user_agent: str = "",
        human_check: str | None = None,
    ) -> SessionGrant:
        """A session for the right password. Failures are counted per address (too many:
        refused for a while) and per name typed: a name under attack asks for the human
        check (a harder proof of work, so each guess costs the guesser seconds), never
        refuses its owner's right password."""
        now = self._clock.now()
        account_key = login.strip().lower()
        async with transaction(self._engine) as conn:
            await self._check_throttle(conn, "signin", address, now)
            if await self._under_attack(conn, account_key, now):
                if not human_check:
                    raise Forbidden(
                        HUMAN_CHECK_NEEDED, code=Code.HUMAN_CHECK_REQUIRED,
                        fields={"human_check": "Complete the human check, then sign in"},
                    )  # fmt: skip
                await self.sign_in_check.spend(conn, human_check, now)
            found = await store.select_user_by_login(conn, login)
        user, password_hash = found if found else (None, None)
        correct = await self._passwords.verify(password_hash, password)
        if user is None or not correct or not user.is_active:
            async with transaction(self._engine) as conn:
                await store.insert_failure(conn, "signin:account", account_key, now)
                await store.insert_failure(conn, "signin:address", address, now)
            raise Unauthorized("Incorrect username or password", code=Code.BAD_CREDENTIALS)
        if user.verified_at is None:
            raise Forbidden(
                "Please verify your email address with the link we sent you first",
                code=Code.EMAIL_NOT_VERIFIED,
            )
        token = secrets.token_urlsafe(32)
        async with transaction(self._engine) as conn:
            await store.insert_session(
                conn,
                token_hash=session_key(token),
                user_id=user.id,
                now=now,
                expires_at=now + timedelta(days=self._settings.session_days),
                user_agent=user_agent,
                address=address,
            )
            await store.delete_failures(conn, "signin:account", account_key)
            if password_hash and self._passwords.needs_rehash(password_hash):
                await store.update_user_password(
                    conn, user.id, await self._passwords.hash(password)
                )
        return SessionGrant(user=user, token=token)

    async def session_user(self, token: str) -> User | None:
        async with looking_up(self._engine) as conn:
            return await store.select_session_user(conn, session_key(token), self._clock.now())

    async def signed_in(self, token: str) -> SignedIn | None:
        key = session_key(token)
        async with looking_up(self._engine) as conn:
            user = await store.select_session_user(conn, key, self._clock.now())
        return None if user is None else SignedIn(user, key)

    async def live_sessions(self, keys: Iterable[str]) -> set[str]:
        """Which of these session keys (`session_key` of a token) still hold."""
        wanted, held = list(keys), set()
        now = self._clock.now()
        async with reading(self._engine) as conn:
            for start in range(0, len(wanted), SESSION_BATCH):
                batch = wanted[start : start + SESSION_BATCH]
                held |= await store.select_live_sessions(conn, batch, now)
        return held

    async def sign_out(self, token: str) -> None:
        async with transaction(self._engine) as conn:
            await store.delete_session(conn, session_key(token))

    # Recovery -------------------------------------------------------------------------

    async def send_username_reminder(self, email: str, *, address: str) -> str:
        now = self._clock.now()
        async with transaction(self._engine) as conn:
            await self._check_throttle(conn, "recover", address, now, account_key=email.lower())
            await self._count_attempt(conn, "recover", email.lower(), address, now)
            found = [u for u in await store.select_users_by_email(conn, email) if u.is_active]
            for user in found:
                await self._mail(
                    conn,
                    user.email,
                    emails.username_reminder(user, self._base, product=self.product_name),
                )
        self._mail_queued()
        return RECOVERY_SENT

    async def send_password_reset(self, login: str, *, address: str) -> str:
        now = self._clock.now()
        account_key = login.strip().lower()
        async with transaction(self._engine) as conn:
            await self._check_throttle(conn, "recover", address, now, account_key=account_key)
            await self._count_attempt(conn, "recover", account_key, address, now)
            found = await store.select_user_by_login(conn, login)
            if found is not None and found[0].is_active:
                user = found[0]
                expires = now + timedelta(minutes=self._settings.reset_minutes)
                link = await self._issue_link(conn, user.id, tokens.RESET, expires)
                await self._mail(
                    conn, user.email, emails.password_reset(user, link, product=self.product_name)
                )
        self._mail_queued()
        return RECOVERY_SENT

    async def reset_password(self, token: str, password: str) -> User:
        """Set a new password from a reset link; every session of the user ends."""
        now = self._clock.now()
        await self._refuse_breached(password)
        password_hash = await self._passwords.hash(password)
        async with transaction(self._engine) as conn:
            user_id = await self._use_link(conn, tokens.RESET, token, now)
            await store.update_user_password(conn, user_id, password_hash)
            await store.delete_user_sessions(conn, user_id)
            # Following the emailed link proves the address, as verification would.
            await store.update_user_verified(conn, user_id, now)
            user = await store.select_user(conn, user_id)
        assert user is not None
        return user

    # Administration -------------------------------------------------------------------

    async def users_with_roles(self, *roles: Role) -> list[User]:
        """Active users of these roles, by name (the team pages list agents)."""
        async with reading(self._engine) as conn:
            return await store.select_users_with_roles(conn, list(roles))

    async def password_link(
        self, conn: AsyncConnection, user: User, *, valid: timedelta | None = None
    ) -> str:
        """A single-use link to set a password: a reset's (valid as the reset emails
        say), or for `valid` (an invitation's first password)."""
        valid = valid or timedelta(minutes=self._settings.reset_minutes)
        return await self._issue_link(conn, user.id, tokens.RESET, self._clock.now() + valid)

    async def _refuse_breached(self, password: str) -> None:
        """The optional breached-password service's verdict (the common-password list is
        checked with the other rules, where the password is read)."""
        if await self._pwned.breached(password):
            raise Invalid("Please correct the fields", fields={"password": BREACHED_MESSAGE})

    async def hash_password(self, password: str) -> str:
        return await self._passwords.hash(password)

    async def user(self, user_id: int) -> User | None:
        async with looking_up(self._engine) as conn:
            return await store.select_user(conn, user_id)

    async def add_user(
        self,
        *,
        email: str,
        username: str,
        password: str,
        first_name: str,
        last_name: str,
        role: Role,
        country: str = "GB",
    ) -> User:
        """Create a verified account directly (CLI, demo data); no email is sent."""
        password_hash = await self._passwords.hash(password)
        try:
            async with transaction(self._engine) as conn:
                user_id = await store.insert_user(
                    conn,
                    email=email,
                    username=username,
                    first_name=first_name,
                    last_name=last_name,
                    country=country,
                    role=role,
                    password_hash=password_hash,
                    now=self._clock.now(),
                    verified=True,
                )
                user = await store.select_user(conn, user_id)
        except IntegrityError:
            raise Conflict("A user with this email or username exists already") from None
        assert user is not None
        return user

    async def purge_expired(self) -> None:
        """Drop ended sessions and throttling records that no longer count."""
        now = self._clock.now()
        window = timedelta(minutes=self._settings.throttle_window_minutes)
        async with transaction(self._engine) as conn:
            await store.delete_sessions_before(conn, now)
            await store.delete_failures_before(conn, now - max(window, RECIPIENT_WINDOW))

    @property
    def product_name(self) -> str:
        """The portal's name as people know it, which account emails use."""
        return self._settings.product_name

    # Helpers --------------------------------------------------------------------------

    @property
    def _verify_window(self) -> timedelta:
        return timedelta(hours=self._settings.verify_hours)

    @property
    def _base(self) -> str:
        return self._settings.public_url.rstrip("/")

    async def _mail(self, conn: AsyncConnection, to: str, email: OutgoingEmail) -> None:
        await queue_mail(conn, to=to, email=email, now=self._clock.now())

    async def _issue_link(
        self, conn: AsyncConnection, user_id: int, purpose: str, expires_at: datetime
    ) -> str:
        nonce = tokens.new_nonce()
        await store.insert_token(
            conn,
            user_id=user_id,
            purpose=purpose,
            nonce_hash=tokens.digest(nonce),
            now=self._clock.now(),
            expires_at=expires_at,
        )
        path = "verify-email" if purpose == tokens.VERIFY else "reset-password"
        return f"{self._base}/{path}?token={tokens.sign(self._settings.secret_key, purpose, nonce)}"

    async def _use_link(
        self, conn: AsyncConnection, purpose: str, token: str, now: datetime
    ) -> int:
        """Spend a single-use link; the user it belongs to, or Invalid saying why not."""
        nonce = tokens.unsign(self._settings.secret_key, purpose, token)
        row = (
            None if nonce is None else await store.select_token(conn, purpose, tokens.digest(nonce))
        )
        if row is None:
            raise Invalid(
                "This link is not valid; check that you copied all of it", code=Code.LINK_INVALID
            )
        if row.used_at is not None:
            raise Invalid("This link has been used already", code=Code.LINK_USED)
        if row.expires_at <= now:
            again = "create your account again" if purpose == tokens.VERIFY else "ask for a new one"
            raise Invalid(f"This link has expired; please {again}", code=Code.LINK_EXPIRED)
        if not await store.use_token(conn, row.id, now):
            raise Invalid("This link has been used already", code=Code.LINK_USED)
        return int(row.user_id)

    async def _under_attack(self, conn: AsyncConnection, account_key: str, now: datetime) -> bool:
        window = timedelta(minutes=self._settings.throttle_window_minutes)
        failed, _ = await store.select_failures_since(
            conn, "signin:account", account_key, now - window
        )
        return failed >= self._settings.throttle_per_account

    async def _check_throttle(
        self,
        conn: AsyncConnection,
        action: str,
        address: str,
        now: datetime,
        *,
        account_key: str | None = None,
    ) -> None:
        """TooManyRequests once the address (and the name typed, if given) has had its
        share of attempts in the window."""
        window = timedelta(minutes=self._settings.throttle_window_minutes)
        limits = [("address", address, self._settings.throttle_per_address)]
        if account_key is not None:
            limits.append(("account", account_key, self._settings.throttle_per_account))
        for scope, key, limit in limits:
            count, oldest = await store.select_failures_since(
                conn, f"{action}:{scope}", key, now - window
            )
            if count >= limit and oldest is not None:
                wait = max(1, int((oldest + window - now).total_seconds()))
                minutes = -(-wait // 60)
                raise TooManyRequests(
                    f"Too many attempts. Please wait {minutes} minute"
                    f"{'s' if minutes != 1 else ''} and try again.",
                    retry_after=wait,
                    code=Code.THROTTLED,
                )

    async def _count_attempt(
        self, conn: AsyncConnection, action: str, account_key: str, address: str, now: datetime
    ) -> None:
        await store.insert_failure(conn, f"{action}:account", account_key, now)
        await store.insert_failure(conn, f"{action}:address", address, now)
