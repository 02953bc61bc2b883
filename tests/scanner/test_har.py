"""Tests of the streaming HAR importer on real captures, documented tool formats and broken files.

Expectations for the real files in /work/shared/data/har/ were read off the files with jq and
written here by hand (see the comments), not computed by the importer.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import InputError
from scanner.importers.har import HarSummary, infer_resource_type, iter_har, read_har
from scanner.observations import CookieRecord, RequestRecord

REAL = Path("/work/shared/data/har")
DATA = Path(__file__).parent / "data" / "har"

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared sample data not present")


def host(url: str) -> str:
    return url.split("/")[2]


def cookie(cookies: list[CookieRecord], name: str, domain: str | None = None) -> CookieRecord:
    found = [c for c in cookies if c.name == name and (domain is None or c.domain == domain)]
    assert len(found) == 1, (name, domain, found)
    return found[0]


# ------------------------------------------------------------------ real files

@needs_real
def test_assa_chrome_har() -> None:
    summary, reqs, cookies = read_har(REAL / "pagexray__assa.har")
    assert summary == HarSummary(file=str(REAL / "pagexray__assa.har"), creator="chrome-har 0.2.3",
                                 browser="Chrome 62.0.3202.62", pages=3, entries=127)
    assert len(reqs) == 127
    # jq '[.log.entries[].request.url | split("/")[2]] | unique'
    assert {host(r.url) for r in reqs} == {
        "ajax.googleapis.com", "ds-aksb-a.akamaihd.net", "i55e5cb00-ds-aksb-a.akamaihd.net",
        "ow-shadow.assaabloy.com", "resources.mynewsdesk.com", "stats.g.doubleclick.net",
        "www.assa.se", "www.google-analytics.com", "www.googletagmanager.com"}
    ga = [r for r in reqs if host(r.url) == "www.google-analytics.com"]
    # 3 × analytics.js (text/javascript), 6 × r/collect (302), 3 × collect (image/gif)
    assert len(ga) == 12
    assert Counter(r.resource_type for r in ga) == {"script": 3, "other": 6, "image": 3}
    assert {r.status for r in ga} == {200, 302}
    gtm = [r for r in reqs if host(r.url) == "www.googletagmanager.com"]
    assert [r.resource_type for r in gtm] == ["script"] * 3
    dc = [r for r in reqs if host(r.url) == "stats.g.doubleclick.net"]
    assert len(dc) == 6 and {r.resource_type for r in dc} == {"image"}
    # page titles are not URLs: the page is its first document (the 301 of / is a redirect)
    assert {r.page_url for r in reqs} == {"https://www.assa.se/sv/site/assa/"}
    assert Counter(r.status for r in reqs) == {200: 114, 302: 6, 301: 3, 304: 3, 204: 1}
    assert all(r.device == "mobile" and r.phase == "none" and r.method == "GET" for r in reqs)
    # no Set-Cookie anywhere; the favicon requests send GA cookies to www.assa.se
    assert {(c.name, c.domain, c.set_by) for c in cookies} == {
        ("_gat_UA-22662784-1", "www.assa.se", "unknown"), ("_ga", "www.assa.se", "unknown"),
        ("_gid", "www.assa.se", "unknown"), ("_gat_UA-17128086-1", "www.assa.se", "unknown")}


@needs_real
def test_expressen_webpagetest_har() -> None:
    summary, reqs, cookies = read_har(REAL / "pagexray__expressen.har", device="desktop")
    assert summary.creator == "WebPagetest 17.12"
    assert summary.browser == "Chrome 63.0.3239.132"
    assert (summary.pages, summary.entries) == (3, 607)
    assert len(reqs) == 607
    assert {r.device for r in reqs} == {"desktop"}
    hosts = Counter(host(r.url) for r in reqs)
    assert hosts["fastlane.rubiconproject.com"] == 27
    assert hosts["securepubads.g.doubleclick.net"] == 30
    assert hosts["bidder.criteo.com"] == 3 and hosts["ib.adnxs.com"] == 6
    assert hosts["www.google-analytics.com"] == 9
    assert len(hosts) == 48
    assert Counter(r.method for r in reqs)["POST"] > 0
    # WebPageTest's _initiator is a URL string, not an object: no initiator type
    assert {r.initiator for r in reqs} == {None}
    assert {r.page_url for r in reqs} == {"https://www.expressen.se/"}
    videos = [r for r in reqs if r.resource_type == "media"]
    assert len(videos) == 6  # video/mp4
    by_header = {(c.name, c.domain) for c in cookies if c.set_by == "header"}
    # jq: every Set-Cookie line's name and Domain attribute (27 distinct names)
    assert by_header == {
        ("DPSync2", ".pubmatic.com"), ("IDE", ".doubleclick.net"),
        ("KADUSERCOOKIE", ".pubmatic.com"), ("KTPCACOOKIE", ".pubmatic.com"),
        ("PUBMDCID", ".pubmatic.com"), ("PUBRETARGET", ".pubmatic.com"),
        ("TDCPM", ".adsrvr.org"), ("TDID", ".adsrvr.org"), ("TapAd_DID", ".tapad.com"),
        ("TapAd_TS", ".tapad.com"), ("TapAd_TTD_SYNC", ".tapad.com"),
        ("__cfduid", ".codigo.se"), ("__extblt", ".expressen.se"),
        ("__extblt2", ".expressen.se"), ("ab", ".agkn.com"), ("ck1", ".rlcdn.com"),
        ("fr", ".facebook.com"), ("glimrv4", ".glimr.io"), ("guid", ".lystra.se"),
        ("id", "sync.richmetrics.com"), ("mc", ".quantserve.com"), ("rlas3", ".rlcdn.com"),
        ("rsid", ".rubiconproject.com"), ("rtn1-z", ".rlcdn.com"),
        ("ruid", ".rubiconproject.com"), ("sess", ".adnxs.com"),
        ("test_cookie", ".doubleclick.net")}
    ide = cookie(cookies, "IDE")
    # "IDE=…; expires=Tue, 14-Jan-2020 07:52:30 GMT; path=/; domain=.doubleclick.net; HttpOnly"
    assert (ide.expires, ide.http_only, ide.secure, ide.path) == (1578988350.0, True, False, "/")
    assert ide.setter_url is not None and ide.setter_url.startswith(
        "https://securepubads.g.doubleclick.net/pcs/view?")
    fr = cookie(cookies, "fr")  # "expires=Saturday, 14-Apr-2018 07:52:29 GMT; …; HttpOnly; secure"
    assert (fr.expires, fr.http_only, fr.secure) == (1523692349.0, True, True)
    cf = cookie(cookies, "__cfduid")  # "expires=Mon, 14-Jan-19 07:52:29 GMT" (two-digit year)
    assert cf.expires == 1547452349.0
    # "id=…; Path=/; Max-Age=63072000; Expires=Thu, 10-Feb-2022 …" at 2018-01-14T07:52:29.330Z:
    # Max-Age wins over Expires and counts from the response
    assert cookie(cookies, "id").expires == pytest.approx(1515916349.330 + 63072000)
    # sent but never set in this capture (set by script or earlier): recorded as host cookies
    unknown = {(c.name, c.domain) for c in cookies if c.set_by == "unknown"}
    assert unknown == {
        ("__codnt", "www.expressen.se"), ("__couid", "www.expressen.se"),
        ("__gads", "www.expressen.se"), ("__glmrid", "www.expressen.se"),
        ("_burtAgency", "www.expressen.se"), ("_burtNS", "www.expressen.se"),
        ("_ga", "www.expressen.se"), ("_gat", "www.expressen.se"), ("_gid", "www.expressen.se"),
        ("_lp4_u", "www.expressen.se"), ("bau_burtId", "www.expressen.se"),
        ("bau_burtSegments", "www.expressen.se"), ("burtSegments", "www.expressen.se"),
        ("lystra_guid", "www.expressen.se"), ("pi", "image6.pubmatic.com"),
        ("pi", "simage2.pubmatic.com")}
    assert all(c.setter_url is None for c in cookies if c.set_by == "unknown")


@needs_real
def test_linkedin_firefox_cookie_arrays_and_joined_set_cookie() -> None:
    summary, reqs, cookies = read_har(REAL / "pagexray__linkedin.har")
    assert summary == HarSummary(file=str(REAL / "pagexray__linkedin.har"), creator="Firefox 43.0.4",
                                 browser="Firefox 43.0.4", pages=1, entries=23)
    assert len(reqs) == 23
    assert Counter(host(r.url) for r in reqs) == {
        "static.licdn.com": 12, "www.linkedin.com": 4, "sb.scorecardresearch.com": 2,
        "platform.linkedin.com": 1, "stats.g.doubleclick.net": 1, "www.google-analytics.com": 1,
        "www.google.com": 1, "www.google.se": 1}
    # page title is "New Tab": the page is its first document
    assert {r.page_url for r in reqs} == {"https://www.linkedin.com/"}
    # the response cookie arrays hold only names; the attributes are in ONE Set-Cookie header
    # whose cookies are joined by "\n"
    lang = cookie(cookies, "lang")  # 'lang="v=2&lang=en-us"; Path=/; Domain=linkedin.com'
    assert (lang.domain, lang.path, lang.expires, lang.set_by) == (".linkedin.com", "/", None, "header")
    assert lang.setter_url == "https://www.linkedin.com/"
    assert cookie(cookies, "JSESSIONID").domain == ".www.linkedin.com"
    bs = cookie(cookies, "bscookie")  # domain=.www.linkedin.com; Path=/; Secure; Expires=…; HttpOnly
    assert (bs.domain, bs.secure, bs.http_only, bs.expires) == (
        ".www.linkedin.com", True, True, 1516870721.0)  # Thu, 25-Jan-2018 08:58:41 GMT
    lidc = cookie(cookies, "lidc")  # Expires=Tue, 26 Jan 2016 21:21:09 GMT; domain=.linkedin.com
    assert (lidc.domain, lidc.expires) == (".linkedin.com", 1453843269.0)
    assert cookie(cookies, "bcookie").domain == ".linkedin.com"
    assert {cookie(cookies, n).domain for n in ("UID", "UIDR")} == {".scorecardresearch.com"}
    assert cookie(cookies, "L1e").domain == "www.linkedin.com"  # no Domain: host-only
    # 'sl' is set twice in one response, host-only and with Domain=.www.linkedin.com
    assert {c.domain for c in cookies if c.name == "sl"} == {"www.linkedin.com", ".www.linkedin.com"}
    # leo_auth_token: Max-Age=1799 at 2016-01-25T22:21:10.613+01:00
    assert cookie(cookies, "leo_auth_token").expires == pytest.approx(1453756870.613 + 1799)
    assert cookie(cookies, "_lipt").expires == 10.0  # Expires=Thu, 01-Jan-1970 00:00:10 GMT
    # _ga and _gat are sent to rum-track but never set by a header
    assert {(c.name, c.domain) for c in cookies if c.set_by == "unknown"} == {
        ("_ga", "www.linkedin.com"), ("_gat", "www.linkedin.com")}
    # names+domain+path are unique (lang is set twice in the capture)
    keys = [(c.name, c.domain, c.path) for c in cookies]
    assert len(keys) == len(set(keys)) == 16


@needs_real
def test_enorm_chrome_devtools_har() -> None:
    summary, reqs, cookies = read_har(REAL / "perfcascade__chrome_enorm-magazin.de.har")
    assert (summary.creator, summary.browser, summary.pages, summary.entries) == (
        "WebInspector 537.36", None, 1, 65)
    # the page title is a URL: it is the page URL
    assert {r.page_url for r in reqs} == {"http://enorm-magazin.de/"}
    assert Counter(host(r.url) for r in reqs) == {
        "enorm-magazin.de": 55, "de.ioam.de": 2, "fonts.gstatic.com": 2, "fonts.googleapis.com": 1,
        "script.ioam.de": 1, "static.addtoany.com": 1, "www.google-analytics.com": 2,
        "www.googletagmanager.com": 1}
    fonts = [r.resource_type for r in reqs if host(r.url) == "fonts.gstatic.com"]
    assert fonts == ["font", "font"]  # font/woff2
    # the i00 cookie is in both the cookie array and the header of two responses: one record
    i00 = cookie(cookies, "i00")
    assert (i00.domain, i00.expires, i00.http_only) == (".ioam.de", 1518344474.0, False)
    cf = cookie(cookies, "__cfduid")
    assert (cf.domain, cf.http_only, cf.setter_url) == (
        ".addtoany.com", True, "https://static.addtoany.com/menu/page.js")
    assert {c.name for c in cookies if c.set_by == "unknown"} == {
        "has_js", "_ga", "_gat_UA-25011147-1", "SSESSc63b1a294f8366a7791e32a5445d8b82",
        "SESSc63b1a294f8366a7791e32a5445d8b82"}


@needs_real
def test_cookie_values_are_never_kept() -> None:
    _, reqs, cookies = read_har(REAL / "pagexray__linkedin.har")
    text = repr(cookies)
    for value in ("v=2&lang=en-us", "ajax:6397089261371032347", "7d4b5ff4", "1EB23a65a29a86a64f67f99"):
        assert value not in text


# ------------------------------------------------------------------ documented tool formats

def test_playwright_har() -> None:
    summary, reqs, cookies = read_har(DATA / "playwright.har")
    assert (summary.creator, summary.browser, summary.pages, summary.entries) == (
        "Playwright 1.45.0", "chromium 127.0.6533.5", 1, 5)
    assert [(r.method, r.resource_type, r.status) for r in reqs] == [
        ("GET", "document", 200),  # sec-fetch-dest: document
        ("GET", "script", 200),
        ("POST", "fetch", 204),  # sec-fetch-dest: empty
        ("GET", "image", 200),
        ("GET", "image", None),  # status -1, net::ERR_BLOCKED_BY_CLIENT; .gif
    ]
    # the page title is not a URL → the page's first document
    assert {r.page_url for r in reqs} == {"https://jobs.sample.co.jp/"}
    session = cookie(cookies, "session")  # in the cookie array AND a set-cookie header: once
    assert (session.domain, session.path, session.expires, session.http_only, session.secure,
            session.same_site) == ("jobs.sample.co.jp", "/", None, True, True, "Lax")
    ab = cookie(cookies, "ab_bucket")  # Max-Age=2592000 at 2024-06-03T01:00:00.010Z
    assert ab.domain == ".sample.co.jp"
    assert ab.expires == pytest.approx(1717376400.010 + 2592000)
    fr = cookie(cookies, "fr")  # only sent
    assert (fr.domain, fr.set_by, fr.setter_url) == ("www.facebook.com", "unknown", None)
    assert len(cookies) == 3
    assert "s3cr3t-session-value" not in repr(cookies)


def test_mitmproxy_har() -> None:
    summary, reqs, cookies = read_har(DATA / "mitmproxy.har", device="mobile")
    assert (summary.creator, summary.browser, summary.pages, summary.entries) == (
        "mitmproxy exporthar 0.1", None, 0, 5)
    assert [(host(r.url), r.resource_type, r.status) for r in reqs] == [
        ("app-measurement.com", "other", 204),
        ("launches.appsflyer.com", "xhr", 200),
        ("img.sample-cdn.jp", "image", 200),  # base64 body, never decoded
        ("push.sample.co.jp", "websocket", 101),  # _resourceType websocket + _webSocketMessages
        ("graph.facebook.com", "other", None),  # status 0: no response
    ]
    assert {r.page_url for r in reqs} == {""}  # no pages in a proxy capture
    afuid = cookie(cookies, "afuid")  # domain "" in the array = host-only
    assert (afuid.domain, afuid.secure, afuid.same_site) == ("launches.appsflyer.com", True, "None")
    assert afuid.expires == pytest.approx(1717380001.0 + 31536000)  # Max-Age from the header
    region = cookie(cookies, "af_region")
    assert (region.domain, region.path, region.http_only) == (".appsflyer.com", "/api", True)
    assert {(c.name, c.domain) for c in cookies if c.set_by == "unknown"} == {
        ("afid", "launches.appsflyer.com"), ("af_seen", "launches.appsflyer.com")}


# ------------------------------------------------------------------ synthetic variants

def entry(url: str, **kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = {
        "startedDateTime": "2024-01-01T00:00:00.000Z",
        "request": {"method": "GET", "url": url, "headers": [], "cookies": []},
        "response": {"status": 200, "headers": [], "cookies": [],
                     "content": {"mimeType": "text/html"}},
    }
    for k, v in kw.items():
        if k in ("request", "response"):
            e[k].update(v)
        else:
            e[k] = v
    return e


def write(tmp_path: Path, obj: Any, name: str = "t.har") -> Path:
    p = tmp_path / name
    p.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return p


def test_chrome_devtools_extensions_pages_after_entries(tmp_path: Path) -> None:
    body = base64.b64encode(b"\x89PNG" + b"\x00" * 64).decode()
    har = {"log": {
        "version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
        "entries": [
            entry("https://shop.example.jp/item/1", pageref="page_2",
                  _resourceType="document", _initiator={"type": "other"},
                  response={"headers": [{"name": "SET-COOKIE",
                                         "value": "a=1; path=/item\nb=2; Domain=example.jp"}]}),
            entry("https://cdn.tracker.example/t.js", pageref="page_2",
                  _resourceType="script", _initiator={"type": "parser", "url": "https://shop.example.jp/"},
                  _priority="High"),
            entry("https://img.example.jp/a.png", pageref="page_2", _resourceType="image",
                  response={"content": {"mimeType": "image/png", "text": body, "encoding": "base64"}}),
            entry("wss://live.example.jp/socket", pageref="page_2", _resourceType="websocket",
                  _webSocketMessages=[{"type": "send", "time": 1, "opcode": 1, "data": "hi"}],
                  response={"status": 101}),
            entry("https://api.example.jp/x", pageref="page_2",
                  _initiator={"type": "script", "stack": {"callFrames": []}},
                  response={"content": {"mimeType": "application/json"}}),
            entry("data:image/png;base64,AAAA", pageref="page_2"),
            entry("https://other.example/", response={"status": 0}),
        ],
        "pages": [{"id": "page_2", "title": "https://shop.example.jp/item/1"}],
    }}
    reader = iter_har(write(tmp_path, har), device="desktop")
    records = list(reader)
    assert reader.summary.pages == 1 and reader.summary.entries == 7
    reqs = [r for r in records if isinstance(r, RequestRecord)]
    assert [(r.resource_type, r.initiator, r.page_url) for r in reqs] == [
        ("document", "other", "https://shop.example.jp/item/1"),
        ("script", "parser", "https://shop.example.jp/item/1"),
        ("image", None, "https://shop.example.jp/item/1"),
        ("websocket", None, "https://shop.example.jp/item/1"),
        ("xhr", "script", "https://shop.example.jp/item/1"),
        ("document", None, ""),  # no pageref; status 0 → None
    ]
    assert reqs[-1].status is None  # the data: URL is not a transmission and is skipped
    cookies = [r for r in records if isinstance(r, CookieRecord)]
    assert {(c.name, c.domain, c.path) for c in cookies} == {
        ("a", "shop.example.jp", "/item"), ("b", ".example.jp", "/item")}  # default-path of /item/1


def test_charles_style_minimal_entries(tmp_path: Path) -> None:
    """No pages, no pageref, no cookie arrays, no response status, Cookie header only."""
    har = {"log": {"version": "1.2", "creator": {"name": "Charles Proxy", "version": "4.6.6"},
                   "entries": [
                       {"request": {"method": "get", "url": "http://ads.example.net/imp?id=3",
                                    "headers": [{"name": "COOKIE", "value": "uid=9; seg=a"}]},
                        "response": {"headers": [{"name": "Content-Type", "value": "image/gif"}]}},
                       {"request": {"url": "https://x.example.org/"}},
                   ]}}
    summary, reqs, cookies = read_har(write(tmp_path, har))
    assert summary == HarSummary(file=str(tmp_path / "t.har"), creator="Charles Proxy 4.6.6",
                                 browser=None, pages=0, entries=2)
    assert [(r.method, r.resource_type, r.status, r.page_url) for r in reqs] == [
        ("GET", "image", None, ""), ("GET", "other", None, "")]
    assert {(c.name, c.domain, c.set_by) for c in cookies} == {
        ("uid", "ads.example.net", "unknown"), ("seg", "ads.example.net", "unknown")}


def test_set_cookie_rules(tmp_path: Path) -> None:
    har = {"log": {"entries": [
        entry("https://www.shop.example.co.jp/a/b/c.js", response={"headers": [
            {"name": "Set-Cookie", "value": "dflt=1"},  # default-path: /a/b
            {"name": "Set-Cookie", "value": "evil=1; Domain=tracker.example"},  # rejected
            {"name": "Set-Cookie", "value": "psl=1; Domain=co.jp"},  # a public suffix: rejected
            {"name": "Set-Cookie", "value": "up=1; Domain=SHOP.example.co.jp; Path=/; SameSite=strict"},
            {"name": "Set-Cookie", "value": "novalue"},  # no '=': not a cookie
            {"name": "set-cookie", "value": "gone=; Max-Age=0"},
        ]}),
        entry("https://www.shop.example.co.jp/p", request={"cookies": [{"name": "up", "value": "1"},
                                                                   {"name": "js", "value": "2"}]}),
    ]}}
    _, _, cookies = read_har(write(tmp_path, har))
    assert {(c.name, c.domain, c.path) for c in cookies} == {
        ("dflt", "www.shop.example.co.jp", "/a/b"), ("up", ".shop.example.co.jp", "/"),
        ("gone", "www.shop.example.co.jp", "/a/b"), ("js", "www.shop.example.co.jp", "/")}
    assert cookie(cookies, "up").same_site == "Strict"
    assert cookie(cookies, "gone").expires == 1704067200.0  # expired at the response time
    assert cookie(cookies, "js").set_by == "unknown"  # 'up' was seen set: not repeated


def test_utf8_bom_and_iteration_is_lazy(tmp_path: Path) -> None:
    p = tmp_path / "bom.har"
    p.write_bytes(b"\xef\xbb\xbf" + json.dumps({"log": {"entries": [entry("https://a.example/")]}}).encode())
    assert len(read_har(p)[1]) == 1
    reader = iter_har(tmp_path / "missing-but-not-opened-yet.har")  # nothing happens until next()
    with pytest.raises(InputError, match="file not found; expected a HAR file"):
        next(reader)


@pytest.mark.parametrize("declared,mime,status,dest,expected", [
    (None, "text/css; charset=utf-8", 200, None, "stylesheet"),
    (None, "application/x-font-woff", 200, None, "font"),
    (None, "text/html", 302, None, "other"),
    (None, "text/html", 200, "iframe", "document"),
    (None, None, 200, "report", "ping"),
    ("Fetch", "application/json", 200, None, "fetch"),
    (None, "video/mp4", 206, None, "media"),
    (None, "", 200, None, "other"),
])
def test_infer_resource_type(declared: str | None, mime: str | None, status: int,
                             dest: str | None, expected: str) -> None:
    assert infer_resource_type("https://a.example/x", declared, mime, status, dest) == expected


# ------------------------------------------------------------------ malformed input

def errors_of(path: Path) -> InputError:
    reader = iter_har(path)
    records: list[object] = []
    with pytest.raises(InputError) as ei:
        for r in reader:
            records.append(r)
    assert ei.value.file == str(path)
    assert str(path) in str(ei.value)
    return ei.value


def test_truncated_file_names_the_entry_and_emits_nothing(tmp_path: Path) -> None:
    entries = [entry(f"https://e{i}.example/x") for i in range(50)]
    text = json.dumps({"log": {"version": "1.2", "entries": entries}})
    cut = text.index("https://e41.example/x") + 10
    p = write(tmp_path, text[:cut])
    reader = iter_har(p)
    with pytest.raises(InputError) as ei:
        next(reader)  # fails before the first record: a broken file yields nothing
    e = ei.value
    assert e.message == "truncated JSON: the file ends inside log.entries[41]"
    assert e.where == f"log.entries[41].request.url (byte {cut})"


def test_syntax_error_has_path_and_byte(tmp_path: Path) -> None:
    text = '{"log": {"entries": [{"request": {"url": "https://a.example/"}},\n {"request": {"url" "https://b.example/"}}]}}'
    e = errors_of(write(tmp_path, text))
    assert e.message.startswith("invalid JSON:")
    assert e.where is not None and e.where.startswith("log.entries[1].request.url (byte ")
    byte = int(e.where.rsplit(" ", 1)[1].rstrip(")"))
    assert text.index('"https://b.example/"') <= byte <= text.index('"https://b.example/"') + 22


@pytest.mark.parametrize("content,where,message", [
    ("[1, 2]", "(top level)", "not a HAR file: the top-level JSON value is an array"),
    ('"x"', "(top level)", "not a HAR file: the top-level JSON value is a string"),
    ("hello", "(byte 1)", "not JSON"),
    ("", None, "not JSON: the file is empty"),
    ('{"log": {"version": "1.2"}}', "log.entries", "not a HAR file: no log.entries"),
    ('{"version": "1.2"}', "log", "not a HAR file: no \"log\" object"),
    ('{"log": []}', "log", "expected an object, got an array"),
    ('{"log": {"entries": {}}}', "log.entries", "expected an array of entries, got an object"),
    ('{"log": {"entries": [3]}}', "log.entries[0]", "expected an entry object, got a number"),
    ('{"log": {"pages": 1, "entries": []}}', "log.pages", "expected an array of pages"),
])
def test_not_a_har(tmp_path: Path, content: str, where: str | None, message: str) -> None:
    e = errors_of(write(tmp_path, content))
    assert e.where == where
    assert e.message.startswith(message), e.message


@pytest.mark.parametrize("bad,where,message", [
    ({"request": {"url": 42}}, "log.entries[17].request.url", "expected a string URL, got a number"),
    ({"request": {"method": "GET"}}, "log.entries[17].request.url", "missing: expected a string URL"),
    ({"response": {}, "request": None}, "log.entries[17].request", "expected a request object"),
    ({"request": {"url": "http://[::1/x"}}, "log.entries[17].request.url", "unparseable URL"),
    ({"request": {"url": "/relative/path"}}, "log.entries[17].request.url",
     "expected an absolute URL with a scheme"),
    ({"request": {"url": "https:///nohost"}}, "log.entries[17].request.url", "expected a URL with a host"),
    ({"request": {"url": "https://a.example/", "headers": {"a": "b"}}},
     "log.entries[17].request.headers", "expected an array of {name, value} objects"),
    ({"request": {"url": "https://a.example/", "headers": [{"value": "x"}]}},
     "log.entries[17].request.headers[0]", "expected a header object with a string name"),
    ({"request": {"url": "https://a.example/"}, "response": {"status": "OK"}},
     "log.entries[17].response.status", "expected an HTTP status number"),
    ({"request": {"url": "https://a.example/"}, "response": {"cookies": [{"value": "v"}]}},
     "log.entries[17].response.cookies[0]", "expected a cookie object with a string name"),
    ({"request": {"url": "https://a.example/", "method": 1}}, "log.entries[17].request.method",
     "expected a string method"),
])
def test_wrong_types_name_the_json_path(tmp_path: Path, bad: dict[str, Any], where: str,
                                        message: str) -> None:
    entries = [entry(f"https://ok{i}.example/") for i in range(17)] + [bad]
    p = write(tmp_path, {"log": {"entries": entries}})
    reader = iter_har(p)
    got: list[object] = []
    with pytest.raises(InputError) as ei:
        for r in reader:
            got.append(r)
    assert ei.value.where == where
    assert ei.value.message.startswith(message), ei.value.message
    assert str(p) in str(ei.value) and where in str(ei.value)
    assert len(got) == 17  # raised during iteration; the caller stores nothing partial


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "u16.har"
    p.write_bytes(json.dumps({"log": {"entries": []}}).encode("utf-16"))
    assert "UTF-16" in errors_of(p).message
