"""The demo's simulated internet: pages, links and depths, bundled inputs, and — in real Chromium —
every simulated vendor firing exactly when it is designed to (consent, scroll, device, page)."""

from __future__ import annotations

import http.client
import re
import shutil
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from gaibu.demo import vendors
from gaibu.demo.__main__ import review_steps
from gaibu.demo.server import (
    APP_DIR,
    CDN_HOST,
    PACKAGE_DIR,
    SITE_HOST,
    build_net,
    demo_targets,
)
from gaibu.localnet import LocalNet

SITE = f"https://{SITE_HOST}"
FIRST = ".sumika-biyori.co.jp"

# Hand-written expectations --------------------------------------------------------------------
EXPECTED_DEPTH = {
    "/": 0,
    "/bukken/": 1, "/column/": 1, "/about/": 1, "/contact/": 1, "/privacy/": 1,
    "/privacy/transmission/": 1,
    "/bukken/1001.html": 2, "/bukken/1002.html": 2, "/bukken/1003.html": 2, "/bukken/1004.html": 2,
    "/column/first-home.html": 2, "/column/moving-checklist.html": 2,
    "/column/loan-basics.html": 3,
}
SITEMAP_ONLY = "/campaign/2026-spring/"
EVERY_PAGE_HOSTS = {  # the tags in every page's <head>, fired on load
    "www.googletagmanager.com", "region1.google-analytics.com",
    "connect.facebook.net", "www.facebook.com",
    "s.yimg.jp", "b92.yahoo.co.jp", "b97.yahoo.co.jp",
    "d.line-scdn.net", "tr.line.me",
    "cdn.kumo-analytics.jp", "log.kumo-analytics.jp",
    SITE_HOST, CDN_HOST,
}
CLARITY = {"www.clarity.ms", "scripts.clarity.ms", "k.clarity.ms", "c.clarity.ms"}
POPIN = {"api.popin.cc", "popin.cc"}
TIKTOK = {"analytics.tiktok.com"}
CRITEO = {"static.criteo.net", "sslwidget.criteo.com"}
YOUTUBE = {"www.youtube.com", "i.ytimg.com", "googleads.g.doubleclick.net", "static.doubleclick.net"}
MOUSEFLOW = {"cdn.mouseflow.com", "o2.mouseflow.com"}
GOOGLE_ADS = {"googleads.g.doubleclick.net", "www.google.com"}
CONDITIONAL = CLARITY | POPIN | TIKTOK | CRITEO | YOUTUBE | MOUSEFLOW | GOOGLE_ADS
FIRST_PARTY_SCRIPT_COOKIES = {"_ga", "_ga_DEMO123", "_fbp", "_yjsu_yjad", "__lt__cid", "__lt__sid",
                              "_kumo_uid"}


# Plain HTTP against the net (no browser) ----------------------------------------------------
@pytest.fixture(scope="module")
def net() -> Iterator[LocalNet]:
    n = build_net()
    n.start()
    yield n
    n.stop()


