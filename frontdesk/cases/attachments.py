"""Attachment files: the guide's rules on names and sizes, checked while the file streams,
and storage under the data directory with generated names.

Rules: at most 10 MB each; only the guide's extensions, and in lower case.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from frontdesk.errors import Invalid

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = (
    ".jpg", ".txt", ".doc", ".pdf", ".xls", ".xlsx", ".ppt", ".key", ".png", ".rtf",
    ".docx", ".csv", ".erd", ".ern", ".zip",
)  # fmt: skip
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".rtf": "application/rtf",
    ".zip": "application/zip",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"


def refuse(name: str, reason: str, code: str) -> Invalid:
    message = f"{name}: {reason}"
    return Invalid(message, code=code, fields={"file": message})


def clean_name(filename: str) -> str:
    """The file's own name, without any folder a browser or client sent along."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name or name in {".", ".."}:
        raise refuse(filename or "(no name)", "the file has no name", "ATTACHMENT_NAME")
    return name[:255]


def check_name(filename: str) -> str:
    """The cleaned name if its extension is allowed; Invalid naming the file otherwise."""
    name = clean_name(filename)
    extension = os.path.splitext(name)[1]
    if extension.lower() not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(ALLOWED_EXTENSIONS)
        raise refuse(
            name, f"this type of file is not allowed (allowed: {allowed})", "ATTACHMENT_TYPE"
        )
    if extension != extension.lower():
        raise refuse(name, "file extensions must be in lower case", "ATTACHMENT_EXTENSION_CASE")
    return name


@dataclass(frozen=True)
class SavedFile:
    name: str
    stored_name: str
    size: int
    sha256: str
    content_type: str


class AttachmentFiles:
    """Files under `root`, named by random tokens in two-character folders."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, stored_name: str) -> Path:
        return self.root / stored_name[:2] / stored_name

    async def save(self, filename: str, chunks: AsyncIterator[bytes]) -> SavedFile:
        """Stream `chunks` to disk, refusing the file as soon as it passes MAX_BYTES."""
        name = check_name(filename)
        stored_name = secrets.token_hex(16)
        path = self.path_of(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise refuse(name, "the file is larger than 10 MB", "ATTACHMENT_TOO_LARGE")
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise refuse(name, "the file is empty", "ATTACHMENT_EMPTY")
            os.replace(partial, path)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        extension = os.path.splitext(name)[1]
        return SavedFile(
            name=name,
            stored_name=stored_name,
            size=size,
            sha256=digest.hexdigest(),
            content_type=CONTENT_TYPES.get(extension, DEFAULT_CONTENT_TYPE),
        )

    def discard(self, stored_name: str) -> None:
        self.path_of(stored_name).unlink(missing_ok=True)
