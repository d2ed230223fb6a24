"""Knowledge-base storage: SQL verbs over an AsyncConnection.

Search itself is store-specific (`search.py`); everything here is portable Core.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from frontdesk.db.engine import dialect_insert
from frontdesk.db.tables import (
    kb_article_tags,
    kb_article_views,
    kb_articles,
    kb_documents,
    kb_feedback,
)
from frontdesk.kb import index_store
from frontdesk.kb.models import (
    Article,
    ArticleRow,
    FeedbackComment,
    FeedbackRow,
    TagKind,
    Tags,
    Vote,
)

_TAG_FIELD = {
    TagKind.ROLE: "roles",
    TagKind.QUALIFICATION: "qualifications",
    TagKind.SUBJECT: "subjects",
    TagKind.TOPIC: "topics",
}
_ROW_COLUMNS = (
    kb_articles.c.id,
    kb_articles.c.slug,
    kb_articles.c.title,
    kb_articles.c.summary,
    kb_articles.c.updated_at,
    kb_articles.c.views,
)


# Articles -----------------------------------------------------------------------------------


async def select_article_source(conn: AsyncConnection, slug: str) -> tuple[int, str] | None:
    row = (
        await conn.execute(
            select(kb_articles.c.id, kb_articles.c.source_hash).where(kb_articles.c.slug == slug)
        )
    ).first()
    return None if row is None else (int(row.id), str(row.source_hash))


async def save_article(conn: AsyncConnection, values: dict[str, Any], tags: Tags) -> int:
    """Insert or replace the article with this slug; its tags follow."""
    found = await select_article_source(conn, values["slug"])
    if found is None:
        result = await conn.execute(
            insert(kb_articles).values(**values).returning(kb_articles.c.id)
        )
        article_id = int(result.scalar_one())
    else:
        article_id = found[0]
        await conn.execute(
            update(kb_articles).where(kb_articles.c.id == article_id).values(**values)
        )
        await conn.execute(
            delete(kb_article_tags).where(kb_article_tags.c.article_id == article_id)
        )
    await index_store.bump_version(conn)  # its tags may have changed: filter lists follow
    pairs = sorted(set(tags.pairs()))
    if pairs:
        await conn.execute(
            insert(kb_article_tags),
            [{"article_id": article_id, "kind": k.value, "value": v} for k, v in pairs],
        )
    return article_id


async def select_tags(conn: AsyncConnection, article_ids: list[int]) -> dict[int, Tags]:
    if not article_ids:
        return {}
    rows = await conn.execute(
        select(kb_article_tags)
        .where(kb_article_tags.c.article_id.in_(article_ids))
        .order_by(kb_article_tags.c.kind, kb_article_tags.c.value)
    )
    found: dict[int, dict[str, list[str]]] = {i: {} for i in article_ids}
    for row in rows:
        field = _TAG_FIELD[TagKind(row.kind)]
        found[row.article_id].setdefault(field, []).append(row.value)
    return {i: Tags.model_validate(fields) for i, fields in found.items()}


async def select_article(conn: AsyncConnection, slug: str) -> Article | None:
    row = (await conn.execute(select(kb_articles).where(kb_articles.c.slug == slug))).first()
    if row is None:
        return None
    tags = (await select_tags(conn, [row.id]))[row.id]
    return Article.model_validate({**row._mapping, "tags": tags})


async def article_rows(
    conn: AsyncConnection,
    query: Select[Any],
    params: dict[str, Any] | None = None,
    *,
    with_tags: bool = True,
) -> list[ArticleRow]:
    """Rows of a query selecting _ROW_COLUMNS, with their tags unless told not to."""
    rows = (await conn.execute(query, params)).all()
    tags = await select_tags(conn, [row.id for row in rows]) if with_tags else {}
    return [
        ArticleRow.model_validate({**row._mapping, "tags": tags.get(row.id, Tags())})
        for row in rows
    ]


def articles_query() -> Select[Any]:
    return select(*_ROW_COLUMNS)


async def count_up_to(conn: AsyncConnection, query: Select[Any], most: int) -> int:
    """How many rows the query gives, counting no further than `most`."""
    counted = select(func.count()).select_from(query.limit(most).subquery())
    return int((await conn.execute(counted)).scalar_one())


def matched_articles(matches: Subquery) -> Select[Any]:
    """The articles among search matches (a subquery of doc_id), starting from them."""
    return (
        select(*_ROW_COLUMNS)
        .select_from(
            matches.join(kb_documents, kb_documents.c.id == matches.c.doc_id).join(
                kb_articles, kb_articles.c.id == kb_documents.c.ref_id
            )
        )
        .where(kb_documents.c.kind == "article")
    )


def suggestions(matches: Subquery, terms: list[str], limit: int, *, many: int) -> Select[Any]:
    """The most viewed articles among title matches, in one statement that takes
    whichever way reads less: up to `many` matches are joined and sorted; past that, the
    articles are read by views until `limit` titles have words starting with the terms.
    The way not taken gets LIMIT 0, which both stores stop at before reading a row."""
    counted = select(func.count().label("n")).select_from(
        select(matches.c.doc_id).limit(many + 1).subquery()
    )
    found = counted.cte("title_matches")

    def limit_if(condition: Any) -> Any:
        return select(case((condition, limit), else_=0)).select_from(found).scalar_subquery()

    by_views = (kb_articles.c.views.desc(), kb_articles.c.id)
    few = matched_articles(matches).order_by(*by_views).limit(limit_if(found.c.n <= many))
    most_read = (
        articles_query()
        .where(*title_starts(terms))
        .order_by(*by_views)
        .limit(limit_if(found.c.n > many))
    )
    either = union_all(select(few.subquery()), select(most_read.subquery())).subquery()
    return select(*either.c).order_by(either.c.views.desc(), either.c.id).limit(limit)


def title_starts(terms: list[str]) -> list[Any]:
    """Conditions: the title has a word starting with each term (terms are letters and
    digits only, so they carry no LIKE wildcards); parameters starts_0, starts_1, ..."""
    return [
        kb_articles.c.title_key.like(bindparam(key, value))
        for key, value in title_start_params(terms).items()
    ]


def title_start_params(terms: list[str]) -> dict[str, str]:
    return {f"starts_{n}": f"% {term}%" for n, term in enumerate(terms)}


async def select_tag_values(conn: AsyncConnection) -> dict[TagKind, list[str]]:
    """Every value in use, by kind: what the browse filters offer."""
    rows = await conn.execute(
        select(kb_article_tags.c.kind, kb_article_tags.c.value)
        .distinct()
        .order_by(kb_article_tags.c.kind, kb_article_tags.c.value)
    )
    found: dict[TagKind, list[str]] = {kind: [] for kind in TagKind}
    for kind, value in rows:
        found[TagKind(kind)].append(value)
    return found


Choice = tuple[TagKind, str, int]  # a tag the visitor chose, and how much it counts
FOR_YOU_POOL = 500


def _is(choice: Choice) -> Any:
    kind, value, _ = choice
    return and_(kb_article_tags.c.kind == kind.value, kb_article_tags.c.value == value)


def has_tag(choice: Choice) -> Any:
    """The article carries this tag: one primary-key probe per article read."""
    kind, value, _ = choice
    return (
        select(kb_article_tags.c.article_id)
        .where(
            kb_article_tags.c.article_id == kb_articles.c.id,
            kb_article_tags.c.kind == kind.value,
            kb_article_tags.c.value == value,
        )
        .exists()
    )


def scored_for_you(
    choices: list[Choice], anchor: Choice, skip: list[str], limit: int
) -> Select[Any]:
    """Articles carrying the `anchor` tag, scored by the weights of all the choices they
    carry, then by views; `skip` lists slugs already chosen. Only the anchor's
    FOR_YOU_POOL most viewed carriers are scored, so no tag costs more than that."""
    score = func.sum(case(*[(_is(c), c[2]) for c in choices], else_=0)).label("score")
    pool = (
        select(kb_articles.c.id)
        .join(kb_article_tags, kb_article_tags.c.article_id == kb_articles.c.id)
        .where(_is(anchor))
        .order_by(kb_articles.c.views.desc())
        .limit(FOR_YOU_POOL)
    )
    return (
        select(*_ROW_COLUMNS, score)
        .join(kb_article_tags, kb_article_tags.c.article_id == kb_articles.c.id)
        .where(kb_articles.c.id.in_(pool), or_(*[_is(c) for c in choices]))
        .where(kb_articles.c.slug.not_in(skip))
        .group_by(*_ROW_COLUMNS)
        .order_by(score.desc(), kb_articles.c.views.desc(), kb_articles.c.id)
        .limit(limit)
    )


def popular_with(required: list[Choice], skip: list[str], limit: int) -> Select[Any]:
    """The most viewed articles carrying every `required` tag: read by views, so a tag
    most articles carry stops the reading after a few rows."""
    return (
        select(*_ROW_COLUMNS)
        .where(*[has_tag(c) for c in required], kb_articles.c.slug.not_in(skip))
        .order_by(kb_articles.c.views.desc(), kb_articles.c.id)
        .limit(limit)
    )


# Views and feedback ------------------------------------------------------------------------


async def record_view(conn: AsyncConnection, article_id: int, visitor: str, day: str) -> bool:
    """Count a view unless this visitor was counted today; True if it counted."""
    inserted = await conn.execute(
        dialect_insert(conn)(kb_article_views)
        .values(article_id=article_id, visitor=visitor, day=day)
        .on_conflict_do_nothing()
    )
    if inserted.rowcount != 1:
        return False
    await conn.execute(
        update(kb_articles)
        .where(kb_articles.c.id == article_id)
        .values(views=kb_articles.c.views + 1)
    )
    return True


async def select_vote(conn: AsyncConnection, article_id: int, visitor: str) -> Vote | None:
    row = (
        await conn.execute(
            select(kb_feedback.c.helpful, kb_feedback.c.comment).where(
                kb_feedback.c.article_id == article_id, kb_feedback.c.visitor == visitor
            )
        )
    ).first()
    return None if row is None else Vote(helpful=row.helpful, comment=row.comment)


async def lock_article(conn: AsyncConnection, article_id: int) -> None:
    """Hold the article's row until commit, so that concurrent votes on it (one visitor's
    double click) queue instead of racing (SQLite's writers queue at BEGIN already)."""
    await conn.execute(
        select(kb_articles.c.id).where(kb_articles.c.id == article_id).with_for_update()
    )


async def save_vote(
    conn: AsyncConnection, article_id: int, visitor: str, vote: Vote, now: datetime
) -> None:
    """Record or change a visitor's vote, keeping the article's tallies in step."""
    before = await select_vote(conn, article_id, visitor)
    if before is None:
        await conn.execute(
            insert(kb_feedback).values(
                article_id=article_id,
                visitor=visitor,
                helpful=vote.helpful,
                comment=vote.comment,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        await conn.execute(
            update(kb_feedback)
            .where(kb_feedback.c.article_id == article_id, kb_feedback.c.visitor == visitor)
            .values(helpful=vote.helpful, comment=vote.comment, updated_at=now)
        )
    yes = int(vote.helpful) - int(before is not None and before.helpful)
    no = int(not vote.helpful) - int(before is not None and not before.helpful)
    if yes or no:
        await conn.execute(
            update(kb_articles)
            .where(kb_articles.c.id == article_id)
            .values(
                helpful_yes=kb_articles.c.helpful_yes + yes,
                helpful_no=kb_articles.c.helpful_no + no,
            )
        )


def _commented() -> Any:
    return and_(kb_feedback.c.comment.is_not(None), kb_feedback.c.comment != "")


async def select_feedback_report(conn: AsyncConnection) -> list[FeedbackRow]:
    comments = (
        select(kb_feedback.c.article_id, func.count().label("comments"))
        .where(_commented())
        .group_by(kb_feedback.c.article_id)
        .subquery()
    )
    rows = await conn.execute(
        select(
            kb_articles.c.slug,
            kb_articles.c.title,
            kb_articles.c.views,
            kb_articles.c.helpful_yes,
            kb_articles.c.helpful_no,
            func.coalesce(comments.c.comments, 0).label("comments"),
        )
        .outerjoin(comments, comments.c.article_id == kb_articles.c.id)
        .where(kb_articles.c.helpful_yes + kb_articles.c.helpful_no > 0)
        .order_by(
            (
                kb_articles.c.helpful_yes
                * 1.0
                / (kb_articles.c.helpful_yes + kb_articles.c.helpful_no)
            ),
            kb_articles.c.views.desc(),
        )
    )
    return [FeedbackRow.model_validate(row._mapping) for row in rows]


async def select_feedback_comments(conn: AsyncConnection, article_id: int) -> list[FeedbackComment]:
    rows = await conn.execute(
        select(kb_feedback.c.helpful, kb_feedback.c.comment, kb_feedback.c.updated_at)
        .where(kb_feedback.c.article_id == article_id, _commented())
        .order_by(kb_feedback.c.updated_at.desc())
    )
    return [FeedbackComment.model_validate(row._mapping) for row in rows]
