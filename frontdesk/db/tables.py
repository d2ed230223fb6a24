"""Every table of frontdesk, as SQLAlchemy Core metadata; migrations are generated from it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from frontdesk.db.types import UTCDateTime

# Named constraints, so migrations can refer to them on every backend.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger keys on PostgreSQL, but INTEGER on SQLite, where only INTEGER PRIMARY KEY
# is the auto-incrementing rowid.
Id = BigInteger().with_variant(Integer(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    # Lower-cased copies keep lookups case-insensitive on both stores.
    Column("email_key", String(254), nullable=False, unique=True),
    Column("username", String(254), nullable=False),
    Column("username_key", String(254), nullable=False, unique=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("role", String(20), nullable=False, default="customer"),
    Column("password_hash", String(255), nullable=False),
    Column("is_active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("terms_accepted_at", UTCDateTime, nullable=False),
    Column("verified_at", UTCDateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    # sha256 of the token in the cookie: a stolen table does not yield live sessions.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("user_agent", String(255), nullable=False, default=""),
    Column("address", String(64), nullable=False, default=""),
    Index("ix_sessions_user_id", "user_id"),
)

account_tokens = Table(
    "account_tokens",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("nonce_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Index("ix_account_tokens_user_id", "user_id"),
)

auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("scope", String(20), nullable=False),
    Column("key", String(254), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_auth_failures_scope_key_at", "scope", "key", "at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("to_addr", String(254), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_sent_at", "sent_at"),
)
