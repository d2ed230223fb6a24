"""Emails as a customer's mail server gets them, over real SMTP: plain text and an HTML
alternative saying the same, from the organisation, each saying what happens next."""

from __future__ import annotations

from typing import Any

import pytest

from frontdesk.accounts.models import Role
from frontdesk.cases.models import Channel
from frontdesk.chat.models import MessageIn
from frontdesk.intake.taxonomy import Choice
from tests.factories import CHOICE, make_user, open_case
from tests.mailbox import assert_same_content, read_html, smtp_server

SITE = "http://127.0.0.1:8000"
FROM = "Northgate Assessment <support@frontdesk.invalid>"
HOSTILE = '<img src=x onerror="alert(1)"> & <b>'
ESCAPED = "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;"


@pytest.fixture
async def mailed(start_app: Any) -> Any:
    """The app, sending through a real SMTP server, and that server's mailbox."""
    with smtp_server() as (controller, mailbox):
        quart_app = await start_app(smtp_url=f"smtp://127.0.0.1:{controller.port}")
        yield quart_app.extensions["frontdesk"], mailbox


def parts(message: Any) -> tuple[str, str]:
    assert message["From"] == FROM
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert_same_content(text, html)
    return text, html


def assert_links_the_case(html: str, number: str) -> None:
    assert f">{number}</strong>" in html  # set apart at the top
    assert read_html(html).links[f"Open case {number} in My Cases"] == f"{SITE}/my-cases/{number}"


async def test_each_channel_s_confirmation_says_what_happens_next(mailed: Any) -> None:
    services, mailbox = mailed
    customer = await make_user(services, first_name="Ann", last_name="Example")
    said = {
        Channel.MESSAGE: "We will reply by email within 2 working days, by",
        Channel.CALL: "please call us on 020 7946 0000 and quote your case number",
        Channel.CHAT: "You asked to chat with our team. The chat opens in your browser",
    }
    opened = {channel: await open_case(services, customer, channel) for channel in said}

    messages = await mailbox.received(len(said))

    for message in messages:
        text, html = parts(message)
        [(channel, case)] = [(c, k) for c, k in opened.items() if k.number in message["Subject"]]
        assert said[channel] in text
        assert_links_the_case(html, case.number)
    call = opened[Channel.CALL]
    [call_text] = [parts(m)[0] for m in messages if call.number in m["Subject"]]
    hours = services.intake.routing(Choice(**CHOICE)).phone_hours
    assert f"Our lines are open {hours}." in call_text


async def test_a_chat_turned_message_and_a_reply_are_escaped_and_linked(mailed: Any) -> None:
    services, mailbox = mailed
    customer = await make_user(services, first_name="Ann", last_name="Example")
    agent = await make_user(services, first_name="Sam", last_name="Agent", role=Role.AGENT)
    case = await open_case(services, customer, Channel.CHAT)
    await services.chats.leave_message(customer, HOSTILE, case_number=case.number)
    await services.case_work.reply(agent, case.number, f"See {SITE}/articles/x\n{HOSTILE}")

    _, left, replied = await mailbox.received(3)

    text, html = parts(left)
    assert left["Subject"] == f"Your case {case.number}: we will reply by email"
    assert "stays open as a message. We will reply by email within 2 working days" in text
    assert HOSTILE in text and ESCAPED in html and "<img" not in html
    assert_links_the_case(html, case.number)
    text, html = parts(replied)
    assert ESCAPED in html and "<img" not in html
    assert read_html(html).links[f"{SITE}/articles/x"] == f"{SITE}/articles/x"
    assert_links_the_case(html, case.number)


async def test_a_transcript_says_what_happens_next(mailed: Any) -> None:
    services, mailbox = mailed
    customer = await make_user(services, first_name="Ann", last_name="Example")
    agent = await make_user(services, first_name="Sam", last_name="Agent", role=Role.AGENT)
    case = await open_case(services, customer, Channel.CHAT)
    chats = services.chats
    chat = await chats.accept((await chats.request_chat(customer, case.number)).public_id, agent)
    await chats.post_message(chat.public_id, customer, MessageIn(client_msg_id="1", body=HOSTILE))
    await chats.email_transcript(customer, chat.public_id)

    _, transcript = await mailbox.received(2)

    text, html = parts(transcript)
    assert "the chat is still open, so go back to the chat window" in text
    assert ESCAPED in html and "<img" not in html
    assert_links_the_case(html, case.number)
