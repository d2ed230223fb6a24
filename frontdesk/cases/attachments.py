"""Attachment files: the guide's rules, checked while a file streams in and once it is
complete, and storage under the data directory with generated names.

Rules: at most 10 MB each; only the guide's extensions, in lower case; the bytes must be
what the extension says (magic numbers; text that is text and not markup); archives, and
the office files that are archives, must not be bombs or hold unsafe paths. A refused
file leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, BinaryIO

from frontdesk.errors import Code, Invalid

MAX_BYTES = 10 * 1024 * 1024
ALLOWED_EXTENSIONS = (
    ".jpg", ".txt", ".doc", ".pdf", ".xls", ".xlsx", ".ppt", ".key", ".png", ".rtf",
    ".docx", ".csv", ".erd", ".ern", ".zip",
)  # fmt: skip
TEXT_EXTENSIONS = frozenset({".txt", ".csv", ".erd", ".ern"})
ZIP_EXTENSIONS = frozenset({".zip", ".docx", ".xlsx", ".key"})
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File Binary: .doc, .xls, .ppt
ZIP_ENTRY, ZIP_END = b"PK\x03\x04", b"PK\x05\x06"  # an empty archive is only its end record
# What each binary type's bytes must start with, and what to call it when they do not.
MAGIC: dict[str, tuple[tuple[bytes, ...], str]] = {
    ".jpg": ((b"\xff\xd8\xff",), "a JPEG image"),
    ".png": ((b"\x89PNG\r\n\x1a\n",), "a PNG image"),
    ".pdf": ((b"%PDF-",), "a PDF document"),
    ".rtf": ((b"{\\rtf",), "an RTF document"),
    ".doc": ((OLE2,), "a Word document"),
    ".xls": ((OLE2,), "an Excel workbook"),
    ".ppt": ((OLE2,), "a PowerPoint presentation"),
    ".zip": ((ZIP_ENTRY, ZIP_END), "a zip archive"),
    ".docx": ((ZIP_ENTRY,), "a Word document"),
    ".xlsx": ((ZIP_ENTRY,), "an Excel workbook"),
    ".key": ((ZIP_ENTRY,), "a Keynote presentation"),
}
# The parts every Office Open XML file holds, beside its [Content_Types].xml.
OFFICE_FOLDERS = {".docx": "word/", ".xlsx": "xl/"}
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".rtf": "application/rtf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".key": "application/vnd.apple.keynote",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".erd": "text/plain",
    ".ern": "text/plain",
}
# Markup a browser could run if it ever rendered the file: documents, scripts, SVG,
# frames and plug-ins, and event-handler attributes. Downloads are sent as attachments
# with nosniff anyway; this keeps such files out of the store in the first place.
MARKUP = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|script|svg|iframe|frame|frameset|object|embed"
    rb"|applet|meta|base|\?php)(?=[\s>/])"
    rb"|<[a-z][a-z0-9-]*(?:[\s/\"'][^<>]*?)?[\s/\"']on[a-z]+\s*=[^<>]*>",
    re.IGNORECASE,
)
READ_BYTES = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """How far an archive may unpack; a real upload of 10 MB stays well inside these."""

    unpacked_bytes: int = 100 * 1024 * 1024  # all entries together, nested ones too
    ratio: int = 100  # unpacked / packed, per entry; text rarely passes 20
    ratio_floor: int = 1024 * 1024  # entries smaller than this cannot be bombs
    entries: int = 5_000
    depth: int = 3  # a zip of .docx files that embed .xlsx sheets is 3 deep


DEFAULT_LIMITS = ZipLimits()


def refuse(name: str, reason: str, code: Code) -> Invalid:
    message = f"{name}: {reason}"
    return Invalid(message, code=code, fields={"file": message})


def too_large(name: str) -> Invalid:
    return refuse(name, "the file is larger than 10 MB", Code.ATTACHMENT_TOO_LARGE)


def extension_of(name: str) -> str:
    return os.path.splitext(name)[1]


def clean_name(filename: str) -> str:
    """The file's own name, without any folder a browser or client sent along."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if not name or name in {".", ".."}:
        raise refuse(filename or "(no name)", "the file has no name", Code.ATTACHMENT_NAME)
    stem, extension = os.path.splitext(name)
    return stem[: 255 - len(extension)] + extension if len(name) > 255 else name


