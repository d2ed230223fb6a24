"""Files in chat and transcripts by email, over real sockets, HTTP and SMTP: a file shared
either way is a case attachment and a live message both sides can download (nobody else),
refused files change nothing, two nodes carry the push, and transcripts reach the inbox."""

from __future__ import annotations

import asyncio
import queue
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from frontdesk.accounts.models import Role
from frontdesk.cases.attachments import MAX_BYTES
from frontdesk.cases.models import ActivityKind
from tests.factories import outbox_messages
from tests.integration.chat_clients import Clients, chat_case, error_of, person
from tests.integration.conftest import stored_files
from tests.integration.test_sockets import session_cookie
from tests.live import LiveServer
from tests.mailbox import free_port
from tests.unit.test_attachment_rules import HTML, SAMPLES

PDF = SAMPLES[".pdf"]
NOTES = b"Candidate numbers: 4021, 4022\n"


class Browser:
    """One signed-in person's HTTP session, with the CSRF token a page sends."""

    def __init__(self, http: httpx.AsyncClient, csrf: str) -> None:
        self.http, self.csrf = http, csrf

    @classmethod
    async def open(cls, server: LiveServer, username: str) -> Browser:
        cookie = await session_cookie(server.url, username)
        http = httpx.AsyncClient(base_url=server.url, headers={"Cookie": cookie}, timeout=30)
        return cls(http, (await http.get("/api/v1/session")).json()["csrf_token"])

    async def share(self, chat_id: str, name: str, data: bytes, **headers: str) -> httpx.Response:
        return await self.http.post(
            f"/api/v1/chats/{chat_id}/attachments",
            params={"name": name},
            content=data,
            headers={"X-CSRF-Token": self.csrf, "Content-Type": "application/octet-stream",
                     **headers},
        )  # fmt: skip

    async def close(self) -> None:
        await self.http.aclose()


async def talking(server: LiveServer, clients: Clients, agent_server: LiveServer | None = None):
    """A customer and an agent in an active chat: (customer, agent, case, ann, sam, chat_id)."""
    agent_server = agent_server or server
    customer = await person(server, first_name="Ann")
    agent = await person(server, Role.AGENT, first_name="Sam")
    case = await chat_case(server, customer)
    sam = await clients.open(agent_server, "/agent", agent)
    await sam.ok("set_presence", {"presence": "available"})
    ann = await clients.open(server, "/customer", customer)
    chat_id = (await ann.ok("request_chat", {"case_number": case.number}))["chat"]["public_id"]
    await sam.next("chat_offered", chat_id=chat_id)
    await sam.ok("accept_chat", {"chat_id": chat_id})
    await ann.next("chat_accepted", chat_id=chat_id)
    return customer, agent, case, ann, sam, chat_id


async def test_files_go_both_ways_and_only_to_the_chats_people(live_server):
    server = live_server
    async with Clients() as clients:
        customer, agent, case, ann, sam, chat_id = await talking(server, clients)
        stranger = await person(server)
        other_agent = await person(server, Role.AGENT)
        supervisor = await person(server, Role.SUPERVISOR)
        sue = await clients.open(server, "/supervisor", supervisor)
        await sue.ok("monitor_chat", {"chat_id": chat_id, "last_seq": 0})
        ann_http = await Browser.open(server, customer.username)
        sam_http = await Browser.open(server, agent.username)
        sue_http = await Browser.open(server, supervisor.username)
        stranger_http = await Browser.open(server, stranger.username)
        other_agent_http = await Browser.open(server, other_agent.username)
        try:
            shared = await ann_http.share(chat_id, "report.pdf", PDF)
            assert shared.status_code == 201, shared.text
            file = shared.json()["attachment"]
            assert (file["name"], file["size"]) == ("report.pdf", len(PDF))
            heard = await sam.next("message_created", chat_id=chat_id)
            assert heard["attachment"] == file and heard["sender_id"] == customer.id
            assert (await ann.next("message_created", chat_id=chat_id))["attachment"] == file
            download = await sam_http.http.get(file["url"])
            assert download.status_code == 200 and download.content == PDF
            assert download.headers["content-disposition"].startswith("attachment;")
            # A supervisor following the chat hears it too, and may download it.
            assert (await sue.next("message_created", chat_id=chat_id))["attachment"] == file
            assert (await sue_http.http.get(file["url"])).content == PDF

            back = await sam_http.share(chat_id, "notes.txt", NOTES)
            assert back.status_code == 201, back.text
            reply = (await ann.next("message_created", seq=2))["attachment"]
            assert reply["name"] == "notes.txt"
            assert (await ann_http.http.get(reply["url"])).content == NOTES

            for url in (file["url"], reply["url"]):
                assert (await stranger_http.http.get(url)).status_code == 404
            for outsider in (stranger_http, other_agent_http, sue_http):
                refused = await outsider.share(chat_id, "x.pdf", PDF)
                assert refused.status_code == 404, refused.text
                assert refused.json()["error"]["code"] == "CHAT_NOT_FOUND"

            await sam.ok("end_chat", {"chat_id": chat_id})
            late = await ann_http.share(chat_id, "late.pdf", PDF)
            assert late.status_code == 409 and late.json()["error"]["code"] == "CHAT_ENDED"
        finally:
            for browser in (ann_http, sam_http, sue_http, stranger_http, other_agent_http):
                await browser.close()
    services = server.services
    files = await server.acall(lambda: services.attachments.attachments(customer, case.number))
    assert [f.original_name for f in files] == ["report.pdf", "notes.txt"]
    feed = await server.acall(lambda: services.cases.feed(customer, case.number))
    (transcript,) = [item for item in feed if item.kind is ActivityKind.CHAT_TRANSCRIPT]
    assert "Ann" in transcript.body and "sent a file: report.pdf (" in transcript.body
    assert f"sent a file: notes.txt ({len(NOTES)} bytes)" in transcript.body


