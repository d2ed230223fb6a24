"""Words and snippets: how text is split for search and how matches are shown. No I/O."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from crawlerdetect import CrawlerDetect
from markupsafe import Markup, escape

# Snippet markers the stores put around matched terms. Control characters never survive
# into indexed text (`clean` strips them), so a marker in a snippet is always ours.
MARK_START = "\x02"
MARK_END = "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters and digits; an apostrophe splits a word ("centre's" -> "centre", "s") as both
# stores' tokenizers do, so a query word is always a word the index could hold.
_WORD = re.compile(r"[^\W_]+")

# Common English words: searched for, they would only narrow results by accident. The
# list holds every word PostgreSQL's English configuration drops, so that a query means
# the same on both stores.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing don down during
    each few for from further had has have having he her here hers herself him himself
    his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own s same she should so some
    such t than that the their theirs them themselves then there these they this those
    through to too under until up us very was we were what when where which while who
    whom why will with would you your yours yourself yourselves
    """.split()  # noqa: SIM905 - a word list reads better as text
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


def title_key(title: str) -> str:
    """A title's words folded, each between spaces: `LIKE '% uci%'` finds a word start."""
    return f" {' '.join(words(title))} "


def tag_token(kind: str, value: str) -> str:
    """A tag as one word of letters and digits, indexed with the document's text so that
    Browse Articles' filters are words of its full-text query (both stores' tokenizers
    keep it whole, and no text or query word looks like it)."""
    digest = hashlib.blake2b(f"{kind}\x1f{value}".encode(), digest_size=8).hexdigest()
    return f"tag{digest}"


def tag_tokens(pairs: list[tuple[str, str]]) -> str:
    """What kb_documents.tags holds: each (kind, value) pair's token, once, in order."""
    return " ".join(sorted({tag_token(kind, value) for kind, value in pairs}))


def query_terms(query: str) -> list[str]:
    """The words of a query worth searching for: no stopwords, no repeats, at most 8."""
    terms: list[str] = []
    for word in words(query):
        # A single letter or digit ("9-1", "alert(1)") matches nearly everything.
        if len(word) > 1 and word not in STOPWORDS and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def suggestion_terms(typed: str) -> list[str]:
    """The words of a search box being typed into: as query_terms, but the last word is
    kept even if it is a stopword or one letter, since it may be the start of a longer
    word ("on" of "onscreen")."""
    typed_words = words(typed)
    if not typed_words:
        return []
    last = typed_words[-1]
    terms = [term for term in query_terms(" ".join(typed_words[:-1])) if term != last]
    return [*terms[: MAX_TERMS - 1], last]


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


_CRAWLERS = CrawlerDetect()


def is_bot(user_agent: str) -> bool:
    """Crawlers, link previews, headless browsers and scripts (CrawlerDetect's maintained
    list): their fetches are not readers' views; nor is a request that names no agent."""
    return not user_agent.strip() or bool(_CRAWLERS.isCrawler(user_agent))
