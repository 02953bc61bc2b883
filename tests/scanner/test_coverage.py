"""Coverage instead of all-or-nothing, in real Chromium on the local fixture internet.

A page answering 404 or 500 that renders is a visited page (tags fire on it); only crawl failures
(here: a page that never answers) lower coverage. A property's scan is complete when every start
URL loaded and coverage ≥ min_coverage (site default 0.95, per property `min_coverage:`).
Expectations are written by hand from the small sites defined below.
"""

from __future__ import annotations

import json

import pytest

from gaibu.localnet import PIXEL_GIF, LocalNet, Request, Response
from tests.conftest import load_json, run_gaibu
from tests.fixtures.web import write_targets

pytestmark = pytest.mark.browser

ERR = "www.error-pages.jp"  # / → /missing (404) and /broken (500), both firing tags
COV = "www.coverage-site.jp"  # / → /p/1 … /p/29; /p/13 never answers
HANG = 13


def _pixel(req: Request) -> Response:
    return Response(200, PIXEL_GIF, "image/gif", [("Access-Control-Allow-Origin", "*")])


def add_sites(net: LocalNet, state: dict[str, bool]) -> None:
    def err_site(req: Request) -> Response | None:
        path = req.path.split("?", 1)[0]
        if path == "/":
            if state.get("hang_start"):
                return Response(hang=True)
            return Response(200, "<h1>top</h1><a href='/missing'>old link</a> "
                                 "<a href='/broken'>broken</a>")
        clarity = ("<script src='https://www.clarity.ms/tag/fixture'></script>"
                   if state.get("clarity", True) else "")
        if path == "/missing":
            return Response(404, f"<h1>ページが見つかりません</h1><a href='/'>トップ</a>"
                                 f"<img src='https://px.error-tag.jp/404.gif'>{clarity}")
        if path == "/broken":
            return Response(500, "<h1>エラー</h1><img src='https://px.error-tag.jp/500.gif'>")
        return None

    def cov_site(req: Request) -> Response | None:
        path = req.path.split("?", 1)[0]
        if path == f"/p/{HANG}":
            return Response(hang=True)
        if path == "/" or path.startswith("/p/"):
            links = "".join(f"<a href='/p/{i}'>{i}</a> " for i in range(1, 30))
            return Response(200, f"<h1>{path}</h1>{links}<img src='https://px.cov-tag.jp/c.gif'>")
        return None

    net.add(ERR, err_site)
    net.add(COV, cov_site)
    net.add("px.error-tag.jp", _pixel)
    net.add("px.cov-tag.jp", _pixel)
    net.add("www.clarity.ms", lambda r: Response(200, "", "application/javascript"))


@pytest.fixture(scope="module")
def net():
    state: dict[str, bool] = {}
    n = LocalNet()
    add_sites(n, state)
    n.state = state  # type: ignore[attr-defined]
    n.start()
    yield n
    n.stop()


# generous page_timeout: under machine load a normal page must never fail; only the page that
# never answers does (it costs one page_timeout)
SCAN = "{dwell: 0, scroll: false, idle_time: 0.3, idle_timeout: 2, page_timeout: 20, page_budget: 60, retries: 0}"


def _scan(targets, out, *extra):
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(out), "--no-fail-on-new", *extra)
    return r, load_json(out)


