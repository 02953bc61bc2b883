"""The same flows against a real PostgreSQL server (GAIBU_TEST_POSTGRES_URL, set by `make test`):
scan with incremental writes, findings and review decisions with undo, sticky listings, build,
registry round trip, diff, and a real crawl in Chromium."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

BASE = os.environ.get("GAIBU_TEST_POSTGRES_URL")
pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(not BASE, reason="GAIBU_TEST_POSTGRES_URL not set (make test sets it)")]

UNKNOWN = "https://collect.unknown-metrics.jp/v1/event?uid=1"
GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"
META = "https://www.facebook.com/tr/?id=1&ev=PageView"


@pytest.fixture()
def pg_url():
    import psycopg

    name = "gaibu_t_" + uuid.uuid4().hex[:10]
    with psycopg.connect(BASE, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # name is generated here, not user input
    url = BASE.rsplit("/", 1)[0] + "/" + name
    yield url
    from gaibu.db import dispose_all
    dispose_all()
    with psycopg.connect(BASE, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_review_listing_build_and_diff_on_postgres(pg_url, tmp_path: Path):
    make_har(tmp_path / "a.har", [GA, META, UNKNOWN],
             {UNKNOWN: ["um=1; Domain=.unknown-metrics.jp; Path=/; Max-Age=100"]})
    make_har(tmp_path / "b.har", [GA, UNKNOWN])
    t = app_targets(tmp_path / "targets.yaml", ["a.har"])
    db = ["--db", pg_url]
    r = run_gaibu("scan", "--targets", str(t), *db, "--fail-on-new", "--json", str(tmp_path / "r.json"))
    assert r.returncode == 3, r.stderr
    tps = {x["domain"]: x for x in json.loads((tmp_path / "r.json").read_text())["properties"][0]["third_parties"]}
    assert tps["google-analytics.com"]["service"] == "google-analytics"
    assert tps["unknown-metrics.jp"]["status"] == "pending"
    r = run_gaibu("review", "assign", "unknown-metrics.jp", "--service", "adjust", "--by", "sato",
                  "--targets", str(t), *db)
    assert r.returncode == 0, r.stderr
    assert run_gaibu("scan", "--targets", str(t), *db, "--fail-on-new").returncode == 0
    shown = json.loads(run_gaibu("review", "show", "unknown-metrics.jp", "--json",
                                 "--targets", str(t), *db).stdout)
    r = run_gaibu("review", "undo", str(shown["decisions"][0]["id"]), "--targets", str(t), *db)
    assert r.returncode == 0, r.stderr
    assert run_gaibu("scan", "--targets", str(t), *db, "--fail-on-new").returncode == 3
    # sticky: Meta stays for two complete scans without it, goes at the third
    t = app_targets(t, ["b.har"])
    site = tmp_path / "site"
    # the undone finding is pending again: the publication gate refuses on PostgreSQL too
    r = run_gaibu("build", "--out", str(site), "--targets", str(t), *db)
    assert r.returncode == 3 and "app-ios: unknown-metrics.jp" in r.stderr
    for expected in (True, True, False):
        assert run_gaibu("scan", "--targets", str(t), *db).returncode == 0
        assert run_gaibu("build", "--out", str(site), "--targets", str(t), *db,
                         "--allow-pending").returncode == 0
        data = json.loads((site / "app.json").read_text(encoding="utf-8"))
        ids = {s["service_id"] for p in data["properties"] for s in p["services"]}
        assert ("meta-pixel" in ids) is expected
    d = json.loads(run_gaibu("diff", "--json", "--from", "1", "--targets", str(t), *db).stdout)
    assert d["properties"][0]["third_parties"]["removed"] == ["facebook.com"]
    # registry export from PostgreSQL equals the export from SQLite
    run_gaibu("registry", "export", str(tmp_path / "pg-export"), "--targets", str(t), *db)
    sq = ["--db", f"sqlite:///{tmp_path / 'x.db'}"]
    run_gaibu("registry", "load", "--targets", str(t), *sq)
    run_gaibu("review", "list", "--targets", str(t), *sq)
    r = run_gaibu("registry", "export", str(tmp_path / "sq-export"), "--targets", str(t), *sq)
    assert r.returncode == 0, r.stderr
    pg_services = (tmp_path / "pg-export" / "services.yaml").read_text(encoding="utf-8")
    sq_services = (tmp_path / "sq-export" / "services.yaml").read_text(encoding="utf-8")
    # the PostgreSQL registry has one extra review rule? no: the assign was undone
    assert pg_services == sq_services


@pytest.mark.browser
def test_crawl_writes_to_postgres(pg_url, tmp_path):
    from tests.fixtures.web import SHOP, make_net, write_targets
    net = make_net()
    net.start()
    try:
        t = write_targets(tmp_path / "targets.yaml", net, f"""properties:
  - name: shop
    kind: web
    title_ja: ショップ
    start_urls: [https://{SHOP}/]
    max_depth: 1
    consent: {{accept: ["#consent-accept"]}}
""")
        r = run_gaibu("scan", "--targets", str(t), "--db", pg_url, "--json", str(tmp_path / "r.json"))
        assert r.returncode == 0, r.stderr
        prop = json.loads((tmp_path / "r.json").read_text())["properties"][0]
        assert prop["pages_visited"] == 4 and prop["pages_failed"] == 0  # /, /list, /about, /hidden
        cookies = {(c["name"], c["party"], c["set_by"]) for c in prop["cookies"]}
        assert ("_ga", "first", "script") in cookies and ("wid", "third", "header") in cookies
        assert {t["domain"] for t in prop["third_parties"]} >= {"google-analytics.com", "gated-tag.jp"}
    finally:
        net.stop()
