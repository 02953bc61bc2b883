"""Helpers behind the templates: URL checks, dates, ordering, relative links."""

from __future__ import annotations

from datetime import date

import pytest

from site_generator.views import (
    absolute,
    format_date,
    href_between,
    http_url,
    mailto,
    property_view,
    sorted_properties,
)
from tests.site_generator.fixtures import sample_disclosure


@pytest.mark.parametrize("url", [
    "https://example.com/", "http://example.com/a?b=c&d=e#f", "HTTPS://EXAMPLE.COM/x",
    "https://例え.jp/プライバシー",
])
def test_http_urls_are_linked(url: str) -> None:
    assert http_url(url) == url


@pytest.mark.parametrize("url", [
    None, "", "javascript:alert(1)", " javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:x",
    "//evil.example/", "/relative", "https:/no-host", "https://", "mailto:a@b.example",
    'https://ok.example/"onmouseover="x', "https://ok.example/<script>", "https://a b.example/",
    "https:\\\\evil.example", "ftp://example.com/",
])
def test_everything_else_is_text(url: str | None) -> None:
    assert http_url(url) is None


def test_mailto() -> None:
    assert mailto("privacy@sample.co.jp") == "mailto:privacy@sample.co.jp"
    assert mailto('a@b.example"><script>') is None
    assert mailto("a@b.example?body=x") is None
    assert mailto(None) is None


def test_dates() -> None:
    assert format_date(date(2026, 11, 30), "ja") == "2026年11月30日"
    assert format_date(date(2026, 1, 5), "ja") == "2026年1月5日"
    assert format_date(date(2026, 11, 30), "en") == "30 November 2026"
    assert format_date(None, "en") == ""


def test_relative_links_between_languages() -> None:
    assert href_between("ja", "ja", "web") == "web.html"
    assert href_between("ja", "en", "web") == "en/web.html"
    assert href_between("en", "ja", "web") == "../web.html"
    assert href_between("en", "en", "app") == "app.html"
    assert absolute("https://x.example/privacy/t", "en/web.html") == \
        "https://x.example/privacy/t/en/web.html"
    assert absolute("javascript:alert(1)", "web.html") is None
    assert absolute(None, "web.html") is None


def test_rows_grouped_by_category_in_registry_order() -> None:
    d = sample_disclosure()
    jobs = next(p for p in d.properties if p.name == "jobs-web")
    v = property_view(jobs, "ja")
    assert [s.category for s in v.sections] == [
        "analytics", "advertising", "ad_measurement", "embedded_content", "customer_support",
        "tag_management"]
    assert [s.label for s in v.sections][:2] == ["アクセス解析", "広告配信"]
    assert [r.id for r in v.sections[0].rows] == ["google-analytics", "sitest"]
    assert property_view(jobs, "en").sections[0].label == "Analytics"
    assert [r.anchor for r in v.rows][0] == "p-jobs-web--google-analytics"


def test_properties_sorted_by_name() -> None:
    d = sample_disclosure()
    assert [p.name for p in sorted_properties(d, "web")] == ["corp-web", "jobs-web"]
    assert [p.name for p in sorted_properties(d, "app")] == ["jobs-app-android", "jobs-app-ios"]


def test_english_falls_back_to_japanese_title() -> None:
    d = sample_disclosure()
    corp = next(p for p in d.properties if p.name == "corp-web")
    assert property_view(corp, "en").title == "コーポレートサイト"
