"""Words, query terms, folding and safe snippets: how search splits text and shows matches."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from frontdesk.kb.text import (
    MARK_END,
    MARK_START,
    MAX_TERMS,
    clean,
    fold,
    is_bot,
    mark_terms,
    marked_html,
    query_key,
    query_terms,
    words,
)

S, E = MARK_START, MARK_END


@pytest.mark.parametrize(
    ("word", "folded"),
    [("Café", "cafe"), ("NAÏVE", "naive"), ("Straße", "strasse"), ("ÉCOLE", "ecole"),
     ("plain", "plain"), ("Ångström", "angstrom")],
)  # fmt: skip
def test_fold_lowers_and_drops_accents(word, folded):
    assert fold(word) == folded


def test_words_are_letters_and_digits_folded_in_order():
    assert words("Café-au-lait, 2026 naïve_ÉCOLE!") == [
        "cafe", "au", "lait", "2026", "naive", "ecole",
    ]  # fmt: skip


def test_an_apostrophe_splits_a_word_as_the_stores_do():
    assert words("centre's don\u2019t") == ["centre", "s", "don", "t"]


def test_folding_never_leaves_symbols_in_a_word():
    # "½" folds to "1", a fraction slash, "2"; the "fi" ligature to "fi".
    assert words("½ ﬁle") == ["1", "2", "file"]
    assert all(word.isalnum() for word in words("½ ﬁle ™ ① ㎏ Ⅻ"))


def test_words_of_nothing_are_nothing():
    assert words("") == words("  --- !!! ") == []


def test_query_terms_drop_stopwords_repeats_and_single_characters():
    assert query_terms("How do I find the UCI number for the UCI?") == ["find", "uci", "number"]
    assert query_terms("a b c x 7 9-1 alert(1)") == ["alert"]
    assert query_terms("the and of to") == []


def test_query_terms_are_at_most_eight():
    many = "one two three four five six seven eight nine ten"
    assert query_terms(many) == many.split()[:MAX_TERMS]
    assert len(query_terms(" ".join(f"word{n}" for n in range(100)))) == MAX_TERMS


@pytest.mark.parametrize(
    "query",
    ['"quoted" -minus NEAR(x y) a* OR b AND c:d (e) {f g} ^h',
     "<script>alert(1)</script>", "'; DROP TABLE kb_articles; --"],
)  # fmt: skip
def test_query_terms_carry_no_syntax(query):
    terms = query_terms(query)
    assert terms and all(term.isalnum() and term == fold(term) for term in terms)


def test_query_key_folds_case_and_spacing_and_is_bounded():
    assert query_key("  Entry   Codes ") == query_key("entry codes") == "entry codes"
    assert query_key("Café!") == "cafe"
    assert len(query_key("word " * 500)) == 200


def test_clean_removes_control_characters_and_so_any_marker():
    assert clean(f"a{S}b{E}c\x00d\te\nf") == "a b c d\te\nf"


@pytest.mark.parametrize(
    ("snippet", "html"),
    [
        (f"lost {S}certificates{E} here", "lost <mark>certificates</mark> here"),
        (f"<b>{S}x{E}</b> & y", "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; y"),
        (f"cut mid-{S}match", "cut mid-<mark>match</mark>"),  # never left open
        (f"{E}tail of a match", "tail of a match"),  # a stray end is dropped
        (f"{S}a{S}b{E}c{E}", "<mark>ab</mark>c"),  # no nesting
        ("", ""),
        ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_marked_html_escapes_everything_but_our_marks(snippet, html):
    marked = marked_html(snippet)

    assert isinstance(marked, Markup)
    assert str(marked) == html


def test_mark_terms_marks_whole_words_starting_with_a_term():
    marked = mark_terms("Entries & <entry> codes, Late-entries", ["ent"])

    assert str(marked) == (
        "<mark>Entries</mark> &amp; &lt;<mark>entry</mark>&gt; codes, Late-<mark>entries</mark>"
    )


def test_mark_terms_matches_folded_words_and_escapes_without_terms():
    assert str(mark_terms("Café <b>", ["caf"])) == "<mark>Café</mark> &lt;b&gt;"
    assert str(mark_terms("UCI Numbers", ["uci", "num"])) == (
        "<mark>UCI</mark> <mark>Numbers</mark>"
    )
    assert str(mark_terms("<i>x</i>", [])) == "&lt;i&gt;x&lt;/i&gt;"
    assert str(mark_terms("percentage", ["cent"])) == "percentage"


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.32.3",
        "python-httpx/0.27.0",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0",
        "",
        "   ",
    ],
)
def test_crawlers_and_scripts_are_bots(user_agent):
    assert is_bot(user_agent)


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 Safari/605.1.15",
    ],
    ids=["chrome", "iphone", "firefox", "safari"],
)
def test_browsers_are_not_bots(user_agent):
    assert not is_bot(user_agent)
