"""Articles on both stores: articles just for you, views counted once per visitor per UK
day, and helpful/not helpful feedback."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from frontdesk.errors import NotFound
from frontdesk.kb.community import Community
from frontdesk.kb.models import ForYouIn, VoteIn
from frontdesk.kb.service import KnowledgeBase
from tests.conftest import STORES
from tests.kb_factories import knowledge_base, make_article, seeded_url

# On both stores: tallies and views rely on the store's upserts and row locks.
pytestmark = pytest.mark.both_stores

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36"
)
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "",
    "   ",
]

EO = ["Exams Officers"]
CERTS = ["Certificates"]
DELIVERY = [*CERTS, "Certificate Delivery"]
RECEIPT = [*DELIVERY, "Certificate Receipt Dates"]
FOR_YOU_ARTICLES = {
    # slug: tags and views; each next article fits one more (narrower) Contact Us choice
    "popular": ({}, 10_000),
    "students-general": ({"roles": ["Students & Parents"]}, 9_000),
    "eo-general-a": ({"roles": EO}, 500),
    "eo-general-b": ({"roles": EO}, 800),
    "eo-certificates": ({"roles": EO, "topics": CERTS}, 100),
    "eo-delivery": ({"roles": EO, "topics": DELIVERY}, 50),
    "eo-receipt": ({"roles": EO, "topics": RECEIPT}, 10),
    "eo-receipt-gcse": ({"roles": EO, "topics": RECEIPT, "qualifications": ["GCSE"]}, 5),
    "eo-receipt-gcse-maths": (
        {"roles": EO, "topics": RECEIPT, "qualifications": ["GCSE"], "subjects": ["Mathematics"]},
        1,
    ),
}
PATH = [
    ("customer_type", "Exams Officers"),
    ("issue_type", "Certificates"),
    ("category", "Certificate Delivery"),
    ("subcategory", "Certificate Receipt Dates"),
    ("qualification", "GCSE"),
    ("qualification_subject", "Mathematics"),
]
MOST_VIEWED = ["popular", "students-general", "eo-general-b", "eo-general-a"]


async def _for_you_articles(kb: KnowledgeBase, _: Community) -> None:
    for slug, (tags, views) in FOR_YOU_ARTICLES.items():
        await make_article(kb, slug, views=views, **tags)


@pytest.fixture(scope="module", params=STORES)
def for_you_url(request, tmp_path_factory):
    yield from seeded_url(request, tmp_path_factory.mktemp("for-you"), _for_you_articles)


@pytest.fixture
async def for_you_kb(for_you_url, clock):
    async for knowledge_base_ in knowledge_base(for_you_url, clock):
        yield knowledge_base_


@pytest.fixture
async def article(kb):
    await make_article(kb, "replacing-certificates", title="Replacing certificates", views=7)
    return await kb.article("replacing-certificates")


def slugs(rows):
    return [row.slug for row in rows]


# Articles just for you ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (1, ["eo-general-b", "eo-general-a", "eo-certificates", "eo-delivery"]),
        (2, ["eo-certificates", "eo-delivery", "eo-receipt", "eo-receipt-gcse"]),
        (3, ["eo-delivery", "eo-receipt", "eo-receipt-gcse", "eo-receipt-gcse-maths"]),
        (4, ["eo-receipt", "eo-receipt-gcse", "eo-receipt-gcse-maths", "eo-delivery"]),
        (5, ["eo-receipt-gcse", "eo-receipt-gcse-maths", "eo-receipt", "eo-delivery"]),
        (6, ["eo-receipt-gcse-maths", "eo-receipt-gcse", "eo-receipt", "eo-delivery"]),
    ],
    ids=[name for name, _ in PATH],
)
async def test_each_choice_along_the_path_brings_the_best_fit_first(for_you_kb, chosen, expected):
    choices = ForYouIn(**dict(PATH[:chosen]))

    assert slugs(await for_you_kb.for_you(choices)) == expected


async def test_a_narrow_choice_outweighs_a_broad_one_and_views(for_you_kb):
    choices = ForYouIn(customer_type="Students & Parents", subcategory="Certificate Receipt Dates")

    found = slugs(await for_you_kb.for_you(choices))

    assert found == ["eo-receipt", "eo-receipt-gcse", "eo-receipt-gcse-maths", "students-general"]


async def test_no_choices_bring_the_most_viewed(for_you_kb):
    assert slugs(await for_you_kb.for_you(ForYouIn())) == MOST_VIEWED


async def test_choices_that_fit_nothing_bring_the_most_viewed(for_you_kb):
    choices = ForYouIn(customer_type="Nobody", issue_type="Nothing", qualification="None")

    assert slugs(await for_you_kb.for_you(choices)) == MOST_VIEWED


async def test_for_you_takes_a_limit(for_you_kb):
    found = await for_you_kb.for_you(ForYouIn(customer_type="Exams Officers"), limit=10)

    assert len(found) == 7 and "popular" not in slugs(found)


# Views -------------------------------------------------------------------------------------


async def views(kb, slug="replacing-certificates"):
    return (await kb.article(slug)).views


async def test_a_visitor_is_counted_once_a_day(kb, article):
    first = await kb.read_article(article.slug, "visitor-1", BROWSER)
    again = await kb.read_article(article.slug, "visitor-1", BROWSER)

    assert (first.views, again.views) == (8, 8)
    assert await views(kb) == 8


async def test_a_second_visitor_counts(kb, article):
    await kb.read_article(article.slug, "visitor-1", BROWSER)
    await kb.read_article(article.slug, "visitor-2", BROWSER)

    assert await views(kb) == 9


@pytest.mark.parametrize("user_agent", BOTS, ids=["googlebot", "curl", "empty", "blank"])
async def test_bots_are_not_counted(kb, article, user_agent):
    shown = await kb.read_article(article.slug, "crawler", user_agent)

    assert shown.views == 7 and shown.title == "Replacing certificates"
    assert await views(kb) == 7


@pytest.mark.parametrize(
    ("last_of_day", "first_of_next"),
    [
        # Summer: BST is UTC+1, so the UK day ends at 23:00 UTC.
        (datetime(2026, 6, 15, 22, 59, 59, tzinfo=UTC), datetime(2026, 6, 15, 23, 0, tzinfo=UTC)),
        # Winter: GMT, the UK day ends at midnight UTC.
        (datetime(2026, 1, 15, 23, 59, 59, tzinfo=UTC), datetime(2026, 1, 16, 0, 0, tzinfo=UTC)),
    ],
    ids=["bst", "gmt"],
)
async def test_the_day_turns_at_uk_midnight(kb, article, clock, last_of_day, first_of_next):
    clock.set(last_of_day.replace(hour=last_of_day.hour - 1, minute=0))
    await kb.read_article(article.slug, "visitor-1", BROWSER)
    clock.set(last_of_day)
    await kb.read_article(article.slug, "visitor-1", BROWSER)
    assert await views(kb) == 8
    clock.set(first_of_next)
    await kb.read_article(article.slug, "visitor-1", BROWSER)
    assert await views(kb) == 9


async def test_utc_midnight_in_summer_is_not_a_new_uk_day(kb, article, clock):
    clock.set(datetime(2026, 6, 15, 23, 30, tzinfo=UTC))  # 00:30 BST on the 16th
    await kb.read_article(article.slug, "visitor-1", BROWSER)
    clock.set(datetime(2026, 6, 16, 0, 30, tzinfo=UTC))  # 01:30 BST on the 16th
    await kb.read_article(article.slug, "visitor-1", BROWSER)

    assert await views(kb) == 8


async def test_reading_an_unknown_article_is_not_found(kb):
    with pytest.raises(NotFound):
        await kb.read_article("no-such-article", "visitor-1", BROWSER)


# Feedback ------------------------------------------------------------------------------------


async def tallies(kb, slug="replacing-certificates"):
    found = await kb.article(slug)
    return found.helpful_yes, found.helpful_no


async def test_a_visitor_has_one_vote_which_they_can_change(kb, article):
    assert await kb.vote_of(article.slug, "visitor-1") is None
    await kb.vote(article.slug, "visitor-1", VoteIn(helpful=True))
    await kb.vote(article.slug, "visitor-1", VoteIn(helpful=True))
    assert await tallies(kb) == (1, 0)

    await kb.vote(article.slug, "visitor-1", VoteIn(helpful=False))
    assert await tallies(kb) == (0, 1)
    await kb.vote(article.slug, "visitor-1", VoteIn(helpful=True))
    assert await tallies(kb) == (1, 0)
    await kb.vote(article.slug, "visitor-2", VoteIn(helpful=False))
    assert await tallies(kb) == (1, 1)
    assert (await kb.vote_of(article.slug, "visitor-1")).helpful is True
    assert (await kb.vote_of(article.slug, "visitor-2")).helpful is False


async def test_a_comment_is_kept_until_replaced_or_cleared(kb, article):
    await kb.vote(article.slug, "v", VoteIn(helpful=False, comment="  Out of date.  "))
    assert (await kb.vote_of(article.slug, "v")).comment == "Out of date."

    kept = await kb.vote(article.slug, "v", VoteIn(helpful=True))
    assert kept.comment == "Out of date."
    assert (await kb.vote_of(article.slug, "v")).model_dump() == {
        "helpful": True,
        "comment": "Out of date.",
    }

    await kb.vote(article.slug, "v", VoteIn(helpful=True, comment="Fixed now, thanks."))
    assert (await kb.vote_of(article.slug, "v")).comment == "Fixed now, thanks."

    cleared = await kb.vote(article.slug, "v", VoteIn(helpful=True, comment=""))
    assert cleared.comment is None
    assert (await kb.vote_of(article.slug, "v")).comment is None
    assert (await kb.vote(article.slug, "v", VoteIn(helpful=False))).comment is None


async def test_the_report_shows_shares_and_comment_counts(kb, clock):
    await make_article(kb, "mostly-helpful", title="Mostly helpful", views=40)
    await make_article(kb, "unhelpful", title="Unhelpful", views=10)
    await make_article(kb, "unvoted", title="Unvoted")
    for visitor, helpful in (("a", True), ("b", True), ("c", True), ("d", False)):
        await kb.vote("mostly-helpful", visitor, VoteIn(helpful=helpful))
    await kb.vote("unhelpful", "a", VoteIn(helpful=False, comment="Wrong dates."))
    clock.advance(minutes=1)
    await kb.vote("unhelpful", "b", VoteIn(helpful=False, comment="Too long."))
    clock.advance(minutes=1)
    await kb.vote("unhelpful", "c", VoteIn(helpful=True, comment=""))

    report = await kb.feedback_report()

    assert [row.slug for row in report] == ["unhelpful", "mostly-helpful"]
    unhelpful, mostly = report
    assert (unhelpful.helpful_yes, unhelpful.helpful_no, unhelpful.comments) == (1, 2, 2)
    assert unhelpful.helpful_share == pytest.approx(1 / 3)
    assert (mostly.votes, mostly.helpful_share, mostly.comments, mostly.views) == (4, 0.75, 0, 40)

    article, comments = await kb.feedback_comments("unhelpful")
    assert article.slug == "unhelpful"
    assert [(c.comment, c.helpful) for c in comments] == [
        ("Too long.", False),
        ("Wrong dates.", False),
    ]
    assert comments[0].updated_at == datetime(2026, 6, 15, 10, 1, tzinfo=UTC)


async def test_feedback_on_an_unknown_article_is_not_found(kb):
    with pytest.raises(NotFound):
        await kb.vote("no-such-article", "v", VoteIn(helpful=True))
    with pytest.raises(NotFound):
        await kb.vote_of("no-such-article", "v")
    with pytest.raises(NotFound):
        await kb.feedback_comments("no-such-article")
    with pytest.raises(NotFound):
        await kb.article("no-such-article")


async def test_concurrent_votes_by_different_visitors_are_all_counted(kb, article):
    votes = [
        kb.vote(article.slug, f"visitor-{n}", VoteIn(helpful=n % 4 != 0, comment=f"note {n}"))
        for n in range(20)
    ]
    async with asyncio.timeout(60):
        await asyncio.gather(*votes)

    assert await tallies(kb) == (15, 5)
    [row] = await kb.feedback_report()
    assert (row.votes, row.comments) == (20, 20)


async def test_concurrent_changes_of_mind_keep_the_tallies_in_step(kb, article):
    for n in range(10):
        await kb.vote(article.slug, f"visitor-{n}", VoteIn(helpful=True))
    changes = [kb.vote(article.slug, f"visitor-{n}", VoteIn(helpful=False)) for n in range(10)]
    async with asyncio.timeout(60):
        await asyncio.gather(*changes)

    assert await tallies(kb) == (0, 10)


async def test_concurrent_reads_by_different_visitors_all_count(kb, article):
    reads = [kb.read_article(article.slug, f"visitor-{n}", BROWSER) for n in range(15)]
    async with asyncio.timeout(60):
        await asyncio.gather(*reads)

    assert await views(kb) == 7 + 15


async def test_concurrent_reads_by_one_visitor_count_once(kb, article):
    reads = [kb.read_article(article.slug, "visitor-1", BROWSER) for _ in range(10)]
    async with asyncio.timeout(60):
        await asyncio.gather(*reads)

    assert await views(kb) == 8


async def test_one_visitors_concurrent_votes_count_once(kb, article):
    # A double click, or two tabs: every vote lands, the last one wins, one is counted.
    clicks = [kb.vote(article.slug, "visitor-1", VoteIn(helpful=n % 2 == 0)) for n in range(12)]
    async with asyncio.timeout(60):
        await asyncio.gather(*clicks)

    yes, no = await tallies(kb)
    assert yes + no == 1
    assert (await kb.vote_of(article.slug, "visitor-1")).helpful is (yes == 1)
