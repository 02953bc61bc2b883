"""The built pages in real Chromium: clean loads, working links, layout at 375/1280px, a11y basics, XSS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from site_generator.views import merged_app_views, sorted_properties
from tests.site_generator.fixtures import XSS_ATTR, XSS_SCRIPT, XSS_URL, sample_disclosure

pytestmark = pytest.mark.browser

PAGES = ["index.html", "web.html", "app.html", "changes.html",
         "en/index.html", "en/web.html", "en/app.html", "en/changes.html"]
WIDTHS = [320, 375, 1280]


class Watched:
    """A page plus everything that went wrong since the last navigation."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(
            f"failed: {r.url} {r.failure}"))
        page.on("response", self._response)
        page.on("dialog", self._dialog)

    def _console(self, m: Any) -> None:
        if m.type == "error":
            self.problems.append(f"console: {m.text}")

    def _response(self, r: Any) -> None:
        if r.status >= 400:
            self.problems.append(f"HTTP {r.status}: {r.url}")

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def goto(self, url: str) -> Watched:
        self.problems.clear()
        self.dialogs.clear()
        self.page.goto(url, wait_until="load")
        return self


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """open_page(url, width) → Watched; one browser context per width and test, reused."""
    tabs: dict[int, Watched] = {}

    def open_(url: str, width: int = 1280) -> Watched:
        if width not in tabs:
            ctx = browser.new_context(viewport={"width": width, "height": 800})
            tabs[width] = Watched(ctx.new_page())
        return tabs[width].goto(url)

    yield open_
    for w in tabs.values():
        w.page.context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_cleanly(sample_site: Path, serve: Any, open_page: Any, name: str) -> None:
    w = open_page(serve(sample_site) + name)
    assert w.problems == []
    p = w.page
    assert p.evaluate("document.scripts.length") == 0
    assert p.evaluate("document.documentElement.lang") == ("en" if name.startswith("en/") else "ja")
    alternates = p.eval_on_selector_all(
        'link[rel="alternate"][hreflang]', "els => els.map(e => e.hreflang)")
    assert sorted(alternates) == ["en", "ja", "x-default"]
    assert p.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 16


def test_internal_links_resolve(sample_site: Path, serve: Any, open_page: Any) -> None:
    base = serve(sample_site)
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    for name in PAGES:
        p = open_page(base + name).page
        ids[name] = set(p.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        for href in p.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.href)"):
            links.append((name, href))
    host = urlsplit(base).netloc
    checked = 0
    for source, href in links:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.netloc != host:
            continue  # external: the company's and vendors' pages
        if parts.scheme in ("mailto", "data"):
            continue
        url, fragment = urldefrag(href)
        rel = unquote(urlsplit(url).path).lstrip("/")
        assert (sample_site / rel).is_file(), f"{source}: {href} → missing {rel}"
        if fragment:
            assert rel in ids, f"{source}: {href} → not a page"
            assert fragment in ids[rel], f"{source}: {href} → no #{fragment} in {rel}"
        checked += 1
    assert checked > 150  # nav, TOC, summary tables, history links


@pytest.mark.parametrize("width", WIDTHS)
def test_no_horizontal_page_scroll(sample_site: Path, hostile_site: Path, serve: Any,
                                   open_page: Any, width: int) -> None:
    for site in (sample_site, hostile_site):
        base = serve(site)
        for name in PAGES:
            p = open_page(base + name, width).page
            sw, iw = p.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert sw <= iw, f"{site.parent.name}/{name} at {width}px: scrollWidth {sw} > {iw}"


@pytest.mark.parametrize("width", WIDTHS)
def test_text_is_at_least_16px_outside_fine_print(sample_site: Path, serve: Any,
                                                  open_page: Any, width: int) -> None:
    base = serve(sample_site)
    for name in ("web.html", "app.html", "changes.html", "index.html", "en/web.html"):
        p = open_page(base + name, width).page
        small = p.evaluate("""() => {
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                const el = n.parentElement;
                if (!n.textContent.trim() || el.closest('.fineprint')) continue;
                const r = el.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;   // not rendered (skip link)
                const size = parseFloat(getComputedStyle(el).fontSize);
                if (size < 16) out.push(el.tagName + ' ' + size + ' ' + n.textContent.trim().slice(0, 30));
            }
            return out;
        }""")
        assert small == [], f"{name}: {small[:5]}"


def test_every_service_row_is_complete(sample_site: Path, serve: Any, open_page: Any) -> None:
    base = serve(sample_site)
    d = sample_disclosure()
    for kind in ("web", "app"):
        if kind == "web":
            expected = sum(len(p.rows) for p in d.properties if p.kind == kind)
        else:  # an app's service that is the same on iOS and Android is one card
            expected = sum(len(v.rows) for v in merged_app_views(sorted_properties(d, "app"), "ja"))
        for name in (f"{kind}.html", f"en/{kind}.html"):
            p = open_page(base + name).page
            rows = p.eval_on_selector_all("article.service", """els => els.map(a => {
                const text = sel => Array.from(a.querySelectorAll(sel)).map(e => e.innerText.trim());
                return {
                    id: a.id,
                    service: text('[data-field="service"]'),
                    provider: text('[data-field="provider"] > dd'),
                    information: text('[data-field="information"] li'),
                    purpose_ours: text('[data-field="purpose-ours"]'),
                    purpose_recipient: text('[data-field="purpose-recipient"]'),
                    policy: text('[data-field="privacy-policy"] > dd'),
                    stop: text('[data-field="stop"] > dd'),
                };
            })""")
            assert len(rows) == expected, name
            for r in rows:
                assert r["id"].startswith("p-") and "--" in r["id"]
                for field, values in r.items():
                    if field == "id":
                        continue
                    assert values and all(values), f"{name} {r['id']}: {field} is empty"


