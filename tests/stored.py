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


def contents(database, table: str) -> list[tuple]:
    """A table's rows in id order, every column but the version: a change counter, which an undo moves on rather
    than back (store.models.Versioned)."""
    with database.engine.connect() as connection:
        columns = [c["name"] for c in inspect(connection).get_columns(table) if c["name"] != "version"]
    return rows(database, f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY id')


def tables(database) -> list[str]:
    with database.engine.connect() as connection:
        return sorted(inspect(connection).get_table_names())


def digest(database) -> str:
    """A digest of every row of every table, to prove that something refused changed nothing at all."""
    digest = hashlib.sha256()
    for table in tables(database):
        for row in rows(database, f'SELECT * FROM "{table}" ORDER BY 1'):
            digest.update(repr(row).encode())
    return digest.hexdigest()
