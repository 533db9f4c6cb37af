"""A test database's rows exactly as stored, on SQLite or PostgreSQL alike: for before-and-after comparisons."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import inspect, text


def rows(database, sql: str, **parameters: Any) -> list[tuple]:
    """The rows a query gives, as plain tuples (`:name` parameters)."""
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), parameters)]


def scalar(database, sql: str, **parameters: Any) -> Any:
    with database.engine.connect() as connection:
        return connection.execute(text(sql), parameters).scalar()


def change(database, sql: str, **parameters: Any) -> None:
    """Changes what is stored behind jointlead's back, as a test sets up what it needs: one statement, committed."""
    with database.engine.begin() as connection:
        connection.execute(text(sql), parameters)


def contents(database, table: str) -> list[tuple]:
    """A table's rows in id order, every column but the version: a change counter, which an undo moves on rather
    than back (store.models.Versioned)."""
    with database.engine.connect() as connection:
        columns = [c["name"] for c in inspect(connection).get_columns(table) if c["name"] != "version"]
    return rows(database, f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY id')


def tables(database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(inspect(connection).get_table_names())


def dump(database) -> str:
    """Every row of every table as text, a line a row, in an order that is the same on every run: to search for
    what must not be anywhere, or to digest."""
    lines = []
    with database.engine.connect() as connection:
        columns = {table: len(inspect(connection).get_columns(table)) for table in tables(database)}
    for table, count in columns.items():
        every_column = ", ".join(str(n) for n in range(1, count + 1))
        lines += [f"{table}: {row!r}" for row in rows(database, f'SELECT * FROM "{table}" ORDER BY {every_column}')]
    return "\n".join(lines)


def digest(database) -> str:
    """A digest of every row of every table, to prove that something refused changed nothing at all."""
    return hashlib.sha256(dump(database).encode()).hexdigest()
