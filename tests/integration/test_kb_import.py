"""Importing Markdown folders into the knowledge base, on both stores: idempotent,
updates follow the files, a bad folder changes nothing; and `frontdesk kb import`."""

from __future__ import annotations

import logging
import textwrap

import pytest

from frontdesk.__main__ import main
from frontdesk.db.tables import (
    kb_article_tags,
    kb_articles,
    kb_discussions,
    kb_documents,
    kb_replies,
    kb_words,
)
from frontdesk.errors import Invalid
from frontdesk.kb.importer import DEMO_CONTENT, import_folder, read_folder
from frontdesk.kb.models import Area, ReplyPostIn
from tests.kb_factories import count_rows

# On both stores: an import is one transaction in the store.
pytestmark = pytest.mark.both_stores

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"

ARTICLES = {
    "replacing-certificates": """\
        ---
        title: "Replacing certificates"
        summary: "How to order a replacement certificate."
        roles: [Exams Officers, Students & Parents]
        qualifications: [GCSE]
        subjects: []
        topics: [Certificates, Replacement Certificates]
        updated: 2026-03-01
        views: 120
        ---
        ## Ordering

        Order a **replacement** through Northgate Online; it takes ten working days.
        """,
    "uci-numbers": """\
        ---
        title: "UCI Numbers"
        summary: "What a Unique Candidate Identifier is."
        roles: [Exams Officers]
        topics: [Entries & Registrations, UCI Numbers]
        updated: 2026-01-28
        views: 50
        ---
        A UCI has 13 characters; the last is a check character.
        """,
}
DISCUSSIONS = {
    "uci-invalid-check-character": """\
        ---
        title: "UCI rejected with 'invalid check character'"
        author: "Gareth Lloyd"
        author_role: "Administrators"
        created: 2026-02-11T14:22:00
        topics: [UCI Numbers]
        replies:
          - author: "Hannah Osei"
            created: 2026-02-11T14:51:00
            body: |
              Our MIS export had trimmed the last character off.
          - author: "Northgate Qualification Services"
            staff: true
            answer: true
            created: 2026-02-12T09:05:00
            body: |
              Please regenerate rather than editing by hand.
        ---
        About 30 candidates are rejected with **invalid check character**.
        """,
}
TABLES = (kb_articles, kb_article_tags, kb_documents, kb_discussions, kb_replies)


def write(folder, kind, slug, text):
    path = folder / kind / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path):
    folder = tmp_path / "content"
    for slug, text in ARTICLES.items():
        write(folder, "articles", slug, text)
    for slug, text in DISCUSSIONS.items():
        write(folder, "discussions", slug, text)
    return folder


async def row_counts(kb):
    return {table.name: await count_rows(kb, table) for table in TABLES}


def slugs(page):
    return [hit.slug for hit in page.hits]


async def test_a_folder_imports_articles_threads_and_their_replies(kb, community, content):
    report = await import_folder(kb, community, content)

    assert dict(report.counts) == {("articles", "created"): 2, ("discussions", "created"): 1}
    assert str(report) == "2 articles created, 1 discussion created"
    article = await kb.article("replacing-certificates")
    assert (article.title, article.views) == ("Replacing certificates", 120)
    assert article.tags.roles == ("Exams Officers", "Students & Parents")
    assert article.tags.topics == ("Certificates", "Replacement Certificates")
    assert "<h2>Ordering</h2>" in article.body_html
    thread = await community.discussion("uci-invalid-check-character")
    assert [reply.author_name for reply in thread.replies] == [
        "Hannah Osei",
        "Northgate Qualification Services",
    ]
    assert thread.answer_id == thread.replies[1].id and thread.replies[1].is_staff
    assert slugs(await kb.search("regenerate")) == ["uci-invalid-check-character"]
    assert slugs(await kb.search("ten working days")) == ["replacing-certificates"]


async def test_a_second_import_changes_nothing(kb, community, content):
    await import_folder(kb, community, content)
    before = await row_counts(kb)
    words = await count_rows(kb, kb_words)

    report = await import_folder(kb, community, content)

    assert dict(report.counts) == {("articles", "unchanged"): 2, ("discussions", "unchanged"): 1}
    assert await row_counts(kb) == before
    assert before == {
        "kb_articles": 2, "kb_article_tags": 8, "kb_documents": 3, "kb_discussions": 1,
        "kb_replies": 2,
    }  # fmt: skip
    assert await count_rows(kb, kb_words) == words
    assert (await kb.search("replacement")).total == 1


