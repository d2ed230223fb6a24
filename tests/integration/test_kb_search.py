"""Knowledge-base search on SQLite (FTS5) and PostgreSQL (tsvector): ranking, areas,
paging, safe highlighting, hostile queries, near-miss spellings, missed queries,
suggestions and Browse Articles."""

from __future__ import annotations

import asyncio
import re

import pytest

from frontdesk.db.engine import make_engine
from frontdesk.kb.community import Community
from frontdesk.kb.models import Area, BrowseFilters
from frontdesk.kb.service import KnowledgeBase
from frontdesk.kb.text import query_terms
from tests.conftest import STORES
from tests.kb_factories import knowledge_base, make_article, make_discussion, seeded_url

# On both stores: full-text search is written per store (FTS5, tsvector).
pytestmark = pytest.mark.both_stores

ECHIDNAS = 13  # more than one page of ten

TAGGED = {
    # slug: (roles, qualifications, subjects, topics, views)
    "tagged-eo-gcse-maths": (["Exams Officers"], ["GCSE"], ["Mathematics"], ["Certificates"], 3000),
    "tagged-eo-alevel-maths": (["Exams Officers"], ["A Level"], ["Mathematics"], ["Results"], 2000),
    "tagged-student-gcse-history": (["Students"], ["GCSE"], ["History"], ["Certificates"], 1000),
    "tagged-associate-payments": (["Associates"], [], [], ["Payments"], 4000),
}


async def _library(kb: KnowledgeBase, community: Community) -> None:
    # One term each in the title, the summary and the body of otherwise alike articles.
    await make_article(kb, "rank-title", title="Quokka habitats")
    await make_article(kb, "rank-summary", summary="A note on quokka habitats.")
    await make_article(kb, "rank-body", body="Plain body text that says quokka habitats.")
    # The more places a term is in, the more relevant.
    await make_article(
        kb, "wombat-everywhere", title="Wombat burrows", summary="All about wombat burrows.",
        body="Each wombat digs burrows.",
    )  # fmt: skip
    await make_article(kb, "wombat-summary", summary="Mentions a wombat once.")
    await make_article(kb, "wombat-body", body="Plain body text that mentions a wombat once.")
    # Two articles and three threads share a word.
    for n in (1, 2):
        await make_article(kb, f"platypus-article-{n}", body=f"Platypus facts number {n}.")
    for n in (1, 2, 3):
        await make_discussion(
            community, f"platypus-thread-{n}", body=f"Has anyone seen a platypus {n}?"
        )
    for n in range(ECHIDNAS):
        await make_article(
            kb, f"echidna-{n:02d}", title=f"Echidna care guide {n}", views=100 + n,
            body="Spines, snouts and echidna diets.",
        )  # fmt: skip
    # Words for the speller: certificates, entries, moderation, samples.
    await make_article(
        kb, "replacing-certificates", title="Replacing lost certificates",
        summary="How to order replacement certificates.",
        body="Order new certificates online; replacement certificates take ten days.",
        views=700,
    )  # fmt: skip
    await make_article(
        kb, "entries-and-registrations", title="Entries and registrations",
        summary="Making entries for each series.", views=500,
    )  # fmt: skip
    await make_article(
        kb, "late-entries", title="Late entries and fees", summary="Fees for late entries.",
        views=900,
    )  # fmt: skip
    await make_article(kb, "entry-codes", title="Entry codes", views=100)
    await make_article(
        kb, "uci-numbers", title="UCI Numbers", summary="Unique candidate identifiers.",
        views=50,
    )  # fmt: skip
    await make_article(
        kb, "moderation-samples", title="Moderation samples",
        summary="Sending moderation samples for grades.", views=300,
    )  # fmt: skip
    await make_article(kb, "grader-tools", title="Grader tools", summary="The grader app.")
    # Markup in an article's own text, shown as text.
    await make_article(
        kb, "markup-in-text", title="Using <b>bold</b> hazelnut markup",
        summary="Hazelnut text with <i>tags</i> in it.",
        body="Type `<script>alert(1)</script>` to see hazelnut escaping at work.",
    )  # fmt: skip
    await make_article(
        kb, "cafe-article", title="Meeting place", body="Meet us at the café for naïve questions."
    )
    await make_article(
        kb, "addresses-in-text", title="Quince desk addresses",
        body="Mail quince@deskmail.example or see www.quincehelp.example/forms/claims today.",
    )  # fmt: skip
    for slug, (roles, quals, subjects, topics, views) in TAGGED.items():
        await make_article(
            kb, slug, roles=roles, qualifications=quals, subjects=subjects, topics=topics,
            views=views,
        )  # fmt: skip


