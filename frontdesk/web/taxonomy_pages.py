"""The admin's Contact Us taxonomy pages: the tree with what each node sets, a form per
node (edit, add, remove), the whole taxonomy as YAML, and the history of versions with
their changes and roll-back. Plain forms; every save checks the whole taxonomy and is
refused, saving nothing, with what and where. 404 to anyone but an admin."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, ResponseReturnValue, flash, redirect, render_template, request

from frontdesk.accounts.models import Role
from frontdesk.business_hours import uk_datetime
from frontdesk.errors import Conflict, Invalid
from frontdesk.intake import nodes
from frontdesk.intake.exchange import as_yaml, dumped, from_yaml
from frontdesk.intake.taxonomy import TaxonomyError
from frontdesk.intake.versions import VersionInfo, checked, refused
from frontdesk.web.auth import require_user
from frontdesk.web.cases_pages import form_values, me
from frontdesk.web.context import services

blueprint = Blueprint("taxonomy_pages", __name__)


def _based_on(form: dict[str, str]) -> int | None:
    return int(form["based_on"]) if form.get("based_on", "").isdigit() else None


async def _saved(saved: VersionInfo, to: str) -> ResponseReturnValue:
    await flash(f"Saved as version {saved.version}: {saved.summary}")
    return redirect(to)


@blueprint.get("/admin/taxonomy")
@require_user(Role.ADMIN, hidden=True)
async def tree() -> ResponseReturnValue:
    versions = services().taxonomy
    return await render_template(
        "admin/taxonomy.html", data=dumped(versions.current()), version=versions.version
    )


async def _node_page(
    path: str, form: dict[str, str], status: int = 200, **context: Any
) -> tuple[str, int]:
    versions = services().taxonomy
    parsed = nodes.parse_path(path)
    page = await render_template(
        "admin/taxonomy_node.html", path=path, kind=nodes.kind_of(parsed), form=form,
        adding=parsed[-1] == nodes.NEW, lists=nodes.LISTS,
        groups=versions.current().groups, version=form.get("based_on") or versions.version,
        **context,
    )  # fmt: skip
    return page, status


@blueprint.get("/admin/taxonomy/node")
@require_user(Role.ADMIN, hidden=True)
async def node() -> ResponseReturnValue:
    path = request.args.get("path", "")
    parsed = nodes.parse_path(path)
    data = dumped(services().taxonomy.current())
    return await _node_page(
        path, nodes.node_form(nodes.kind_of(parsed), nodes.node_at(data, parsed))
    )


@blueprint.post("/admin/taxonomy/node")
@require_user(Role.ADMIN, hidden=True)
async def save_node() -> ResponseReturnValue:
    """Save the node the form edits (or adds), or remove it (`do=remove`)."""
    form = await form_values()
    path = form.get("path", "")
    parsed = nodes.parse_path(path)
    versions = services().taxonomy
    data = dumped(versions.current())
    try:
        if form.get("do") == "remove":
            changed = nodes.with_node(data, parsed, None)
        else:
            old = nodes.node_at(data, parsed)
            changed = nodes.with_node(
                data, parsed, nodes.node_from_form(nodes.kind_of(parsed), old, form)
            )
        saved = await versions.save_taxonomy(me(), checked(changed), "", _based_on(form))
    except (Invalid, Conflict) as error:
        error.fields = nodes.fields_of_node(error.fields, path)
        return await _node_page(path, form, error.status, error=error)
    return await _saved(saved, "/admin/taxonomy")


@blueprint.get("/admin/taxonomy/yaml")
@require_user(Role.ADMIN, hidden=True)
async def yaml_page() -> ResponseReturnValue:
    versions = services().taxonomy
    text = as_yaml(versions.current())
    return await render_template("admin/taxonomy_yaml.html", text=text, version=versions.version)


@blueprint.post("/admin/taxonomy/yaml")
@require_user(Role.ADMIN, hidden=True)
async def save_yaml() -> ResponseReturnValue:
    form = await form_values()
    try:
        try:
            taxonomy = from_yaml(form.get("yaml", ""))
        except TaxonomyError as error:
            raise refused(error) from None
        saved = await services().taxonomy.save_taxonomy(
            me(), taxonomy, form.get("summary", ""), _based_on(form)
        )
    except (Invalid, Conflict) as error:
        page = await render_template(
            "admin/taxonomy_yaml.html", text=form.get("yaml", ""), error=error,
            version=form.get("based_on", ""), summary=form.get("summary", ""),
        )  # fmt: skip
        return page, error.status
    return await _saved(saved, "/admin/taxonomy")


@blueprint.get("/admin/taxonomy/history")
@require_user(Role.ADMIN, hidden=True)
async def history() -> ResponseReturnValue:
    versions = services().taxonomy
    found = await versions.history()
    return await render_template(
        "admin/taxonomy_history.html", versions=found, current=versions.version, when=uk_datetime
    )


@blueprint.get("/admin/taxonomy/history/<int:number>")
@require_user(Role.ADMIN, hidden=True)
async def version(number: int) -> ResponseReturnValue:
    versions = services().taxonomy
    found = await versions.version_of(number)
    return await render_template(
        "admin/taxonomy_version.html", info=found, changes=await versions.changes(number),
        current=versions.version, when=uk_datetime,
    )  # fmt: skip


@blueprint.post("/admin/taxonomy/history/<int:number>/rollback")
@require_user(Role.ADMIN, hidden=True)
async def roll_back(number: int) -> ResponseReturnValue:
    form = await form_values()
    versions = services().taxonomy
    try:
        saved = await versions.roll_back(me(), number, _based_on(form))
    except (Invalid, Conflict) as error:
        await flash(error.message)
        return redirect(f"/admin/taxonomy/history/{number}")
    return await _saved(saved, "/admin/taxonomy/history")
