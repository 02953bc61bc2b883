"""The database: URL resolution (--db, env, targets.yaml, default SQLite), engine and schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

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


def get_engine(url: str, create: bool = True) -> Engine:
    """Engine for `url` with the schema created (idempotent). Cached per URL."""
    if url in _engines:
        return _engines[url]
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
        engine = create_engine(url, pool_pre_ping=True)
    if create:
        SQLModel.metadata.create_all(engine)
        add_missing_columns(engine)
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


def dispose_all() -> None:
    for e in _engines.values():
        e.dispose()
    _engines.clear()


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
