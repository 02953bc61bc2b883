"""Unit tests on recorded data: URL canonicalisation, party rules, discovery, aggregation."""

from __future__ import annotations

from scanner.aggregate import Aggregator, param_names, strip_query
from scanner.discovery import extract_links, parse_sitemap, robots_sitemaps
from scanner.observations import CookieRecord, RequestRecord, StorageRecord
from scanner.party import PartyRules, registrable_domain
from scanner.urls import UrlFilter, canonicalize


def test_canonicalize():
    assert canonicalize("HTTPS://Jobs.Sample.co.jp:443/a/./b/../c?b=2&a=1&utm_source=x#top") == \
        "https://jobs.sample.co.jp/a/c?a=1&b=2"
    assert canonicalize("https://jobs.sample.co.jp") == "https://jobs.sample.co.jp/"
    assert canonicalize("http://a.jp:80//x//y") == "http://a.jp/x/y"
    assert canonicalize("https://a.jp:8443/x") == "https://a.jp:8443/x"
    assert canonicalize("../list?gclid=1&page=2", "https://a.jp/jobs/detail/1") == "https://a.jp/jobs/list?page=2"
    for bad in ("mailto:x@a.jp", "javascript:void(0)", "tel:0312345678", "data:text/html,x",
                "https://[::1/", "ftp://a.jp/"):
        assert canonicalize(bad) is None, bad


def test_registrable_domain_and_private_suffixes():
    assert registrable_domain("www.google-analytics.com") == "google-analytics.com"
    assert registrable_domain("b92.yahoo.co.jp") == "yahoo.co.jp"
    assert registrable_domain("www.city.kawasaki.jp") == "city.kawasaki.jp"  # PSL exception rule
    assert registrable_domain("user.github.io") == "user.github.io"
    assert registrable_domain("user.github.io", private_suffixes=False) == "github.io"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_party_rules_with_owned_domains():
    r = PartyRules.for_property(["https://jobs.sample.co.jp/"], ["sample-cdn.jp"])
    assert r.party_of_host("www.sample.co.jp") == "first"
    assert r.party_of_host("img.sample-cdn.jp") == "first"
    assert r.party_of_host("sample.co.jp.evil.jp") == "third"
    assert r.party_of_cookie_domain(".sample.co.jp") == "first"
    assert r.party_of_cookie_domain(".doubleclick.net") == "third"


HTML = """<html><head><base href="https://jobs.sample.co.jp/sub/"></head><body>
<a href="detail?id=3&utm_campaign=x">d</a> <a href="/about#team">about</a>
<a href="https://jobs.sample.co.jp/about">again</a> <a href="/guide.pdf">pdf</a>
<a href="/report" download>dl</a> <a href="javascript:alert(1)">js</a>
<map><area href="/map-area" alt=""></map></body></html>"""


def test_extract_links_from_recorded_dom():
    assert extract_links(HTML, "https://jobs.sample.co.jp/page") == [
        "https://jobs.sample.co.jp/sub/detail?id=3",
        "https://jobs.sample.co.jp/about",
        "https://jobs.sample.co.jp/map-area",
    ]


def test_sitemaps():
    pages, nested = parse_sitemap(b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.jp/sm-1.xml</loc></sitemap></sitemapindex>""", "https://a.jp/sitemap.xml")
    assert (pages, nested) == ([], ["https://a.jp/sm-1.xml"])
    pages, _ = parse_sitemap(b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc> https://a.jp/x?utm_source=1 </loc></url><url><loc>https://a.jp/f.pdf</loc></url></urlset>""",
                             "https://a.jp/sitemap.xml")
    assert pages == ["https://a.jp/x"]
    bomb = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>
<urlset><url><loc>&b;</loc></url></urlset>"""
    assert parse_sitemap(bomb, "https://a.jp/") == ([], [])
    assert parse_sitemap(b"not xml", "https://a.jp/") == ([], [])
    assert robots_sitemaps("User-agent: *\nSitemap: /sm.xml\nsitemap: https://a.jp/b.xml",
                           "https://a.jp/robots.txt") == ["https://a.jp/sm.xml", "https://a.jp/b.xml"]


def test_url_filter():
    f = UrlFilter(include=[r"/jobs/"], exclude=[r"/jobs/admin"])
    assert f.allows("https://a.jp/jobs/1") and not f.allows("https://a.jp/jobs/admin/x")
    assert not f.allows("https://a.jp/about")


def test_aggregation_drops_query_values_and_tracks_consent():
    agg = Aggregator(PartyRules.for_property(["https://www.shop.jp/"], []))
    agg.add_request(RequestRecord("https://px.ad.jp/p?uid=SECRET&ev=1", page_url="https://www.shop.jp/", phase="pre"))
    agg.add_request(RequestRecord("https://px.ad.jp/p?uid=OTHER", page_url="https://www.shop.jp/a", phase="post"))
    agg.add_request(RequestRecord("https://gated.jp/t", page_url="https://www.shop.jp/", phase="post", device="mobile"))
    agg.add_request(RequestRecord("https://www.shop.jp/api", page_url="https://www.shop.jp/"))
    h = agg.hosts["px.ad.jp"]
    assert (h.requests, h.before_consent, h.after_consent) == (2, 1, 1)
    assert h.sample_urls == ["https://px.ad.jp/p"] and h.param_names == {"uid", "ev"}
    assert h.pages == ["https://www.shop.jp/", "https://www.shop.jp/a"]
    assert agg.hosts["gated.jp"].before_consent == 0 and agg.hosts["gated.jp"].devices == {"mobile"}
    assert agg.hosts["www.shop.jp"].party == "first"
    assert "SECRET" not in repr(agg.hosts)
    agg.add_cookie(CookieRecord("_ga", "www.shop.jp", set_by="script", page_url="p1"))
    agg.add_cookie(CookieRecord("_ga", "www.shop.jp", set_by="header", setter_url="https://www.shop.jp/x", page_url="p2"))
    c = agg.cookies[("_ga", "www.shop.jp", "/")]
    assert (c.party, c.set_by, c.first_page, len(c.page_set)) == ("first", "header", "p1", 2)
    agg.add_storage(StorageRecord("https://embed.w.jp", "localStorage", "k", phase="post"))
    assert agg.storage[("https://embed.w.jp", "localStorage", "k")].party == "third"
    assert strip_query("https://a.jp/p?x=1#f") == "https://a.jp/p"
    assert param_names("https://a.jp/?a=1&b&=3") == ["a", "b"]
