"""Chat transcripts: plain text in UK time, whatever the season."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from frontdesk.chat.models import Chat, ChatFile, ChatMessage, ChatStatus, MessageIn
from frontdesk.chat.transcripts import render_transcript, size_text, transcript_filename


def make_chat(requested_at, ended_at=None):
    return Chat(
        id=1, public_id="c" * 32, case_id=7, customer_id=2, agent_id=3, group_name="exams",
        status=ChatStatus.ENDED if ended_at else ChatStatus.ACTIVE, requested_at=requested_at,
        accepted_at=requested_at, ended_at=ended_at, ended_by=3 if ended_at else None,
        end_reason=None, wrap_up=None, last_seq=0,
    )  # fmt: skip


def make_message(seq, at, body, name="Ann Example", role="Customer"):
    return ChatMessage(
        id=seq, chat_id="c" * 32, seq=seq, sender_id=2, sender_role=role, sender_name=name,
        client_msg_id=f"m{seq}", body=body, created_at=at,
    )  # fmt: skip


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def test_summer_times_are_british_summer_time():
    chat = make_chat(utc(2026, 6, 15, 10, 0), utc(2026, 6, 15, 10, 30))
    messages = [
        make_message(1, utc(2026, 6, 15, 10, 1), "Hello"),
        make_message(2, utc(2026, 6, 15, 10, 2), "Hi, how can I help?", "Bob Agent", "Agent"),
    ]

    text = render_transcript("12345678", chat, messages)

    assert text.splitlines() == [
        "Chat transcript for case 12345678",
        "Started: 15/06/2026 11:00 (UK time)",
        "Ended: 15/06/2026 11:30 (UK time)",
        "Messages: 2",
        "",
        "[11:01] Ann Example (Customer): Hello",
        "[11:02] Bob Agent (Agent): Hi, how can I help?",
    ]


def test_winter_times_are_greenwich_mean_time():
    chat = make_chat(utc(2026, 12, 1, 10, 0), utc(2026, 12, 1, 10, 30))
    text = render_transcript("12345678", chat, [make_message(1, utc(2026, 12, 1, 10, 5), "Hi")])

    assert "Started: 01/12/2026 10:00 (UK time)" in text
    assert "[10:05] Ann Example (Customer): Hi" in text


def test_a_chat_across_the_clocks_going_back_shows_both_offsets():
    # 25 October 2026: at 01:00 UTC, 02:00 BST becomes 01:00 GMT.
    chat = make_chat(utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 1, 10))
    messages = [
        make_message(1, utc(2026, 10, 25, 0, 55), "before"),
        make_message(2, utc(2026, 10, 25, 1, 5), "after"),
    ]

    lines = render_transcript("87654321", chat, messages).splitlines()

    assert lines[1] == "Started: 25/10/2026 01:50 (UK time)"
    assert lines[2] == "Ended: 25/10/2026 01:10 (UK time)"
    assert lines[-2:] == [
        "[01:55] Ann Example (Customer): before",
        "[01:05] Ann Example (Customer): after",
    ]


def test_messages_are_listed_by_sequence_number():
    at = utc(2026, 6, 15, 10, 0)
    messages = [make_message(2, at, "second"), make_message(1, at, "first")]

    lines = render_transcript("1", make_chat(at, at), messages).splitlines()

    assert [line.split(": ", 1)[1] for line in lines[-2:]] == ["first", "second"]


def test_a_message_of_several_lines_keeps_them_indented():
    at = utc(2026, 6, 15, 10, 0)
    text = render_transcript("1", make_chat(at, at), [make_message(1, at, "one\r\ntwo\nthree")])

    assert text.endswith("[11:00] Ann Example (Customer): one\n    two\n    three\n")


def test_an_empty_or_unfinished_chat_says_so():
    text = render_transcript("1", make_chat(utc(2026, 6, 15, 10, 0)), [])

    assert "Ended: not ended" in text
    assert "Messages: 0" in text
    assert text.endswith("(no messages)\n")


@pytest.mark.parametrize(
    ("started", "name"),
    [
        (utc(2026, 6, 15, 23, 30), "chat-12345678-20260616-0030.txt"),
        (utc(2026, 12, 15, 23, 30), "chat-12345678-20261215-2330.txt"),
    ],
    ids=["bst", "gmt"],
)
def test_the_filename_carries_the_case_and_uk_start(started, name):
    assert transcript_filename("12345678", started) == name


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"client_msg_id": "", "body": "hi"}, "client_msg_id"),
        ({"client_msg_id": "x" * 65, "body": "hi"}, "client_msg_id"),
        ({"client_msg_id": "a", "body": "   "}, "body"),
        ({"client_msg_id": "a", "body": "x" * 5001}, "body"),
        ({"client_msg_id": "a", "body": "hi", "extra": 1}, "extra"),
    ],
)
def test_a_message_in_is_checked(payload, problem):
    with pytest.raises(ValueError, match=problem):
        MessageIn(**payload)


def test_a_message_in_is_stripped():
    assert MessageIn(client_msg_id=" a ", body="  hi  ").body == "hi"


def test_why_a_chat_ended_heads_its_transcript_but_never_the_wrap_up_note():
    chat = make_chat(utc(2026, 6, 15, 10, 0), utc(2026, 6, 15, 10, 30)).model_copy(
        update={"end_reason": "The customer left before an agent answered.", "wrap_up": "VIP"}
    )
    lines = render_transcript("12345678", chat, []).splitlines()
    assert lines[3] == "Why it ended: The customer left before an agent answered."
    assert not any("VIP" in line for line in lines)


def test_a_shared_file_is_named_with_its_size():
    chat = make_chat(utc(2026, 6, 15, 10, 0))
    shared = ChatFile(attachment_id=9, name="report.pdf", size=2_600_000, case_number="12345678")
    message = make_message(1, utc(2026, 6, 15, 10, 1), "report.pdf").model_copy(
        update={"attachment": shared}
    )

    text = render_transcript("12345678", chat, [message])

    assert "[11:01] Ann Example (Customer) sent a file: report.pdf (2.5 MB)\n" in text
    assert [size_text(n) for n in (900, 2048, 2_600_000)] == ["900 bytes", "2 KB", "2.5 MB"]
