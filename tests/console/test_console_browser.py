"""The console in the real Chromium: a reviewer clears the queue with the keyboard, a viewer
cannot act, hostile strings stay inert, and axe-core finds no serious accessibility problem on any
console screen or public page."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.console.conftest import PASSWORD, ConsoleDb

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parents[2] / ".tools" / "axe-core" / "axe.min.js"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def server(review_db: ConsoleDb) -> Iterator[tuple[str, ConsoleDb]]:
    import uvicorn

    from gaibu.console.app import ConsoleConfig, create_app
    from gaibu.db import get_engine, resolve_url
    from scanner.config import load_targets

    for name, role in (("rei", "reviewer"), ("vera", "viewer"), ("paula", "publisher")):
        r = review_db.gaibu("user", "add", name, "--role", role, stdin=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
    port = _free_port()
    cfg = ConsoleConfig(engine=get_engine(resolve_url(review_db.db)),
                        targets=load_targets(review_db.targets), port=port)
    srv = uvicorn.Server(uvicorn.Config(create_app(cfg), host="127.0.0.1", port=port,
                                        log_level="warning"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", review_db
    srv.should_exit = True
    t.join(10)


def _sign_in(page, base: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.keyboard.press("Tab")  # skip link
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    _submit(page)
    assert page.url == base + "/"


def _tab_to(page, selector: str, text: str | None = None,  # type: ignore[no-untyped-def]
            limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` (and ``text``) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("([s, t]) => { const e = document.activeElement;"
                         " return !!e && e.matches(s) && (t === null || e.textContent.trim() === t) }",
                         [selector, text]):
            return
    raise AssertionError(f"Tab never reached {selector}")


def _submit(page, key: str = "Enter") -> None:  # type: ignore[no-untyped-def]
    """Press a key that follows a link or submits a form, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def _click(page, locator) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        locator.click()


def _axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.evaluate(AXE.read_text(encoding="utf-8"))
    res = page.evaluate("async () => (await axe.run(document)).violations"
                        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return list(res)


def test_reviewer_clears_the_queue_by_keyboard_and_publishes(server, chromium):
    from playwright.sync_api import sync_playwright

    base, cdb = server
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        _sign_in(page, base, "rei")
        _tab_to(page, 'a[href="/findings"]')
        _submit(page)
        assert page.locator("tbody tr").count() == 2
        # kumo-tracker.jp: ignore, entirely from the keyboard
        _tab_to(page, "tbody a", "kumo-tracker.jp")
        _submit(page)
        assert page.evaluate("window.__xss") is None  # the hostile page URL/param/cookie: inert
        _tab_to(page, "#r2")
        page.keyboard.type("社内の検証用ツールのため公開しない")
        _submit(page)
        assert "ignored" in page.locator("h1").inner_text()
        # undo it, then decide again
        _click(page, page.get_by_role("button", name="取り消す #"))
        assert "pending" in page.locator("h1").inner_text()
        page.fill("#r2", "社内の検証用ツールのため公開しない")
        with page.expect_navigation():
            page.locator("#r2").press("Enter")
        # nazo-ads.jp: a new service through the form
        page.goto(base + "/findings")
        _click(page, page.get_by_role("link", name="nazo-ads.jp"))
        _click(page, page.get_by_role("link", name="新しいサービスとして登録する"))
        page.fill("#id", "nazo-ads")
        page.fill("#np", "nazo")
        page.fill("#npj", "株式会社ナゾ")
        page.fill("#npe", "Nazo Inc.")
        page.fill("#npc", "JP")
        page.fill("#nj", "ナゾ広告")
        page.fill("#ne", "Nazo Ads")
        page.select_option("#cat", "advertising")
        page.check('input[name="platform_app"]')
        page.fill("#ij", "広告の識別子\n閲覧した画面の情報")
        page.fill("#ie", "Advertising identifier\nScreens viewed")
        page.fill("#pj", "当社アプリの広告の効果を測定するため。")
        page.fill("#pe", "To measure the effect of our app's advertising.")
        page.fill("#rj", "株式会社ナゾは、受け取った情報を広告の効果測定に利用します。")
        page.fill("#re", "Nazo Inc. uses the information to measure advertising.")
        page.fill("#pp", "https://nazo.example.jp/privacy")
        page.select_option("#sk", "limit")
        page.fill("#su", "https://nazo.example.jp/optout")
        _click(page, page.get_by_role("button", name="新しいサービスとして登録する"))
        assert "assigned → nazo-ads" in page.locator("h1").inner_text()
        page.goto(base + "/findings")
        assert "該当する送信先はありません" in page.content()
        # the preview shows exactly what gaibu build would publish
        page.goto(base + "/publish/preview/app.html")
        assert "ナゾ広告" in page.content() and "株式会社ナゾ" in page.content()
        browser.close()
    assert errors == [], errors


def test_viewer_sees_no_actions_and_cannot_post(server, chromium):
    from playwright.sync_api import sync_playwright

    base, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        _sign_in(page, base, "vera")
        page.goto(base + "/findings")
        _click(page, page.get_by_role("link", name="kumo-tracker.jp"))
        assert page.locator('form[action$="/decide"]').count() == 0
        fid = page.url.rsplit("/", 1)[1]
        r = page.request.post(f"{base}/findings/{fid}/decide",
                              form={"action": "first_party", "reason": "x"})
        assert r.status == 403
        browser.close()


def test_axe_finds_no_serious_problem_on_console_screens_and_public_pages(server, chromium):
    from playwright.sync_api import sync_playwright

    assert AXE.exists(), "make setup installs axe-core"
    base, _ = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        ctx = browser.new_context(bypass_csp=True)  # so axe-core can be injected
        page = ctx.new_page()
        page.goto(base + "/login")
        problems = {"/login": _axe(page)}
        _sign_in(page, base, "paula")
        page.goto(base + "/findings")
        fid = page.get_by_role("link", name="kumo-tracker.jp").get_attribute("href")
        urls = ["/", "/findings", str(fid), f"{fid}/new-service", "/registry",
                "/registry/google-analytics", "/listings", "/scans", "/scans/1", "/publish"]
        from site_generator.views import LANGS, PAGES, page_path
        urls += [f"/publish/preview/{page_path(lang, name)}" for lang in LANGS for name in PAGES]
        for u in urls:
            page.goto(base + u)
            problems[u] = _axe(page)
        page.goto(base + "/?lang=en")
        problems["/?lang=en"] = _axe(page)
        browser.close()
    assert {u: v for u, v in problems.items() if v} == {}
