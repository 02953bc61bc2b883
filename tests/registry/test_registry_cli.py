"""`gaibu registry load | export | check` through the CLI."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.conftest import run_gaibu


def _dump(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    rows = []
    for table, cols in (("provider", "id, name_ja, name_en, country, privacy_policy_url"),
                        ("service", "id, provider_id, name_ja, name_en, category, platforms, "
                                    "information_ja, information_en, purpose_ja, purpose_en, "
                                    "recipient_use_ja, recipient_use_en, privacy_policy_url, "
                                    "opt_out_url, opt_out_ja, opt_out_en, notes"),
                        ("matchrule", "service_id, kind, pattern")):
        rows += [(table, *r) for r in con.execute(f"select {cols} from {table} order by 1, 2, 3")]  # noqa: S608
    return rows


def test_load_is_idempotent_and_export_round_trips(tmp_path):
    db1 = tmp_path / "one.db"
    r = run_gaibu("registry", "load", "--db", f"sqlite:///{db1}", "--targets", str(tmp_path / "none.yaml"))
    assert r.returncode == 0, r.stderr
    assert "(0 added" not in r.stdout
    again = run_gaibu("registry", "load", "--db", f"sqlite:///{db1}", "--targets", str(tmp_path / "none.yaml"))
    assert "0 added, 0 changed" in again.stdout
    n_services = sqlite3.connect(db1).execute("select count(*) from service").fetchone()[0]
    assert n_services >= 80
    out1 = tmp_path / "export1"
    r = run_gaibu("registry", "export", str(out1), "--db", f"sqlite:///{db1}", "--targets", str(tmp_path / "none.yaml"))
    assert r.returncode == 0, r.stderr
    # load the export as a company registry_dir into a fresh database: identical content
    targets = tmp_path / "targets.yaml"
    db2 = tmp_path / "two.db"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: {out1}
database: sqlite:///{db2}
properties: [{{name: w, kind: web, title_ja: ウェブ, start_urls: ["https://www.test-company.jp/"]}}]
""", encoding="utf-8")
    r = run_gaibu("registry", "load", "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    assert _dump(db1) == _dump(db2)
    out2 = tmp_path / "export2"
    run_gaibu("registry", "export", str(out2), "--targets", str(targets))
    for name in ("providers.yaml", "services.yaml"):
        assert (out1 / name).read_bytes() == (out2 / name).read_bytes()


BAD = """providers:
  - id: acme
    name_ja: 株式会社アクメ
    name_en: ACME Inc.
services:
  - id: acme-tag
    provider: acme
    name_ja: ACME Tag
    name_en: ACME Tag
    category: analytics
    information_ja: [Cookie ID など]
    information_en: [Cookie ID]
    purpose_ja: To improve the site.
    purpose_en: To improve the site.
    recipient_use_ja: 統計の作成に利用します。
    recipient_use_en: Statistics.
    privacy_policy_url: "http://acme.example/privacy"
    match:
      domains: [acme-tags.jp, acme-tags.jp, test-company.jp]
      cookies: [_ga]
  - id: acme-empty
    provider: acme
    name_ja: アクメ空
    name_en: ACME empty
    category: analytics
    information_ja: [閲覧したページのURL]
    information_en: [URL]
    purpose_ja: 分析のため。
    purpose_en: Analytics.
    recipient_use_ja: 統計に利用します。
    recipient_use_en: Statistics.
"""


def test_check_reports_every_problem_and_exits_1(tmp_path):
    local = tmp_path / "registry-local"
    local.mkdir()
    (local / "acme.yaml").write_text(BAD, encoding="utf-8")
    (local / "bad-url.yaml").write_text(BAD.replace("http://acme.example/privacy",
                                                    "htp//acme.example/privacy")
                                        .replace("id: acme", "id: acme2"), encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト, owned_domains: [test-cdn.jp]}}
registry_dir: registry-local
database: sqlite:///{tmp_path / 'g.db'}
properties: [{{name: w, kind: web, title_ja: ウェブ, start_urls: ["https://www.test-company.jp/"]}}]
""", encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(targets))
    assert r.returncode == 1
    text = r.stdout + r.stderr
    assert ("bad-url.yaml:17: error: services[0].privacy_policy_url: expected an absolute "
            "https:// URL, got 'htp//acme.example/privacy'") in text
    # public texts: the same lint as new-service and build; http:// links and vague wording
    # are errors with the line of the field
    assert ("acme.yaml:17: error: service acme-tag: privacy_policy_url uses http://: "
            "http://acme.example/privacy; expected an https:// URL") in text
    assert ("acme.yaml:11: error: service acme-tag: information_ja[0]: vague wording 「など」"
            in text)
    assert "duplicate rule domain:acme-tags.jp" in text
    assert "rule domain:test-company.jp would match the company's own domain test-company.jp" in text
    assert "rule cookie:_ga: error: conflicting: identifies acme-tag, google-analytics" in text
    assert "acme.yaml:21: service acme-empty: error: no match rules" in text
    assert "purpose_ja has no Japanese text" in text
    assert "vague wording" in text and "Cookie ID など" in text
    assert "Traceback" not in text


def test_check_of_the_seed_registry_has_no_errors(tmp_path):
    r = run_gaibu("registry", "check", "--db", f"sqlite:///{tmp_path / 'g.db'}",
                  "--targets", str(tmp_path / "none.yaml"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 error(s)" in r.stdout


def test_malformed_registry_file_names_file_and_line(tmp_path):
    local = tmp_path / "reg"
    local.mkdir()
    (local / "x.yaml").write_text(BAD.replace("category: analytics", "category: analytix", 1),
                                  encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: reg
database: sqlite:///{tmp_path / 'g.db'}
properties: [{{name: w, kind: web, title_ja: ウェブ, start_urls: ["https://www.test-company.jp/"]}}]
""", encoding="utf-8")
    r = run_gaibu("registry", "load", "--targets", str(targets))
    assert r.returncode == 1
    assert f"{local / 'x.yaml'}:10: services[0].category" in r.stderr
    assert "analytix" in r.stderr
