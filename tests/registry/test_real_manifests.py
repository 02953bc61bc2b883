"""The vendors each real manifest under ../shared/data/manifests must yield, through
`gaibu import sdk` (reader → SDK ids → seed registry match → report). Written by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gaibu

DATA = Path("/work/shared/data/manifests")
if not DATA.is_dir():
    DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "manifests"

EXPECTED = {
    "kickstarter_android-oss__app_build.gradle": ("android", {
        "facebook-sdk", "firebase-analytics", "firebase-crashlytics", "firebase-cloud-messaging",
        "firebase-in-app-messaging", "firebase-performance", "firebase-remote-config",
        "segment", "braze", "statsig", "stripe"}),
    "godtools-swift__Podfile.lock": ("ios", {
        "appsflyer", "facebook-sdk", "firebase-analytics", "firebase-crashlytics",
        "firebase-in-app-messaging", "firebase-remote-config", "google-ads-conversion",
        "google-analytics-mobile-sdk", "google-tag-manager", "snowplow", "youtube-embed"}),
    "droidkaigi-2024__libs.versions.toml": ("android", {
        "firebase-authentication", "firebase-crashlytics", "firebase-dynamic-links",
        "firebase-remote-config"}),
    "cocoa-mhlw__Covid19Radar.Android.csproj": ("android", {
        "app-center-analytics", "app-center-crashes", "google-play-integrity"}),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_manifest_yields_its_vendors(tmp_path, name):
    platform, services = EXPECTED[name]
    t = tmp_path / "targets.yaml"
    t.write_text(f"""company: {{name_ja: テスト}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: app, kind: app, platform: {platform}, title_ja: アプリ, manifests: [x.lock]}}
""", encoding="utf-8")
    out = tmp_path / "r.json"
    r = run_gaibu("import", "sdk", str(DATA / name), "--property", "app", "--targets", str(t),
                  "--json", str(out))
    assert r.returncode == 0, r.stderr
    prop = json.loads(out.read_text(encoding="utf-8"))["properties"][0]
    assert {s["service"] for s in prop["sdks"]} == services
    assert all(s["status"] == "listed" for s in prop["sdks"])  # nothing left to review
    assert prop["libraries"] > 0  # ordinary libraries are counted, not listed
    providers = {s["provider"] for s in prop["sdks"]}
    assert None not in providers


def test_unknown_tracking_sdk_becomes_a_finding_and_plain_libraries_do_not(tmp_path):
    lock = tmp_path / "Podfile.lock"
    lock.write_text("""PODS:
  - Alamofire (5.9.1)
  - KumoAnalyticsSDK (2.1.0)
  - SnapKit (5.7.1)

DEPENDENCIES:
  - Alamofire
  - KumoAnalyticsSDK
  - SnapKit

COCOAPODS: 1.15.2
""", encoding="utf-8")
    t = tmp_path / "targets.yaml"
    t.write_text(f"""company: {{name_ja: テスト}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: app, kind: app, platform: ios, title_ja: アプリ, manifests: [Podfile.lock]}}
""", encoding="utf-8")
    r = run_gaibu("scan", "--targets", str(t), "--fail-on-new", "--json", str(tmp_path / "r.json"))
    assert r.returncode == 3
    assert "cocoapods:KumoAnalyticsSDK" in r.stderr
    r = run_gaibu("review", "list", "--json", "--targets", str(t))
    keys = {f["key"] for f in json.loads(r.stdout)["findings"]}
    assert keys == {"sdk:cocoapods:KumoAnalyticsSDK"}


def test_malformed_inputs_store_nothing(tmp_path):
    import sqlite3
    t = tmp_path / "targets.yaml"
    t.write_text(f"""company: {{name_ja: テスト}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: app, kind: app, platform: ios, title_ja: アプリ, har: [a.har]}}
""", encoding="utf-8")
    har = tmp_path / "broken.har"
    har.write_text('{"log": {"version": "1.2", "entries": [{"request": {"method": "GET", "url": 42}}]}}',
                   encoding="utf-8")
    r = run_gaibu("import", "har", str(har), "--property", "app", "--targets", str(t))
    assert r.returncode == 1
    assert f"{har}:log.entries[0].request.url" in r.stderr and "Traceback" not in r.stderr
    lock = tmp_path / "package.json"
    lock.write_text('{"dependencies": {"react-native-appsflyer": "6.1.0",', encoding="utf-8")
    r = run_gaibu("import", "sdk", str(lock), "--property", "app", "--targets", str(t))
    assert r.returncode == 1 and str(lock) in r.stderr
    con = sqlite3.connect(tmp_path / "g.db")
    assert con.execute("select count(*) from scan").fetchone()[0] == 0
