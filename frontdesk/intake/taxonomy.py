"""The Contact Us taxonomy: a data file an administrator edits, checked and resolved here.

customer types -> issue types -> categories -> subcategories, and qualifications ->
subjects. Any node may set `owner_queue`, `reply_days`, `phone`, `phone_hours` and
`chat`; a case takes the last setting on its path: defaults, customer type,
qualification, issue type, category. So a qualification's own phone line serves every
customer, and an issue type such as Complaints owns its cases whatever the
qualification. Customer types belong to a customer group, which has the office hours
that chat keeps. Pure: no I/O but `load_taxonomy` and `TaxonomySource`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from frontdesk.business_hours import WeeklyHours

log = logging.getLogger("frontdesk.intake")

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.yaml")
# The demo's: the shipped taxonomy plus a customer group whose chat never closes, so the
# demo shows live chat at any hour (the shipped groups keep their real office hours).
DEMO_TAXONOMY = Path(__file__).with_name("demo_taxonomy.yaml")
# A file may extend another (a path relative to it): an administrator keeps local changes
# in a short file over the shipped one, and an upgrade's changes to it still arrive.
EXTENDS = "extends"


class TaxonomyError(ValueError):
    """The taxonomy cannot be used; the message names the place (and the file, if any)."""

    def __init__(self, message: str, *, where: str = "", problem: str = "") -> None:
        super().__init__(message)
        self.where = where
        self.problem = problem or message


# At most what a case's column keeps (db/tables.py), so a file that loads never makes a
# case the store refuses; a longer name could not be chosen anyway (Choice: 200).
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
GroupKey = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class _Node(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    owner_queue: Name | None = None
    reply_days: int | None = Field(default=None, ge=1, le=60)
    phone: Phone | None = None
    phone_hours: str | None = None
    chat: bool | None = None


class Category(_Node):
    name: Name
    subcategories: tuple[Name, ...] = Field(min_length=1)


class IssueType(_Node):
    name: Name
    categories: tuple[Category, ...] = Field(min_length=1)


class CustomerType(_Node):
    name: Name
    group: str
    issue_types: tuple[str, ...] = Field(min_length=1)


class Qualification(_Node):
    name: Name
    subjects: tuple[Name, ...] = Field(min_length=1)


class Group(BaseModel):
    """A customer group: whether it has chat, and when chat is staffed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    chat: bool = False
    hours: WeeklyHours = Field(default_factory=WeeklyHours.office)