async def test_refused_files_change_nothing(live_server, settings):
    server = live_server
    async with Clients() as clients:
        customer, _agent, case, ann, _sam, chat_id = await talking(server, clients)
        ann_http = await Browser.open(server, customer.username)
        try:
            before = stored_files(settings)
            refusals = {
                "ATTACHMENT_TOO_LARGE": await ann_http.share(
                    chat_id, "big.pdf", PDF + b"%" * (MAX_BYTES + 1 - len(PDF))
                ),
                "ATTACHMENT_TYPE": await ann_http.share(chat_id, "run.exe", b"MZ..."),
                "ATTACHMENT_EXTENSION_CASE": await ann_http.share(chat_id, "scan.PDF", PDF),
                "ATTACHMENT_MARKUP": await ann_http.share(chat_id, "page.txt", HTML),
            }
            for code, answer in refusals.items():
                assert answer.status_code == 422, (code, answer.text)
                error = answer.json()["error"]
                assert error["code"] == code and error["fields"]["file"], error
            state = await ann.ok("resume_chat", {"chat_id": chat_id, "last_seq": 0})
            assert state["chat"]["last_seq"] == 0 and state["messages"] == []
            assert stored_files(settings) == before
        finally:
            await ann_http.close()
    files = await server.acall(
        lambda: server.services.attachments.attachments(customer, case.number)
    )
    assert files == []


@pytest.mark.redis
async def test_a_file_shared_on_one_node_reaches_the_agent_on_another(servers, redis_url):
    one = servers.start(redis_url, node_id="node-one")
    two = servers.start(redis_url, node_id="node-two", auto_migrate=False)
    async with Clients() as clients:
        customer, agent, _case, _ann, sam, chat_id = await talking(one, clients, agent_server=two)
        ann_http = await Browser.open(one, customer.username)
        sam_http = await Browser.open(two, agent.username)
        try:
            assert (await ann_http.share(chat_id, "report.pdf", PDF)).status_code == 201
            heard = (await sam.next("message_created", chat_id=chat_id))["attachment"]
            assert (await sam_http.http.get(heard["url"])).content == PDF
        finally:
            await ann_http.close()
            await sam_http.close()


# Transcripts by email --------------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: hands each message it accepts to the test, across threads."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[list[str], EmailMessage]] = queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        self.received.put((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    async def next_transcript(self) -> tuple[list[str], EmailMessage]:
        """The next transcript email delivered (other emails are passed over)."""
        while True:
            to, message = await asyncio.to_thread(self.received.get, timeout=10)
            if str(message["Subject"]).startswith("Your chat transcript"):
                return to, message


@pytest.fixture
def inbox() -> Any:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{controller.port}"
    finally:
        controller.stop()


async def test_transcripts_are_emailed_on_request_and_as_the_chat_ends(servers, inbox, clock):
    handler, smtp_url = inbox
    server = servers.start(smtp_url=smtp_url, chat_transcript_email="auto")
    async with Clients() as clients:
        customer, _agent, case, ann, sam, chat_id = await talking(server, clients)
        await ann.send(chat_id, "Where is my certificate?")
        ann_http = await Browser.open(server, customer.username)
        try:
            assert (await ann_http.share(chat_id, "report.pdf", PDF)).status_code == 201
        finally:
            await ann_http.close()

        asked = await ann.ok("email_transcript", {"chat_id": chat_id})
        assert asked["to"] == customer.email
        to, message = await handler.next_transcript()
        assert to == [customer.email] and case.number in message["Subject"]
        body = message.get_body(("plain",)).get_content()
        assert "Where is my certificate?" in body and "sent a file: report.pdf" in body

        again = await error_of(ann, "email_transcript", {"chat_id": chat_id})
        assert again["code"] == "TRANSCRIPT_EMAIL_THROTTLED" and "minutes" in again["message"]
        stranger = await clients.open(server, "/customer", await person(server))
        other = await error_of(stranger, "email_transcript", {"chat_id": chat_id})
        assert other["code"] == "CHAT_NOT_FOUND"
        assert (await error_of(sam, "email_transcript", {"chat_id": chat_id}))["code"] == (
            "UNKNOWN_EVENT"
        )

        clock.advance(minutes=1)
        await sam.send(chat_id, "It was posted today")
        await ann.ok("end_chat", {"chat_id": chat_id})
        _, ended = await handler.next_transcript()  # sent as it ended, throttle or not
        text = ended.get_body(("plain",)).get_content()
        assert "It was posted today" in text
        assert "Ended: " in text and "not ended" not in text


async def test_by_default_a_transcript_is_emailed_only_when_asked(live_server):
    server = live_server
    async with Clients() as clients:
        customer, _agent, _case, ann, sam, chat_id = await talking(server, clients)
        await sam.ok("end_chat", {"chat_id": chat_id})
        await ann.next("chat_ended")
        services = server.services
        sent = await server.acall(lambda: _transcript_mails(services))
        assert sent == []  # on_request: nothing unasked
        assert (await ann.ok("email_transcript", {"chat_id": chat_id}))["to"] == customer.email
        assert len(await server.acall(lambda: _transcript_mails(services))) == 1


async def _transcript_mails(services: Any) -> list[Any]:
    return [
        m for m in await outbox_messages(services) if m.subject.startswith("Your chat transcript")
    ]
