"""Settings: every knob is an environment variable FRONTDESK_*."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from uuid import uuid4

from pydantic import Field, StringConstraints, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Only the embedded demo may run with this key; anywhere else it would let anyone forge
# session cookies and account links.
DEMO_SECRET_KEY = "frontdesk-demo-secret-key-not-for-production"  # noqa: S105
# The away reason the desk sets itself on an agent idle too long (never one to pick).
IDLE_REASON = "idle"
# An away reason fits a narrow cell of the supervisor's agents table.
MAX_AWAY_REASON = 40
# The product's and the organisation's names: the header wraps the organisation's to a
# few short lines, and a paragraph of a name would push every page down.
BrandName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class Settings(BaseSettings):
    """The portal's configuration, read once at start and never changed afterwards."""

    model_config = SettingsConfigDict(env_prefix="FRONTDESK_", frozen=True, extra="ignore")

    env: Literal["demo", "production", "test"] = "demo"
    # What people see: the portal's name and who runs it, in page titles, the header (the
    # organisation), the footer, and a case's first owner ("Case Owner: <organisation> to
    # <queue>"); the organisation's is the emails' sender name too.
    product_name: BrandName = "frontdesk"
    organisation_name: BrandName = "Northgate Assessment"
    secret_key: str = DEMO_SECRET_KEY
    database_url: str = "sqlite+aiosqlite:///frontdesk.db"
    # PostgreSQL connections one node (one worker) may hold; a caller past them waits.
    database_pool_size: int = Field(default=20, ge=1, le=1000)
    redis_url: str | None = None
    redis_prefix: str = "frontdesk:"
    # Redis connections one node may hold: for commands (the queue, presence, figures)
    # and for the socket.io fan-out (publishes, plus its one subscription). A caller past
    # the size waits for a free one; one idle this long is closed. See README: Several nodes.
    redis_pool_size: int = Field(default=20, ge=2, le=1000)
    fanout_pool_size: int = Field(default=10, ge=2, le=1000)
    redis_idle_seconds: float = Field(default=60.0, gt=0)
    # The address people open; `frontdesk serve` makes it http://127.0.0.1:PORT if unset.
    public_url: str = "http://127.0.0.1:8000"
    # More page origins that may open sockets, comma-separated (another host name, say).
    allowed_origins: str = ""
    data_dir: Path = Path("data")
    # The Contact Us taxonomy; the one shipped with frontdesk when unset.
    taxonomy_path: Path | None = None
    smtp_url: str | None = None
    # The sender's address; a name given here ("Support <...>") replaces the
    # organisation's as the sender's name.
    mail_from: str = "support@frontdesk.invalid"
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # Migrate on start: the embedded default should just work; scale-out runs `migrate`
    # once from one place instead of every node racing to do it.
    auto_migrate: bool | None = None

    # argon2id cost: the library's defaults (RFC 9106's second recommendation). Tests
    # lower it to stay fast; production refuses anything below OWASP's minimum.
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_kib: int = Field(default=65536, ge=8)

    session_days: int = Field(default=14, ge=1)
    verify_hours: int = 24
    reset_minutes: int = 60
    # Throttling: failures allowed in the window, per account name and per client address.
    throttle_window_minutes: int = Field(default=15, ge=1)
    throttle_per_account: int = Field(default=5, ge=1)
    throttle_per_address: int = Field(default=20, ge=1)
    # The proof of work asked of a name with throttle_per_account failures: the widget
    # tries up to this many counters (Contact Us's: 2,000), a few seconds in a browser.
    sign_in_check_max_counter: int = Field(default=20_000, ge=1, le=1_000_000)
    # The proof of work of Contact Us's human check: a few tenths of a second in a
    # browser for each case opened, the same again for each a bot sends.
    contact_check_max_counter: int = Field(default=2_000, ge=1, le=1_000_000)

    # Live chat routing. Every timer is a deadline kept in the queue backend; the sweep
    # is how often a node looks for due ones (the resolution of every timeout).
    chat_offer_seconds: int = Field(default=20, ge=1)
    chat_grace_seconds: int = Field(default=60, ge=1)
    # An agent who declined a chat or let its offer lapse is offered it again after this
    # long, if no other agent has taken it: one missed offer never strands a customer.
    chat_reoffer_seconds: int = Field(default=10, ge=1)
    # A customer whose every chat connection is gone (a closed tab, a lost network) for
    # this long leaves: a waiting chat is abandoned, an active one ends.
    chat_customer_grace_seconds: int = Field(default=60, ge=1)
    chat_max_wait_minutes: int = Field(default=15, ge=1)
    chat_capacity: int = Field(default=3, ge=1, le=20)
    # When a chat's transcript is emailed to its customer's account: only when they ask
    # in the chat window ("on_request"), or also as every answered chat ends ("auto").
    chat_transcript_email: Literal["on_request", "auto"] = "on_request"
    # The reasons an agent picks from when it sets Away, comma-separated, in this order.
    away_reasons: str = "Lunch,Training,Meeting,Break,Other"
    # An available agent with no console activity and no chat for this long is set Away
    # with the reason "idle" (0: never).
    agent_idle_minutes: int = Field(default=0, ge=0, le=24 * 60)
    # An open case whose reply-by is this many clock hours away or less is "Due soon" in
    # staff case lists and on the dashboard (past it, "Overdue"). Clock hours, not working
    # hours: a reply due Monday 09:00 is due soon from Friday evening, as it should be.
    case_due_soon_hours: int = Field(default=4, ge=0, le=168)
    # How often each node recounts the cases by queue for the dashboard (open, overdue,
    # due soon), so a reply-by passing is pushed without any case changing.
    case_figures_seconds: float = Field(default=30.0, gt=0, le=3600)
    # How long the link in a resolved case's email may be used to rate it (once rated,
    # the rating may be changed for a day, then the link only shows it).
    rating_link_days: int = Field(default=14, ge=1, le=365)
    chat_sweep_seconds: float = Field(default=0.5, gt=0, le=10)
    # How often each node checks that the sessions behind its sockets still hold: the
    # longest a socket outlives a sign-out, a reset password or a disabled account.
    # The Have I Been Pwned range API (https://api.pwnedpasswords.com/range/), asked about
    # every new password by k-anonymity; unset asks nobody (accounts/breached.py).
    pwned_passwords_url: str | None = None
    pwned_passwords_timeout_seconds: float = Field(default=2.0, gt=0, le=30)
    session_check_seconds: float = Field(default=0.5, gt=0, le=10)
    # How often each node tells its sockets where their open chats stand: the longest a
    # message lost at the fan-out in a quiet chat stays unseen.
    chat_heartbeat_seconds: float = Field(default=5.0, gt=0, le=60)
    # A node not heard from for this long is dead: its agents' sockets are forgotten and
    # their reconnect grace starts. Many sweeps long, so a busy node is not taken for dead.
    chat_node_timeout_seconds: int = Field(default=15, ge=1)
    # Names this process among the nodes (its sockets are "node:sid" in the queue state).
    node_id: str = Field(default_factory=lambda: uuid4().hex[:12], min_length=1, max_length=40)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def migrate_on_start(self) -> bool:
        if self.auto_migrate is not None:
            return self.auto_migrate
        return self.is_sqlite

    @property
    def away_reason_list(self) -> tuple[str, ...]:
        return tuple(reason.strip() for reason in self.away_reasons.split(",") if reason.strip())

    @field_validator("away_reasons")
    @classmethod
    def _away_reasons(cls, value: str) -> str:
        reasons = [reason.strip() for reason in value.split(",") if reason.strip()]
        if not reasons:
            raise ValueError("give at least one reason, comma-separated")
        if any(len(reason) > MAX_AWAY_REASON for reason in reasons):
            raise ValueError(f"each reason is at most {MAX_AWAY_REASON} characters")
        if len({reason.casefold() for reason in reasons}) != len(reasons):
            raise ValueError("a reason is listed twice")
        if IDLE_REASON in {reason.casefold() for reason in reasons}:
            raise ValueError(f'"{IDLE_REASON}" is the reason the desk gives itself; leave it out')
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        if self.secret_key == DEMO_SECRET_KEY:
            problems.append("FRONTDESK_SECRET_KEY is the demo key; set a secret of your own")
        elif len(self.secret_key) < 32:
            problems.append("FRONTDESK_SECRET_KEY must be at least 32 characters")
        if not self.secure_cookies and not _is_loopback(self.public_url):
            problems.append("FRONTDESK_PUBLIC_URL must be https:// in production")
        if self.argon2_memory_kib < 19456 or self.argon2_time_cost < 2:
            problems.append("argon2 cost below OWASP's minimum (19456 KiB, 2 passes)")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "") in {"127.0.0.1", "localhost", "::1"}
