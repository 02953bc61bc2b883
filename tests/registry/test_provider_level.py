"""Rows only on evidence specific to the service; shared provider hosts name the provider.

The demo's iOS app (gaibu/demo/app: Podfile.lock and a proxy capture of one session) uses
Firebase Analytics and Crashlytics. Its Podfile.lock also holds FirebaseRemoteConfigInterop
(pulled in by Crashlytics) and its traffic goes to firebaselogging-pa.googleapis.com and
firebaseinstallations.googleapis.com, which every Firebase SDK shares. Neither may put Remote
Config or Performance Monitoring on the public list. Everything runs through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import ROOT, run_gaibu

APP = ROOT / "gaibu" / "demo" / "app"


def _targets(tmp_path: Path, platform: str = "ios") -> Path:
    t = tmp_path / "targets.yaml"
    t.write_text(f"""company: {{name_ja: テスト, owned_domains: [sumika-biyori.co.jp, biyori-cdn.jp]}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: app, kind: app, platform: {platform}, title_ja: アプリ, manifests: [x.lock]}}
""", encoding="utf-8")
    return t


def _listed(t: Path) -> set[str]:
    r = run_gaibu("listing", "list", "--json", "--targets", str(t))
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    rows = data["listings"] if isinstance(data, dict) else data
    return {x["service"] for x in rows if x.get("state", "listed") == "listed"}


def _report(tmp_path: Path, t: Path, *args: str) -> dict:
    out = tmp_path / f"r{len(list(tmp_path.glob('r*.json')))}.json"
    r = run_gaibu("import", *args, "--property", "app", "--targets", str(t), "--json", str(out))
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text(encoding="utf-8"))["properties"][0]


def test_interop_pod_does_not_list_remote_config(tmp_path):
    t = _targets(tmp_path)
    prop = _report(tmp_path, t, "sdk", str(APP / "Podfile.lock"))
    by_id = {s["id"]: s for s in prop["sdks"]}
    assert "cocoapods:FirebaseRemoteConfigInterop" not in by_id  # an ordinary library
    services = {s["service"] for s in prop["sdks"]}
    assert services == {"firebase-analytics", "firebase-crashlytics", "adjust"}
    assert _listed(t) == {"firebase-analytics", "firebase-crashlytics", "adjust"}


def test_shared_firebase_transport_host_supports_listed_services_only(tmp_path):
    t = _targets(tmp_path)
    _report(tmp_path, t, "sdk", str(APP / "Podfile.lock"))
    prop = _report(tmp_path, t, "har", str(APP / "ios-session.har"))
    # googleapis.com is a public suffix (PSL private section): each host is its own domain
    shared = {"firebaselogging-pa.googleapis.com", "firebaseinstallations.googleapis.com"}
    tps = {tp["domain"]: tp for tp in prop["third_parties"] if tp["domain"] in shared}
    assert set(tps) == shared
    for tp in tps.values():
        assert tp["service"] is None
        assert tp["provider_id"] == "google" and tp["provider"] == "Google LLC"
        assert tp["status"] == "supporting"
        # the app's own Firebase SDKs (and the Google tags of its in-app help page)
        assert {"firebase-analytics", "firebase-crashlytics"} <= set(tp["supports"])
        assert "provider:google" in tp["rules"]
    listed = _listed(t)
    assert "firebase-performance" not in listed and "firebase-remote-config" not in listed
    assert {"firebase-analytics", "firebase-crashlytics"} <= listed
    r = run_gaibu("review", "list", "--json", "--targets", str(t))
    assert not shared & {f["key"] for f in json.loads(r.stdout)["findings"]}


def test_shared_host_alone_names_provider_and_candidates(tmp_path):
    """Only the transport host, no Google SDK or service: a finding naming Google."""
    har = json.loads((APP / "ios-session.har").read_text(encoding="utf-8"))
    har["log"]["entries"] = [e for e in har["log"]["entries"]
                             if "firebaselogging-pa" in e["request"]["url"]]
    assert har["log"]["entries"]
    f = tmp_path / "only-transport.har"
    f.write_text(json.dumps(har), encoding="utf-8")
    t = _targets(tmp_path)
    prop = _report(tmp_path, t, "har", str(f))
    (tp,) = prop["third_parties"]
    assert tp["status"] == "pending" and tp["service"] is None
    assert tp["provider"] == "Google LLC" and tp["supports"] == []
    assert "firebase-performance" in tp["candidates"]
    assert "google-analytics" not in tp["candidates"]  # web-only service, app property
    assert tp["suggestion"]["provider"] == "google"
    assert tp["suggestion"]["source"] == "registry-provider"
    r = run_gaibu("review", "list", "--json", "--targets", str(t))
    (finding,) = json.loads(r.stdout)["findings"]
    assert finding["key"] == "firebaselogging-pa.googleapis.com"
    assert finding["suggestion"]["company"] == "Google LLC"
    assert "firebase-crashlytics" in finding["suggestion"]["candidates"]
    assert finding["evidence"]["provider"]["id"] == "google"
    r = run_gaibu("review", "show", "firebaselogging-pa.googleapis.com", "--targets", str(t))
    assert r.returncode == 0, r.stderr
    assert "provider (registry): Google LLC" in r.stdout
    assert "firebase-performance" in r.stdout
    assert _listed(t) == set()


def _har_of(tmp_path: Path, urls: list[str]) -> Path:
    """The demo capture's first entry, re-addressed to each of urls."""
    har = json.loads((APP / "ios-session.har").read_text(encoding="utf-8"))
    template = har["log"]["entries"][1]
    entries = []
    for u in urls:
        e = json.loads(json.dumps(template))
        e["request"]["url"] = u
        entries.append(e)
    har["log"]["entries"] = entries
    f = tmp_path / "capture.har"
    f.write_text(json.dumps(har), encoding="utf-8")
    return f


