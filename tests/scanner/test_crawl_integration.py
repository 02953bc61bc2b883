"""The crawler in the real Chromium against the local fixture internet (tests/fixtures/web.py).

Every expectation below is written by hand from the fixture pages: which hosts each page
contacts, which cookies are stored by header or by script, which storage keys are written.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

import pytest

from tests.conftest import load_json, run_gaibu
from tests.fixtures.web import FAULTS, SHOP, make_net, write_targets

pytestmark = pytest.mark.browser

SHOP_PROPERTY = f"""properties:
  - name: shop
    kind: web
    title_ja: フィクスチャ商店
    start_urls: [https://{SHOP}/]
    max_depth: 2
    max_pages: 20
    devices: [desktop, mobile]
    consent: {{accept: ["#consent-accept", "text=同意する"]}}
"""


@pytest.fixture(scope="module")
def net():
    n = make_net()
    n.start()
    yield n
    n.stop()


@pytest.fixture(scope="module")
def shop_scan(net, tmp_path_factory):
    d = tmp_path_factory.mktemp("shop")
    targets = write_targets(d / "targets.yaml", net, SHOP_PROPERTY)
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(d / "report.json"),
                  "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    report = load_json(d / "report.json")
    return d, report, report["properties"][0]


def by_domain(prop):
    return {t["domain"]: t for t in prop["third_parties"]}


def test_pages_breadth_first_within_depth_sitemap_and_canonical(shop_scan):
    _, report, prop = shop_scan
    assert report["scan"]["status"] == "complete"
    urls = {(p["url"], p["device"]) for p in prop["pages"]}
    expected = {f"https://{SHOP}{path}" for path in ("/", "/list", "/about", "/item/1", "/item/2",
                                                      "/hidden")}
    assert urls == {(u, d) for u in expected for d in ("desktop", "mobile")}
    # /item/3 is depth 3 (> max_depth 2); other-company.jp is another site; the PDF is a file
    assert all(p["error"] is None and p["status"] == 200 for p in prop["pages"])
    assert prop["pages_visited"] == 12 and prop["pages_failed"] == 0
    depth = {p["url"]: p["depth"] for p in prop["pages"]}
    assert depth[f"https://{SHOP}/"] == 0 and depth[f"https://{SHOP}/item/1"] == 2
    assert depth[f"https://{SHOP}/hidden"] == 1  # found only through sitemap.xml


def test_exact_third_party_domains_and_hosts(shop_scan):
    _, _, prop = shop_scan
    tps = by_domain(prop)
    assert set(tps) == {
        "google-analytics.com", "googletagmanager.com", "gated-tag.jp", "lazy-tag.jp",
        "mobile-tag.jp", "deep-tag.jp", "widget-co.jp", "beacon-co.jp", "worker-co.jp",
        "sw-co.jp", "socket-co.jp", "sitemap-only.jp",
    }
    assert tps["google-analytics.com"]["hosts"] == ["region1.google-analytics.com"]
    assert tps["deep-tag.jp"]["hosts"] == ["dis.deep-tag.jp", "static.deep-tag.jp"]
    assert tps["widget-co.jp"]["resource_types"] == ["document"]  # the iframe itself
    assert tps["widget-co.jp"]["frames"] == [f"https://{SHOP}/"]  # the page holding the iframe
    assert tps["widget-co.jp"]["statuses"] == [200]
    assert tps["beacon-co.jp"]["statuses"] == [204]
    assert tps["beacon-co.jp"]["resource_types"] == ["ping"]
    assert tps["socket-co.jp"]["resource_types"] == ["websocket"]
    # the owned CDN and the site itself are first party; the never-visited site is absent
    assert "fixture-cdn.jp" not in tps and "fixture-shop.jp" not in tps
    assert "never-visited.jp" not in tps and "other-company.jp" not in tps


def test_query_parameter_names_never_values(shop_scan):
    d, _, prop = shop_scan
    tps = by_domain(prop)
    assert tps["beacon-co.jp"]["param_names"] == ["ev", "uid"]
    assert tps["google-analytics.com"]["param_names"] == ["cid", "dl", "en", "tid", "v"]
    raw = (d / "gaibu.db").read_bytes() + (d / "report.json").read_bytes()
    wal = d / "gaibu.db-wal"
    if wal.exists():
        raw += wal.read_bytes()
    assert b"SECRETVALUE" not in raw


def test_consent_gated_lazy_mobile_only_and_deep_tags(shop_scan):
    _, _, prop = shop_scan
    tps = by_domain(prop)
    assert tps["gated-tag.jp"]["after_consent_only"] is True
    assert tps["google-analytics.com"]["after_consent_only"] is False
    assert any(p["consent_clicked"] for p in prop["pages"])
    # the lazy pixel fires only after scrolling: it is present on every page
    assert tps["lazy-tag.jp"]["devices"] == ["desktop", "mobile"]
    assert tps["mobile-tag.jp"]["devices"] == ["mobile"]
    assert tps["sitemap-only.jp"]["requests"] == 2  # /hidden on two devices


def test_deep_tag_only_on_detail_pages(shop_scan):
    d, _, _ = shop_scan
    con = sqlite3.connect(d / "gaibu.db")
    pages = con.execute("select pages from hostobservation where host='static.deep-tag.jp'").fetchone()[0]
    assert sorted(set(eval_json(pages))) == [f"https://{SHOP}/item/1", f"https://{SHOP}/item/2"]


def eval_json(text):
    import json
    return json.loads(text)


def test_workers_service_workers_and_iframes_are_captured(shop_scan):
    _, _, prop = shop_scan
    tps = by_domain(prop)
    assert tps["worker-co.jp"]["hosts"] == ["api.worker-co.jp"]
    assert tps["sw-co.jp"]["hosts"] == ["sw.sw-co.jp"]
    assert tps["widget-co.jp"]["hosts"] == ["embed.widget-co.jp"]


def test_cookies_stored_with_party_and_set_by(shop_scan):
    _, _, prop = shop_scan
    cookies = {(c["name"], c["domain"]): c for c in prop["cookies"]}
    expected = {
        ("_ga", SHOP): ("first", "script"),
        ("_ga_FIXTURE", SHOP): ("first", "script"),
        ("consent", SHOP): ("first", "script"),
        ("gt", "tag.gated-tag.jp"): ("third", "header"),
        ("lz", "px.lazy-tag.jp"): ("third", "header"),
        ("deep_uid", ".deep-tag.jp"): ("third", "header"),
        ("wid", "embed.widget-co.jp"): ("third", "header"),
    }
    assert {k: (c["party"], c["set_by"]) for k, c in cookies.items()} == expected
    assert cookies[("wid", "embed.widget-co.jp")]["http_only"] is True
    assert cookies[("gt", "tag.gated-tag.jp")]["after_consent_only"] is True
    assert cookies[("_ga", SHOP)]["after_consent_only"] is False


def test_storage_keys_per_origin_including_third_party_iframes(shop_scan):
    _, _, prop = shop_scan
    keys = {(s["origin"], s["kind"], s["key"], s["party"]) for s in prop["storage"]}
    assert keys == {
        (f"https://{SHOP}", "localStorage", "recent_searches", "first"),
        (f"https://{SHOP}", "localStorage", "cdn_seen", "first"),
        (f"https://{SHOP}", "sessionStorage", "sess_tab", "first"),
        ("https://embed.widget-co.jp", "localStorage", "widget_uid", "third"),
    }


def test_blocking_third_party_cookies_scans_like_safari(net, tmp_path):
    body = SHOP_PROPERTY.replace("max_depth: 2", "max_depth: 0").replace(
        "devices: [desktop, mobile]", "devices: [desktop]")
    targets = write_targets(tmp_path / "targets.yaml", net, body)
    text = targets.read_text().replace("ignore_https_errors: true",
                                       "ignore_https_errors: true\n  third_party_cookies: block")
    targets.write_text(text)
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(tmp_path / "r.json"),
                  "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    prop = load_json(tmp_path / "r.json")["properties"][0]
    names = {c["name"] for c in prop["cookies"]}
    assert {"_ga", "_ga_FIXTURE", "consent"} <= names
    assert not names & {"gt", "lz", "deep_uid", "wid"}


def test_app_webviews_use_the_mobile_profile_and_the_app_user_agent(net, tmp_path):
    body = f"""properties:
  - name: app-android
    kind: app
    platform: android
    title_ja: アプリ
    webviews: [https://{SHOP}/about]
    max_depth: 0
    user_agent: "FixtureApp/3.1 (Android 14; Pixel 7) WebView"
"""
    targets = write_targets(tmp_path / "targets.yaml", net, body)
    del net.user_agents[:]
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(tmp_path / "r.json"),
                  "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    prop = load_json(tmp_path / "r.json")["properties"][0]
    assert [(p["url"], p["device"]) for p in prop["pages"]] == [(f"https://{SHOP}/about", "mobile")]
    assert net.user_agents == [("/about", "FixtureApp/3.1 (Android 14; Pixel 7) WebView")]
    tps = by_domain(prop)
    assert "mobile-tag.jp" in tps  # the page saw a phone-sized viewport


FAULT_PROPERTY = f"""properties:
  - name: faults
    kind: web
    title_ja: 障害だらけのサイト
    start_urls: [https://{FAULTS}/]
    max_depth: 1
"""


def test_faults_become_failed_pages_and_the_crawl_goes_on(net, tmp_path):
    targets = write_targets(
        tmp_path / "targets.yaml", net, FAULT_PROPERTY,
        extra_args=["--js-flags=--max-old-space-size=64"],
        scan="{dwell: 0.1, idle_timeout: 2, page_timeout: 4, page_budget: 30, concurrency: 2}")
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(tmp_path / "r.json"),
                  "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    report = load_json(tmp_path / "r.json")
    assert report["scan"]["status"] == "partial"
    pages = {p["url"]: p for p in report["properties"][0]["pages"]}
    base = f"https://{FAULTS}"
    kinds = {u: p["error_kind"] for u, p in pages.items()}
    assert kinds == {
        f"{base}/": None, f"{base}/ok1": None, f"{base}/ok2": None,
        f"{base}/slow": "timeout", f"{base}/error": None, f"{base}/loop": "redirect_loop",
        f"{base}/download": "download", f"{base}/crash": "crash",
        "https://dead.fault-site.jp/": "dns",
        f"{base}/dialog": None, f"{base}/popup": None,
    }
    # a 503 page that renders is a visit with its status, not a failure; its tag is recorded
    assert pages[f"{base}/error"]["status"] == 503
    assert pages[f"{base}/error"]["error"] is None
    assert f"{base}/error" in by_domain(report["properties"][0])["fault-tag.jp"]["frames"]
    assert set(pages[f"{base}/dialog"]["notes"]) >= {"dialog: alert", "dialog: confirm"}
    assert any(n.startswith("popup: https://popup.popup-co.jp/") for n in pages[f"{base}/popup"]["notes"])
    tps = by_domain(report["properties"][0])
    assert "popup-co.jp" in tps  # what the popup loaded is captured too
    assert tps["fault-tag.jp"]["requests"] >= 4
    # failures and error statuses are named in the human summary too
    assert f"desktop {base}/slow — " in r.stdout
    assert f"503 {base}/error" in r.stdout


def test_crashed_browser_is_relaunched_and_the_crawl_continues(tmp_path):
    tmp = Path(tempfile.mkdtemp(prefix="gp", dir="/tmp"))  # short: Chromium's socket path limit
    n = make_net(kill_under=str(tmp))
    n.start()
    try:
        targets = write_targets(
            tmp_path / "targets.yaml", n, FAULT_PROPERTY.replace("max_depth: 1", "max_depth: 1\n    include: ['^https://www[.]fault-site[.]jp/(kill|ok[12])?$']"),
            scan="{dwell: 0.1, idle_timeout: 2, page_timeout: 5, concurrency: 1, retries: 1}")
        r = run_gaibu("scan", "--targets", str(targets), "--json", str(tmp_path / "r.json"),
                      "--no-fail-on-new", env={"GAIBU_PROFILE_DIR": str(tmp)})
        assert r.returncode == 0, r.stderr
        report = load_json(tmp_path / "r.json")
        pages = {p["url"]: p for p in report["properties"][0]["pages"]}
        base = f"https://{FAULTS}"
        assert set(pages) == {f"{base}/", f"{base}/kill", f"{base}/ok1", f"{base}/ok2"}
        assert pages[f"{base}/kill"]["error_kind"] == "browser_crash"
        assert pages[f"{base}/ok1"]["error"] is None and pages[f"{base}/ok2"]["error"] is None
        assert report["scan"]["status"] == "partial"
        # /kill was asked for twice: the first visit and one retry after the relaunch
        assert len([x for x in n.log if x[2] == "/kill"]) == 2
    finally:
        n.stop()


def test_page_over_its_budget_fails_but_keeps_what_it_sent(net, tmp_path):
    # /ok1?hang=1 holds an image that never answers: load and network quiet never come, so the
    # page outlives its 3 s budget whatever the machine's load
    body = f"""properties:
  - name: budget
    kind: web
    title_ja: 予算超過
    start_urls: ["https://{FAULTS}/ok1?hang=1"]
    max_depth: 0
"""
    targets = write_targets(tmp_path / "targets.yaml", net, body,
                            scan="{dwell: 0, scroll: false, idle_time: 0.5, idle_timeout: 30, "
                                 "page_timeout: 30, page_budget: 3}")
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(tmp_path / "r.json"),
                  "--no-fail-on-new")
    assert r.returncode == 1, r.stderr  # the only page failed: the scan failed
    prop = load_json(tmp_path / "r.json")["properties"][0]
    (page,) = prop["pages"]
    assert page["error_kind"] == "timeout" and "3 s in all" in page["error"]
    assert page["status"] == 200
    assert "fault-tag.jp" in by_domain(prop)  # the pixel it loaded is kept
