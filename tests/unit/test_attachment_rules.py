"""The attachment rules on their own: names, sizes, contents, archives, download headers."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest

from frontdesk.cases.attachments import (
    ALLOWED_EXTENSIONS,
    MAX_BYTES,
    ZipLimits,
    check_content,
    check_declared_size,
    check_name,
    clean_name,
    unsafe_entry_path,
)
from frontdesk.errors import Invalid
from frontdesk.web.api.attachments import content_disposition

# Small files of each allowed type, good enough for the checks (and for a viewer to tell
# what they are). The integration tests upload these too.


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
CONTENT_TYPES_XML = b'<?xml version="1.0"?><Types xmlns="x"/>'
SAMPLES: dict[str, bytes] = {
    ".jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9",
    ".png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06",
    ".pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    ".doc": OLE2,
    ".xls": OLE2,
    ".ppt": OLE2,
    ".rtf": b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello.\\par }",
    ".zip": make_zip({"notes/readme.txt": b"hello " * 100, "data.csv": b"a,b\n1,2\n"}),
    ".docx": make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document><w:body>Hello</w:body></w:document>",
        }
    ),
    ".xlsx": make_zip(
        {
            "[Content_Types].xml": CONTENT_TYPES_XML,
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"<worksheet/>",
        }
    ),
    ".key": make_zip({"Index/Document.iwa": b"\x00\x01keynote", "Metadata/Properties.plist": b""}),
    ".txt": "Candidate 1234: certificate not received. Merci, Zoë.\n".encode(),
    ".csv": b"centre,candidate,grade\n12345,0001,A*\n12345,0002,<b>B</b>\n",
    ".erd": b"ERD|12345|2024|SUMMER\r\nL|0001|A\r\n",
    ".ern": b"ERN 12345 0001 9\n",
}
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def check(name: str, data: bytes, limits: ZipLimits | None = None) -> str:
    if limits is None:
        return check_content(name, io.BytesIO(data))
    return check_content(name, io.BytesIO(data), limits)


def refusal(name: str, data: bytes, limits: ZipLimits | None = None) -> Invalid:
    with pytest.raises(Invalid) as caught:
        check(name, data, limits)
    assert caught.value.message.startswith(f"{name}: ")
    assert caught.value.fields == {"file": caught.value.message}
    return caught.value


def test_every_allowed_extension_has_a_sample():
    assert set(SAMPLES) == set(ALLOWED_EXTENSIONS)


# Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ALLOWED_EXTENSIONS)
def test_each_allowed_extension_is_accepted_in_lower_case(extension):
    assert check_name(f"Exam results{extension}") == f"Exam results{extension}"


@pytest.mark.parametrize(
    "name",
    [
        "setup.exe",
        "page.html",
        "page.htm",
        "drawing.svg",
        "script.js",
        "photo.jpeg",
        "photo.gif",
        "archive.tar.gz",
        "archive.7z",
        "macro.docm",
        "README",
        "report.pdf.exe",
        ".pdf",
    ],
)
def test_other_extensions_are_refused(name):
    with pytest.raises(Invalid) as caught:
        check_name(name)
    assert caught.value.code == "ATTACHMENT_TYPE"
    assert caught.value.message.startswith(f"{name}: ")
    assert ".pdf" in caught.value.message  # says what is allowed


@pytest.mark.parametrize("name", ["REPORT.PDF", "report.Pdf", "photo.JPG", "data.CSV"])
def test_allowed_extensions_in_upper_case_are_refused(name):
    with pytest.raises(Invalid) as caught:
        check_name(name)
    assert caught.value.code == "ATTACHMENT_EXTENSION_CASE"
    assert name in caught.value.message


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\ann\\Desktop\\report.pdf", "report.pdf"),
        ("../../etc/notes.txt", "notes.txt"),
        ("/var/www/photo.png", "photo.png"),
        ("  spaced.csv  ", "spaced.csv"),
        ("tab\there.txt", "tabhere.txt"),
    ],
)
def test_names_lose_any_folder_and_unprintable_characters(sent, kept):
    assert clean_name(sent) == kept


@pytest.mark.parametrize("sent", ["", "   ", "/", "..", "C:\\", "docs/.."])
def test_a_file_without_a_name_is_refused(sent):
    with pytest.raises(Invalid) as caught:
        clean_name(sent)
    assert caught.value.code == "ATTACHMENT_NAME"


def test_a_long_name_is_shortened_keeping_its_extension():
    name = check_name("a" * 400 + ".docx")
    assert len(name) == 255
    assert name.endswith("a.docx")


def test_a_declared_size_over_10_mb_is_refused_before_reading():
    check_declared_size("big.pdf", None)
    check_declared_size("big.pdf", MAX_BYTES)
    with pytest.raises(Invalid) as caught:
        check_declared_size("big.pdf", MAX_BYTES + 1)
    assert caught.value.code == "ATTACHMENT_TOO_LARGE"
    assert caught.value.message == "big.pdf: the file is larger than 10 MB"


# Contents --------------------------------------------------------------------------------

EXPECTED_TYPES = {
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".rtf": "application/rtf",
    ".zip": "application/zip",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".key": "application/vnd.apple.keynote",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".erd": "text/plain; charset=utf-8",
    ".ern": "text/plain; charset=utf-8",
}


@pytest.mark.parametrize("extension", ALLOWED_EXTENSIONS)
def test_each_kind_of_good_file_passes_with_its_content_type(extension):
    assert check(f"good{extension}", SAMPLES[extension]) == EXPECTED_TYPES[extension]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.png", HTML),
        ("page.jpg", HTML),
        ("scan.jpg", SAMPLES[".pdf"]),
        ("scan.png", SAMPLES[".jpg"]),
        ("letter.pdf", SAMPLES[".docx"]),
        ("letter.doc", SAMPLES[".docx"]),
        ("sheet.xls", SAMPLES[".pdf"]),
        ("slides.ppt", SAMPLES[".png"]),
        ("letter.rtf", b"Just some text"),
        ("letter.docx", OLE2),
        ("photos.zip", SAMPLES[".pdf"]),
        ("slides.key", b"-----BEGIN PRIVATE KEY-----\nMIIE\n"),
        ("letter.docx", SAMPLES[".zip"]),  # a zip, but not a Word document
        ("sheet.xlsx", SAMPLES[".docx"]),  # Word, not Excel
        ("letter.docx", SAMPLES[".xlsx"]),
    ],
)
def test_contents_must_match_the_extension(name, data):
    assert refusal(name, data).code == "ATTACHMENT_CONTENT_MISMATCH"


@pytest.mark.parametrize("name", ["notes.txt", "data.csv", "results.erd", "results.ern"])
def test_text_types_must_be_text(name):
    assert refusal(name, b"abc\x00def").code == "ATTACHMENT_NOT_TEXT"
    assert refusal(name, SAMPLES[".png"]).code == "ATTACHMENT_NOT_TEXT"
    assert refusal(name, "UTF-16 text".encode("utf-16")).code == "ATTACHMENT_NOT_TEXT"


def test_text_that_is_not_utf8_is_taken_as_latin1():
    assert check("notes.txt", "Zoë, café".encode("latin-1")) == "text/plain; charset=iso-8859-1"
    assert check("notes.txt", b"\xef\xbb\xbfwith a BOM") == "text/plain; charset=utf-8"


@pytest.mark.parametrize(
    "markup",
    [
        HTML,
        b"<html><body>hi</body></html>",
        b"\n\n   <HTML>",
        b"Dear support,\n<script src=https://evil.example/x.js></script>",
        b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>',
        b'<?xml version="1.0"?>\n<svg/onload=alert(1)>',
        b"<iframe src=//evil.example>",
        b'<img src=x onerror="alert(1)">',
        b"<a href=# onclick=steal()>click</a>",
        b"<object data=x.swf>",
        b"<?php system($_GET['c']); ?>",
        b"<meta http-equiv=refresh content=0;url=//evil.example>",
    ],
)
@pytest.mark.parametrize("name", ["page.txt", "page.csv", "page.erd"])
def test_text_files_must_not_be_markup(name, markup):
    assert refusal(name, markup).code == "ATTACHMENT_MARKUP"


@pytest.mark.parametrize(
    "text",
    [
        b"if a < b and c > d then report it",
        b"score<50,grade<C>,<b>bold</b>,<header>",
        b"The html version is fine; so is the word script.",
        b"online = true",
    ],
)
def test_text_that_only_mentions_markup_is_fine(text):
    assert check("notes.txt", text).startswith("text/plain")


# Archives --------------------------------------------------------------------------------


def zip_bomb(unpacked: int = 20 * 1024 * 1024) -> bytes:
    """One entry of zeros: 20 MB packs to about 20 KB."""
    return make_zip({"zeros.bin": bytes(unpacked)})


def nest(levels: int) -> bytes:
    data = make_zip({"deepest.txt": b"hello"})
    for level in range(levels - 1):
        data = make_zip({f"level{level}.zip": data}, zipfile.ZIP_STORED)
    return data


def patch(data: bytes, signature: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite a field at `offset` in every header that starts with `signature`."""
    out = bytearray(data)
    start = out.find(signature)
    assert start >= 0
    while start >= 0:
        out[start + offset : start + offset + len(value)] = value
        start = out.find(signature, start + 1)
    return bytes(out)


