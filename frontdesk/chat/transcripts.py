"""Chat transcripts as plain text, in UK time: pure, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from frontdesk.business_hours import UK, uk_datetime
from frontdesk.chat.models import Chat, ChatMessage


def _clock_time(at: datetime) -> str:
    return at.astimezone(UK).strftime("%H:%M")


def size_text(size: int) -> str:
    """A file's size as people read it (as static/js/uploads.js writes it too)."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _line(message: ChatMessage) -> str:
    stamp = _clock_time(message.created_at)
    who = f"[{stamp}] {message.sender_name} ({message.sender_role})"
    if message.attachment is not None:
        shared = message.attachment
        return f"{who} sent a file: {shared.name} ({size_text(shared.size)})"
    # Continuation lines are indented so each message still starts a line of its own.
    body = message.body.replace("\r\n", "\n").replace("\n", "\n    ")
    return f"{who}: {body}"


def render_transcript(case_number: str, chat: Chat, messages: Sequence[ChatMessage]) -> str:
    """The chat as a readable text file, headed by the case number, its times and why
    it ended (the customer left, say)."""
    ended = uk_datetime(chat.ended_at) if chat.ended_at else "not ended"
    header = [
        f"Chat transcript for case {case_number}",
        f"Started: {uk_datetime(chat.requested_at)} (UK time)",
        f"Ended: {ended}" + (" (UK time)" if chat.ended_at else ""),
        *([f"Why it ended: {chat.end_reason}"] if chat.ended_at and chat.end_reason else []),
        f"Messages: {len(messages)}",
        "",
    ]
    lines = [_line(m) for m in sorted(messages, key=lambda m: m.seq)]
    if not lines:
        lines = ["(no messages)"]
    return "\n".join(header + lines) + "\n"


def transcript_filename(case_number: str, started_at: datetime) -> str:
    """e.g. chat-12345678-20260615-1100.txt, with the UK start time."""
    return f"chat-{case_number}-{started_at.astimezone(UK).strftime('%Y%m%d-%H%M')}.txt"
