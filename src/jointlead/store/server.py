"""Shared databases on a PostgreSQL server: telling a server address from a file, connecting, and opening one."""

from __future__ import annotations

import logging
from decimal import Decimal

from sqlalchemy import URL, Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import QueuePool

from jointlead.store.addresses import is_server_address
from jointlead.store.engine import READING_ONE_STATE
from jointlead.store.errors import (
    DatabaseError,
    DatabaseFromNewerVersion,
    NotAJointleadDatabase,
    ReadOnlyDatabase,
    RecordedBySomeoneElse,
    ServerStoppedAnswering,
)

__all__ = ["ACCOUNT_READ_ONLY", "WRITABLE", "advance_id_sequences", "is_server_address", "make_server_engine",
           "server_refused", "server_url", "short_name", "shown", "stored_revision"]

log = logging.getLogger(__name__)

DRIVER = "postgresql+psycopg"
UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a second copy of what may be there once
# A write refused because the account may only read: a read-only transaction, or no privilege to change the table.
READ_ONLY_REFUSALS = {"25006", "42501"}
RECORD_WRITES = ("INSERT", "UPDATE", "DELETE")
ACCOUNT_READ_ONLY = ("Your account on the shared database may read it but not change it, so the change was not "
                     "saved.", "Ask whoever looks after the database server to let your account change it "
                              "(docs/shared-server.md).")
# Whether the account can change jointlead's records: each change writes an audit entry, so that is the test.
WRITABLE = text("SELECT current_setting('transaction_read_only') = 'off' "
                "AND has_table_privilege('audit_entry', 'INSERT')")
HOW_TO_WRITE = "Write it as postgresql://USER@HOST:PORT/DATABASE (keep the password in a pgpass file, not here)."


def server_url(address: str) -> URL:
    """The SQLAlchemy URL for an address, always through psycopg (the one driver jointlead ships with)."""
    try:
        url = make_url(address)
    except ArgumentError as error:
        raise DatabaseError(f"{shown(address)} is not a database address jointlead understands.", HOW_TO_WRITE
                            ) from error
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=DRIVER)
    if url.drivername != DRIVER:
        raise DatabaseError(f"jointlead talks to PostgreSQL through psycopg, not {url.drivername}.", HOW_TO_WRITE)
    if not url.database:
        raise DatabaseError(f"{shown(address)} names no database.", HOW_TO_WRITE)
    return url


def shown(address: str | URL) -> str:
    """An address fit to show or log: the password, if one was given, is never repeated."""
    try:
        url = address if isinstance(address, URL) else make_url(address)
    except ArgumentError:
        return "That address"
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def short_name(url: URL) -> str:
    """'jointlead on db.example.nhs.uk': how the window title names a server database."""
    host = url.host or url.query.get("host") or "this computer"
    if isinstance(host, tuple):
        host = host[0]
    return f"{url.database} on {'this computer' if str(host).startswith('/') else host}"


def _whole_numbers(cursor_connection) -> None:
    """PostgreSQL widens sum() of bigint pence to numeric, which psycopg would hand over as a Decimal: jointlead
    keeps no fractions (money is integer pence), so a whole numeric comes back as an int, like SQLite's."""
    from psycopg.types.numeric import NumericLoader

    class WholeNumericLoader(NumericLoader):
        def load(self, data):
            value = super().load(data)
            return int(value) if isinstance(value, Decimal) and value == value.to_integral_value() else value

    cursor_connection.adapters.register_loader("numeric", WholeNumericLoader)


