"""Markdown to safe HTML: what survives rendering, for staff articles and for posts."""

from __future__ import annotations

import re

import pytest

from frontdesk.kb.markdown import ALLOWED_TAGS, plain_text, render

HOSTILE = """\
<script>alert(1)</script>

<a href="javascript:alert(1)" onclick="steal()">click</a> [md link](javascript:alert(2))

<img src="x.png" onerror="alert(3)" alt="pic"> <p onmouseover="alert(4)">hover</p>

<iframe src="https://evil.example"></iframe><style>body{}</style>

<a href="JaVaScRiPt:alert(5)">mixed</a> <a href="data:text/html,<script>">data</a>
"""


def tags_of(html):
    return {name.lower() for name in re.findall(r"</?([a-zA-Z0-9]+)", html)}


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_scripts_handlers_and_javascript_links_never_survive(trusted):
    html = render(HOSTILE, trusted=trusted)

    assert tags_of(html) <= ALLOWED_TAGS
    assert "alert(1)" not in html or "&lt;script&gt;" in html  # dropped, or shown as text
    for tag in re.findall(r"<[a-zA-Z][^>]*>", html):  # every real element's attributes
        lowered = tag.lower()
        assert not re.search(r"\son\w+\s*=", lowered), tag
        assert 'href="javascript' not in lowered and 'href="data' not in lowered, tag
        assert 'src="javascript' not in lowered, tag


def test_trusted_html_keeps_allowed_tags_and_drops_the_rest():
    html = render(
        "Press <kbd>Ctrl</kbd> + <kbd>F</kbd>.\n\n<div class=x><b>bold</b></div>\n\n"
        '<img src="https://example.com/a.png" onerror="x()" alt="A">',
        trusted=True,
    )

    assert "<kbd>Ctrl</kbd>" in html and "<kbd>F</kbd>" in html
    assert "<div" not in html and "<b>" not in html and "bold" in html
    assert '<img src="https://example.com/a.png" alt="A">' in html
    assert "<script>" not in render("<script>alert(1)</script>", trusted=True)
    assert "alert" not in render("<script>alert(1)</script>", trusted=True)


def test_untrusted_html_is_shown_as_text_never_as_markup():
    html = render("<kbd>Ctrl</kbd> <b>b</b> <img src=x onerror=alert(1)>")

    assert "<kbd>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;kbd&gt;Ctrl&lt;/kbd&gt;" in html
    assert tags_of(html) == {"p"}


def test_links_keep_safe_schemes_and_gain_rel():
    html = render("[site](https://example.com) [mail](mailto:help@example.com) [rel](/a/b)")

    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html
    assert 'href="mailto:help@example.com"' in html
    assert 'href="/a/b"' in html


@pytest.mark.parametrize("trusted", [True, False])
def test_a_first_level_heading_becomes_a_second(trusted):
    html = render("# Title\n\n## Part\n\n### Detail", trusted=trusted)

    assert "<h1" not in html
    assert html.count("<h2>") == 2 and "<h2>Title</h2>" in html and "<h3>Detail</h3>" in html


def test_tables_code_and_lists_survive():
    html = render(
        "| Key | Does |\n|---|---|\n| `Ctrl` | finds |\n\n"
        "1. one\n2. two\n\n```\n<tag> & code\n```\n\n> quoted\n"
    )

    for tag in ("table", "thead", "tbody", "tr", "th", "td", "code", "ol", "li", "pre"):
        assert f"<{tag}>" in html, tag
    assert "<blockquote>" in html
    assert "&lt;tag&gt; &amp; code" in html


def test_an_ordered_list_keeps_its_start():
    assert '<ol start="3">' in render("3. three\n4. four")


def test_plain_text_is_the_words_without_markup():
    html = render("# Title\n\nSome **bold** text &amp; `<code>`.\n\n- one\n- two", trusted=True)

    assert plain_text(html) == "Title Some bold text & <code>. one two"


def test_plain_text_keeps_words_of_adjacent_blocks_apart():
    assert plain_text("<p>one</p><p>two</p><h2>three</h2>four<br>five") == "one two three four five"