class Defaults(_Node):
    owner_queue: Name
    reply_days: int = Field(ge=1, le=60)
    phone: Phone
    phone_hours: str
    chat: bool = False


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    defaults: Defaults
    groups: dict[GroupKey, Group]
    issue_types: tuple[IssueType, ...] = Field(min_length=1)
    customer_types: tuple[CustomerType, ...] = Field(min_length=1)
    qualifications: tuple[Qualification, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_hold(self) -> Taxonomy:
        issue_names = _unique("issue_types", [i.name for i in self.issue_types])
        _unique("customer_types", [c.name for c in self.customer_types])
        _unique("qualifications", [q.name for q in self.qualifications])
        for index, customer in enumerate(self.customer_types):
            where = f"customer_types.{index} ({customer.name})"
            if customer.group not in self.groups:
                raise ValueError(f"{where}: group {customer.group!r} is not under groups")
            for name in customer.issue_types:
                if name not in issue_names:
                    raise ValueError(f"{where}: issue type {name!r} is not under issue_types")
            _unique(f"{where} issue_types", list(customer.issue_types))
        for issue in self.issue_types:
            _unique(f"issue type {issue.name!r} categories", [c.name for c in issue.categories])
            for category in issue.categories:
                where = f"issue type {issue.name!r} category {category.name!r} subcategories"
                _unique(where, list(category.subcategories))
        for qualification in self.qualifications:
            _unique(f"qualification {qualification.name!r} subjects", list(qualification.subjects))
        return self

    # Look-ups ------------------------------------------------------------------------

    def customer_type(self, name: str) -> CustomerType | None:
        return next((c for c in self.customer_types if c.name == name), None)

    def issue_type(self, name: str) -> IssueType | None:
        return next((i for i in self.issue_types if i.name == name), None)

    def qualification(self, name: str) -> Qualification | None:
        return next((q for q in self.qualifications if q.name == name), None)

    @property
    def queues(self) -> list[str]:
        """Every owner queue the file names, for assigning agents."""
        nodes: list[_Node] = [self.defaults, *self.customer_types, *self.qualifications]
        for issue in self.issue_types:
            nodes += [issue, *issue.categories]
        return sorted({n.owner_queue for n in nodes if n.owner_queue})


def _unique(where: str, names: list[str]) -> set[str]:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{where}: {name!r} appears twice")
        seen.add(name)
    return seen


class Choice(BaseModel):
    """What the customer picked in step 1 of Contact Us."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    customer_type: str = Field(min_length=1, max_length=200)
    issue_type: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1, max_length=200)
    subcategory: str = Field(min_length=1, max_length=200)
    qualification: str = Field(min_length=1, max_length=200)
    qualification_subject: str = Field(min_length=1, max_length=200)


@dataclass(frozen=True)
class Routing:
    """What a choice resolves to: who owns the case and how the customer reaches us."""

    customer_type: CustomerType
    group_key: str
    group: Group
    owner_queue: str
    reply_days: int
    phone: str
    phone_hours: str
    chat: bool


def resolve(taxonomy: Taxonomy, choice: Choice) -> Routing:
    """The routing of a valid choice; ValueError naming the first field that is not."""
    customer = taxonomy.customer_type(choice.customer_type)
    if customer is None:
        raise InvalidChoice("customer_type", "Choose what kind of customer you are")
    issue = taxonomy.issue_type(choice.issue_type)
    if issue is None or issue.name not in customer.issue_types:
        raise InvalidChoice("issue_type", "Choose an issue type from the list")
    category = next((c for c in issue.categories if c.name == choice.category), None)
    if category is None:
        raise InvalidChoice("category", "Choose a category from the list")
    if choice.subcategory not in category.subcategories:
        raise InvalidChoice("subcategory", "Choose a subcategory from the list")
    qualification = taxonomy.qualification(choice.qualification)
    if qualification is None:
        raise InvalidChoice("qualification", "Choose a qualification from the list")
    if choice.qualification_subject not in qualification.subjects:
        raise InvalidChoice("qualification_subject", "Choose a subject from the list")
    path: list[_Node] = [taxonomy.defaults, customer, qualification, issue, category]
    settings: dict[str, Any] = {}
    for node in path:
        settings.update(node.model_dump(exclude_none=True, include=set(_Node.model_fields)))
    group = taxonomy.groups[customer.group]
    return Routing(
        customer_type=customer,
        group_key=customer.group,
        group=group,
        owner_queue=settings["owner_queue"],
        reply_days=settings["reply_days"],
        phone=settings["phone"],
        phone_hours=settings["phone_hours"],
        chat=bool(settings["chat"]) and group.chat,
    )


class InvalidChoice(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# libyaml's parser where PyYAML was built with it: 4 ms for the taxonomy, not 35 (every
# node reads it as it starts and whenever a new version is saved).
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that refuses a key given twice in one mapping: PyYAML would silently
    keep the last, so a group or a `reply_days` pasted twice would change routing unseen."""


def _mapping_without_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        with contextlib.suppress(TypeError):  # an unhashable key fails in construct_mapping
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found {key!r} twice", key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and check the file; TaxonomyError naming the file and the place if it is bad."""
    return _load(path)[0]


def _load(path: Path) -> tuple[Taxonomy, tuple[Path, ...]]:
    """The checked taxonomy, and every file it was read from (itself and what it extends)."""
    data, files = _layers(path, ())
    try:
        return check_taxonomy(data), files
    except TaxonomyError as error:
        layered = f" (with {', '.join(str(f) for f in files[1:])})" if len(files) > 1 else ""
        raise TaxonomyError(f"{path}{layered}: {error}") from None


def check_taxonomy(data: Any) -> Taxonomy:
    """`data` (a file's, a form's, a stored version's) as a Taxonomy; TaxonomyError saying
    what is wrong and where ("at customer_types.2 (Teachers): group 'x' is not under
    groups"), with `where` and `problem` apart for a form to show beside the field."""
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        problem = first["msg"].removeprefix("Value error, ")
        if not where:  # the checks across the whole tree name their own place
            where, _, rest = problem.partition(": ")
            where, problem = (where, rest) if rest else ("top level", problem)
        raise TaxonomyError(f"at {where}: {problem}", where=where, problem=problem) from None


def _layers(path: Path, seen: tuple[Path, ...]) -> tuple[Any, tuple[Path, ...]]:
    """A file's data merged over the file it `extends` (a path relative to it), if any."""
    data = _read_yaml(path)
    if not isinstance(data, dict) or EXTENDS not in data:
        return data, (path,)
    base_name = data.pop(EXTENDS)
    if not isinstance(base_name, str) or not base_name.strip():
        raise TaxonomyError(f"{path}: at {EXTENDS}: name the taxonomy file this one extends")
    base_path = (path.parent / base_name).resolve()
    if base_path in (*seen, path.resolve()):
        raise TaxonomyError(f"{path}: at {EXTENDS}: {base_name} extends this file again")
    base, files = _layers(base_path, (*seen, path.resolve()))
    if not isinstance(base, dict):
        raise TaxonomyError(f"{base_path}: at top level: not a taxonomy (no mapping)")
    return _merge(base, data), (path, *files)


def _merge(base: dict[str, Any], layer: dict[str, Any]) -> dict[str, Any]:
    """`layer` over `base`: `defaults` and `groups` key by key, the named lists (customer
    types, issue types, qualifications) item by name, replacing or adding; anything else
    is replaced whole."""
    merged = dict(base)
    for key, value in layer.items():
        old = base.get(key)
        if key in ("defaults", "groups") and isinstance(old, dict) and isinstance(value, dict):
            merged[key] = {**old, **value}
        elif isinstance(old, list) and isinstance(value, list):
            names = {item.get("name"): item for item in value if isinstance(item, dict)}
            kept = [
                item for item in old if not (isinstance(item, dict) and item.get("name") in names)
            ]
            merged[key] = [*kept, *value]
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as stream:  # marks then name the file, not a string
            return yaml.load(stream, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except OSError as error:
        raise TaxonomyError(f"{path}: cannot read it ({error.strerror})") from None
    except UnicodeDecodeError:
        raise TaxonomyError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise TaxonomyError(f"{path}: not valid YAML: {error}") from None


class TaxonomySource:
    """The taxonomy in use, read again when its file changes (checked at most once per
    call, by modification time): an edited file takes effect without a restart. A bad
    edit is logged and the last good taxonomy stays in use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._taxonomy, self._files = _load(path)  # a bad file stops the start
        self._stamp = self._file_stamp()

    def _file_stamp(self) -> tuple[tuple[int, int], ...]:
        stats = [os.stat(file) for file in self._files]
        return tuple((stat.st_mtime_ns, stat.st_size) for stat in stats)

    def current(self) -> Taxonomy:
        try:
            stamp = self._file_stamp()
        except OSError:
            return self._taxonomy
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._taxonomy, files = _load(self.path)
            except TaxonomyError as error:
                log.error("taxonomy not reloaded, keeping the last good one: %s", error)
                return self._taxonomy
            log.info("taxonomy reloaded from %s", self.path)
            if files != self._files:  # `extends` changed: watch the files it names now
                self._files = files
                with contextlib.suppress(OSError):
                    self._stamp = self._file_stamp()
        return self._taxonomy