async def test_a_changed_file_is_updated_and_searched_by_its_new_words(kb, community, content):
    await import_folder(kb, community, content)
    changed = ARTICLES["replacing-certificates"].replace(
        "Order a **replacement** through Northgate Online; it takes ten working days.",
        "Send the signed form by courier; allow fifteen days.",
    )
    write(content, "articles", "replacing-certificates", changed)

    report = await import_folder(kb, community, content)

    assert dict(report.counts) == {
        ("articles", "unchanged"): 1, ("articles", "updated"): 1,
        ("discussions", "unchanged"): 1,
    }  # fmt: skip
    assert slugs(await kb.search("courier")) == ["replacing-certificates"]
    assert (await kb.search("northgate online")).total == 0
    assert (await row_counts(kb))["kb_documents"] == 3


async def test_a_changed_thread_replaces_its_replies(kb, community, content):
    await import_folder(kb, community, content)
    changed = DISCUSSIONS["uci-invalid-check-character"].replace(
        "Please regenerate rather than editing by hand.", "Use the UCI generator instead."
    )
    write(content, "discussions", "uci-invalid-check-character", changed)

    await import_folder(kb, community, content)

    thread = await community.discussion("uci-invalid-check-character")
    assert [r.body_html for r in thread.replies][-1] == "<p>Use the UCI generator instead.</p>\n"
    assert (thread.reply_count, await count_rows(kb, kb_replies)) == (2, 2)
    assert thread.answer_id == thread.replies[1].id
    assert (await kb.search("regenerate")).total == 0
    assert slugs(await kb.search("generator")) == ["uci-invalid-check-character"]


async def test_replies_posted_on_the_site_survive_a_reimport(services, agent, content):
    kb, community = services.kb, services.community
    await import_folder(kb, community, content)
    posted = await community.reply(
        agent, "uci-invalid-check-character", ReplyPostIn(body="Fixed now.")
    )
    await community.mark_answer(agent, "uci-invalid-check-character", posted.id)
    changed = DISCUSSIONS["uci-invalid-check-character"].replace("answer: true", "answer: false")
    write(content, "discussions", "uci-invalid-check-character", changed)

    await import_folder(kb, community, content)

    thread = await community.discussion("uci-invalid-check-character")
    assert [r.body_html for r in thread.replies][-1] == "<p>Fixed now.</p>\n"
    assert thread.reply_count == len(thread.replies) == 3
    assert thread.answer_id == posted.id  # the file marks none now: the site's mark stays
    assert slugs(await kb.search("fixed")) == ["uci-invalid-check-character"]


async def test_views_are_kept_across_a_reimport(kb, community, content):
    await import_folder(kb, community, content)
    await kb.read_article("uci-numbers", "visitor-1", BROWSER)
    write(content, "articles", "uci-numbers", ARTICLES["uci-numbers"].replace("13", "thirteen"))

    report = await import_folder(kb, community, content)

    assert report.counts["articles", "updated"] == 1
    assert (await kb.article("uci-numbers")).views == 51


