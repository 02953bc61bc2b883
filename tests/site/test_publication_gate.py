"""Publication you can sign, through the CLI: `gaibu build` refuses while findings are pending
(exit 3, named per property) unless --allow-pending, which marks the lists as under review and
claims no 最終確認日; every published service passes the same public-text lint as the seed, at
`review new-service --file`, `registry check` and `build`.

The scans are app properties fed by HAR files (tests/fixtures/har.py), so no browser is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

UNKNOWN = "https://collect.unknown-metrics.jp/v1/event?uid=1&ev=open"
GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"

SERVICE = """providers:
  - id: unknown-metrics
    name_ja: 株式会社アンノウンメトリクス
    name_en: Unknown Metrics Inc.
services:
  - id: unknown-metrics-sdk
    provider: unknown-metrics
    name_ja: アンノウン計測SDK
    name_en: Unknown Metrics SDK
    category: analytics
    platforms: [app]
    information_ja: [アプリの起動・画面表示の履歴, 端末の種類とOSのバージョン]
    information_en: [App launches and screen views, Device model and OS version]
    purpose_ja: アプリの利用状況を把握し、改善に役立てるため。
    purpose_en: To understand how the app is used and improve it.
    recipient_use_ja: 株式会社アンノウンメトリクスは、受け取った情報を統計の作成に利用します。
    recipient_use_en: Unknown Metrics Inc. uses the information to produce statistics.
    privacy_policy_url: https://unknown-metrics.jp/privacy
    stop: {kind: limit, url: "https://unknown-metrics.jp/optout/"}
"""


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    make_har(tmp_path / "s1.har", [GA, UNKNOWN])
    targets = app_targets(tmp_path / "targets.yaml", ["s1.har"])
    r = run_gaibu("scan", "--targets", str(targets), "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    return targets


def build(targets: Path, out: Path, *args: str):
    return run_gaibu("build", "--targets", str(targets), "--out", str(out), *args)


def app_json(out: Path) -> dict:
    return json.loads((out / "app.json").read_text(encoding="utf-8"))


def test_build_refuses_while_a_finding_is_pending_and_names_it(project, tmp_path):
    out = tmp_path / "site"
    r = build(project, out)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "not published: 1 finding await review" in r.stderr
    assert "app-ios: unknown-metrics.jp (collect.unknown-metrics.jp)" in r.stderr
    assert "--allow-pending" in r.stderr
    assert not out.exists()  # nothing written


def test_allow_pending_publishes_without_claiming_completeness(project, tmp_path):
    out = tmp_path / "site"
    r = build(project, out, "--allow-pending")
    assert r.returncode == 0, r.stderr
    assert "app-ios: published with review in progress" in r.stderr
    (prop,) = app_json(out)["properties"]
    assert prop["review_pending"] is True and prop["last_checked"] is None
    assert {s["service_id"] for s in prop["services"]} == {"google-analytics"}
    html = (out / "app.html").read_text(encoding="utf-8")
    assert 'data-field="review-pending"' in html and "確認する作業を進めています" in html
    assert '<dd data-field="last-checked">確認作業中</dd>' in html
    assert "その結果をもとに作成しています" not in html  # the completeness claim is withheld
    en = (out / "en" / "app.html").read_text(encoding="utf-8")
    assert "review in progress" in en


def test_after_review_the_build_is_complete_and_dated(project, tmp_path):
    f = tmp_path / "svc.yaml"
    f.write_text(SERVICE, encoding="utf-8")
    r = run_gaibu("review", "new-service", "unknown-metrics.jp", "--file", str(f), "--by", "sato",
                  "--targets", str(project))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "site"
    r = build(project, out)
    assert r.returncode == 0, r.stderr
    (prop,) = app_json(out)["properties"]
    assert prop["review_pending"] is False and prop["last_checked"] is not None
    assert {s["service_id"] for s in prop["services"]} == {"google-analytics", "unknown-metrics-sdk"}
    html = (out / "app.html").read_text(encoding="utf-8")
    assert "確認作業中" not in html and "その結果をもとに作成しています" in html


def test_publication_check_is_callable_without_the_cli(project):
    from gaibu.commands.build import publication_check
    from gaibu.db import get_engine
    from scanner.config import load_targets

    t = load_targets(project)
    check = publication_check(get_engine(f"sqlite:///{project.parent / 'gaibu.db'}"), t)
    assert not check.ok and check.count == 1
    (pf,) = check.pending["app-ios"]
    assert (pf.key, pf.kind, pf.hosts) == ("unknown-metrics.jp", "domain",
                                           ("collect.unknown-metrics.jp",))
    from gaibu.commands.build import build as run_build

    engine = get_engine(f"sqlite:///{project.parent / 'gaibu.db'}")
    refused = run_build(engine, t, project.parent / "site")
    assert not refused.published and refused.files == () and refused.check == check
    done = run_build(engine, t, project.parent / "site", allow_pending=True)
    assert done.published and done.review_in_progress == ("app-ios",)
    out_dir, files = done  # the earlier (out_dir, files) result still unpacks
    assert out_dir == project.parent / "site" and Path("app.json") in files


def test_new_service_file_with_vague_wording_is_refused_with_file_and_line(project, tmp_path):
    f = tmp_path / "svc.yaml"
    f.write_text(SERVICE.replace("端末の種類とOSのバージョン", "端末の種類など"), encoding="utf-8")
    r = run_gaibu("review", "new-service", "unknown-metrics.jp", "--file", str(f),
                  "--targets", str(project))
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"{f}:12: service unknown-metrics-sdk: information_ja[1]: vague wording 「など」" in r.stderr
    assert "Traceback" not in r.stderr
    # nothing stored: the finding still waits
    r = run_gaibu("review", "list", "--json", "--targets", str(project))
    assert "unknown-metrics.jp" in {x["key"] for x in json.loads(r.stdout)["findings"]}

    f.write_text(SERVICE.replace("https://unknown-metrics.jp/privacy",
                                 "http://unknown-metrics.jp/privacy"), encoding="utf-8")
    r = run_gaibu("review", "new-service", "unknown-metrics.jp", "--file", str(f),
                  "--targets", str(project))
    assert r.returncode == 1
    assert f"{f}:18: service unknown-metrics-sdk: privacy_policy_url uses http://" in r.stderr


def test_registry_dir_service_with_vague_text_fails_check_and_build(project, tmp_path):
    local = tmp_path / "registry-local"
    local.mkdir()
    bad = SERVICE.replace("platforms: [app]", "platforms: [app]\n    match: {domains: [unknown-metrics.jp]}")
    bad = bad.replace("統計の作成に利用します。", "統計の作成その他に利用します。")
    (local / "um.yaml").write_text(bad, encoding="utf-8")
    text = project.read_text(encoding="utf-8")
    project.write_text(text.replace("properties:", "registry_dir: registry-local\nproperties:", 1),
                       encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(project))
    assert r.returncode == 1, r.stdout + r.stderr
    assert (f"{local / 'um.yaml'}:17: error: service unknown-metrics-sdk: recipient_use_ja: vague "
            "wording 「その他」") in r.stdout + r.stderr
    # loaded by the next scan (so the finding is matched and nothing is pending), the build
    # still refuses to publish the vague text
    r = run_gaibu("scan", "--targets", str(project), "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "site"
    r = build(project, out)
    assert r.returncode == 1, r.stdout + r.stderr
    assert ("service unknown-metrics-sdk (local): error: service unknown-metrics-sdk: "
            "recipient_use_ja: vague wording 「その他」") in r.stderr
    assert not out.exists()