def fetch(net: LocalNet, url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", net.http_port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, path or "/", headers={"Host": parts.hostname or ""})
    r = conn.getresponse()
    body = r.read().decode("utf-8", "replace")
    headers: dict[str, str] = {}
    for k, v in r.getheaders():  # repeated headers (Set-Cookie) joined by newlines
        headers[k.lower()] = headers[k.lower()] + "\n" + v if k.lower() in headers else v
    conn.close()
    return r.status, headers, body


def links(html: str, base: str) -> list[str]:
    out = []
    for href in re.findall(r'<a\s[^>]*href="([^"]+)"', html):
        url = urljoin(base, href).split("#", 1)[0]
        if urlsplit(url).hostname == SITE_HOST:
            out.append(url)
    return out


def test_link_depths_and_every_link_resolves(net: LocalNet) -> None:
    depth: dict[str, int] = {"/": 0}
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        status, headers, body = fetch(net, SITE + path)
        assert status == 200, f"{path} answered {status}"
        if "text/html" not in headers.get("content-type", ""):
            continue
        for url in links(body, SITE + path):
            p = urlsplit(url).path
            if p not in depth:
                depth[p] = depth[path] + 1
                queue.append(p)
    assert depth == EXPECTED_DEPTH
    assert SITEMAP_ONLY not in depth


def test_sitemap_robots_and_unlinked_pages(net: LocalNet) -> None:
    status, _, robots = fetch(net, SITE + "/robots.txt")
    assert status == 200 and f"Sitemap: {SITE}/sitemap.xml" in robots
    status, _, sitemap = fetch(net, SITE + "/sitemap.xml")
    assert status == 200
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert SITE + SITEMAP_ONLY in locs
    for loc in locs:
        assert fetch(net, loc)[0] == 200, loc
    for path in (SITEMAP_ONLY, "/app/help/", "/contact/complete.html"):
        status, headers, body = fetch(net, SITE + path)
        assert status == 200 and 'lang="ja"' in body
    assert fetch(net, SITE + "/no/such/page.html")[0] == 404
    assert fetch(net, SITE + "/bukken")[1].get("location") == "/bukken/"


def test_pages_carry_the_fiction_notice_and_their_tags(net: LocalNet) -> None:
    for path in EXPECTED_DEPTH:
        if path.startswith("/privacy/transmission"):
            continue
        _, headers, body = fetch(net, SITE + path)
        assert "このサイトは gaibu のデモ用の架空のサイトです" in body, path
        assert 'id="consent-accept"' in body and ">同意する<" in body
        assert "gtag/js?id=G-DEMO123" in body and "fbevents.js" in body and "ytag.js" in body
        assert "line_tag/public/release/v1/lt.js" in body and "kumo-analytics.jp/tag.js" in body
        assert ("static.criteo.net/js/ld/ld.js" in body) == path.startswith("/bukken/1"), path
        assert ("youtube.com/embed/" in body) == (path == "/about/"), path
        assert ("cdn.mouseflow.com" in body) == (path == "/contact/"), path
        assert "SBSESSID=" in headers.get("set-cookie", "")
    _, _, privacy = fetch(net, SITE + "/privacy/")
    assert 'href="/privacy/transmission/"' in privacy
    _, _, app_help = fetch(net, SITE + "/app/help/")
    assert "consent-banner" not in app_help and "fbevents.js" not in app_help


def test_vendor_endpoints_are_served(net: LocalNet) -> None:
    scripts = [
        "https://www.googletagmanager.com/gtag/js?id=G-DEMO123",
        "https://connect.facebook.net/en_US/fbevents.js",
        "https://s.yimg.jp/images/listing/tool/cv/ytag.js",
        "https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js",
        f"https://www.clarity.ms/tag/{vendors.CLARITY_ID}",
        "https://scripts.clarity.ms/0.8.9/clarity.js",
        "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=X&lib=ttq",
        f"https://api.popin.cc/searchbox/{vendors.POPIN_MEDIA}.js",
        "https://static.criteo.net/js/ld/ld.js",
        f"https://cdn.mouseflow.com/projects/{vendors.MOUSEFLOW_ID}.js",
        "https://cdn.kumo-analytics.jp/tag.js",
        f"https://{CDN_HOST}/js/site.js",
    ]
    for url in scripts:
        status, headers, body = fetch(net, url)
        assert status == 200, url
        assert "javascript" in headers["content-type"], url
    status, headers, _ = fetch(net, "https://tr.line.me/tag.gif?t_id=x")
    assert status == 200 and headers["content-type"] == "image/gif"
    assert "SameSite=None" in headers["set-cookie"] and "Secure" in headers["set-cookie"]
    status, headers, _ = fetch(net, f"https://www.youtube.com/embed/{vendors.YOUTUBE_ID}")
    assert status == 200
    assert {"YSC", "VISITOR_INFO1_LIVE"} <= {line.split("=", 1)[0]
                                            for line in headers["set-cookie"].splitlines()}
    assert all("SameSite=None" in line and "Secure" in line
               for line in headers["set-cookie"].splitlines())
    assert fetch(net, f"https://i.ytimg.com/vi/{vendors.YOUTUBE_ID}/hqdefault.jpg")[0] == 200


def test_vendor_scripts_are_small_and_quick() -> None:
    for f in (PACKAGE_DIR / "tags").glob("*.js"):
        src = f.read_text(encoding="utf-8")
        assert len(src) < 6000, f.name
        for delay in re.findall(r"setTimeout\([^;]*?,\s*(\d+)\s*\)", src):
            assert int(delay) <= 200, f.name
        assert "setInterval" not in src, f.name


# Bundled inputs --------------------------------------------------------------------------------
def test_demo_targets_are_valid(net: LocalNet, tmp_path: Path) -> None:
    from scanner.config import load_targets

    path = demo_targets(net, tmp_path / "out")
    t = load_targets(path)
    assert t.company.owned_domains == ["sumika-biyori.co.jp", "biyori-cdn.jp"]
    assert f"127.0.0.1:{net.https_port}" in t.browser.args[0] and t.browser.ignore_https_errors
    assert t.database == f"sqlite:///{(tmp_path / 'out' / 'gaibu.db').resolve()}"
    web, ios, android = t.properties
    assert web.devices == ["desktop", "mobile"] and web.consent is not None
    assert web.consent.accept == ["#consent-accept", "text=同意する"]
    assert web.max_depth == 3 and web.max_pages >= 15
    assert any(re.match(x, f"{SITE}/privacy/transmission/") for x in web.exclude)
    for prop in (ios, android):
        for f in [*prop.har, *prop.manifests]:
            assert Path(f).is_absolute() and Path(f).is_file()
        assert [str(u) for u in prop.webviews] == [f"{SITE}/app/help/"]
        assert prop.max_depth == 0 and prop.devices == ["mobile"]


def test_example_targets_are_valid() -> None:
    from scanner.config import load_targets

    t = load_targets(PACKAGE_DIR / "targets.example.yaml")
    for prop in t.properties:
        for f in [*prop.har, *prop.manifests]:
            assert t.resolve(f).is_file(), f


def test_kumo_service_file_is_a_valid_registry_file() -> None:
    from registry.loader import read_file

    rf = read_file(PACKAGE_DIR / "kumo-analytics.service.yaml")
    assert [p.id for p in rf.providers] == ["kumo-analytics"]
    (svc,) = rf.services
    assert svc.provider == "kumo-analytics" and svc.category == "analytics"
    assert svc.match.domains == ["kumo-analytics.jp"]
    assert {"_kumo_uid", "kumo_id"} <= set(svc.match.cookies)


def test_ios_har_reads_with_cookie_variants() -> None:
    from scanner.importers.har import read_har

    summary, requests, cookies = read_har(APP_DIR / "ios-session.har")
    assert summary.creator == "Charles Proxy 4.6.6"
    hosts = {urlsplit(r.url).hostname for r in requests}
    assert {"app-measurement.com", "firebaselogging-pa.googleapis.com", "app.adjust.com",
            "gcdsdk.appsflyer.com", "api.sumika-biyori.co.jp", "static.biyori-cdn.jp"} <= hosts
    names = {c.name for c in cookies}
    # a Set-Cookie header pair, one with an empty cookies array, one with two cookies in one header
    assert {"SBAPPSESS", "__cf_bm", "AWSALBCORS", "sb_fav_count", "kumo_id"} <= names


def test_manifests_list_the_sdks() -> None:
    pod = (APP_DIR / "Podfile.lock").read_text(encoding="utf-8")
    for name in ("FirebaseAnalytics (11.6.0)", "FirebaseCrashlytics (11.6.0)", "Adjust (5.0.1)",
                 "Alamofire (5.10.2)", "SnapKit (5.7.1)"):
        assert f"  - {name}" in pod
    gradle = (APP_DIR / "app-build.gradle").read_text(encoding="utf-8")
    for dep in ("com.google.firebase:firebase-bom", "com.google.firebase:firebase-analytics",
                "com.google.firebase:firebase-crashlytics", "com.adjust.sdk:adjust-android",
                "com.appsflyer:af-android-sdk", "com.google.android.gms:play-services-ads",
                "androidx.core:core-ktx", "com.squareup.okhttp3:okhttp"):
        assert dep in gradle


def test_review_steps_follow_the_report() -> None:
    pending = {"properties": [{"third_parties": [{"domain": "kumo-analytics.jp", "status": "pending"}]}]}
    (step,) = review_steps(pending)
    assert step.args[:3] == ["review", "new-service", "kumo-analytics.jp"]
    assert Path(step.args[step.args.index("--file") + 1]).is_file()
    assert step.args[-2:] == ["--by", "demo"]
    listed = {"properties": [{"third_parties": [{"domain": "kumo-analytics.jp", "status": "listed"}]}]}
    assert review_steps(listed) == []


# Real Chromium -------------------------------------------------------------------------------
@dataclass
class Visit:
    hosts: set[str] = field(default_factory=set)
    urls: list[str] = field(default_factory=list)


class Session:
    """One browser context on the net, recording every request it makes (all frames)."""

    def __init__(self, browser: Any, device: str, all_urls: list[str]) -> None:
        from scanner.browser import DEVICES

        self.ctx = browser.new_context(ignore_https_errors=True, **DEVICES[device].context_options())
        self.page = self.ctx.new_page()
        self.visit = Visit()
        self.all_urls = all_urls
        self.ctx.on("request", self._on_request)

    def _on_request(self, req: Any) -> None:
        self.visit.urls.append(req.url)
        self.all_urls.append(req.url)
        host = urlsplit(req.url).hostname
        if host:
            self.visit.hosts.add(host)

    def reset(self) -> None:
        self.visit = Visit()

    def settle(self) -> None:
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(250)

    def open(self, path: str) -> Visit:
        self.reset()
        self.page.goto(SITE + path, wait_until="load")
        self.settle()
        return self.visit

    def cookies(self) -> set[tuple[str, str]]:
        return {(c["name"], c["domain"]) for c in self.ctx.cookies()}

    def cookie(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.ctx.cookies() if c["name"] == name), None)

    def storage(self, frame: Any = None) -> dict[str, set[str]]:
        f = frame or self.page.main_frame
        keys = f.evaluate("() => ({l: Object.keys(localStorage), s: Object.keys(sessionStorage)})")
        return {"localStorage": set(keys["l"]), "sessionStorage": set(keys["s"])}

    def scroll_to_bottom(self) -> Visit:
        self.reset()
        self.page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        self.page.wait_for_timeout(300)
        self.settle()
        return self.visit