def test_error_status_pages_are_visits_and_their_tags_are_recorded(net, tmp_path):
    body = f"""properties:
  - name: errors
    kind: web
    title_ja: エラーページのあるサイト
    start_urls: [https://{ERR}/]
    max_depth: 1
"""
    targets = write_targets(tmp_path / "targets.yaml", net, body, scan=SCAN)
    r, report = _scan(targets, tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    prop = report["properties"][0]
    assert prop["status"] == "complete" and report["scan"]["status"] == "complete"
    pages = {p["url"]: p for p in prop["pages"]}
    assert {u: (p["status"], p["error"]) for u, p in pages.items()} == {
        f"https://{ERR}/": (200, None),
        f"https://{ERR}/missing": (404, None),
        f"https://{ERR}/broken": (500, None),
    }
    assert (prop["pages_visited"], prop["pages_failed"], prop["coverage"]) == (3, 0, 1.0)
    assert prop["min_coverage"] == 0.95
    tps = {t["domain"]: t for t in prop["third_parties"]}
    assert tps["error-tag.jp"]["frames"] == [f"https://{ERR}/broken", f"https://{ERR}/missing"]
    assert tps["clarity.ms"]["service"] == "microsoft-clarity"
    assert tps["clarity.ms"]["frames"] == [f"https://{ERR}/missing"]
    # the summary names them as visited pages with their status, not as failures
    assert "404 https://www.error-pages.jp/missing" in r.stdout
    assert "100.0%" in r.stdout


def test_coverage_decides_complete_partial_per_property(net, tmp_path):
    body = f"""properties:
  - name: cov
    kind: web
    title_ja: 30ページのサイト
    start_urls: [https://{COV}/]
    max_depth: 1
    max_pages: 30
  - name: cov-strict
    kind: web
    title_ja: 30ページのサイト（厳しい基準）
    start_urls: [https://{COV}/]
    max_depth: 1
    max_pages: 30
    min_coverage: 0.99
  - name: cov-start
    kind: web
    title_ja: 開始ページが読み込めないサイト
    start_urls: [https://{COV}/, https://{COV}/p/{HANG}]
    max_depth: 0
    min_coverage: 0
"""
    targets = write_targets(tmp_path / "targets.yaml", net, body,
                            scan=SCAN)
    r, report = _scan(targets, tmp_path / "r.json")
    assert r.returncode == 0, r.stderr
    props = {p["name"]: p for p in report["properties"]}
    cov = props["cov"]
    assert (cov["pages_visited"], cov["pages_failed"]) == (30, 1), [
        (p["url"], p["error"]) for p in cov["pages"] if p["error"]]
    assert cov["coverage"] == 0.967 and cov["status"] == "complete"  # 29/30 ≥ 0.95
    (failed,) = [p for p in cov["pages"] if p["error"]]
    assert failed["url"] == f"https://{COV}/p/{HANG}" and failed["error_kind"] == "timeout"
    strict = props["cov-strict"]
    assert strict["coverage"] == 0.967 and strict["min_coverage"] == 0.99
    assert strict["status"] == "partial"  # 0.967 < 0.99
    start = props["cov-start"]
    assert (start["coverage"], start["min_coverage"]) == (0.5, 0.0)
    assert start["status"] == "partial"  # a start URL did not load, whatever the threshold
    assert report["scan"]["status"] == "partial"
    assert "96.7%" in r.stdout and "coverage 96.7% < min_coverage 99.0%" in r.stdout
    assert "cov-start: partial: a start URL did not load" in r.stdout


def test_removal_counts_complete_scans_even_with_error_pages(net, tmp_path):
    body = f"""site:
  removal_after_scans: 2
properties:
  - name: errors
    kind: web
    title_ja: エラーページのあるサイト
    start_urls: [https://{ERR}/]
    max_depth: 1
"""
    targets = write_targets(tmp_path / "targets.yaml", net, body, scan=SCAN)
    state = net.state

    def listing() -> dict:
        r = run_gaibu("listing", "list", "--targets", str(targets), "--json")
        assert r.returncode == 0, r.stderr
        rows = json.loads(r.stdout)
        rows = rows["listings"] if isinstance(rows, dict) else rows
        return {x["service"]: x for x in rows if x["property"] == "errors"}

    try:
        state["clarity"] = True
        r, rep = _scan(targets, tmp_path / "1.json")
        assert rep["properties"][0]["status"] == "complete", r.stdout
        assert listing()["microsoft-clarity"]["state"] == "listed"

        state["clarity"] = False
        r, rep = _scan(targets, tmp_path / "2.json")
        assert rep["properties"][0]["status"] == "complete", r.stdout
        assert listing()["microsoft-clarity"]["misses"] == 1

        state["hang_start"] = True  # the start URL never answers: partial, counts nothing
        r, rep = _scan(targets, tmp_path / "3.json")
        assert rep["properties"][0]["status"] == "failed", r.stdout
        row = listing()["microsoft-clarity"]
        assert (row["state"], row["misses"]) == ("listed", 1)
        # gaibu diff shows each property's status and coverage in both scans
        ids = [load_json(tmp_path / f"{n}.json")["scan"]["id"] for n in (2, 3)]
        args = ["diff", "--targets", str(targets), "--from", str(ids[0]), "--to", str(ids[1])]
        d = run_gaibu(*args, "--json")
        assert d.returncode == 0, d.stderr
        (p,) = json.loads(d.stdout)["properties"]
        assert p["from"] == {"status": "complete", "coverage": 1.0, "pages_visited": 3,
                             "pages_failed": 0}
        assert p["to"] == {"status": "failed", "coverage": 0.0, "pages_visited": 1,
                           "pages_failed": 1}
        assert ("errors (complete, coverage 100.0% → failed, coverage 0.0%)"
                in run_gaibu(*args).stdout)

        state["hang_start"] = False
        r, rep = _scan(targets, tmp_path / "4.json")
        assert rep["properties"][0]["status"] == "complete", r.stdout
        assert listing()["microsoft-clarity"]["state"] == "removed"
    finally:
        state.clear()
