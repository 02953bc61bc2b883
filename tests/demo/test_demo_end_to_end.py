"""`make demo` end to end with the real CLI: scan → review → built site, then the built pages
checked in Chromium. Expectations are the demo's simulated vendors (gaibu/demo/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = subprocess.run([sys.executable, "-m", "gaibu.demo", "--out", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    return out, r.stdout


def test_demo_prints_where_the_results_are(demo):
    out, stdout = demo
    assert f"site     : {out / 'site' / 'index.html'}" in stdout
    assert (out / "site" / "index.html").is_file() and (out / "report.json").is_file()


def test_demo_ends_with_the_console_command_and_it_works(demo):
    import shlex
    import socket
    import time
    import urllib.request

    out, stdout = demo
    line = next(ln for ln in stdout.splitlines() if " console --targets " in ln)
    cmd = shlex.split(line)
    assert cmd[1] == "console" and str(out / "gaibu.db") in line
    with socket.socket() as sk:
        sk.bind(("127.0.0.1", 0))
        port = sk.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "gaibu.cli", *cmd[1:], "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        html = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    html = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.2)
        assert "sumika-web" in html and "sumika-app-ios" in html
    finally:
        proc.terminate()
        proc.wait(10)


def test_demo_scan_found_every_simulated_vendor(demo):
    out, _ = demo
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["scan"]["status"] == "complete"
    web = next(p for p in report["properties"] if p["name"] == "sumika-web")
    services = {t["service"] for t in web["third_parties"]}
    assert {"google-analytics", "google-tag", "meta-pixel", "yahoo-ads-retargeting", "line-tag",
            "microsoft-clarity", "popin", "tiktok-pixel", "criteo", "youtube-embed"} <= services
    by_domain = {t["domain"]: t for t in web["third_parties"] if t["service"] is None}
    assert set(by_domain) == {"kumo-analytics.jp", "mouseflow.com"}  # unknown before review
    clarity = [t for t in web["third_parties"] if t["service"] == "microsoft-clarity"]
    assert all(t["after_consent_only"] for t in clarity)
    tiktok = [t for t in web["third_parties"] if t["service"] == "tiktok-pixel"]
    assert all(t["devices"] == ["mobile"] for t in tiktok)
    ios = next(p for p in report["properties"] if p["name"] == "sumika-app-ios")
    sdks = {s["id"]: s["service"] for s in ios["sdks"]}
    assert sdks["cocoapods:FirebaseAnalytics"] == "firebase-analytics"
    assert sdks["cocoapods:FirebaseCrashlytics"] == "firebase-crashlytics"


def test_demo_site_lists_the_reviewed_vendor(demo):
    out, _ = demo
    web = json.loads((out / "site" / "web.json").read_text(encoding="utf-8"))
    rows = {s["service_id"] for p in web["properties"] for s in p["services"]}
    assert {"google-analytics", "meta-pixel", "line-tag", "kumo-analytics"} <= rows
    app = json.loads((out / "site" / "app.json").read_text(encoding="utf-8"))
    assert {p["platform"] for p in app["properties"]} == {"ios", "android"}
    html = (out / "site" / "web.html").read_text(encoding="utf-8")
    assert "ウェブサイトにおける外部送信一覧" in html and "くもアナリティクス" in html
    # reviewed in review.yaml: nothing pending, so the list is complete and says when it was checked
    assert "Mouseflow（ヒートマップ・操作の記録）" in html
    sumika = next(p for p in web["properties"] if p["name"] == "sumika-web")
    assert "mouseflow" in {s["service_id"] for s in sumika["services"]}
    assert sumika["review_pending"] is False and sumika["last_checked"] is not None
    assert "実際に行われている送信をもとに作成" in html and "確認作業中" not in html


def test_demo_pages_in_chromium(demo, chromium):
    out, _ = demo
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium)
        for width in (375, 1280):
            page = b.new_page(viewport={"width": width, "height": 800})
            errors: list[str] = []

            def on_console(m, errors=errors):
                if m.type == "error":
                    errors.append(m.text)

            page.on("console", on_console)
            for name in ("index.html", "web.html", "app.html", "changes.html", "en/web.html"):
                page.goto((out / "site" / name).as_uri())
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
            assert errors == []
            page.close()
        b.close()
