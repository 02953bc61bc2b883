"""The database: URL resolution (--db, env, targets.yaml, default SQLite), engine and schema."""

from __future__ import annotations

import atexit
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from scanner.errors import GaibuError

DEFAULT_URL = "sqlite:///gaibu.db"
ENV_VAR = "GAIBU_DATABASE_URL"


def resolve_url(cli_value: str | None, targets_value: str | None = None) -> str:
    """--db, else GAIBU_DATABASE_URL, else database: in targets.yaml, else sqlite:///gaibu.db."""
    for v in (cli_value, os.environ.get(ENV_VAR), targets_value):
        if v:
            return normalize_url(v)
    return DEFAULT_URL


def normalize_url(url: str) -> str:
    """Accept a bare file path for SQLite and plain postgres:// URLs (use psycopg 3)."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _import_models() -> None:
    # Every table module, so create_all knows the whole schema.
    import gaibu.console.accounts  # noqa: F401
    import registry.models  # noqa: F401
    import scanner.models  # noqa: F401


_engines: dict[str, Engine] = {}
CONNECT_TIMEOUT = 5  # seconds for PostgreSQL to answer (unless the URL sets connect_timeout)
SUPPORTED = "sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME"


class DatabaseError(GaibuError):
    """The database cannot be opened or used; the message is one line for the user."""


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    if url.startswith("sqlite"):
        return url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1] if "@" in url else url


def sqlite_path(url: str) -> Path | None:
    """The file of a sqlite:/// URL (None for other URLs and in-memory databases)."""
    if not url.startswith("sqlite"):
        return None
    try:
        db = make_url(url).database
    except Exception:
        return None
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def _check_url(url: str) -> None:
    """Refuse URLs gaibu cannot use, before SQLAlchemy turns them into a traceback."""
    try:
        u = make_url(url)
    except Exception:
        raise DatabaseError(f"database URL {redact(url)!r} is not a URL; expected {SUPPORTED}") from None
    backend = u.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseError(f"database URL {redact(url)!r}: {backend!r} is not supported; "
                            f"expected {SUPPORTED}")
    if u.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise DatabaseError(f"database URL {redact(url)!r}: driver {u.drivername!r} is not "
                            f"supported; expected {SUPPORTED}")
    path = sqlite_path(url)
    if path is not None:
        parent = path.absolute().parent
        if path.is_dir():
            raise DatabaseError(f"database {path} is a directory; expected a SQLite file")
        if not parent.is_dir():
            raise DatabaseError(f"database {path}: directory {parent} does not exist")


def describe_db_error(url: str, e: BaseException) -> str:
    """One line for a DBAPI error: where, and what the driver said (first line only)."""
    orig = getattr(e, "orig", None) or e
    text = " ".join(str(orig).split("\n")[0].split()) or type(orig).__name__
    if url.startswith("postgresql"):
        try:
            u = make_url(url)
            where = f"PostgreSQL at {u.host or 'localhost'}:{u.port or 5432}"
        except Exception:
            where = "PostgreSQL"
        low = str(orig).lower()
        if "connection refused" in low:
            text = "connection refused (is the server running and accepting TCP/IP connections?)"
        elif "timeout expired" in low or "timed out" in low:
            text = f"no answer within {CONNECT_TIMEOUT} s (connect_timeout)"
        return f"cannot use {where} ({redact(url)}): {text}"
    path = sqlite_path(url)
    where = f"SQLite database {path}" if path else f"database {redact(url)}"
    if "readonly" in text.replace(" ", "").lower() or "read-only" in text.lower():
        text += " (check the permissions of the file and of its directory)"
    return f"cannot use {where}: {text}"


def get_engine(url: str, create: bool = True) -> Engine:
    """Engine for `url` with the schema created (idempotent). Cached per URL.

    Raises DatabaseError (one line, URL without password) when the URL is unsupported, the
    SQLite directory is missing, or the database cannot be reached or written.
    """
    if url in _engines:
        return _engines[url]
    _check_url(url)
    _import_models()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    else:
        args = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT}
        engine = create_engine(url, pool_pre_ping=True, connect_args=args)
    if create:
        try:
            SQLModel.metadata.create_all(engine)
            add_missing_columns(engine)
        except exc.SQLAlchemyError as e:
            engine.dispose()
            raise DatabaseError(describe_db_error(url, e)) from None
    if not _engines:
        atexit.register(close_all)
    _engines[url] = engine
    return engine


def add_missing_columns(engine: Engine) -> list[str]:
    """Bring a database made by an older gaibu up to the current tables: add the columns it lacks.

    ``create_all`` creates missing tables but never alters existing ones. New columns are
    therefore always nullable (or have a Python-side default) and are added here with
    ``ALTER TABLE … ADD COLUMN``; nothing is ever dropped or rewritten. Returns "table.column" for
    each column added.
    """
    from sqlalchemy import inspect
    from sqlalchemy.schema import CreateColumn

    added: list[str] = []
    insp = inspect(engine)
    existing_tables = set(insp.get_table_names())
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            if table.name not in existing_tables:
                continue
            have = {c["name"] for c in insp.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                ddl = str(CreateColumn(column).compile(dialect=engine.dialect))
                ddl = ddl.replace(" NOT NULL", "")  # old rows have no value: always nullable
                q = engine.dialect.identifier_preparer.quote(table.name)
                conn.exec_driver_sql(f"ALTER TABLE {q} ADD COLUMN {ddl}")
                added.append(f"{table.name}.{column.name}")
    return added


def checkpoint(engine: Engine) -> None:
    """Fold SQLite's write-ahead log into the database file, so the .db file alone holds every row.

    gaibu runs SQLite in WAL mode; committed rows first go to ``gaibu.db-wal``. Copying only
    ``gaibu.db`` (a CI artifact, a backup) would miss them. ``wal_checkpoint(TRUNCATE)`` copies
    the log into the main file and empties it; a reader that is still open elsewhere makes it a
    partial checkpoint, never an error.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as conn:
            # another gaibu still reading or writing: wait at most 2 s, then leave it to them
            conn.exec_driver_sql("PRAGMA busy_timeout=2000")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except exc.SQLAlchemyError:
        pass  # read-only file or busy: the data stays safe in the -wal file


def close_all() -> None:
    """Checkpoint every SQLite database and close all connections (at the end of each command)."""
    for e in list(_engines.values()):
        checkpoint(e)
        e.dispose()
    _engines.clear()


def dispose_all() -> None:
    close_all()


def current_url() -> str | None:
    """The URL of the most recently opened engine (for error messages at the top level)."""
    return next(reversed(_engines), None) if _engines else None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed on success and rolled back on any error."""
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
