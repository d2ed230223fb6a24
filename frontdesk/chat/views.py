"""What clients see of chats, messages and cases: the shapes sent over the socket."""

from __future__ import annotations

from typing import Any

from frontdesk.cases.models import Case
from frontdesk.chat.models import Chat, ChatMessage
from frontdesk.queue.models import QueueEntry


def queue_entry(chat: Chat) -> QueueEntry:
    # A chat keeps its first place in line however often it returns (lapse, transfer).
    return QueueEntry(chat_id=chat.public_id, group=chat.group_name, enqueued_at=chat.requested_at)


def chat_out(chat: Chat) -> dict[str, Any]:
    return chat.model_dump(
        mode="json",
        include={"public_id", "status", "group_name", "requested_at", "accepted_at",
                 "ended_at", "end_reason", "last_seq"},
    )  # fmt: skip


def message_out(message: ChatMessage) -> dict[str, Any]:
    return message.model_dump(mode="json", exclude={"id"})


def case_out(case: Case, group_name: str) -> dict[str, Any]:
    return {
        "number": case.number,
        "subject": case.subject,
        "description": case.description,
        "status": case.status.label,
        "customer_group": case.customer_group,
        "customer_group_name": group_name,
        "contact": {
            "name": f"{case.contact_first_name} {case.contact_last_name}",
            "email": case.contact_email,
            "phone": case.contact_phone,
            "institution": case.contact_institution,
        },
    }
