"""The knowledge base's bounds on work (search.Limits), made small so a few articles
cross them: capped counts, ranking a broad query's newest matches, and suggestions read
by views, which must agree with suggestions collected from the title index."""

from __future__ import annotations

import pytest

from frontdesk.db.engine import make_engine
from frontdesk.kb.community import Community
from frontdesk.kb.models import Area, BrowseFilters
from frontdesk.kb.search import Limits
from frontdesk.kb.service import KnowledgeBase
from tests.kb_factories import make_article, make_discussion

# On both stores: search limits are per store.
pytestmark = pytest.mark.both_stores

SMALL = Limits(count_cap=3, rank_window=4, many_titles=2)


@pytest.fixture
async def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def kb(engine, clock):
    return KnowledgeBase(engine, clock, SMALL)


@pytest.fixture
def community(engine, clock):
    return Community(engine, clock)


@pytest.fixture
def unbounded(engine, clock):
    return KnowledgeBase(engine, clock, Limits(count_cap=10_000, rank_window=10_000))


async def six_entry_articles(kb):
    """Oldest first; the oldest two have "entries" in their titles, the rest in the body;
    and ten others without the word, so that it tells documents apart."""
    for n in range(10):
        await make_article(kb, f"other-{n}", title=f"Certificates {n}")
    for n in range(6):
        where = {"title": f"Entries guide {n}"} if n < 2 else {"body": f"About entries {n}."}
        await make_article(kb, f"guide-{n}", views=n, **where)


async def test_counts_stop_past_the_cap_and_say_there_are_more(kb, community):
    await six_entry_articles(kb)
    await make_discussion(community, "entries-thread", body="Our entries are late.")

    page = await kb.search("entries")

    assert page.counts == {Area.ALL: 3, Area.ARTICLES: 3, Area.DISCUSSIONS: 1}
    assert page.more == {Area.ALL, Area.ARTICLES}
    assert page.total == 3


async def test_a_query_under_the_cap_is_counted_exactly_and_ranked_whole(kb, unbounded):
    await make_article(kb, "body-only", body="Moderation samples are due.")
    await make_article(kb, "in-title", title="Moderation samples")

    page = await kb.search("moderation")

    assert (page.total, page.more) == (2, set())
    assert [hit.slug for hit in page.hits] == ["in-title", "body-only"]
    ranked_whole = await unbounded.search("moderation")
    assert [hit.slug for hit in ranked_whole.hits] == ["in-title", "body-only"]


async def test_a_broad_query_ranks_only_its_newest_matches(kb, unbounded):
    await six_entry_articles(kb)

    ranked_whole = [hit.slug for hit in (await unbounded.search("entries")).hits]
    broad = [hit.slug for hit in (await kb.search("entries")).hits]

    # Ranked whole, the title matches (the two oldest) come first; a broad query ranks
    # the newest four, which match in the body only.
    assert sorted(ranked_whole[:2]) == ["guide-0", "guide-1"]
    assert sorted(broad) == ["guide-2", "guide-3", "guide-4", "guide-5"]


@pytest.mark.parametrize("typed", ["en", "ent", "entries g", "uci", "uci nu", "zz"])
async def test_suggestions_read_by_views_agree_with_the_title_index(kb, unbounded, typed):
    titles = ["Entries guide", "Entry deadlines", "Late entries", "UCI numbers"]
    titles += ["UCI generator", "Entries: UK centre deadlines", "Results day"]
    for n, title in enumerate(titles):
        await make_article(kb, f"article-{n}", title=title, views=100 - n * 7)

    by_views = [row.slug for row in await kb.suggest(typed)]  # many_titles=2: views path
    by_index = [row.slug for row in await unbounded.suggest(typed)]

    assert by_views == by_index
    if typed == "ent":
        assert by_views == ["article-0", "article-1", "article-2", "article-5"]


async def test_a_suggestion_statement_built_once_serves_other_words(kb, unbounded):
    for n, title in enumerate(["Entries guide", "UCI numbers", "Late entries", "UCI generator"]):
        await make_article(kb, f"article-{n}", title=title, views=10 - n)

    for engine_kb in (kb, unbounded):  # both ways: read by views, and from the title index
        assert [r.slug for r in await engine_kb.suggest("ent")] == ["article-0", "article-2"]
        assert [r.slug for r in await engine_kb.suggest("uci")] == ["article-1", "article-3"]
        assert [r.slug for r in await engine_kb.suggest("uci gen")] == ["article-3"]
        assert [r.slug for r in await engine_kb.suggest("late ent")] == ["article-2"]


async def test_in_a_broad_query_title_matches_come_first_then_the_newest(kb, database_url):
    for n in range(10):
        await make_article(kb, f"other-{n}", title=f"Certificates {n}")
    for n in range(6):
        where = {"title": "Entries explained"} if n == 3 else {"body": f"About entries {n}."}
        await make_article(kb, f"guide-{n}", **where)

    page = await kb.search("entries")  # six matches: broad past count_cap=3, window of 4

    assert [hit.slug for hit in page.hits] == ["guide-3", "guide-5", "guide-4", "guide-2"]


BROWSED = [
    BrowseFilters(q="entries"),
    BrowseFilters(q="entries", role="Exams Officers"),
    BrowseFilters(q="late entries", qualification="GCSE"),
    BrowseFilters(role="Exams Officers", qualification="GCSE"),
    BrowseFilters(q="entries", page=2),
    BrowseFilters(q="nothing"),
]


@pytest.mark.parametrize("filters", BROWSED, ids=range(len(BROWSED)))
async def test_browse_read_by_views_agrees_with_the_index(engine, clock, unbounded, filters):
    for n in range(14):
        await make_article(
            unbounded, f"article-{n}", views=100 - n,
            title="Late entries" if n % 3 else "Entries guide", summary="About the fees.",
            roles=["Exams Officers"] if n % 2 else ["Students"],
            qualifications=["GCSE"] if n % 4 else ["A Level"],
        )  # fmt: skip
    by_views = KnowledgeBase(engine, clock, Limits(many_browsed=0))

    read_by_views, from_index = await by_views.browse(filters), await unbounded.browse(filters)

    assert [row.slug for row in read_by_views.rows] == [row.slug for row in from_index.rows]
    assert (read_by_views.total, read_by_views.pages) == (from_index.total, from_index.pages)
    if filters == BROWSED[1]:
        assert [row.slug for row in from_index.rows] == [
            f"article-{n}" for n in (1, 3, 5, 7, 9, 11, 13)
        ]
