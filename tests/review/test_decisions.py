"""Review decisions through the use-case layer (gaibu.commands.review), without a subprocess:
typed results, the version check, and two reviewers deciding at the same moment on SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from gaibu.commands.review import Conflict, QueueFilter, decide, detail, pending_by_property, queue
from gaibu.db import dispose_all, get_engine, normalize_url
from registry.loader import load_into
from registry.models import Decision, Finding
from scanner.errors import GaibuError
from scanner.store import utcnow

PG = os.environ.get("GAIBU_TEST_POSTGRES_URL")


def _seed(url: str) -> None:
    engine = get_engine(normalize_url(url))
    load_into(engine, None)
    now = utcnow()
    with Session(engine) as s:
        for i, (key, props, pages, after) in enumerate([
                ("kumo-tracker.jp", ["web", "app"], 40, False),
                ("nazo-ads.jp", ["web"], 3, True),
                ("sdk:com.nazo:tracker", ["app"], 1, False)]):
            s.add(Finding(key=key, kind="sdk" if key.startswith("sdk:") else "domain",
                          first_seen=now, last_seen=now,
                          evidence={"properties": props, "pages_count": pages,
                                    "hosts": [f"h{i}.{key}"], "devices": ["desktop"],
                                    "after_consent_only": after},
                          suggestion={"company": f"Vendor {i}", "category": "analytics"}))
        s.commit()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'r.db'}"
        _seed(url)
        yield normalize_url(url)
        dispose_all()
        return
    if not PG:
        pytest.skip("GAIBU_TEST_POSTGRES_URL not set (make test sets it)")
    import psycopg

    name = "gaibu_t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # generated here, not input
    url = PG.rsplit("/", 1)[0] + "/" + name
    _seed(url)
    yield normalize_url(url)
    dispose_all()
    with psycopg.connect(PG, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_queue_is_sorted_by_reach_and_filters(db: str) -> None:
    e = get_engine(db)
    q = queue(e)
    assert [r.key for r in q.rows] == ["kumo-tracker.jp", "nazo-ads.jp", "sdk:com.nazo:tracker"]
    assert q.rows[0].reach == 80 and q.counts["pending"] == 3 and q.total == 3
    assert [r.key for r in queue(e, QueueFilter(phase="after")).rows] == ["nazo-ads.jp"]
    assert [r.key for r in queue(e, QueueFilter(property="app")).rows] == [
        "kumo-tracker.jp", "sdk:com.nazo:tracker"]
    assert [r.key for r in queue(e, QueueFilter(q="h1.")).rows] == ["nazo-ads.jp"]
    assert queue(e, limit=1).total == 3
    assert pending_by_property(e) == {"app": ["kumo-tracker.jp", "sdk:com.nazo:tracker"],
                                      "web": ["kumo-tracker.jp", "nazo-ads.jp"]}
    with pytest.raises(GaibuError, match="status 'x'"):
        queue(e, QueueFilter(status="x"))


def test_decide_returns_typed_results_and_bumps_the_version(db: str) -> None:
    e = get_engine(db)
    res = decide(e, "assign", "kumo-tracker.jp", by="rei", service_id="google-analytics",
                 rule="host:h0.kumo-tracker.jp", reason="checked", expected_version=0)
    assert (res.action, res.previous_status, res.new_status, res.service_id, res.rules_added) == (
        "assign", "pending", "assigned", "google-analytics", 1)
    d = detail(e, "kumo-tracker.jp")
    assert d.finding.version == 1 and d.finding.status == "assigned"
    assert [x.action for x in d.decisions] == ["assign"]
    with pytest.raises(Conflict):
        decide(e, "ignore", "kumo-tracker.jp", by="ben", reason="late", expected_version=0)
    undo = decide(e, "undo", "", by="rei", decision_id=res.decision_id, expected_version=1)
    assert (undo.previous_status, undo.new_status) == ("assigned", "pending")
    assert detail(e, "kumo-tracker.jp").decisions[0].undone
    with pytest.raises(GaibuError, match="needs --reason|reason"):
        decide(e, "ignore", "nazo-ads.jp", by="rei", reason="")
    with pytest.raises(GaibuError, match="unknown action"):
        decide(e, "delete", "nazo-ads.jp", by="rei")
    with Session(e) as s:  # the failed ones changed nothing
        assert [d.action for d in s.exec(select(Decision))] == ["assign", "undo"]
        f = s.exec(select(Finding).where(Finding.key == "nazo-ads.jp")).one()
        assert f.version == 0 and f.status == "pending"


def test_two_reviewers_at_the_same_moment_one_decision(db: str) -> None:
    e = get_engine(db)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def reviewer(name: str, action: str) -> None:
        barrier.wait()
        try:
            results.append(decide(e, action, "nazo-ads.jp", by=name, reason=f"{name} decided",
                                  expected_version=0))
        except Conflict as exc:
            results.append(exc)

    threads = [threading.Thread(target=reviewer, args=("ann", "ignore")),
               threading.Thread(target=reviewer, args=("ben", "first_party"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "DecisionResult"]
    with Session(e) as s:
        ds = s.exec(select(Decision)).all()
        assert len(ds) == 1
        f = s.exec(select(Finding).where(Finding.key == "nazo-ads.jp")).one()
        assert f.version == 1 and f.status == ds[0].new_status