def check_name(filename: str) -> str:
    """The cleaned name if its extension is allowed; Invalid naming the file otherwise."""
    name = clean_name(filename)
    extension = extension_of(name)
    if extension.lower() not in ALLOWED_EXTENSIONS:
        allowed = ", ".join(ALLOWED_EXTENSIONS)
        raise refuse(
            name, f"this type of file is not allowed (allowed: {allowed})", Code.ATTACHMENT_TYPE
        )
    if extension != extension.lower():
        raise refuse(name, "file extensions must be in lower case", Code.ATTACHMENT_EXTENSION_CASE)
    return name


def check_declared_size(name: str, size: int | None) -> None:
    """Refuse before reading a byte when the client already says the file is too big."""
    if size is not None and size > MAX_BYTES:
        raise too_large(name)


def check_content(name: str, file: BinaryIO, limits: ZipLimits = DEFAULT_LIMITS) -> str:
    """The content type to store for a complete file whose bytes match its extension.

    `name` has passed check_name. Reads `file` from the start; blocking: run in a thread.
    """
    extension = extension_of(name)
    if extension in TEXT_EXTENSIONS:
        return _check_text(name, file.read(), CONTENT_TYPES[extension])
    prefixes, label = MAGIC[extension]
    if not file.read(8).startswith(prefixes):
        raise refuse(
            name, f"the contents are not {label}; the file may be misnamed",
            Code.ATTACHMENT_CONTENT_MISMATCH,
        )  # fmt: skip
    if extension in ZIP_EXTENSIONS:
        file.seek(0)
        names = _ArchiveCheck(name, limits).archive(file, depth=1)
        _check_office(name, extension, names, label)
    return CONTENT_TYPES[extension]


def _check_text(name: str, data: bytes, content_type: str) -> str:
    if b"\0" in data:
        raise refuse(name, "the file is not plain text", Code.ATTACHMENT_NOT_TEXT)
    if MARKUP.search(data):
        raise refuse(
            name, "text files must not contain web page, SVG or script markup",
            Code.ATTACHMENT_MARKUP,
        )  # fmt: skip
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return f"{content_type}; charset=iso-8859-1"  # any byte is Latin-1
    return f"{content_type}; charset=utf-8"


def _check_office(name: str, extension: str, names: list[str], label: str) -> None:
    folder = OFFICE_FOLDERS.get(extension)
    if folder is None:
        return
    if "[Content_Types].xml" not in names or not any(n.startswith(folder) for n in names):
        raise refuse(
            name, f"the contents are not {label}; the file may be misnamed",
            Code.ATTACHMENT_CONTENT_MISMATCH,
        )  # fmt: skip


def unsafe_entry_path(path: str) -> bool:
    """Whether unpacking `path` could write outside the folder it is unpacked into."""
    path = path.replace("\\", "/")
    parts = path.split("/")
    return path.startswith("/") or ".." in parts or re.match(r"[A-Za-z]:", path) is not None


# Errors that mean a broken archive, from zipfile and the decompressors under it.
BROKEN_ARCHIVE = (
    zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
    RuntimeError, struct.error,
)  # fmt: skip


