"""Rows through `gaibu scan` + `gaibu build` (HAR input, no browser): wording true for the platform
a service is sent on, the stop method as data, and the facts of the company's own evidence."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from gaibu.commands.build import page_group
from tests.conftest import run_gaibu
from tests.fixtures.har import make_har

GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"
OWN_PAGE = "https://app.example-own.jp/help/"
INHOUSE = "https://px.inhouse-vendor.jp/p.gif"


def targets(tmp: Path, har: list[str], company_extra: str = "", registry: bool = False) -> Path:
    path = tmp / "targets.yaml"
    path.write_text(f"""company:
  name_ja: テスト株式会社
  name_en: Test Inc.
  owned_domains: [example-own.jp]
{company_extra}database: sqlite:///{tmp / 'gaibu.db'}
{"registry_dir: registry-local/" if registry else ""}
site:
  removal_after_scans: 3
properties:
  - name: app-ios
    kind: app
    platform: ios
    title_ja: テストアプリ
    title_en: Test app
    har: {json.dumps(har or ["none.har"])}
""", encoding="utf-8")
    return path


def inhouse_service(tmp: Path, extra: str) -> None:
    d = tmp / "registry-local"
    d.mkdir(exist_ok=True)
    (d / "inhouse.yaml").write_text(f"""providers:
  - id: inhouse-vendor
    name_ja: 株式会社インハウス
    name_en: Inhouse Inc.
    country: JP
services:
  - id: inhouse-tag
    provider: inhouse-vendor
    name_ja: インハウス計測タグ
    name_en: Inhouse tag
    category: analytics
    information_ja: [閲覧したページのURL]
    information_en: [URL of the page viewed]
    purpose_ja: 当社のウェブサイトの利用状況を把握するため。
    purpose_en: To understand how our website is used.
    recipient_use_ja: 株式会社インハウスは、受け取った情報を当社への集計の提供に利用します。
    recipient_use_en: Inhouse Inc. uses it to compile statistics for us.
{extra}    match:
      domains: [inhouse-vendor.jp]