def test_assign_of_provider_finding_adds_host_rules_never_the_shared_domain(tmp_path):
    t = _targets(tmp_path)
    # Remote Config's real-time host has no rule in the seed: Google is known, not the service
    host = "firebaseremoteconfigrealtime.googleapis.com"
    _report(tmp_path, t, "har", str(_har_of(tmp_path, [f"https://{host}/v1/projects/1/fetch"])))
    r = run_gaibu("review", "show", host, "--targets", str(t))
    assert "candidate services:" in r.stdout and "firebase-remote-config" in r.stdout
    r = run_gaibu("review", "assign", host, "--service", "firebase-remote-config", "--by", "t",
                  "--rule", "domain:googleapis.com", "--targets", str(t))
    assert r.returncode != 0
    assert "domain:googleapis.com" in r.stderr and "Google LLC" in r.stderr
    r = run_gaibu("review", "assign", host, "--service", "firebase-remote-config", "--by", "t",
                  "--reason", "real-time Remote Config", "--targets", str(t))
    assert r.returncode == 0, r.stderr
    assert _listed(t) == {"firebase-remote-config"}
    r = run_gaibu("registry", "export", str(tmp_path / "export"), "--targets", str(t))
    assert r.returncode == 0, r.stderr
    services = yaml.safe_load((tmp_path / "export" / "services.yaml").read_text(encoding="utf-8"))
    rc = next(x for x in services["services"] if x["id"] == "firebase-remote-config")
    assert host in rc["match"]["hosts"]
    assert not any(d.endswith("googleapis.com") for d in rc["match"].get("domains", []))


def test_assign_refuses_a_default_rule_on_a_host_the_registry_marks_shared(tmp_path):
    t = _targets(tmp_path)
    host = "firebaselogging-pa.googleapis.com"
    _report(tmp_path, t, "har", str(_har_of(tmp_path, [f"https://{host}/v1/firelog/legacy/batchlog"])))
    r = run_gaibu("review", "assign", host, "--service", "firebase-performance", "--by", "t",
                  "--targets", str(t))
    assert r.returncode != 0
    assert "shared by Google LLC's services" in r.stderr and "--rule" in r.stderr
    assert _listed(t) == set()
    r = run_gaibu("review", "show", host, "--json", "--targets", str(t))
    assert json.loads(r.stdout)["status"] == "pending"  # nothing stored by the refused decision


OVERLAPPING = """services:
  - id: acme-config
    provider: google
    name_ja: 設定配信
    name_en: Config
    category: personalization
    platforms: [app]
    information_ja: [アプリのバージョン]
    information_en: [App version]
    purpose_ja: 設定を配信するため。
    purpose_en: To deliver settings.
    recipient_use_ja: 設定の配信に利用します。
    recipient_use_en: To deliver settings.
    match:
      hosts: [firebaselogging-pa.googleapis.com]
      domains: [googleapis.com]
      sdks: ["cocoapods:FirebaseRemoteConfig*", "com.google.firebase:firebase-analytics*"]
"""


def test_registry_check_reports_interop_prefixes_and_shared_hosts(tmp_path):
    """The two rules behind the demo's wrong rows, reintroduced in a local file, are errors."""
    local = tmp_path / "registry-local"
    local.mkdir()
    (local / "acme.yaml").write_text(OVERLAPPING, encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: registry-local
database: sqlite:///{tmp_path / 'g.db'}
properties: [{{name: w, kind: web, title_ja: ウェブ, start_urls: ["https://www.test-company.jp/"]}}]
""", encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(targets))
    assert r.returncode == 1
    text = r.stdout + r.stderr
    assert ("service acme-config: error: rule sdk:cocoapods:FirebaseRemoteConfig* matches "
            "cocoapods:FirebaseRemoteConfigInterop") in text
    assert ("rule sdk:com.google.firebase:firebase-analytics* also matches "
            "com.google.firebase:firebase-analytics-ktx, the artifact of firebase-analytics") in text
    assert ("rule host:firebaselogging-pa.googleapis.com covers firebaselogging-pa.googleapis.com, "
            "which provider google shares") in text
    assert "rule domain:googleapis.com covers googleapis.com" in text
    assert "Traceback" not in text
