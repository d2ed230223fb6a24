"""Words and snippets: how text is split for search and how matches are shown. No I/O."""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup, escape

# Snippet markers the stores put around matched terms. Control characters never survive
# into indexed text (`clean` strips them), so a marker in a snippet is always ours.
MARK_START = "\x02"
MARK_END = "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters and digits; an apostrophe splits a word ("centre's" -> "centre", "s") as both
# stores' tokenizers do, so a query word is always a word the index could hold.
_WORD = re.compile(r"[^\W_]+")

# Common English words: searched for, they would only narrow results by accident.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "up",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
MAX_TERMS = 8


def clean(value: str) -> str:
    """Text as indexed: control characters (our markers among them) removed."""
    return _CONTROL.sub(" ", value)


def fold(word: str) -> str:
    """Lower case without accents: how words are compared."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(value: str) -> list[str]:
    """Every word of a text, folded, in order. Folding can make symbols of letters
    ("½" to 1, a fraction slash, 2), so the folded text is split again: only letters and
    digits remain."""
    return [word for match in _WORD.findall(value) for word in _WORD.findall(fold(match))]


def query_terms(query: str) -> list[str]:
    """The words of a query worth searching for: no stopwords, no repeats, at most 8."""
    terms: list[str] = []
    for word in words(query):
        single_letter = len(word) == 1 and not word.isdigit()
        if not single_letter and word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def query_key(query: str) -> str:
    """A query's text folded, so "Entry  Codes" and "entry codes" count as one."""
    return " ".join(words(query))[:200]


def marked_html(text: str) -> Markup:
    """A store's snippet as safe HTML: everything escaped, then our markers made <mark>."""
    escaped = str(escape(text))
    # An unbalanced marker (a snippet cut mid-match) must not leave an open element.
    opened = False
    out: list[str] = []
    for ch in escaped:
        if ch == MARK_START and not opened:
            out.append("<mark>")
            opened = True
        elif ch == MARK_END and opened:
            out.append("</mark>")
            opened = False
        elif ch not in (MARK_START, MARK_END):
            out.append(ch)
    if opened:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704 - built from escaped text above


def mark_terms(text: str, terms: list[str]) -> Markup:
    """Mark whole words of `text` that start with any of `terms` (suggestions)."""
    if not terms:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if any(word.startswith(term) for term in terms):
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))  # noqa: S704 - every piece escaped above


_BOT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|scrap|fetch|preview|monitor|headless|python-|curl/|"
    r"wget/|httpx|okhttp|java/|go-http|libwww|facebookexternalhit|lighthouse|pingdom",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews and scripts: their fetches are not readers' views."""
    return not user_agent.strip() or bool(_BOT.search(user_agent))
