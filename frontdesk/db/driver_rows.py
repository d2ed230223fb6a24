"""Rows to and from the SQLite driver itself, converted as SQLAlchemy converts them.

For the few statements run without SQLAlchemy (db/engine.driver_transaction): a value
goes in and comes out exactly as it would through the table's column types (an aware
UTC datetime stored as SQLite's text, read back aware), so what these statements write,
SQLAlchemy reads, and the other way round.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy.engine import Dialect

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def to_store(column: Column[Any], dialect: Dialect) -> Convert:
    """What the driver is given for a value of `column`."""
    convert = column.type.dialect_impl(dialect).bind_processor(dialect)
    return convert or _same


def row_reader(
    columns: Sequence[Column[Any]], dialect: Dialect
) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A row of the driver's, selected as `columns`, as a dict of column name to value."""
    names = [column.name for column in columns]
    converts = [
        column.type.dialect_impl(dialect).result_processor(dialect, None) or _same
        for column in columns
    ]

    def read(row: Sequence[Any]) -> dict[str, Any]:
        return {
            name: convert(value) for name, convert, value in zip(names, converts, row, strict=True)
        }

    return read


def column_list(columns: Sequence[Column[Any]], dialect: Dialect) -> str:
    """`columns` for a SELECT, each quoted as the dialect would."""
    return ", ".join(dialect.identifier_preparer.quote(column.name) for column in columns)