@pytest.fixture(scope="module", params=STORES)
def library_url(request, tmp_path_factory):
    yield from seeded_url(request, tmp_path_factory.mktemp("library"), _library)


@pytest.fixture
async def library(library_url, clock):
    """A KnowledgeBase over the module's seeded store: these tests only read."""
    async for knowledge_base_ in knowledge_base(library_url, clock):
        yield knowledge_base_


# PostgreSQL's 'english' parser would take "<word ...>" in text for a tag, dropping it and
# what a <script> element holds, and its index would keep accents that queries fold away:
# migration 0016 indexes the text with those characters read as spaces, accents removed.


def slugs(page_or_rows):
    rows = getattr(page_or_rows, "hits", page_or_rows)
    return [row.slug for row in rows]


ONLY_MARK = re.compile(r"<(?!/?mark>)[^>]*>")


def assert_only_marks(page):
    for hit in page.hits:
        for html in (hit.title_html, hit.snippet_html):
            assert not ONLY_MARK.search(html), html
            assert html.count("<mark>") == html.count("</mark>"), html


# Ranking, areas, paging --------------------------------------------------------------------


async def test_a_match_in_the_title_ranks_above_the_summary_above_the_body(library):
    page = await library.search("quokka")

    assert slugs(page) == ["rank-title", "rank-summary", "rank-body"]
    assert (page.total, page.pages, page.corrected) == (3, 1, None)


async def test_the_more_relevant_article_comes_first(library):
    page = await library.search("wombat")

    assert slugs(page) == ["wombat-everywhere", "wombat-summary", "wombat-body"]


async def test_every_term_must_match_before_any_term_will_do(library):
    assert slugs(await library.search("wombat burrows")) == ["wombat-everywhere"]
    # No document has both: then any of them.
    either = await library.search("quokka wombat")
    assert set(slugs(either)) == {
        "rank-title", "rank-summary", "rank-body",
        "wombat-everywhere", "wombat-summary", "wombat-body",
    }  # fmt: skip


async def test_the_area_narrows_hits_and_counts_cover_every_area(library):
    everything = await library.search("platypus")
    articles = await library.search("platypus", Area.ARTICLES)
    threads = await library.search("platypus", Area.DISCUSSIONS)

    counts = {Area.ALL: 5, Area.ARTICLES: 2, Area.DISCUSSIONS: 3}
    assert everything.counts == articles.counts == threads.counts == counts
    assert (everything.total, articles.total, threads.total) == (5, 2, 3)
    assert {hit.kind for hit in articles.hits} == {Area.ARTICLES}
    assert set(slugs(articles)) == {"platypus-article-1", "platypus-article-2"}
    assert {hit.kind for hit in threads.hits} == {Area.DISCUSSIONS}
    assert set(slugs(threads)) == {f"platypus-thread-{n}" for n in (1, 2, 3)}
    assert all(hit.reply_count == 0 and hit.views is None for hit in threads.hits)
    assert all(hit.views == 0 and hit.reply_count is None for hit in articles.hits)


async def test_page_two_holds_the_rest(library):
    first = await library.search("echidna")
    second = await library.search("echidna", page=2)

    assert (first.total, first.pages, first.page) == (ECHIDNAS, 2, 1)
    assert (second.total, second.pages, second.page) == (ECHIDNAS, 2, 2)
    assert len(first.hits) == 10 and len(second.hits) == ECHIDNAS - 10
    assert set(slugs(first)) | set(slugs(second)) == {f"echidna-{n:02d}" for n in range(ECHIDNAS)}
    assert not set(slugs(first)) & set(slugs(second))


async def test_a_page_past_the_end_shows_the_last_page(library):
    beyond = await library.search("echidna", page=7)
    last = await library.search("echidna", page=2)

    assert (beyond.page, beyond.pages) == (2, 2)
    assert slugs(beyond) == slugs(last) and len(slugs(beyond)) == ECHIDNAS - 10
    assert (await library.search("platypus", Area.ARTICLES, page=3)).page == 1


# Highlighting and hostile input -------------------------------------------------------------


async def test_matched_words_are_marked_in_the_title_and_snippet(library):
    page = await library.search("certificates")

    hit = page.hits[0]
    assert hit.slug == "replacing-certificates"
    assert hit.title_html == "Replacing lost <mark>certificates</mark>"
    assert "<mark>certificates</mark>" in hit.snippet_html
    assert_only_marks(page)


