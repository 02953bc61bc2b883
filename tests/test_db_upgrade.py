"""A database made by an older gaibu opens with the current one: missing columns are added, rows kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlmodel import Session, select

from gaibu.db import dispose_all, get_engine
from registry.loader import load_into
from registry.models import Provider, Service

NEW_COLUMNS = {"service": ("stop", "texts", "exemption_candidate"), "provider": ("domains",)}


def test_old_database_gains_new_columns_and_keeps_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    url = f"sqlite:///{db}"
    load_into(get_engine(url), None)
    dispose_all()
    con = sqlite3.connect(db)
    before = con.execute("SELECT count(*) FROM service").fetchone()[0]
    for table, cols in NEW_COLUMNS.items():  # make it look like a database of the previous release
        for c in cols:
            con.execute(f"ALTER TABLE {table} DROP COLUMN {c}")
    con.commit()
    con.close()

    engine = get_engine(url)
    con = sqlite3.connect(db)
    for table, cols in NEW_COLUMNS.items():
        have = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
        assert set(cols) <= have
    con.close()
    assert before > 100
    res = load_into(engine, None)  # reload fills the new columns from the seed
    assert res.services == before
    with Session(engine) as s:
        assert len(s.exec(select(Service)).all()) == before
        assert s.exec(select(Provider)).first() is not None
    dispose_all()
