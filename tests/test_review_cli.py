"""Review flows through the CLI: findings from a scan, decisions, undo, exit codes.

The scans here are app properties fed by HAR files, so no browser is needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

UNKNOWN = "https://collect.unknown-metrics.jp/v1/event?uid=1&ev=open"
GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    make_har(tmp_path / "s1.har", [GA, UNKNOWN, "https://api.example-own.jp/v1/me"],
             {UNKNOWN: ["um_id=1; Domain=.unknown-metrics.jp; Path=/; Max-Age=100"]})
    return app_targets(tmp_path / "targets.yaml", ["s1.har"])


def scan(targets: Path, *args: str, env: dict[str, str] | None = None):
    return run_gaibu("scan", "--targets", str(targets), "--json", str(targets.parent / "r.json"),
                     *args, env=env)


def report(targets: Path) -> dict:
    return json.loads((targets.parent / "r.json").read_text(encoding="utf-8"))


def findings(targets: Path, status: str = "pending") -> dict[str, dict]:
    r = run_gaibu("review", "list", "--json", "--status", status, "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    return {f["key"]: f for f in json.loads(r.stdout)["findings"]}


def test_unknown_third_party_fails_the_job_with_exit_3(project):
    r = scan(project, "--fail-on-new")
    assert r.returncode == 3, r.stderr
    assert "unknown-metrics.jp" in r.stderr
    tps = {t["domain"]: t for t in report(project)["properties"][0]["third_parties"]}
    assert tps["unknown-metrics.jp"]["status"] == "pending"
    assert tps["unknown-metrics.jp"]["service"] is None
    assert tps["google-analytics.com"]["status"] == "listed"
    assert tps["google-analytics.com"]["service"] == "google-analytics"
    assert tps["google-analytics.com"]["provider"] == "Google LLC"
    assert "example-own.jp" not in tps  # owned domain: first party


def test_ci_env_turns_fail_on_new_on_and_flag_turns_it_off(project):
    assert scan(project, env={"CI": "true"}).returncode == 3
    assert scan(project, "--no-fail-on-new", env={"CI": "true"}).returncode == 0
    assert scan(project).returncode == 0  # not in CI: report only


def test_finding_has_evidence(project):
    scan(project)
    f = findings(project)["unknown-metrics.jp"]
    ev = f["evidence"]
    assert ev["properties"] == ["app-ios"]
    assert ev["hosts"] == ["collect.unknown-metrics.jp"]
    assert ev["param_names"] == ["ev", "uid"]
    assert ev["sample_urls"] == ["https://collect.unknown-metrics.jp/v1/event"]
    assert ev["cookies"] == [{"name": "um_id", "domain": ".unknown-metrics.jp", "set_by": "header"}]
    assert f["first_seen"] and f["last_seen"]
    r = run_gaibu("review", "show", "unknown-metrics.jp", "--targets", str(project))
    assert r.returncode == 0 and "collect.unknown-metrics.jp" in r.stdout and "um_id" in r.stdout


def test_assign_adds_a_rule_so_the_next_scan_matches_and_undo_reverts(project):
    scan(project)
    r = run_gaibu("review", "assign", "unknown-metrics.jp", "--service", "adjust",
                  "--by", "sato", "--reason", "SDK traffic", "--targets", str(project))
    assert r.returncode == 0, r.stderr
    assert "unknown-metrics.jp" not in findings(project)
    assert findings(project, "assigned")["unknown-metrics.jp"]["service"] == "adjust"
    assert scan(project, "--fail-on-new").returncode == 0
    tps = {t["domain"]: t for t in report(project)["properties"][0]["third_parties"]}
    assert tps["unknown-metrics.jp"]["service"] == "adjust"
    assert tps["unknown-metrics.jp"]["rules"] == ["domain:unknown-metrics.jp"]
    shown = json.loads(run_gaibu("review", "show", "unknown-metrics.jp", "--json",
                                 "--targets", str(project)).stdout)
    (d,) = shown["decisions"]
    assert (d["action"], d["by"], d["reason"], d["from"], d["to"]) == (
        "assign", "sato", "SDK traffic", "pending", "assigned")
    r = run_gaibu("review", "undo", str(d["id"]), "--by", "suzuki", "--targets", str(project))
    assert r.returncode == 0, r.stderr
    assert "unknown-metrics.jp" in findings(project)
    assert scan(project, "--fail-on-new").returncode == 3
    shown = json.loads(run_gaibu("review", "show", "unknown-metrics.jp", "--json",
                                 "--targets", str(project)).stdout)
    assert [x["action"] for x in shown["decisions"]] == ["assign", "undo"]  # append-only
    assert shown["decisions"][1]["undoes"] == d["id"] and shown["decisions"][1]["by"] == "suzuki"
    # an undone decision cannot be undone twice
    r = run_gaibu("review", "undo", str(d["id"]), "--targets", str(project))
    assert r.returncode == 1 and "already undone" in r.stderr


def test_ignore_needs_a_reason_and_keeps_it_off_the_queue(project):
    scan(project)
    r = run_gaibu("review", "ignore", "unknown-metrics.jp", "--targets", str(project))
    assert r.returncode == 2  # usage: --reason is required
    r = run_gaibu("review", "ignore", "unknown-metrics.jp", "--reason", "社内検証用の一時タグ",
                  "--targets", str(project))
    assert r.returncode == 0, r.stderr
    assert scan(project, "--fail-on-new").returncode == 0
    tps = {t["domain"]: t for t in report(project)["properties"][0]["third_parties"]}
    assert tps["unknown-metrics.jp"]["status"] == "ignored"


def test_first_party_decision(project):
    scan(project)
    r = run_gaibu("review", "first-party", "unknown-metrics.jp", "--by", "sato",
                  "--targets", str(project))
    assert r.returncode == 0, r.stderr
    scan(project)
    tps = {t["domain"]: t for t in report(project)["properties"][0]["third_parties"]}
    assert tps["unknown-metrics.jp"]["status"] == "first_party"


SERVICE_YAML = """providers:
  - id: unknown-metrics
    name_ja: 株式会社アンノウンメトリクス
    name_en: Unknown Metrics Inc.
    country: JP
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
    stop:
      kind: unavailable
      text_ja: 送信先の事業者は、利用者が送信を止める方法を提供していません。
      text_en: The recipient offers no way for users to stop the transmission.
