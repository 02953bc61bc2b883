"""Hostile strings through the whole path — scan evidence, a reviewer's new-service file, a
removal reason — into the database, out through `gaibu build`, and into real Chromium: nothing
executes, the text shows as text, and non-http(s) links are refused at the door."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

pytestmark = pytest.mark.browser

SCRIPT = "<script>window.__xss=1</script>"
ATTR = '" onerror="window.__xss=1" x="'
IMG = '"><img src=x onerror="window.__xss=1">'
UNKNOWN = "https://evil.xss-vendor.jp/c?q=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E"

SERVICE = f"""providers:
  - id: xss-vendor
    name_ja: '株式会社{IMG}'
    name_en: 'XSS {SCRIPT} Inc.'
services:
  - id: xss-tag
    provider: xss-vendor
    name_ja: '{SCRIPT}タグ'
    name_en: 'Tag {ATTR}'
    category: analytics
    information_ja: ['{IMG}', '閲覧したページのURL']
    information_en: ['{SCRIPT}']
    purpose_ja: '{ATTR}のため。'
    purpose_en: '{IMG}'
    recipient_use_ja: '{SCRIPT}に利用します。'
    recipient_use_en: '{ATTR}'
    privacy_policy_url: 'https://xss-vendor.jp/privacy?a="><script>window.__xss=1</script>'
    stop:
      kind: limit
      url: 'https://xss-vendor.jp/optout?a="><script>window.__xss=1</script>'
      text_ja: '{IMG}'
      text_en: '{SCRIPT}'
"""


def test_payloads_never_execute_in_the_built_pages(tmp_path: Path, chromium: str):
    make_har(tmp_path / "a.har", [UNKNOWN, "https://www.google-analytics.com/g/collect?v=2"])
    t = app_targets(tmp_path / "targets.yaml", ["a.har"])
    assert run_gaibu("scan", "--targets", str(t)).returncode == 0
    # a javascript: link is refused with a clear error before anything is stored
    bad = tmp_path / "bad.yaml"
    bad.write_text(SERVICE.replace("https://xss-vendor.jp/privacy?a=", "javascript:window.__xss=1//"),
                   encoding="utf-8")
    r = run_gaibu("review", "new-service", "xss-vendor.jp", "--file", str(bad), "--targets", str(t))
    assert r.returncode == 1 and "privacy_policy_url" in r.stderr and "https://" in r.stderr
    good = tmp_path / "svc.yaml"
    good.write_text(SERVICE, encoding="utf-8")
    r = run_gaibu("review", "new-service", "xss-vendor.jp", "--file", str(good), "--by", IMG,
                  "--targets", str(t))
    assert r.returncode == 0, r.stderr
    r = run_gaibu("listing", "remove", "app-ios", "google-analytics", "--reason", SCRIPT + ATTR,
                  "--targets", str(t))
    assert r.returncode == 0, r.stderr
    site = tmp_path / "site"
    r = run_gaibu("build", "--out", str(site), "--targets", str(t))
    assert r.returncode == 0, r.stderr
    data = json.loads((site / "app.json").read_text(encoding="utf-8"))
    assert data["properties"][0]["services"][0]["name_ja"] == f"{SCRIPT}タグ"  # stored as given

    from playwright.sync_api import sync_playwright
    pages = sorted(p for p in site.rglob("*.html"))
    assert len(pages) == 8
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for f in pages:
            page.goto(f.as_uri())
            assert page.evaluate("typeof window.__xss") == "undefined", f
            assert page.evaluate("document.querySelectorAll('script').length") == 0, f
            assert page.evaluate("""() => [...document.querySelectorAll('*')].every(
                e => [...e.attributes].every(a => !a.name.startsWith('on')))"""), f
            hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
            assert all(h.startswith(("https:", "http:", "file:", "mailto:")) for h in hrefs), hrefs
        page.goto((site / "app.html").as_uri())
        text = page.inner_text("body")
        assert SCRIPT + "タグ" in text and IMG in text  # visible as text
        page.goto((site / "changes.html").as_uri())
        assert SCRIPT in page.inner_text("body")  # the removal reason, as text
        browser.close()
    assert dialogs == []
