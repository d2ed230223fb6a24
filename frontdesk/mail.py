"""Email: every message goes into the outbox table first, then a sender delivers it.

Writing to the outbox inside the same transaction as the change that caused it means
an email is never sent for a change that rolled back, nor lost for one that committed.
Delivery is SMTP (aiosmtplib) when FRONTDESK_SMTP_URL is set; on the embedded default
each message is written to the log instead, links and all, so a person trying the
portal can follow them.

Both parts of a message, plain text and HTML, are rendered as it is queued and stored
in its row: what was committed is exactly what goes out, whichever node sends it and
whatever code or templates that node runs after a restart or an upgrade. Rendering at
send time instead would read cases that may have changed since, and a template that
failed there would drop a message already promised; failing at queue time rolls the
change back with it, where someone sees it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from frontdesk.clock import Clock
from frontdesk.db.engine import transaction
from frontdesk.db.tables import outbox
from frontdesk.email_layout import OutgoingEmail

log = logging.getLogger("frontdesk.mail")

# A node that claimed a message and died leaves it claimed; after this long another node
# may take it over. Long enough that a slow SMTP exchange is not delivered twice.
CLAIM_TIMEOUT = timedelta(minutes=5)
MAX_ATTEMPTS = 8


async def queue_mail(conn: AsyncConnection, *, to: str, email: OutgoingEmail, now: datetime) -> int:
    """Put a message, both its parts rendered, in the outbox, in the caller's transaction."""
    result = await conn.execute(
        insert(outbox)
        .values(
            to_addr=to,
            subject=email.subject,
            body=email.text(),
            html=email.html(),
            created_at=now,
            attempts=0,
        )
        .returning(outbox.c.id)
    )
    return int(result.scalar_one())


def sender_address(mail_from: str, organisation_name: str) -> str:
    """The From header: the organisation's name before the address, unless
    FRONTDESK_MAIL_FROM names a sender itself."""
    name, address = parseaddr(mail_from)
    return formataddr((name or organisation_name, address or mail_from))


class OutboxSender:
    """Delivers outbox messages; several nodes may run one each (rows are claimed)."""

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Clock,
        *,
        smtp_url: str | None,
        mail_from: str,
        organisation_name: str,
        poll_seconds: float = 2.0,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._smtp_url = smtp_url
        self._mail_from = sender_address(mail_from, organisation_name)
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Deliver soon: called after a commit that queued mail on this node."""
        self._wake.set()

    @property
    def poll_seconds(self) -> float:
        return self._poll_seconds

    @property
    def wake_event(self) -> asyncio.Event:
        """Set when a message is queued: the sending loop (frontdesk/loops.py) runs now."""
        return self._wake

    async def deliver_pending(self, limit: int = 50) -> int:
        """Claim and deliver up to `limit` messages; how many were delivered."""
        delivered = 0
        for message in await self._claim(limit):
            try:
                await self._deliver(message)
            except Exception as error:  # any failure: keep the message for a retry
                log.warning("email to %s failed: %s", message.to_addr, error)
                await self._release(message.id, str(error))
            else:
                await self._mark_sent(message.id)
                delivered += 1
        return delivered

    async def _claim(self, limit: int) -> list[Any]:
        now = self._clock.now()
        claimable = or_(outbox.c.claimed_at.is_(None), outbox.c.claimed_at < now - CLAIM_TIMEOUT)
        async with transaction(self._engine) as conn:
            rows = (
                await conn.execute(
                    select(outbox)
                    .where(outbox.c.sent_at.is_(None), outbox.c.attempts < MAX_ATTEMPTS, claimable)
                    .order_by(outbox.c.id)
                    .limit(limit)
                )
            ).all()
            claimed = []
            for row in rows:
                # The guard makes the claim atomic: a racing node's UPDATE matches nothing.
                result = await conn.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id, outbox.c.sent_at.is_(None), claimable)
                    .values(claimed_at=now, attempts=outbox.c.attempts + 1)
                )
                if result.rowcount == 1:
                    claimed.append(row)
        return claimed

    async def _deliver(self, message: Any) -> None:
        if self._smtp_url is None:
            log.info(
                "email (not sent: no FRONTDESK_SMTP_URL)\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
                self._mail_from,
                message.to_addr,
                message.subject,
                message.body,
                extra={"to": message.to_addr, "subject": message.subject},
            )
            return
        await aiosmtplib.send(self.compose(message), **smtp_options(self._smtp_url))

    def compose(self, message: Any) -> EmailMessage:
        """The message as sent: plain text, and its HTML alternative when it has one
        (multipart/alternative, plain first, so a client shows the last it can)."""
        email = EmailMessage()
        email["From"] = self._mail_from
        email["To"] = message.to_addr
        email["Subject"] = message.subject
        email.set_content(message.body)
        if message.html is not None:
            email.add_alternative(message.html, subtype="html")
        return email

    async def _mark_sent(self, message_id: int) -> None:
        async with transaction(self._engine) as conn:
            await conn.execute(
                update(outbox).where(outbox.c.id == message_id).values(sent_at=self._clock.now())
            )

    async def _release(self, message_id: int, error: str) -> None:
        async with transaction(self._engine) as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == message_id)
                .values(claimed_at=None, last_error=error[:2000])
            )


def smtp_options(smtp_url: str) -> dict[str, Any]:
    """aiosmtplib options from smtp://user:pass@host:port or smtps://... (implicit TLS)."""
    url = urlsplit(smtp_url)
    if url.scheme not in {"smtp", "smtps"}:
        raise ValueError("FRONTDESK_SMTP_URL must start with smtp:// or smtps://")
    options: dict[str, Any] = {
        "hostname": url.hostname or "localhost",
        "port": url.port or (465 if url.scheme == "smtps" else 25),
        "use_tls": url.scheme == "smtps",
    }
    if url.username:
        options["username"] = unquote(url.username)
        options["password"] = unquote(url.password or "")
    return options