@pytest.fixture(scope="module")
def chromium_browser(net: LocalNet) -> Iterator[tuple[Any, list[str]]]:
    from playwright.sync_api import sync_playwright

    from scanner.browser import find_chromium, make_profile_dir
    from scanner.errors import BrowserNotFound

    try:
        exe = find_chromium()
    except BrowserNotFound as e:
        pytest.skip(str(e))
    profile = make_profile_dir("allow")
    all_urls: list[str] = []
    with sync_playwright() as p:
        persistent = p.chromium.launch_persistent_context(
            str(profile), executable_path=exe, headless=True, args=net.chromium_args,
            ignore_https_errors=True)
        try:
            yield persistent.browser, all_urls
        finally:
            persistent.close()
            shutil.rmtree(profile, ignore_errors=True)


@pytest.mark.browser
def test_desktop_journey(chromium_browser: tuple[Any, list[str]]) -> None:
    browser, all_urls = chromium_browser
    s = Session(browser, "desktop", all_urls)

    # Top page, before any interaction: the always-on tags only.
    v = s.open("/")
    assert EVERY_PAGE_HOSTS <= v.hosts
    assert not v.hosts & CONDITIONAL, v.hosts & CONDITIONAL
    assert any(u.startswith(f"{SITE}/api/pv") for u in v.urls)  # first-party analytics
    ga = next(u for u in v.urls if "google-analytics.com/g/collect" in u)
    for param in ("v=2", "tid=G-DEMO123", "cid=", "en=page_view", "dl=", "dr=", "dt=", "sid="):
        assert param in ga
    assert "ev=PageView" in next(u for u in v.urls if "facebook.com/tr" in u)
    assert "p=DEMO0YJAD1" in next(u for u in v.urls if "b92.yahoo.co.jp/search/" in u)
    cookies = s.cookies()
    assert {(n, FIRST) for n in FIRST_PARTY_SCRIPT_COOKIES} <= cookies
    assert {("lt_uid", ".line.me"), ("kumo_id", ".kumo-analytics.jp")} <= cookies
    sess = s.cookie("SBSESSID")
    assert sess and sess["httpOnly"] and sess["domain"] == SITE_HOST
    assert not any(n in {"_clck", "_clsk", "MUID", "sb_consent", "_ttp"} for n, _ in cookies)
    st = s.storage()
    assert "kumo:last_visit" in st["localStorage"] and "sb_entry_page" in st["sessionStorage"]
    assert s.page.is_visible("#consent-banner")

    # 「同意する」: Microsoft Clarity loads, nothing else new.
    s.reset()
    with s.page.expect_request(lambda r: "c.clarity.ms/c.gif" in r.url):
        s.page.click("#consent-accept")
    s.settle()
    assert CLARITY <= s.visit.hosts and not s.visit.hosts & (POPIN | TIKTOK | CRITEO)
    assert {("_clck", FIRST), ("_clsk", FIRST), ("MUID", ".clarity.ms"),
            ("CLID", "www.clarity.ms")} <= s.cookies()
    consent = s.cookie("sb_consent")
    assert consent and consent["value"] == "accepted"
    assert not s.page.is_visible("#consent-banner")

    # Scrolling to the footer loads the popIn widget.
    v = s.scroll_to_bottom()
    assert POPIN <= v.hosts
    assert "あわせて読みたい" in s.page.inner_text("#_popIn_recommend")

    # A detail page (depth 2): Criteo; Clarity without a click now that consent is stored.
    v = s.open("/bukken/1001.html")
    assert CRITEO <= v.hosts and CLARITY <= v.hosts and not v.hosts & POPIN
    assert "p1=e%3Dvp%26p%3D1001" in next(u for u in v.urls if "sslwidget.criteo.com/event" in u)
    assert {("cto_bundle", FIRST), ("uid", ".criteo.com")} <= s.cookies()
    assert {"cto_bundle", "recently_viewed"} <= s.storage()["localStorage"]
    assert not s.page.is_visible("#consent-banner")

    # The listing page (depth 1): no Criteo; the search condition is kept on the device.
    v = s.open("/bukken/")
    assert not v.hosts & CRITEO and "recent_searches" in s.storage()["localStorage"]

    # 会社案内: the YouTube iframe sets its own cookies and storage.
    v = s.open("/about/")
    assert YOUTUBE <= v.hosts
    assert {("YSC", ".youtube.com"), ("VISITOR_INFO1_LIVE", ".youtube.com")} <= s.cookies()
    yt = next(f for f in s.page.frames if f.url.startswith("https://www.youtube.com/embed/"))
    yt_storage = s.storage(yt)
    assert {"yt-remote-device-id", "yt-remote-connected-devices"} <= yt_storage["localStorage"]
    assert "yt-remote-device-id" not in s.storage()["localStorage"]

    # The contact form: Mouseflow. The sitemap-only campaign page: Google Ads remarketing.
    v = s.open("/contact/")
    assert MOUSEFLOW <= v.hosts
    assert {("mf_user", FIRST), (f"mf_{vendors.MOUSEFLOW_ID}", FIRST)} <= s.cookies()
    v = s.open("/campaign/2026-spring/")
    assert GOOGLE_ADS <= v.hosts and ("_gcl_au", FIRST) in s.cookies()

    # Never on a desktop: the mobile-only TikTok pixel.
    assert not any("tiktok.com" in u for u in all_urls)
    s.ctx.close()