BAD_FILES = {
    "bad-yaml": ("---\ntitle: [unclosed\nsummary: x\n---\nBody.\n", "cannot be read"),
    "no-title": (
        "---\nsummary: A summary.\nupdated: 2026-01-01\n---\nBody.\n",
        "title: Field required",
    ),
    "unknown-key": (
        "---\ntitle: T\nsummary: S\nupdated: 2026-01-01\nauthor: Someone\n---\nBody.\n",
        "author: Extra inputs are not permitted",
    ),
    # The file name is the slug: zz-Bad_Name is not one.
    "Bad_Name": ("---\ntitle: T\nsummary: S\nupdated: 2026-01-01\n---\nBody.\n", "slug"),
    "no-front-matter": ("Just a body.\n", "title: Field required"),
    "not-utf8": (b"---\ntitle: caf\xe9\n---\n", "cannot be read"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_one_invalid_file_is_named_with_its_problem(content, name):
    text, problem = BAD_FILES[name]
    path = content / "articles" / f"zz-{name}.md"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")

    with pytest.raises(Invalid) as raised:
        read_folder(content)

    assert path.name in raised.value.message
    assert problem in raised.value.message


@pytest.mark.parametrize("key", ["slug: uci-numbers", "body: Another body."])
def test_the_file_name_is_the_slug_and_the_body_follows_the_front_matter(content, key):
    # Else two files could claim one article, each import overwriting the other.
    text = ARTICLES["replacing-certificates"].replace("views: 120", key)
    write(content, "articles", "replacing-certificates", text)

    with pytest.raises(Invalid, match=r"replacing-certificates\.md") as raised:
        read_folder(content)

    assert key.split(":")[0] in raised.value.message


@pytest.mark.parametrize(
    ("kind", "front_matter"),
    [
        ("discussions", f"author: A\nauthor_role: {'r' * 101}\ncreated: 2026-01-01T09:00:00"),
        ("articles", f"summary: S\nupdated: 2026-01-01\ntopics: [{'t' * 201}]"),
    ],
    ids=["author-role", "tag"],
)
def test_a_value_too_long_for_the_store_is_caught_by_the_check(content, kind, front_matter):
    # Not by PostgreSQL's varchar limit, half-way through an import.
    write(content, kind, "zz-too-long", f"---\ntitle: T\n{front_matter}\n---\nBody.\n")

    with pytest.raises(Invalid, match=r"zz-too-long\.md"):
        read_folder(content)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("articles", BAD_FILES["unknown-key"][0]),
        ("discussions", "---\ntitle: No author\n---\nBody.\n"),
        ("discussions", f"---\ntitle: T\nauthor: A\nauthor_role: {'r' * 101}\n---\nBody.\n"),
    ],
    ids=["article", "thread", "too-long"],
)
async def test_a_folder_with_an_invalid_file_saves_nothing(kb, community, content, kind, text):
    # The last file read is the bad one: an import saving as it read would have saved
    # every other file first.
    write(content, kind, "zz-broken", text)

    with pytest.raises(Invalid, match=r"zz-broken\.md"):
        await import_folder(kb, community, content)

    assert set((await row_counts(kb)).values()) == {0}


def test_an_empty_or_missing_folder_is_refused(tmp_path):
    with pytest.raises(Invalid, match="no such folder"):
        read_folder(tmp_path / "missing")
    with pytest.raises(Invalid, match="no articles"):
        read_folder(tmp_path)


async def test_the_demo_content_imports_and_is_searchable(kb, community):
    report = await import_folder(kb, community, DEMO_CONTENT)

    assert report.counts["articles", "created"] >= 60
    assert report.counts["discussions", "created"] >= 30
    assert await count_rows(kb, kb_documents) == sum(report.counts.values())
    assert (await kb.search("uci")).counts[Area.ARTICLES] >= 1
    assert (await kb.search("certficates")).corrected == "certificates"


# The command -----------------------------------------------------------------------------


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_ENV", "demo")
    monkeypatch.chdir(tmp_path)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield database_url
    root.handlers[:] = handlers
    root.setLevel(level)


def test_the_command_imports_a_folder_and_prints_a_summary(env, content, capsys):
    assert main(["kb", "import", str(content)]) == 0
    first = capsys.readouterr().out
    assert f"imported {content}: 2 articles created, 1 discussion created" in first

    assert main(["kb", "import", str(content)]) == 0
    assert "2 articles unchanged, 1 discussion unchanged" in capsys.readouterr().out


def test_the_command_refuses_a_missing_folder(env, tmp_path, capsys):
    missing = tmp_path / "nowhere"

    assert main(["kb", "import", str(missing)]) != 0

    assert f"{missing}: no such folder" in capsys.readouterr().err


def test_the_command_refuses_an_invalid_folder_naming_the_file(env, content, capsys):
    write(content, "articles", "broken", "---\ntitle: Only a title\n---\nBody.\n")

    assert main(["kb", "import", str(content)]) != 0

    assert "broken.md" in capsys.readouterr().err
