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
    UniqueConstraint,
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
    # The HTML alternative of `body`, rendered as the message was queued; None for a
    # message queued before emails had one (sent as plain text only).
    Column("html", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_sent_at", "sent_at"),
)

# Contact Us and cases ---------------------------------------------------------------------

contact_profiles = Table(
    "contact_profiles",
    metadata,
    # The details a customer gave last time, to fill step 2 of Contact Us again.
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("country", String(100), nullable=False),
    Column("language", String(60), nullable=False),
    Column("institution", String(200), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # Eight digits, random, unique; cases are never deleted, so never reused.
    Column("number", String(8), nullable=False, unique=True),
    Column("customer_id", Id, ForeignKey("users.id"), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("contact_first_name", String(100), nullable=False),
    Column("contact_last_name", String(100), nullable=False),
    Column("contact_email", String(254), nullable=False),
    Column("contact_phone", String(40), nullable=False),
    Column("contact_country", String(100), nullable=False),
    Column("contact_language", String(60), nullable=False),
    Column("contact_institution", String(200), nullable=False),
    Column("customer_type", String(200), nullable=False),
    Column("issue_type", String(200), nullable=False),
    Column("category", String(200), nullable=False),
    Column("subcategory", String(200), nullable=False),
    Column("qualification", String(200), nullable=False),
    Column("qualification_subject", String(200), nullable=False),
    Column("customer_group", String(100), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("status", String(30), nullable=False),
    Column("waiting_reason", Text, nullable=True),
    Column("owner_queue", String(200), nullable=False),
    Column("reply_days", Integer, nullable=False),
    Column("reply_by", UTCDateTime, nullable=False),
    Column("phone", String(40), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("call_logged_at", UTCDateTime, nullable=True),
    # A call-us case with no call logged by then is closed (NULL: 24 hours from opening).
    Column("call_by", UTCDateTime, nullable=True),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_reason", String(300), nullable=True),
    Column("assigned_agent_id", Id, ForeignKey("users.id"), nullable=True),
    Index("ix_cases_customer_id_created_at", "customer_id", "created_at"),
    Index("ix_cases_owner_queue_status_reply_by", "owner_queue", "status", "reply_by"),
    Index("ix_cases_channel_status_created_at", "channel", "status", "created_at"),
    # "Mine" and "unassigned": the staff member working the case, by status.
    Index("ix_cases_assigned_agent_id_status", "assigned_agent_id", "status"),
)

case_activities = Table(
    "case_activities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("actor_id", Id, ForeignKey("users.id"), nullable=True),
    Column("actor_name", String(200), nullable=False),
    Column("actor_role", String(20), nullable=False),
    Column("body", Text, nullable=False, default=""),
    # Kind-specific details as JSON text: changed field, from and to; attachment id...
    Column("data", Text, nullable=False, default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_case_activities_case_id_created_at", "case_id", "created_at"),
)

activity_comments = Table(
    "activity_comments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("activity_id", Id, ForeignKey("case_activities.id"), nullable=False),
    Column("author_id", Id, ForeignKey("users.id"), nullable=False),
    Column("author_name", String(200), nullable=False),
    Column("author_role", String(20), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_activity_comments_activity_id", "activity_id"),
)

activity_likes = Table(
    "activity_likes",
    metadata,
    Column("activity_id", Id, ForeignKey("case_activities.id"), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    Column("original_name", String(255), nullable=False),
    # Generated; the file lives under the data directory, never under the web root.
    Column("stored_name", String(64), nullable=False, unique=True),
    Column("size", BigInteger, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_by", Id, ForeignKey("users.id"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_attachments_case_id", "case_id"),
)

agent_queues = Table(
    "agent_queues",
    metadata,
    # The queues an agent serves; an agent with none listed serves every queue.
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("queue", String(200), primary_key=True),
)

spent_challenges = Table(
    "spent_challenges",
    metadata,
    # Solved human-check challenges, kept until they expire so none is used twice.
    Column("signature", String(128), primary_key=True),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Live chat --------------------------------------------------------------------------------

chats = Table(
    "chats",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    # Random, unguessable: the id clients and sockets use.
    Column("public_id", String(32), nullable=False, unique=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    # The case id while the chat is open, NULL once it has ended: the UNIQUE constraint
    # makes "one open chat per case" hold on both stores (NULLs never clash), with no
    # partial index.
    Column("open_case_id", Id, nullable=True, unique=True),
    Column("customer_id", Id, ForeignKey("users.id"), nullable=False),
    Column("agent_id", Id, ForeignKey("users.id"), nullable=True),
    Column("group_name", String(100), nullable=False),
    Column("status", String(20), nullable=False),
    Column("requested_at", UTCDateTime, nullable=False),
    Column("accepted_at", UTCDateTime, nullable=True),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("ended_by", Id, ForeignKey("users.id"), nullable=True),
    Column("end_reason", String(300), nullable=True),
    Column("wrap_up", Text, nullable=True),
    # The sequence number of the newest message; raised in the transaction that stores it.
    Column("last_seq", Integer, nullable=False, default=0),
    # Until when a supervisor follows the chat (refreshed while they do): its messages are
    # pushed to them too. Read with the row each message locks anyway, so a chat nobody
    # follows costs no extra publish.
    Column("monitored_until", UTCDateTime, nullable=True),
    # When the transcript was last emailed to the customer (asked for, or sent as the chat
    # ended): a repeat within a few minutes is refused, on whichever node it is asked.
    Column("transcript_emailed_at", UTCDateTime, nullable=True),
    Index("ix_chats_case_id", "case_id"),
    # The queue rebuild reads open chats; the supervisor's daily figures read a group's day.
    Index("ix_chats_status", "status"),
    Index("ix_chats_group_name_requested_at", "group_name", "requested_at"),
    Index("ix_chats_agent_id_status", "agent_id", "status"),
)

chat_agents = Table(
    "chat_agents",
    metadata,
    # How an agent takes chats. Presence is kept here too, so a queue rebuilt after Redis
    # lost its data knows who was available.
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("presence", String(20), nullable=False, default="offline"),
    # JSON list of customer group keys; NULL serves every group that has chat.
    Column("groups", Text, nullable=True),
    Column("capacity", Integer, nullable=False, default=3),
    Column("updated_at", UTCDateTime, nullable=False),
)

chat_messages = Table(
    "chat_messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("chat_id", Id, ForeignKey("chats.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("sender_id", Id, ForeignKey("users.id"), nullable=True),
    Column("sender_role", String(20), nullable=False),
    Column("sender_name", String(200), nullable=False),
    # Chosen by the sending client, so a retried send is recognised and not stored twice.
    Column("client_msg_id", String(64), nullable=True),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # A file shared in the chat: an attachment of the chat's case; the body is its name.
    Column("attachment_id", Id, ForeignKey("attachments.id"), nullable=True),
    UniqueConstraint("chat_id", "seq", name="uq_chat_messages_chat_id_seq"),
    UniqueConstraint("chat_id", "client_msg_id", name="uq_chat_messages_chat_id_client_msg_id"),
)

# Knowledge base ---------------------------------------------------------------------------

kb_articles = Table(
    "kb_articles",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    # The title's words folded and spaced (" uci numbers "): suggestions match the start
    # of a title word with LIKE while reading the most viewed articles first.
    Column("title_key", Text, nullable=False, server_default=""),
    Column("summary", String(500), nullable=False),
    Column("body_md", Text, nullable=False),
    # Rendered and sanitised once, when the article is saved, not on every view.
    Column("body_html", Text, nullable=False),
    # sha256 of what was imported: an unchanged file is skipped on the next import.
    Column("source_hash", String(64), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("views", BigInteger, nullable=False, default=0),
    Column("helpful_yes", Integer, nullable=False, default=0),
    Column("helpful_no", Integer, nullable=False, default=0),
    # Most viewed first, with each title's words: suggestions test a title word's start
    # in the index, reading an article's row only when its title fits.
    Index("ix_kb_articles_views_title_key", "views", "title_key"),
)

kb_article_tags = Table(
    "kb_article_tags",
    metadata,
    # What an article is for: kind is role, qualification, subject or topic ("I need
    # information about"); the values are the Contact Us taxonomy's names.
    Column("article_id", Id, ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("value", String(200), primary_key=True),
    Index("ix_kb_article_tags_kind_value", "kind", "value", "article_id"),
)

kb_article_views = Table(
    "kb_article_views",
    metadata,
    # One row per article, visitor and UK day: a view counts once per visitor per day.
    Column("article_id", Id, ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("visitor", String(64), primary_key=True),
    Column("day", String(10), primary_key=True),
)

kb_feedback = Table(
    "kb_feedback",
    metadata,
    # One vote per article and visitor, which the visitor may change.
    Column("article_id", Id, ForeignKey("kb_articles.id", ondelete="CASCADE"), primary_key=True),
    Column("visitor", String(64), primary_key=True),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

kb_discussions = Table(
    "kb_discussions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("slug", String(120), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("body_md", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    # Imported threads have an author's name but no account.
    Column("author_id", Id, ForeignKey("users.id"), nullable=True),
    Column("author_name", String(200), nullable=False),
    Column("author_role", String(100), nullable=False, default=""),
    Column("topics", Text, nullable=False, default="[]"),
    Column("source_hash", String(64), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_reply_at", UTCDateTime, nullable=True),
    Column("reply_count", Integer, nullable=False, default=0),
    Column("answer_id", Id, nullable=True),
    Index("ix_kb_discussions_created_at", "created_at"),
)

kb_replies = Table(
    "kb_replies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column(
        "discussion_id", Id, ForeignKey("kb_discussions.id", ondelete="CASCADE"), nullable=False
    ),
    Column("author_id", Id, ForeignKey("users.id"), nullable=True),
    Column("author_name", String(200), nullable=False),
    Column("is_staff", Boolean, nullable=False, default=False),
    Column("body_md", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_kb_replies_discussion_id", "discussion_id"),
)

kb_documents = Table(
    "kb_documents",
    metadata,
    # What search reads: one row per article or discussion, as plain text. Each store
    # indexes it its own way (migration 0005): SQLite with FTS5 tables kept in step by
    # triggers, PostgreSQL with a generated tsvector column and GIN indexes.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("ref_id", Id, nullable=False),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("body", Text, nullable=False),
    # An article's tags as words (text.tag_tokens), indexed with its text: Browse's
    # filters are then part of its full-text query. Empty for discussions.
    Column("tags", Text, nullable=False, server_default=""),
    UniqueConstraint("kind", "ref_id", name="uq_kb_documents_kind_ref_id"),
)

kb_words = Table(
    "kb_words",
    metadata,
    # Every word of the documents with how many contain it: the speller's vocabulary,
    # the same on both stores (their own indexes hold stems, not words).
    Column("word", String(100), primary_key=True),
    Column("documents", Integer, nullable=False),
)

kb_missed_queries = Table(
    "kb_missed_queries",
    metadata,
    # Searches that found nothing, folded by their normalised text, for staff.
    Column("query_key", String(200), primary_key=True),
    Column("query", String(200), nullable=False),
    Column("times", Integer, nullable=False),
    Column("first_at", UTCDateTime, nullable=False),
    Column("last_at", UTCDateTime, nullable=False),
)

kb_state = Table(
    "kb_state",
    metadata,
    # One row: raised whenever documents change, so every node knows when its cached
    # vocabulary is stale.
    Column("id", Integer, primary_key=True),
    Column("version", BigInteger, nullable=False),
)

# Administration -----------------------------------------------------------------------------

audit_log = Table(
    "audit_log",
    metadata,
    # Every administrative action: who did what to what, with the thing as it was before
    # and after (JSON text), kept for admins to read; written only by frontdesk/audit.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", Id, ForeignKey("users.id"), nullable=True),
    Column("actor_name", String(200), nullable=False),
    Column("action", String(50), nullable=False),
    Column("target", String(200), nullable=False),
    Column("before", Text, nullable=False, default="{}"),
    Column("after", Text, nullable=False, default="{}"),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action_at", "action", "at"),
    Index("ix_audit_log_actor_id_at", "actor_id", "at"),
)

taxonomy_versions = Table(
    "taxonomy_versions",
    metadata,
    # The Contact Us taxonomy (and each customer group's office hours), one row per saved
    # version, never updated or deleted: the newest is the one in use. Numbered from 1
    # without gaps; the primary key makes two nodes saving (or seeding) at once collide
    # rather than both win. Written only by frontdesk/intake.
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("taxonomy", Text, nullable=False),  # the checked model, dumped as JSON
    Column("saved_at", UTCDateTime, nullable=False),
    Column("saved_by_id", Id, ForeignKey("users.id"), nullable=True),
    Column("saved_by", String(200), nullable=False),  # a name people read
    Column("summary", String(500), nullable=False),
    Column("rolled_back_from", Integer, nullable=True),
)

# Agent tools ------------------------------------------------------------------------------

canned_replies = Table(
    "canned_replies",
    metadata,
    # Replies agents insert into a chat or a case reply. A reply with an owner is that
    # agent's own, which nobody else sees; one without is shared, written by supervisors,
    # for one customer group or (group null) for all. Written only by frontdesk/replies.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("owner_id", Id, ForeignKey("users.id"), nullable=True),
    Column("customer_group", String(100), nullable=True),
    Column("shortcut", String(30), nullable=False),
    Column("title", String(120), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_by_id", Id, ForeignKey("users.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_canned_replies_owner_id_shortcut", "owner_id", "shortcut"),
)

# Customer satisfaction --------------------------------------------------------------------

ratings = Table(
    "ratings",
    metadata,
    # One per answered chat (written as it ends) or per resolved message or call case
    # (written as it is resolved, with its emailed link); the score once the customer
    # gives one. Written only by frontdesk/ratings.
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("subject", String(10), nullable=False),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False),
    # The chat's public id for a chat's rating; the case id for a case's own rating. Each
    # NULL for the other kind, so UNIQUE means one rating per chat and one per case.
    Column("chat_id", String(32), nullable=True, unique=True),
    Column("case_key", Id, nullable=True, unique=True),
    Column("customer_group", String(100), nullable=False),
    Column("agent_id", Id, ForeignKey("users.id"), nullable=True),
    Column("customer_id", Id, ForeignKey("users.id"), nullable=False),
    Column("asked_at", UTCDateTime, nullable=False),
    # sha256 of the nonce in the emailed link (accounts/tokens.py): a case's rating only.
    Column("nonce_hash", String(64), nullable=True, unique=True),
    Column("link_expires_at", UTCDateTime, nullable=True),
    Column("score", Integer, nullable=True),
    Column("comment", Text, nullable=True),
    Column("first_rated_at", UTCDateTime, nullable=True),
    Column("rated_at", UTCDateTime, nullable=True),
    # The dashboard's figures read the last 7 days, by group and by agent.
    Index("ix_ratings_asked_at", "asked_at"),
)