@pytest.mark.browser
def test_mobile_only_tag(chromium_browser: tuple[Any, list[str]]) -> None:
    browser, all_urls = chromium_browser
    s = Session(browser, "mobile", all_urls)
    v = s.open("/")
    assert TIKTOK <= v.hosts and ("_ttp", FIRST) in s.cookies()
    assert any(u.startswith("https://analytics.tiktok.com/api/v2/pixel") for u in v.urls)
    assert not v.hosts & (POPIN | CLARITY)  # still lazy, still gated on a phone
    assert POPIN <= s.scroll_to_bottom().hosts
    s.ctx.close()


@pytest.mark.browser
def test_consent_gated_tag_stays_off_without_consent(chromium_browser: tuple[Any, list[str]]) -> None:
    browser, all_urls = chromium_browser
    s = Session(browser, "desktop", all_urls)
    v = s.open("/bukken/1002.html")
    assert not v.hosts & CLARITY
    s.reset()
    s.page.click("#consent-reject")
    s.settle()
    consent = s.cookie("sb_consent")
    assert consent and consent["value"] == "rejected"
    v2 = s.open("/bukken/1003.html")
    assert not (s.visit.hosts | v2.hosts) & CLARITY
    assert not any(n in {"_clck", "_clsk"} for n, _ in s.cookies())
    s.ctx.close()


@pytest.mark.browser
def test_nothing_left_loopback(net: LocalNet, chromium_browser: tuple[Any, list[str]]) -> None:
    browser, all_urls = chromium_browser
    whole_module = bool(all_urls)
    if not whole_module:  # run on its own: make some traffic first
        Session(browser, "mobile", all_urls).open("/about/")
    seen = net.hosts_seen()
    for url in all_urls:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            continue
        assert parts.scheme == "https", url
        assert parts.hostname in seen, f"{url} never reached the local net"
        assert net.handler_for(parts.hostname) is not None, f"{parts.hostname} is not simulated"
    # the pages contacted the company's hosts and the simulated vendors' — all of the latter
    # when the whole module ran
    page_hosts = {urlsplit(u).hostname for u in all_urls if urlsplit(u).scheme == "https"}
    assert page_hosts <= vendors.vendor_hosts() | {SITE_HOST, CDN_HOST}
    if whole_module:
        assert vendors.vendor_hosts() <= page_hosts, vendors.vendor_hosts() - page_hosts