def test_tables_have_captions_and_header_cells(sample_site: Path, serve: Any,
                                               open_page: Any) -> None:
    base = serve(sample_site)
    seen = 0
    for name in PAGES:
        p = open_page(base + name).page
        for t in p.eval_on_selector_all("table", """els => els.map(t => ({
                caption: t.caption ? t.caption.innerText.trim() : '',
                colHeaders: t.querySelectorAll('thead th[scope="col"]').length,
                columns: t.tHead ? t.tHead.rows[0].cells.length : 0,
                scrollBox: t.parentElement.matches('.table-scroll[tabindex="0"]'),
            }))"""):
            seen += 1
            assert t["caption"], name
            assert t["colHeaders"] == t["columns"] > 0, name
            assert t["scrollBox"], name
    # a summary per web site and one per app (iOS and Android together), in ja and en; the
    # history twice
    assert seen == (2 + 1) * 2 + 2


def test_summary_table_stacks_at_320px_and_technical_details_are_collapsed(
        sample_site: Path, serve: Any, open_page: Any) -> None:
    p = open_page(serve(sample_site) + "web.html", 320).page
    sw, iw = p.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert sw <= iw
    cell = "table.summary tbody th"
    assert p.eval_on_selector(cell, "th => getComputedStyle(th).display") == "block"
    assert p.eval_on_selector(cell, "th => getComputedStyle(th, '::before').content") == '"サービス名"'
    # the table box itself does not scroll sideways either
    assert p.eval_on_selector("table.summary", "t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    # 技術情報: closed at first, opens without JavaScript (the pages have none), shows the hosts
    sel = "#p-jobs-web--google-analytics details.tech"
    assert p.eval_on_selector(sel, "d => d.open") is False
    assert not p.is_visible(f"{sel} [data-field=destinations] code")
    p.click(f"{sel} > summary")
    assert p.eval_on_selector(sel, "d => d.open") is True
    assert p.is_visible(f"{sel} [data-field=destinations] code")
    assert p.inner_text(f"{sel} [data-field=cookies]").count("_ga") == 2
    wide = open_page(serve(sample_site) + "web.html", 1280).page
    assert wide.eval_on_selector(cell, "th => getComputedStyle(th).display") == "table-cell"


def test_history_becomes_cards_on_a_phone(sample_site: Path, serve: Any, open_page: Any) -> None:
    p = open_page(serve(sample_site) + "changes.html", 375).page
    assert p.eval_on_selector("table.changes td", "td => getComputedStyle(td).display") == "block"
    label = p.eval_on_selector("table.changes td",
                               "td => getComputedStyle(td, '::before').content")
    assert label == '"日付"'


def test_skip_link_and_focus_are_visible(sample_site: Path, serve: Any, open_page: Any) -> None:
    p = open_page(serve(sample_site) + "web.html", 375).page
    p.keyboard.press("Tab")
    focused = p.evaluate("""() => {
        const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return {cls: e.className, top: r.top, left: r.left, w: r.width,
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth)};
    }""")
    assert focused["cls"] == "skip-link"
    assert focused["left"] >= 0 and focused["top"] >= 0 and focused["w"] > 0
    assert focused["outline"] != "none" and focused["outlineWidth"] >= 2
    p.keyboard.press("Enter")
    assert p.evaluate("location.hash") == "#main"


def test_print_hides_navigation_and_shows_link_targets(sample_site: Path, serve: Any,
                                                        open_page: Any) -> None:
    p = open_page(serve(sample_site) + "web.html").page
    p.emulate_media(media="print")
    assert p.eval_on_selector(".site-nav", "e => getComputedStyle(e).display") == "none"
    assert p.eval_on_selector(".skip-link", "e => getComputedStyle(e).display") == "none"
    hidden = p.eval_on_selector_all('a[href^="http"]', """els => els.filter(a => {
        const after = getComputedStyle(a, '::after').content;
        return a.innerText.trim() !== a.getAttribute('href') && !after.includes(a.getAttribute('href'));
    }).map(a => a.outerHTML)""")
    assert hidden == []  # every external link shows its URL on paper


@pytest.mark.parametrize("name", PAGES)
def test_hostile_content_is_inert_and_visible(hostile_site: Path, serve: Any, open_page: Any,
                                              name: str) -> None:
    w = open_page(serve(hostile_site) + name, 375)
    p = w.page
    assert p.evaluate("typeof window.__xss") == "undefined"
    assert w.dialogs == []
    assert w.problems == []  # a CSP report would show up here as a console error
    assert p.evaluate("document.scripts.length") == 0
    assert p.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
    handlers = p.evaluate("""Array.from(document.querySelectorAll('*')).flatMap(
        e => Array.from(e.attributes).filter(a => a.name.startsWith('on')).map(a => a.name))""")
    assert handlers == []
    protocols = set(p.eval_on_selector_all("a[href]", "els => els.map(a => a.protocol)"))
    assert protocols <= {"http:", "https:", "mailto:"}
    text = p.evaluate("document.body.innerText")
    assert XSS_SCRIPT in text
    assert XSS_ATTR in text
    if name.endswith("web.html"):
        assert XSS_URL in text  # shown, not linked


def test_pages_work_from_disk(sample_site: Path, open_page: Any) -> None:
    """Opened as file:// (a reviewer previewing a build): styles load, nothing errors."""
    for name in PAGES:
        w = open_page((sample_site / name).as_uri(), 375)
        assert w.problems == [], name
        bg = w.page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
        assert bg == "rgb(243, 245, 248)", name