def make_server_engine(url: URL) -> Engine:
    try:
        engine = create_engine(url, poolclass=QueuePool, pool_size=2, pool_pre_ping=True,
                               # A server that does not answer is reported, not waited for with the window frozen.
                               connect_args={"connect_timeout": 10},
                               # Error messages reach the log: they must not carry row values (personal data).
                               hide_parameters=True)
    except ModuleNotFoundError as error:
        raise DatabaseError("The PostgreSQL driver (psycopg) is not installed with this copy of jointlead.",
                            'Install it with: pip install "jointlead[postgresql]"') from error

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        _whole_numbers(dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def _lost_connection(context) -> None:
        # Mid-session, a lost connection is the network's or the server's doing, not a fault in jointlead: said
        # plainly. (A dead connection found by the pool's pre-ping is replaced silently; a first connection that
        # fails is `server_refused`'s to report.)
        if context.is_disconnect and not context.is_pre_ping and context.connection is not None:
            raise ServerStoppedAnswering(shown(url)) from context.original_exception

    @event.listens_for(engine, "handle_error")
    def _recorded_by_someone_else(context) -> None:
        # The services check that a record meant to be there once is not there already, but on a server someone
        # else can save it between that check and this write: the unique constraint is what refuses it. Said
        # plainly, without the server's DETAIL (which quotes the row: names, numbers).
        error = context.original_exception
        if getattr(error, "sqlstate", None) == UNIQUE_VIOLATION:
            table = getattr(getattr(error, "diag", None), "table_name", None) or "record"
            raise RecordedBySomeoneElse(table.replace("_", " ")) from None

    @event.listens_for(engine, "handle_error")
    def _may_only_read(context) -> None:
        # Opened read-only when the account cannot write (open_server_database), so jointlead does not try; this is
        # for an account whose rights were taken away while the window was open.
        # Only a save's own writes: a read, or setting up and upgrading the schema at open (server_refused's to say),
        # refused for want of rights is not a change that was not saved.
        # Nor a write inside one_state, read-only by jointlead's own doing (as for SQLite: engine._cannot_write).
        reading = context.connection is not None and context.connection.info.get(READING_ONE_STATE)
        if (getattr(context.original_exception, "sqlstate", None) in READ_ONLY_REFUSALS and not reading
                and (context.statement or "").lstrip().upper().startswith(RECORD_WRITES)):
            raise ReadOnlyDatabase(*ACCOUNT_READ_ONLY) from None

    @event.listens_for(engine, "handle_error")
    def _without_row_values(context) -> DBAPIError | None:
        # PostgreSQL's DETAIL repeats the row it refused ("Failing row contains (…)", "Key (…)=(…) already
        # exists"): names and numbers, which must not reach the log or a dialog. Keep only the primary message;
        # SQLAlchemy wrote the whole one into its exception already, so that is made again without it.
        error = context.original_exception
        primary = getattr(getattr(error, "diag", None), "message_primary", None)
        wrapped = context.sqlalchemy_exception
        if not primary or not isinstance(wrapped, DBAPIError):
            return None
        error.args = (primary,)
        return type(wrapped)(wrapped.statement, None, error, hide_parameters=True,
                             connection_invalidated=wrapped.connection_invalidated)

    return engine


def server_refused(url: URL, error: DBAPIError) -> DatabaseError:
    """What the server said, in its first line (no such database, password refused, no server listening, no
    permission to create tables), as a problem the user can take to whoever runs the server."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else "no reason given"
    return DatabaseError(f"{shown(url)} could not be used: {reason}",
                         "Check the address, that the server is running, and that your account may use that "
                         "database (and create tables in it, the first time).")


def stored_revision(engine: Engine, url: URL, known: tuple[str, ...]) -> str | None:
    """The schema revision on the server; None for an empty database, which can become a jointlead one."""
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = (connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                        if "alembic_version" in tables else None)
    except DBAPIError as error:
        raise server_refused(url, error) from error
    if revision is None and tables:
        raise NotAJointleadDatabase(f"{shown(url)} holds other tables, not a jointlead database.",
                                    "Ask for an empty database of jointlead's own, or name the right one.")
    if revision is not None and revision not in known:
        raise DatabaseFromNewerVersion(
            f"{shown(url)} was written by a newer version of jointlead (schema {revision}).",
            "It has not been changed. Install the latest jointlead to open it.")
    return revision


def advance_id_sequences(connection: Connection) -> None:
    """After rows were inserted with their ids given (the demo, a copy), make each table's next id carry on after the
    largest it has held: its own, or one the audit log names (a record removed before a copy). Otherwise the next
    row added would be given an id already taken, or a removed record's, and with it that one's history."""
    from jointlead.store.models import Base  # the models are needed only here, not to open a server

    for table in Base.metadata.sorted_tables:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        highest = connection.execute(text(
            f"SELECT COALESCE((SELECT max(id) FROM {table.name}), 0), "
            "COALESCE((SELECT max(entity_id) FROM audit_entry WHERE entity = :name), 0)"),
            {"name": table.name}).one()
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :next, false)"),
                               {"next": max(highest) + 1})
        else:  # SQLite keeps the largest id an AUTOINCREMENT table has given in sqlite_sequence
            connection.execute(text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table.name})
            connection.execute(text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
                               {"name": table.name, "seq": max(highest)})