async def test_a_title_only_match_shows_the_summary_as_snippet(library):
    page = await library.search("uci")

    assert slugs(page) == ["uci-numbers"]
    assert page.hits[0].title_html == "<mark>UCI</mark> Numbers"
    assert page.hits[0].snippet_html == "Unique candidate identifiers."


async def test_markup_in_an_articles_text_is_never_markup_in_hits(library):
    for query in ("hazelnut", "bold", "markup", "escaping"):
        page = await library.search(query)
        assert slugs(page) == ["markup-in-text"], query
        assert "<b>" not in page.hits[0].title_html
        assert "<script" not in page.hits[0].snippet_html
        assert_only_marks(page)
    title = (await library.search("hazelnut")).hits[0].title_html
    assert "<mark>hazelnut</mark>" in title.lower()


async def test_markup_in_an_articles_text_is_searchable_and_shown_escaped(library):
    title = (await library.search("hazelnut")).hits[0].title_html
    assert "&lt;b&gt;bold&lt;/b&gt;" in title
    script = await library.search("alert")
    assert "&lt;script&gt;" in script.hits[0].snippet_html
    assert "<script" not in script.hits[0].snippet_html
    assert_only_marks(script)


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '"certificates',
    'certificates"',
    '""',
    "cert*",
    "*",
    "NEAR(certificates replacement, 2)",
    "certificates AND NOT replacement",
    "certificates OR entries",
    "-certificates",
    "title:certificates",
    "{title summary}: certificates",
    "((certificates)",
    "certificates)",
    "^certificates",
    "certificates & !entries | (",
    "certificates <-> entries",
    "'; DROP TABLE kb_articles; --",
    "\\",
    "\x00\x02\x03certificates\x03",
    "证书 сертификаты ✓ 🎓",
    "ünïcödé çertificates",
    "certificates " * 800,
    "x" * 10_240,
    "a-b c:d e*f",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_queries_never_raise_and_never_yield_markup(library, query):
    for page_number in (1, 2):
        page = await library.search(query, page=page_number)
        assert len(page.hits) <= 10
        assert_only_marks(page)
    # The store still works afterwards (no broken transaction, no dropped table).
    assert slugs(await library.search("uci")) == ["uci-numbers"]


async def test_syntax_characters_are_ignored_not_interpreted(library):
    plain = slugs(await library.search("replacing certificates"))

    assert plain == ["replacing-certificates"]
    for query in ('"replacing" -certificates', "replacing AND (certificates)", "replacing*:"):
        assert slugs(await library.search(query)) == plain, query


async def test_script_query_finds_only_what_contains_its_words(library):
    page = await library.search("<script>alert(1)</script>")

    assert slugs(page) == ["markup-in-text"]
    assert "<mark>script</mark>" in page.hits[0].snippet_html
    assert_only_marks(page)


async def test_accented_and_unaccented_spellings_find_each_other(library):
    for query, marked in [
        ("café", "café"),
        ("CAFE", "café"),
        ("naïve", "naïve"),
        ("NAIVE", "naïve"),
    ]:
        page = await library.search(query)
        assert slugs(page) == ["cafe-article"], query
        assert f"<mark>{marked}</mark>" in page.hits[0].snippet_html, query


async def test_words_in_addresses_and_paths_are_words(library):
    # PostgreSQL's parser would read each of these as one e-mail, host or path token.
    for query in ("deskmail", "quincehelp", "forms", "claims"):
        page = await library.search(query)
        assert slugs(page) == ["addresses-in-text"], query
        assert f"<mark>{query}</mark>" in page.hits[0].snippet_html, query


async def test_postgresqls_stopwords_are_ours_so_both_stores_agree(library):
    # "very" is one of PostgreSQL's 'english' stopwords: neither store searches for it,
    # and a query made of such words is empty, not a missed search.
    assert query_terms("very very own") == []
    assert (await library.search("very")).total == 0
    assert (await library.search("very certificates")).total == (
        await library.search("certificates")
    ).total


async def test_a_stopword_only_query_is_an_empty_result_and_not_recorded(kb):
    await make_article(kb, "the-article", title="The article of the year")

    page = await kb.search("the of and")

    assert (page.hits, page.total, page.pages, page.corrected) == ([], 0, 1, None)
    assert page.counts == dict.fromkeys(Area, 0)
    assert await kb.missed_queries() == []


