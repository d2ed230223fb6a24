"""A real SMTP server (aiosmtpd) on a loopback port that keeps what it is sent, and
reading the HTML emails it gets."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from html.parser import HTMLParser

from aiosmtpd.controller import Controller

REFUSED = "refused@centre.ac.uk"
# How long a test waits for the emails it expects: the outbox loop polls every 2 s.
WAIT_SECONDS = 10.0


class Mailbox:
    """aiosmtpd handler: keeps every message it accepts; refuses one recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._lock = threading.Condition()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=default_policy)
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            self._lock.notify_all()
        return "250 Message accepted for delivery"

    async def received(self, count: int) -> list[EmailMessage]:
        """The first `count` messages, once they have come (AssertionError if not soon)."""

        def wait() -> bool:
            with self._lock:
                return self._lock.wait_for(lambda: len(self.messages) >= count, WAIT_SECONDS)

        assert await asyncio.to_thread(wait), f"{len(self.messages)} of {count} emails came"
        return [message for _, message in self.messages[:count]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Controller, Mailbox]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, mailbox
    finally:
        controller.stop()


class _Reader(HTMLParser):
    """The words a reader of an HTML email sees (not the head's), and where links go."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.links: dict[str, str] = {}
        self._in_head = False
        self._href: str | None = None
        self._label: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self._in_head = True
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag == "a" and self._href is not None:
            self.links[" ".join(self._label)] = self._href
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._in_head:
            return
        self.words.extend(data.split())
        if self._href is not None:
            self._label.extend(data.split())


def read_html(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def _words(text: str) -> str:
    # A colon ends "Case number:" in text, where HTML sets the number apart instead.
    return " ".join(text.replace(":", " ").split())


def assert_same_content(text: str, html: str) -> None:
    """Every line of the plain-text part is said in the HTML part, in the same order: a
    link's address as its href, every other line in words a reader sees."""
    reader = read_html(html)
    seen = _words(" ".join(reader.words))
    hrefs = set(reader.links.values())
    position = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith(("http://", "https://")) and " " not in line:
            assert line in hrefs or line in seen, f"no link to {line}"
            continue
        found = seen.find(_words(line), position)
        assert found >= 0, f"not in the HTML part, in order: {line!r}"
        position = found