class _ArchiveCheck:
    """Walks an archive and the archives inside it, against one shared budget."""

    def __init__(self, name: str, limits: ZipLimits) -> None:
        self.name = name
        self.limits = limits
        self.entries = 0
        self.unpacked = 0

    def refuse(self, reason: str, code: Code) -> Invalid:
        return refuse(self.name, reason, code)

    def archive(self, source: IO[bytes], depth: int) -> list[str]:
        """The names inside the archive once every entry has been checked."""
        if depth > self.limits.depth:
            raise self.refuse(
                "the archive holds archives nested too deeply", Code.ATTACHMENT_ZIP_NESTED
            )
        try:
            with zipfile.ZipFile(source) as archive:
                infos = archive.infolist()
                self._check_headers(infos)
                for info in infos:
                    if not info.is_dir():
                        self._unpack(archive, info, depth)
        except BROKEN_ARCHIVE:
            raise self.refuse(
                "the archive is damaged or uses a format we cannot check",
                Code.ATTACHMENT_ZIP_INVALID,
            ) from None
        return [info.filename for info in infos]

    def _check_headers(self, infos: list[zipfile.ZipInfo]) -> None:
        """What the archive declares, before unpacking anything."""
        self.entries += len(infos)
        if self.entries > self.limits.entries:
            raise self.refuse("the archive holds too many files", Code.ATTACHMENT_ZIP_ENTRIES)
        if sum(info.file_size for info in infos) + self.unpacked > self.limits.unpacked_bytes:
            raise self._bomb()
        for info in infos:
            if unsafe_entry_path(info.orig_filename) or unsafe_entry_path(info.filename):
                raise self.refuse(
                    f"the archive holds an unsafe path ({info.filename})", Code.ATTACHMENT_ZIP_PATH
                )
            if stat.S_ISLNK(info.external_attr >> 16):
                raise self.refuse(
                    f"the archive holds a link ({info.filename})", Code.ATTACHMENT_ZIP_LINK
                )
            if info.flag_bits & 0x1:
                raise self.refuse(
                    "password-protected archives cannot be checked; send it without a password",
                    Code.ATTACHMENT_ZIP_ENCRYPTED,
                )
            self._check_ratio(info.file_size, info.compress_size)

    def _unpack(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, depth: int) -> None:
        """Unpack one entry, counting what it really yields: declared sizes may lie (zipfile
        stops at the declared size and the CRC then fails). Archives inside are walked too."""
        written = 0
        with contextlib.ExitStack() as stack:
            entry = stack.enter_context(archive.open(info))
            nested: IO[bytes] | None = None
            while chunk := entry.read(READ_BYTES):
                if written == 0 and chunk.startswith(ZIP_ENTRY):
                    nested = stack.enter_context(tempfile.SpooledTemporaryFile(READ_BYTES))
                written += len(chunk)
                self.unpacked += len(chunk)
                if self.unpacked > self.limits.unpacked_bytes:
                    raise self._bomb()
                self._check_ratio(written, info.compress_size)
                if nested is not None:
                    nested.write(chunk)
            if nested is not None:
                nested.seek(0)
                self.archive(nested, depth + 1)

    def _check_ratio(self, unpacked: int, packed: int) -> None:
        if unpacked > self.limits.ratio_floor and unpacked > self.limits.ratio * max(packed, 1):
            raise self.refuse(
                "the archive unpacks to far more than its size (a zip bomb?)",
                Code.ATTACHMENT_ZIP_RATIO,
            )

    def _bomb(self) -> Invalid:
        limit = self.limits.unpacked_bytes // (1024 * 1024)
        return self.refuse(
            f"the archive unpacks to more than {limit} MB", Code.ATTACHMENT_ZIP_TOO_LARGE
        )


@dataclass(frozen=True)
class SavedFile:
    name: str
    stored_name: str
    size: int
    sha256: str
    content_type: str


class AttachmentFiles:
    """Files under `root`, named by random tokens in two-character folders. Uploads land
    in `root/incoming` and move to their place only once every check has passed."""

    def __init__(self, root: Path, limits: ZipLimits = DEFAULT_LIMITS) -> None:
        self.root = root
        self.limits = limits

    def path_of(self, stored_name: str) -> Path:
        return self.root / stored_name[:2] / stored_name

    async def save(
        self, filename: str, chunks: AsyncIterator[bytes], declared_size: int | None = None
    ) -> SavedFile:
        """Stream `chunks` to disk, refusing the file as soon as it passes MAX_BYTES, then
        check its contents; Invalid naming the file, with nothing kept, if any rule fails."""
        name = check_name(filename)
        check_declared_size(name, declared_size)
        stored_name = secrets.token_hex(16)
        partial = self.root / "incoming" / f"{stored_name}.part"
        try:
            size, sha256 = await _receive(name, chunks, partial)
            content_type = await asyncio.to_thread(self._check_and_keep, name, partial, stored_name)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return SavedFile(name, stored_name, size, sha256, content_type)

    def _check_and_keep(self, name: str, partial: Path, stored_name: str) -> str:
        with partial.open("rb") as file:
            content_type = check_content(name, file, self.limits)
        path = self.path_of(stored_name)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, path)
        return content_type

    def discard(self, stored_name: str) -> None:
        self.path_of(stored_name).unlink(missing_ok=True)


async def _receive(name: str, chunks: AsyncIterator[bytes], partial: Path) -> tuple[int, str]:
    """Write the chunks to `partial`; the size and SHA-256 of what was written."""
    await asyncio.to_thread(partial.parent.mkdir, parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with partial.open("wb") as out:
        async for chunk in chunks:
            size += len(chunk)
            if size > MAX_BYTES:
                raise too_large(name)  # stop reading: the rest is never asked for
            await asyncio.to_thread(_append, out, digest.update, chunk)
    if size == 0:
        raise refuse(name, "the file is empty", Code.ATTACHMENT_EMPTY)
    return size, digest.hexdigest()


def _append(out: IO[bytes], update: Callable[[bytes], None], chunk: bytes) -> None:
    update(chunk)
    out.write(chunk)