# Near-miss spellings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "corrected", "first"),
    [
        ("certficates", "certificates", "replacing-certificates"),
        ("entires", "entries", "late-entries"),
        ("moderaton", "moderation", "moderation-samples"),
        ("modreation", "moderation", "moderation-samples"),  # two letters swapped
        ("moderaton smaples", "moderation samples", "moderation-samples"),
        ("replacment certficates", "replacement certificates", "replacing-certificates"),
    ],
)
async def test_a_near_miss_spelling_is_corrected(library, typed, corrected, first):
    page = await library.search(typed)

    assert page.corrected == corrected
    assert first in slugs(page)
    assert page.query == typed


async def test_a_typo_is_never_corrected_to_a_stopword(library):
    # "with" is in the documents, but a stopword is never a search term.
    page = await library.search("wiht moderaton")

    assert slugs(page) == ["moderation-samples"]
    assert "with" not in page.corrected.split()


async def test_a_correctly_spelled_rare_word_is_not_corrected(library):
    page = await library.search("grader")

    assert slugs(page) == ["grader-tools"]
    assert page.corrected is None


@pytest.mark.parametrize("engine", ["shared engine", "own engine"])
async def test_the_vocabulary_follows_updates_on_every_node(kb, database_url, clock, engine):
    await make_article(kb, "airships", title="Airships", body="Balloons and blimps.")
    other_engine = kb._engine if engine == "shared engine" else make_engine(database_url)
    other_node = KnowledgeBase(other_engine, clock)
    try:
        for node in (kb, other_node):  # each node has loaded the vocabulary
            assert (await node.search("zepelins")).total == 0
        await make_article(kb, "airships", title="Airships", body="Balloons, blimps and zeppelins.")
        for node in (other_node, kb):
            found = await node.search("zepelins")
            assert (found.corrected, slugs(found)) == ("zeppelins", ["airships"])
        await make_article(kb, "airships", title="Airships", body="Balloons and blimps.")
        for node in (other_node, kb):
            gone = await node.search("zepelins")
            assert (gone.corrected, gone.total) == (None, 0)
    finally:
        if other_engine is not kb._engine:
            await other_engine.dispose()


async def test_a_word_still_used_by_another_document_stays_a_correction_target(kb):
    await make_article(kb, "first", body="Notes about zeppelins.")
    await make_article(kb, "second", body="More about zeppelins.")
    await make_article(kb, "first", body="Notes about nothing much.")

    page = await kb.search("zepelins")

    assert (page.corrected, slugs(page)) == ("zeppelins", ["second"])


# Missed queries ------------------------------------------------------------------------------


async def test_a_query_that_finds_nothing_is_recorded_once_per_folded_text(kb, clock):
    await make_article(kb, "something", title="Something else entirely")

    first_at = clock.now()
    assert (await kb.search("Zebra  Crossings")).total == 0
    clock.advance(minutes=5)
    assert (await kb.search("  zebra CROSSINGS ")).total == 0

    [missed] = await kb.missed_queries()
    assert (missed.times, missed.first_at, missed.last_at) == (2, first_at, clock.now())
    assert missed.query == "zebra CROSSINGS"  # as last typed, spaces tidied


async def test_concurrent_misses_of_one_query_are_all_counted(kb):
    async with asyncio.timeout(60):
        await asyncio.gather(
            *(kb.search(f"Zebra crossings {'' if n % 2 else ' '}") for n in range(12))
        )

    assert [(m.query, m.times) for m in await kb.missed_queries()] == [("Zebra crossings", 12)]


async def test_later_pages_and_queries_with_results_are_not_recorded(kb):
    await make_article(kb, "something", title="Something else entirely")

    await kb.search("zebra crossings", page=2)
    await kb.search("something")
    assert await kb.missed_queries() == []
    await kb.search("zebra crossings")
    assert [m.query for m in await kb.missed_queries()] == ["zebra crossings"]


async def test_missed_queries_are_listed_most_frequent_first(kb):
    for query in ("rare miss", "common miss", "common miss", "Common Miss"):
        await kb.search(query)

    assert [(m.query.lower(), m.times) for m in await kb.missed_queries()] == [
        ("common miss", 3),
        ("rare miss", 1),
    ]


# Suggestions ---------------------------------------------------------------------------------


