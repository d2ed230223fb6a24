"""The outbox sender against a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import select, update

from frontdesk.clock import FixedClock
from frontdesk.db.engine import make_engine, transaction
from frontdesk.db.migrate import migrate
from frontdesk.db.tables import outbox
from frontdesk.email_layout import Link, OutgoingEmail, Paragraph
from frontdesk.mail import (
    CLAIM_TIMEOUT,
    MAX_ATTEMPTS,
    OutboxSender,
    queue_mail,
    sender_address,
)
from tests.mailbox import REFUSED, Mailbox, free_port
from tests.mailbox import smtp_server as running_smtp_server

# On both stores: senders share the outbox through the store's locks.
pytestmark = pytest.mark.both_stores

MAIL_FROM = "support@frontdesk.test"
ORGANISATION = "Northgate Assessment"
LINK = "http://127.0.0.1:8000/verify-email?token=abc.def"


@pytest.fixture
def smtp_server() -> Any:
    with running_smtp_server() as running:
        yield running


@pytest.fixture
def smtp_url(smtp_server) -> str:
    controller, _ = smtp_server
    return f"smtp://127.0.0.1:{controller.port}"


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return smtp_server[1]


@pytest.fixture
async def engine(database_url: str) -> Any:
    engine = make_engine(database_url)
    await migrate(engine)
    try:
        yield engine
    finally:
        await engine.dispose()


def sender(engine: Any, clock: FixedClock, smtp_url: str | None) -> OutboxSender:
    return OutboxSender(
        engine, clock, smtp_url=smtp_url, mail_from=MAIL_FROM, organisation_name=ORGANISATION
    )


def email(subject: str) -> OutgoingEmail:
    return OutgoingEmail(
        subject=subject,
        heading="Verify your email address",
        greeting="Hello,",
        blocks=(Paragraph("Please confirm."), Link("Verify", LINK)),
    )


async def queue(engine: Any, clock: FixedClock, to: str, subject: str = "Verify") -> int:
    async with transaction(engine) as conn:
        return await queue_mail(conn, to=to, email=email(subject), now=clock.now())


async def row(engine: Any, message_id: int) -> Any:
    async with engine.connect() as conn:
        return (await conn.execute(select(outbox).where(outbox.c.id == message_id))).one()


async def test_a_queued_message_is_delivered_by_smtp(engine, clock, smtp_url, mailbox):
    message_id = await queue(engine, clock, "ann@centre.ac.uk", "Verify your email address")
    clock.advance(seconds=30)

    assert await sender(engine, clock, smtp_url).deliver_pending() == 1

    [(recipients, message)] = mailbox.messages
    assert recipients == ["ann@centre.ac.uk"]
    assert message["To"] == "ann@centre.ac.uk"
    assert message["From"] == f"{ORGANISATION} <{MAIL_FROM}>"
    assert message["Subject"] == "Verify your email address"
    assert message.get_content_type() == "multipart/alternative"
    assert LINK in message.get_body(("plain",)).get_content()
    assert f'href="{LINK}"' in message.get_body(("html",)).get_content()
    sent = await row(engine, message_id)
    assert sent.sent_at == clock.now()
    assert sent.attempts == 1
    assert sent.last_error is None


async def test_a_delivered_message_is_not_sent_again(engine, clock, smtp_url, mailbox):
    await queue(engine, clock, "ann@centre.ac.uk")
    outbox_sender = sender(engine, clock, smtp_url)
    assert await outbox_sender.deliver_pending() == 1
    clock.advance(minutes=10)
    assert await outbox_sender.deliver_pending() == 0
    assert len(mailbox.messages) == 1


async def test_an_unreachable_smtp_server_keeps_the_message_for_later(engine, clock, smtp_url):
    message_id = await queue(engine, clock, "ann@centre.ac.uk")
    closed = f"smtp://127.0.0.1:{free_port()}"

    assert await sender(engine, clock, closed).deliver_pending() == 0

    kept = await row(engine, message_id)
    assert kept.sent_at is None
    assert kept.claimed_at is None  # released, so the next round may take it
    assert kept.attempts == 1
    assert kept.last_error

    assert await sender(engine, clock, closed).deliver_pending() == 0
    assert (await row(engine, message_id)).attempts == 2
    # Once SMTP is back, the message goes out.
    assert await sender(engine, clock, smtp_url).deliver_pending() == 1
    assert (await row(engine, message_id)).sent_at == clock.now()


async def test_a_refused_recipient_does_not_hold_up_the_others(engine, clock, smtp_url, mailbox):
    refused_id = await queue(engine, clock, REFUSED)
    await queue(engine, clock, "ann@centre.ac.uk")

    assert await sender(engine, clock, smtp_url).deliver_pending() == 1

    assert [recipients for recipients, _ in mailbox.messages] == [["ann@centre.ac.uk"]]
    refused = await row(engine, refused_id)
    assert refused.sent_at is None
    assert "no such mailbox" in refused.last_error


async def test_a_message_is_given_up_after_the_last_attempt(engine, clock):
    message_id = await queue(engine, clock, "ann@centre.ac.uk")
    closed = sender(engine, clock, f"smtp://127.0.0.1:{free_port()}")
    for _ in range(MAX_ATTEMPTS):
        await closed.deliver_pending()
    assert (await row(engine, message_id)).attempts == MAX_ATTEMPTS
    assert await closed.deliver_pending() == 0
    assert (await row(engine, message_id)).attempts == MAX_ATTEMPTS


async def test_two_senders_racing_deliver_each_message_once(
    database_url, engine, clock, smtp_url, mailbox
):
    subjects = [f"Message {number}" for number in range(12)]
    for subject in subjects:
        await queue(engine, clock, "ann@centre.ac.uk", subject)
    other_engine = make_engine(database_url)  # another node: its own connections
    try:
        async with asyncio.timeout(30):
            counts = await asyncio.gather(
                sender(engine, clock, smtp_url).deliver_pending(),
                sender(other_engine, clock, smtp_url).deliver_pending(),
            )
    finally:
        await other_engine.dispose()

    assert sum(counts) == len(subjects)
    assert sorted(message["Subject"] for _, message in mailbox.messages) == sorted(subjects)
    async with engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.sent_at, outbox.c.attempts))).all()
    assert all(sent_at is not None and attempts == 1 for sent_at, attempts in rows)


async def test_a_claim_left_by_a_dead_node_is_taken_over_after_the_timeout(
    engine, clock, smtp_url, mailbox
):
    message_id = await queue(engine, clock, "ann@centre.ac.uk")
    async with transaction(engine) as conn:  # a node claimed it, then died
        await conn.execute(
            update(outbox).where(outbox.c.id == message_id).values(claimed_at=clock.now())
        )
    outbox_sender = sender(engine, clock, smtp_url)

    clock.advance(seconds=CLAIM_TIMEOUT.total_seconds())
    assert await outbox_sender.deliver_pending() == 0
    clock.advance(seconds=1)
    assert await outbox_sender.deliver_pending() == 1
    assert len(mailbox.messages) == 1


async def test_without_smtp_the_message_is_logged_and_marked_sent(engine, clock, caplog):
    message_id = await queue(engine, clock, "ann@centre.ac.uk", "Verify your email address")
    caplog.set_level(logging.INFO, logger="frontdesk.mail")

    assert await sender(engine, clock, None).deliver_pending() == 1

    [record] = [r for r in caplog.records if r.name == "frontdesk.mail"]
    text = record.getMessage()
    assert "To: ann@centre.ac.uk" in text
    assert "Subject: Verify your email address" in text
    assert LINK in text
    assert (await row(engine, message_id)).sent_at == clock.now()


async def test_mail_queued_in_a_rolled_back_transaction_is_never_sent(engine, clock):
    with pytest.raises(RuntimeError):
        async with transaction(engine) as conn:
            await queue_mail(conn, to="ann@centre.ac.uk", email=email("S"), now=clock.now())
            raise RuntimeError("the change failed")
    assert await sender(engine, clock, None).deliver_pending() == 0


async def test_a_message_queued_before_html_parts_goes_as_plain_text(
    engine, clock, smtp_url, mailbox
):
    message_id = await queue(engine, clock, "ann@centre.ac.uk")
    async with transaction(engine) as conn:  # as a row from before migration 0015
        await conn.execute(update(outbox).where(outbox.c.id == message_id).values(html=None))

    assert await sender(engine, clock, smtp_url).deliver_pending() == 1

    [(_, message)] = mailbox.messages
    assert message.get_content_type() == "text/plain"
    assert LINK in message.get_content()


def test_the_sender_is_named_after_the_organisation_unless_mail_from_names_one():
    assert sender_address("help@ng.test", ORGANISATION) == "Northgate Assessment <help@ng.test>"
    assert sender_address("Exams Help <help@ng.test>", ORGANISATION) == "Exams Help <help@ng.test>"