"""


def test_new_service_from_yaml_is_listed_and_built(project, tmp_path):
    scan(project)
    f = tmp_path / "svc.yaml"
    f.write_text(SERVICE_YAML, encoding="utf-8")
    r = run_gaibu("review", "new-service", "unknown-metrics.jp", "--file", str(f), "--by", "sato",
                  "--targets", str(project))
    assert r.returncode == 0, r.stderr
    assert "1 listing(s) added" in r.stdout
    out = tmp_path / "site"
    r = run_gaibu("build", "--out", str(out), "--targets", str(project))
    assert r.returncode == 0, r.stderr
    app = json.loads((out / "app.json").read_text(encoding="utf-8"))
    ids = {row["service_id"] for p in app["properties"] for row in p["services"]}
    assert {"unknown-metrics-sdk", "google-analytics"} <= ids
    assert "アンノウン計測SDK" in (out / "app.html").read_text(encoding="utf-8")


def test_new_service_file_errors_name_the_file_and_field(project, tmp_path):
    scan(project)
    f = tmp_path / "svc.yaml"
    f.write_text(SERVICE_YAML.replace("category: analytics", "category: analytix"), encoding="utf-8")
    r = run_gaibu("review", "new-service", "unknown-metrics.jp", "--file", str(f),
                  "--targets", str(project))
    assert r.returncode == 1
    assert str(f) in r.stderr and "category" in r.stderr and "analytix" in r.stderr
    assert "Traceback" not in r.stderr
    assert "unknown-metrics.jp" in findings(project)  # nothing changed


def test_review_errors_are_clear(project):
    scan(project)
    r = run_gaibu("review", "assign", "unknown-metrics.jp", "--service", "no-such-service",
                  "--targets", str(project))
    assert r.returncode == 1 and "no service 'no-such-service'" in r.stderr
    r = run_gaibu("review", "show", "unknown-metricz.jp", "--targets", str(project))
    assert r.returncode == 1 and "did you mean unknown-metrics.jp" in r.stderr
    r = run_gaibu("review", "list", "--status", "bogus", "--targets", str(project))
    assert r.returncode == 2
