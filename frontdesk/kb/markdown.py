"""Markdown to safe HTML, and HTML to the plain text that search indexes."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# What an article or a post may contain once rendered; everything else is dropped.
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "kbd",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    # markdown-it aligns table columns with style="text-align: ..."; only that survives.
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}


@lru_cache(maxsize=2)
def _renderer(allow_html: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": allow_html, "linkify": False}).enable("table")


def render(source: str, *, trusted: bool = False) -> str:
    """Markdown as sanitised HTML. Only staff-written (trusted) text may carry inline
    HTML, and even then only the allowed tags survive; # headings become h2, since the
    page's own title is the h1."""
    rendered = _renderer(trusted).render(source)
    rendered = re.sub(r"<(/?)h1>", r"<\1h2>", rendered)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
    )


_TAG = re.compile(r"<[^>]+>")


def plain_text(safe_html: str) -> str:
    """The words of rendered HTML, for the search index and snippets."""
    spaced = re.sub(r"</(p|h\d|li|tr|td|th|pre|blockquote)>|<br\s*/?>", " \n", safe_html)
    return " ".join(html.unescape(_TAG.sub("", spaced)).split())
