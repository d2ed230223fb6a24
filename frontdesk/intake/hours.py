"""A customer group's office hours as administrators change them: read from a plain form
(weekly spans, closures, extra days), put into the taxonomy, described for the history.
Pure, but for `save_hours`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from frontdesk.accounts.models import User
from frontdesk.audit.models import Action
from frontdesk.business_hours import WEEKDAYS, Closure, ExtraDay, WeeklyHours, parse_spans
from frontdesk.errors import Code, Invalid, NotFound
from frontdesk.intake.taxonomy import Group, Taxonomy
from frontdesk.intake.versions import TaxonomyVersions, VersionInfo

_Row = TypeVar("_Row", Closure, ExtraDay)


class GroupHours(BaseModel):
    """One group's chat switch and hours: what the hours page and API read and write."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chat: bool
    hours: WeeklyHours


def group_of(taxonomy: Taxonomy, key: str) -> Group:
    group = taxonomy.groups.get(key)
    if group is None:
        raise NotFound(f"There is no customer group {key!r}", code=Code.NOT_FOUND)
    return group


def with_group_hours(taxonomy: Taxonomy, key: str, change: GroupHours) -> Taxonomy:
    group = group_of(taxonomy, key).model_copy(update={"chat": change.chat, "hours": change.hours})
    return taxonomy.model_copy(update={"groups": {**taxonomy.groups, key: group}})


async def save_hours(
    versions: TaxonomyVersions, by: User | None, key: str, change: GroupHours, based_on: int | None
) -> VersionInfo:
    """Save `change` to group `key` as a new taxonomy version, described for people."""
    taxonomy = versions.current()
    old = group_of(taxonomy, key)
    summary = hours_summary(old, change)
    return await versions.save_taxonomy(
        by, with_group_hours(taxonomy, key, change), summary, based_on,
        action=Action.HOURS_CHANGED,
    )  # fmt: skip


def _day(text: object) -> str:
    return f"{text:%d/%m/%Y}"


def _closure(c: Closure) -> str:
    dates = _day(c.start) if c.start == c.end else f"{_day(c.start)}-{_day(c.end)}"
    return f"closure {dates} ({c.reason})"


def hours_summary(old: Group, new: GroupHours) -> str:
    """ "Office hours of Schools...: closure 24/12/2026-01/01/2027 (...) added" style."""
    was, now = old.hours, new.hours
    parts = [f"{_closure(c)} added" for c in now.closures if c not in was.closures]
    parts += [f"{_closure(c)} removed" for c in was.closures if c not in now.closures]
    parts += [f"extra day {_day(e.day)} added" for e in now.extra_days if e not in was.extra_days]
    parts += [f"extra day {_day(e.day)} removed" for e in was.extra_days if e not in now.extra_days]
    if was.days != now.days:
        parts.append(f"weekly hours now {now.describe() or 'closed'}")
    if was.open_on_bank_holidays != now.open_on_bank_holidays:
        parts.append(f"{'open' if now.open_on_bank_holidays else 'closed'} on bank holidays")
    if old.chat != new.chat:
        parts.append(f"chat {'on' if new.chat else 'off'}")
    return f"Office hours of {old.name}: {'; '.join(parts) or 'no change'}"


def hours_from_form(form: Mapping[str, str]) -> GroupHours:
    """The hours page's fields: `chat`, `open_on_bank_holidays` (checkboxes), `day_<weekday>`
    ("09:00-12:00, 13:00-17:00", blank: closed), closure rows `closure_<i>_start|end|reason`
    and extra-day rows `extra_<i>_day|spans` (a row is left out when `..._remove` is ticked
    or it is blank). Invalid names the field of each problem."""
    problems: dict[str, str] = {}
    days = {}
    for weekday in WEEKDAYS:
        try:
            spans = parse_spans(form.get(f"day_{weekday}", ""))
            if spans:  # a closed day is left out, as in the file
                days[weekday] = spans
        except ValueError as error:
            problems[f"day_{weekday}"] = str(error)
    closures = _rows(form, "closure", ("start", "end", "reason"), Closure, problems)
    extras = _rows(form, "extra", ("day", "spans"), ExtraDay, problems)
    if problems:
        raise Invalid("Please correct the highlighted fields", fields=problems)
    try:
        hours = WeeklyHours(
            days=days, open_on_bank_holidays=form.get("open_on_bank_holidays") == "on",
            closures=tuple(closures), extra_days=tuple(extras),
        )  # fmt: skip
    except ValidationError as error:
        message = error.errors()[0]["msg"].removeprefix("Value error, ")
        raise Invalid("Please correct the highlighted fields", fields={"extra": message}) from None
    return GroupHours(chat=form.get("chat") == "on", hours=hours)


def _rows(
    form: Mapping[str, str], prefix: str, keys: tuple[str, ...], model: type[_Row],
    problems: dict[str, str],
) -> list[_Row]:  # fmt: skip
    indexes = sorted({int(k.split("_")[1]) for k in form if _is_row(k, prefix)})
    rows = []
    for index in indexes:
        name = f"{prefix}_{index}"
        values = {key: form.get(f"{name}_{key}", "").strip() for key in keys}
        if form.get(f"{name}_remove") or not any(values.values()):
            continue
        if prefix == "closure" and not values["end"]:
            values["end"] = values["start"]
        try:
            rows.append(model.model_validate(values))
        except ValidationError as error:
            first = error.errors()[0]
            # A check across the row (a closure ending before it starts) is the end's.
            field = ".".join(str(p) for p in first["loc"]) or keys[1]
            problems[f"{name}_{field.split('.')[0]}"] = first["msg"].removeprefix("Value error, ")
    return rows


def _is_row(key: str, prefix: str) -> bool:
    parts = key.split("_")
    # A row number a form could have: ASCII digits, few (int() refuses 4,300 of them).
    return len(parts) >= 3 and parts[0] == prefix and _is_small_number(parts[1])


def _is_small_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 6


def hours_form(change: GroupHours) -> dict[str, str]:
    """The form's fields for `change`, with one blank row to add a closure and an extra
    day: what the page shows, and what it posts back unchanged."""
    hours = change.hours
    form = {"chat": "on" if change.chat else "", "open_on_bank_holidays": ""}
    if hours.open_on_bank_holidays:
        form["open_on_bank_holidays"] = "on"
    for weekday in WEEKDAYS:
        form[f"day_{weekday}"] = ", ".join(s.text for s in hours.days.get(weekday, ()))
    for i, c in enumerate(hours.closures):
        form |= {f"closure_{i}_start": c.start.isoformat(), f"closure_{i}_end": c.end.isoformat(),
                 f"closure_{i}_reason": c.reason}  # fmt: skip
    for i, e in enumerate(hours.extra_days):
        form |= {f"extra_{i}_day": e.day.isoformat(), f"extra_{i}_spans": e.model_dump()["spans"]}
    return form