def with_external_attr(name: str, mode: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(name)
        info.create_system = 3
        info.external_attr = mode << 16
        archive.writestr(info, b"/etc/passwd")
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_by_its_ratio():
    bomb = zip_bomb()
    assert len(bomb) < 100 * 1024
    assert refusal("photos.zip", bomb).code == "ATTACHMENT_ZIP_RATIO"


def test_compressible_files_under_the_ratio_floor_pass():
    assert check("logs.zip", make_zip({"zeros.bin": bytes(512 * 1024)})) == "application/zip"


def test_an_archive_unpacking_past_the_total_limit_is_refused():
    data = make_zip({f"part{i}.bin": bytes(3000) for i in range(5)})
    limits = ZipLimits(unpacked_bytes=10_000)
    assert refusal("parts.zip", data, limits).code == "ATTACHMENT_ZIP_TOO_LARGE"
    assert check("parts.zip", data, ZipLimits(unpacked_bytes=15_000)) == "application/zip"


def test_nested_archives_count_against_the_same_total():
    inner = make_zip({"a.bin": bytes(9000)})
    limits = ZipLimits(unpacked_bytes=15_000)
    assert check("outer.zip", make_zip({"one.zip": inner}), limits) == "application/zip"
    outer = make_zip({"one.zip": inner, "two.zip": inner}, zipfile.ZIP_STORED)
    assert refusal("outer.zip", outer, limits).code == "ATTACHMENT_ZIP_TOO_LARGE"


def test_an_archive_with_too_many_entries_is_refused():
    data = make_zip({f"f{i}.txt": b"x" for i in range(11)})
    assert refusal("many.zip", data, ZipLimits(entries=10)).code == "ATTACHMENT_ZIP_ENTRIES"
    assert check("many.zip", data, ZipLimits(entries=11)) == "application/zip"


def test_archives_may_nest_three_deep_but_no_deeper():
    assert check("nested.zip", nest(3)) == "application/zip"
    assert refusal("nested.zip", nest(4)).code == "ATTACHMENT_ZIP_NESTED"


def test_a_bomb_inside_an_inner_archive_is_found():
    outer = make_zip({"inner.zip": zip_bomb()}, zipfile.ZIP_STORED)
    assert refusal("outer.zip", outer).code == "ATTACHMENT_ZIP_RATIO"


def test_sizes_that_lie_are_caught_when_unpacking():
    """A bomb that declares a small size: zipfile stops there, and the CRC fails."""
    honest = make_zip({"zeros.bin": bytes(2 * 1024 * 1024)})
    small = (1000).to_bytes(4, "little")
    lying = patch(patch(honest, b"PK\x03\x04", 22, small), b"PK\x01\x02", 24, small)
    assert zipfile.ZipFile(io.BytesIO(lying)).infolist()[0].file_size == 1000
    assert refusal("liar.zip", lying).code == "ATTACHMENT_ZIP_INVALID"


@pytest.mark.parametrize(
    "path",
    [
        "../evil.sh",
        "docs/../../evil.sh",
        "..\\evil.bat",
        "/etc/cron.d/evil",
        "\\windows\\evil.dll",
        "C:/Windows/evil.dll",
        "c:evil.dll",
    ],
)
def test_archives_with_unsafe_paths_are_refused(path):
    assert unsafe_entry_path(path)
    assert refusal("tricks.zip", make_zip({path: b"x"})).code == "ATTACHMENT_ZIP_PATH"


@pytest.mark.parametrize("path", ["a.txt", "docs/a..b.txt", "docs/.hidden", "x/y/z.csv"])
def test_ordinary_paths_are_safe(path):
    assert not unsafe_entry_path(path)


def test_archives_holding_links_are_refused():
    data = with_external_attr("passwd", stat.S_IFLNK | 0o777)
    assert refusal("links.zip", data).code == "ATTACHMENT_ZIP_LINK"
    assert check("plain.zip", with_external_attr("passwd", stat.S_IFREG | 0o644))


def test_password_protected_archives_are_refused():
    data = make_zip({"secret.txt": b"hello"})
    flagged = patch(patch(data, b"PK\x03\x04", 6, b"\x01\x00"), b"PK\x01\x02", 8, b"\x01\x00")
    assert refusal("secret.zip", flagged).code == "ATTACHMENT_ZIP_ENCRYPTED"


@pytest.mark.parametrize("cut", [30, 100, -10])
def test_damaged_archives_are_refused(cut):
    data = SAMPLES[".zip"][:cut]
    assert refusal("broken.zip", data).code == "ATTACHMENT_ZIP_INVALID"


def test_office_files_are_checked_as_archives_too():
    bomb = make_zip({"[Content_Types].xml": CONTENT_TYPES_XML, "word/document.xml": bytes(2**24)})
    assert refusal("letter.docx", bomb).code == "ATTACHMENT_ZIP_RATIO"
    sneaky = make_zip({"[Content_Types].xml": CONTENT_TYPES_XML, "xl/../../x": b"x"})
    assert refusal("sheet.xlsx", sneaky).code == "ATTACHMENT_ZIP_PATH"


def test_an_empty_zip_is_a_zip():
    assert check("empty.zip", make_zip({})) == "application/zip"


# Download headers ------------------------------------------------------------------------


def test_content_disposition_carries_the_exact_name_encoded():
    header = content_disposition('Résumé "final"; v2%.pdf')
    assert header == (
        'attachment; filename="R_sum_ _final__ v2_.pdf"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%3B%20v2%25.pdf"
    )


def test_content_disposition_of_a_name_with_no_ascii_has_a_stand_in():
    assert content_disposition("отчёт.pdf").startswith('attachment; filename="_____.pdf";')
    assert content_disposition("文件").startswith('attachment; filename="__";')