""", encoding="utf-8")


def build(t: Path, out: Path):
    return run_gaibu("build", "--out", str(out), "--targets", str(t))


def test_a_service_seen_in_an_apps_web_view_is_presented_with_web_wording_true_there(tmp_path):
    make_har(tmp_path / "a.har", [OWN_PAGE, GA],
             {OWN_PAGE: ["_ga=GA1.1.1.1; Domain=.example-own.jp; Path=/; Max-Age=100"]},
             page=OWN_PAGE)
    t = targets(tmp_path, ["a.har"])
    assert run_gaibu("scan", "--targets", str(t), "--no-fail-on-new").returncode == 0
    site = tmp_path / "site"
    r = build(t, site)
    assert r.returncode == 0, r.stderr
    data = json.loads((site / "app.json").read_text(encoding="utf-8"))
    assert data["schema_version"] == 2
    ga = next(s for s in data["properties"][0]["services"] if s["service_id"] == "google-analytics")
    assert ga["channel"] == "webview"
    assert ga["cookies"] == ["_ga"]  # the cookie observed for the service on this property
    assert ga["country"] == "US"
    # the browser add-on of the web page cannot be installed in an app: its webview method
    assert ga["stop_kind"] == "unavailable" and "アドオンを追加できない" in ga["stop_ja"]
    html = (site / "app.html").read_text(encoding="utf-8")
    card = html.split('id="p-app-ios--google-analytics"')[1].split("</article>")[0]
    assert "アプリの中で表示するウェブページ" in card
    assert "送信先の所在国" in card and "米国" in card
    assert "送信の停止・制限の方法" in card and "送信を止める方法はありません" in card
    assert "<details class=\"tech\"" in card and "<code>_ga</code>" in card
    assert "オプトアウト（送信の停止）" not in html and "スキャン" not in html
    # 制定日: set on the first build, never changed by later builds
    con = sqlite3.connect(tmp_path / "gaibu.db")
    first = con.execute("select value from publication where key='established'").fetchone()[0]
    assert data["company"]["established"] == first
    con.execute("update publication set value='2024-04-01' where key='established'")
    con.commit()
    con.close()
    assert build(t, site).returncode == 0
    again = json.loads((site / "app.json").read_text(encoding="utf-8"))
    assert again["company"]["established"] == "2024-04-01"
    assert "2024年4月1日" in (site / "app.html").read_text(encoding="utf-8")


def test_rows_without_platform_wording_or_stop_method_fail_the_build(tmp_path):
    make_har(tmp_path / "a.har", [INHOUSE], page=OWN_PAGE)
    inhouse_service(tmp_path, "    opt_out_ja: 当社に連絡すると止められます。\n"
                              "    opt_out_en: Contact us to stop it.\n")
    t = targets(tmp_path, ["a.har"], registry=True)
    assert run_gaibu("scan", "--targets", str(t), "--no-fail-on-new").returncode == 0
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous", encoding="utf-8")  # a previous gaibu build
    from site_generator.build import MARKER, _marker_text
    (site / MARKER).write_bytes(_marker_text(["index.html"]))
    r = build(t, site)
    assert r.returncode != 0
    assert "app-ios: service inhouse-tag has only the legacy opt_out_url/opt_out_ja/opt_out_en" in r.stderr
    assert (site / "index.html").read_text(encoding="utf-8") == "previous"
    r = run_gaibu("registry", "check", "--targets", str(t))
    assert r.returncode != 0 and "inhouse-tag" in r.stdout + r.stderr
    assert "legacy opt_out" in r.stdout + r.stderr

    # a stop method that is the company's own consent settings needs their address
    inhouse_service(tmp_path, "    stop: {kind: company_setting}\n")
    assert run_gaibu("registry", "load", "--targets", str(t)).returncode == 0
    r = build(t, site)
    assert r.returncode != 0 and "company.consent_settings_url" in r.stderr
    t = targets(tmp_path, ["a.har"], registry=True,
                company_extra="  consent_settings_url: https://app.example-own.jp/consent/\n")
    r = build(t, site)
    assert r.returncode == 0, r.stderr
    html = (site / "app.html").read_text(encoding="utf-8")
    card = html.split('id="p-app-ios--inhouse-tag"')[1].split("</article>")[0]
    assert "当社の設定で送信を止められます" in card
    assert 'href="https://app.example-own.jp/consent/"' in card and "日本" in card

    # a stop method that needs a browser is not true in a web view: the row needs webview: stop
    inhouse_service(tmp_path, "    stop: {kind: stop, url: 'https://inhouse-vendor.jp/optout/'}\n")
    assert run_gaibu("registry", "load", "--targets", str(t)).returncode == 0
    r = build(t, site)
    assert r.returncode != 0
    assert "inhouse-tag its stop method needs a browser" in r.stderr
    # an app-only service seen in a HAR capture is the app's own row, whatever page the entry names
    inhouse_service(tmp_path, "    platforms: [app]\n    stop: {kind: company_setting}\n")
    assert run_gaibu("registry", "load", "--targets", str(t)).returncode == 0
    r = build(t, site)
    assert r.returncode == 0, r.stderr
    row = json.loads((site / "app.json").read_text(encoding="utf-8"))["properties"][0]["services"][0]
    assert row["service_id"] == "inhouse-tag" and row["channel"] == "app"


def test_page_groups_are_path_based_unless_named():
    assert page_group("https://jobs.example.jp/") == ("/", "/")
    assert page_group("https://jobs.example.jp/jobs/123") == ("/jobs/", "/jobs/")
    assert page_group("https://jobs.example.jp/apply/complete?x=1") == ("/apply/", "/apply/")
    assert page_group("https://jobs.example.jp/about") == ("/about", "/about")
    from scanner.config import PageGroup
    named = [PageGroup(name_ja="応募完了", name_en="Application complete", path=r"^/apply/complete"),
             PageGroup(name_ja="求人詳細", path=r"^/jobs/\d+$")]
    assert page_group("https://jobs.example.jp/apply/complete?x=1", named) == (
        "応募完了", "Application complete")
    assert page_group("https://jobs.example.jp/jobs/123", named) == ("求人詳細", "求人詳細")
    assert page_group("https://jobs.example.jp/jobs/", named) == ("/jobs", "/jobs")


def test_registry_check_refuses_wording_false_on_a_listed_platform(tmp_path):
    inhouse_service(tmp_path, "    platforms: [web, app]\n    stop: {kind: unavailable, "
                              "text_ja: 止める方法はありません。, text_en: It cannot be stopped.}\n")
    f = tmp_path / "registry-local" / "inhouse.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        "[閲覧したページのURL]", "[Cookie に保存された識別子]"), encoding="utf-8")
    t = targets(tmp_path, [], registry=True)
    r = run_gaibu("registry", "check", "--targets", str(t))
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "inhouse-tag" in out and "information_ja for app says 「Cookie」" in out
    # the same wording moved to the web only, with app wording in an app: block, passes
    f.write_text(f.read_text(encoding="utf-8").replace("platforms: [web, app]", """platforms: [web]
    app:
      information_ja: [アプリのインストールごとに割り当てられる識別子]
      information_en: [Identifier assigned to each installation of the app]
      purpose_ja: 当社のアプリの利用状況を把握するため。
      purpose_en: To understand how our app is used.
      recipient_use_ja: 株式会社インハウスは、受け取った情報を当社への集計の提供に利用します。
      recipient_use_en: Inhouse Inc. uses it to compile statistics for us."""), encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(t))
    assert "inhouse-tag" not in r.stdout + r.stderr, r.stdout + r.stderr
