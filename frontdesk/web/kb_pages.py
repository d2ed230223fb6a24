"""Knowledge-base pages: search results, Browse Articles, and an article with its
"Was this article helpful?" feedback. Every page works without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request

from frontdesk.kb.models import Area, BrowseFilters, TagKind, VoteIn
from frontdesk.web.api.kb import MAX_QUERY, SearchOut, SearchQuery, article_url, uk_date
from frontdesk.web.context import services
from frontdesk.web.validation import parse
from frontdesk.web.visitors import remember_visitor, visitor

blueprint = Blueprint("kb_pages", __name__)
blueprint.after_request(remember_visitor)
blueprint.add_app_template_filter(uk_date, "uk_date")

M = TypeVar("M", bound=BaseModel)

AREA_LABELS = {Area.ALL: "All", Area.ARTICLES: "Articles", Area.DISCUSSIONS: "Discussions"}
# The browse filters as the guide names them, in its order.
# (field, tag kind, what the closed dropdown says, its label for assistive technology)
FILTERS = [
    ("role", TagKind.ROLE, "By Role…", "Filter by role"),
    ("qualification", TagKind.QUALIFICATION, "By Qualification…", "Filter by qualification"),
    ("subject", TagKind.SUBJECT, "By Subject…", "Filter by subject"),
    ("topic", TagKind.TOPIC, "I Need Information About…", "I need information about"),
]
HELPFUL = {"yes": True, "no": False}


def lenient(model: type[M], args: Mapping[str, str]) -> M:
    """Query-string input as `model`. A hand-edited or stale link still shows a page:
    unknown parameters are ignored, long text is cut, and a value that does not fit
    (area=nonsense, page=0) falls back to its default."""
    data = {k: v[:MAX_QUERY] for k, v in args.items() if k in model.model_fields}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        bad = {str(item["loc"][0]) for item in error.errors() if item["loc"]}
        return model.model_validate({k: v for k, v in data.items() if k not in bad})


def _without_blanks(values: Mapping[str, object]) -> dict[str, object]:
    return {key: value for key, value in values.items() if value not in ("", None)}


@blueprint.get("/search")
async def search() -> ResponseReturnValue:
    query = lenient(SearchQuery, request.args)
    found = await services().kb.search(query.q, query.area, query.page)
    return await render_template(
        "kb/search.html", query=query.q, result=SearchOut.of(found), areas=AREA_LABELS
    )


@blueprint.get("/articles")
async def browse() -> ResponseReturnValue:
    filters = lenient(BrowseFilters, request.args)
    kb = services().kb
    found = await kb.browse(filters)
    options = await kb.filter_options()
    return await render_template(
        "kb/browse.html", filters=filters, found=found, options=options, filter_fields=FILTERS,
        kept=_without_blanks(filters.model_dump(exclude={"page"})),
    )  # fmt: skip


@blueprint.get("/articles/<slug>")
async def article(slug: str) -> ResponseReturnValue:
    kb = services().kb
    reader = visitor()
    found = await kb.read_article(slug, reader, request.headers.get("User-Agent", ""))
    vote = await kb.vote_of(slug, reader)
    return await render_template("kb/article.html", article=found, vote=vote, url=request.url)


@blueprint.post("/articles/<slug>/feedback")
async def feedback(slug: str) -> ResponseReturnValue:
    """The feedback form without JavaScript: a thumb, or a thumb and a comment."""
    form = await request.form
    fields: dict[str, object] = {"helpful": HELPFUL.get(form.get("helpful", ""))}
    if "comment" in form:
        fields["comment"] = form["comment"]
    await services().kb.vote(slug, visitor(), parse(VoteIn, fields))
    await flash("Thank you for your comment." if "comment" in form else "Thank you for voting.")
    return redirect(f"{article_url(slug)}#feedback")