async def test_suggestions_match_prefixes_of_title_words_most_viewed_first(library):
    assert slugs(await library.suggest("ent")) == [
        "late-entries", "entries-and-registrations", "entry-codes",
    ]  # fmt: skip
    assert slugs(await library.suggest("uci num")) == ["uci-numbers"]
    assert slugs(await library.suggest("UCI  NUMBERS")) == ["uci-numbers"]


async def test_suggestions_are_at_most_eight(library):
    found = await library.suggest("echid")

    assert slugs(found) == [f"echidna-{n:02d}" for n in range(ECHIDNAS - 1, ECHIDNAS - 9, -1)]


async def test_suggestions_ignore_words_only_in_the_summary_or_body(library):
    assert slugs(await library.suggest("quok")) == ["rank-title"]
    assert await library.suggest("identif") == []  # uci-numbers' summary
    assert await library.suggest("spines") == []  # the echidnas' body


@pytest.mark.parametrize("typed", ["", "e", "  ", "the", "*", '"'])
async def test_too_little_typed_suggests_nothing(library, typed):
    assert await library.suggest(typed) == []


# Browse Articles ---------------------------------------------------------------------------


async def test_browse_finds_words_in_the_title_or_summary_only(library):
    found = await library.browse(BrowseFilters(q="quokka"))

    assert (slugs(found.rows), found.total) == (["rank-title", "rank-summary"], 2)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"role": "Exams Officers"}, ["tagged-eo-gcse-maths", "tagged-eo-alevel-maths"]),
        ({"qualification": "GCSE"}, ["tagged-eo-gcse-maths", "tagged-student-gcse-history"]),
        ({"subject": "Mathematics"}, ["tagged-eo-gcse-maths", "tagged-eo-alevel-maths"]),
        ({"topic": "Certificates"}, ["tagged-eo-gcse-maths", "tagged-student-gcse-history"]),
        ({"topic": "Payments"}, ["tagged-associate-payments"]),
        ({"role": "Exams Officers", "qualification": "GCSE"}, ["tagged-eo-gcse-maths"]),
        ({"role": "Exams Officers", "topic": "Results"}, ["tagged-eo-alevel-maths"]),
        ({"qualification": "GCSE", "subject": "History", "topic": "Certificates"},
         ["tagged-student-gcse-history"]),
        ({"role": "Students", "topic": "Results"}, []),
        ({"role": "Nobody"}, []),
    ],
)  # fmt: skip
async def test_browse_filters_narrow_together(library, filters, expected):
    found = await library.browse(BrowseFilters(**filters))

    assert (slugs(found.rows), found.total) == (expected, len(expected))
    assert (found.page, found.pages) == (1, 1)


async def test_browse_words_and_filters_combine(library):
    with_word = await library.browse(BrowseFilters(q="plain heading", role="Exams Officers"))

    assert slugs(with_word.rows) == ["tagged-eo-gcse-maths", "tagged-eo-alevel-maths"]
    assert (await library.browse(BrowseFilters(q="echidna", role="Students"))).total == 0


async def test_browse_without_filters_lists_everything_by_views(library):
    first = await library.browse(BrowseFilters())
    total = first.total
    rows = list(first.rows)
    for number in range(2, first.pages + 1):
        rows += (await library.browse(BrowseFilters(page=number))).rows

    assert total == len(rows) == len(set(slugs(rows))) > 30
    assert first.pages == -(-total // 10)
    views = [row.views for row in rows]
    assert views == sorted(views, reverse=True)
    assert rows[0].slug == "tagged-associate-payments"


async def test_browse_pages_and_clamps_a_page_past_the_end(library):
    first = await library.browse(BrowseFilters(q="echidna"))
    second = await library.browse(BrowseFilters(q="echidna", page=2))
    beyond = await library.browse(BrowseFilters(q="echidna", page=50))

    assert (first.total, first.pages, len(first.rows)) == (ECHIDNAS, 2, 10)
    assert slugs(second.rows) == [f"echidna-{n:02d}" for n in (2, 1, 0)]
    assert (beyond.page, slugs(beyond.rows)) == (2, slugs(second.rows))
    assert slugs(first.rows)[0] == f"echidna-{ECHIDNAS - 1:02d}"


async def test_browse_rows_carry_their_tags(library):
    [row] = (await library.browse(BrowseFilters(role="Associates"))).rows

    assert row.tags.roles == ("Associates",) and row.tags.topics == ("Payments",)
    options = await library.filter_options()
    assert "Exams Officers" in options["role"] and "Mathematics" in options["subject"]
