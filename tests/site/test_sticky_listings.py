"""Sticky listings through the CLI: partial, failed and interrupted scans never remove a service;
N consecutive complete scans without it do. Also `gaibu diff` between the scans."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"
META = "https://www.facebook.com/tr/?id=1&ev=PageView"


def listed(targets: Path, out: Path) -> set[str]:
    r = run_gaibu("build", "--out", str(out), "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    data = json.loads((out / "app.json").read_text(encoding="utf-8"))
    return {s["service_id"] for p in data["properties"] for s in p["services"]}


def scan(targets: Path) -> int:
    return run_gaibu("scan", "--targets", str(targets), "--no-fail-on-new").returncode


def test_partial_and_failed_scans_never_remove_and_n_complete_scans_do(tmp_path):
    make_har(tmp_path / "both.har", [GA, META],
             {META: ["fr=1; Domain=.facebook.com; Path=/; Max-Age=100; Secure; SameSite=None"]})
    make_har(tmp_path / "ga.har", [GA])
    (tmp_path / "broken.har").write_text('{"log": {"entries": [{"request": ', encoding="utf-8")
    site = tmp_path / "site"
    t = app_targets(tmp_path / "targets.yaml", ["both.har"])
    assert scan(t) == 0
    assert listed(t, site) >= {"google-analytics", "meta-pixel"}

    # a partial scan (one capture broken) without Meta: Meta stays
    t = app_targets(t, ["ga.har", "broken.har"])
    r = run_gaibu("scan", "--targets", str(t), "--no-fail-on-new")
    assert r.returncode == 1 and "broken.har" in r.stderr  # the broken file is named
    assert "meta-pixel" in listed(t, site)
    # a failed scan (nothing readable): still there
    t = app_targets(t, ["broken.har"])
    assert scan(t) == 1
    assert "meta-pixel" in listed(t, site)

    # complete scans without Meta: removed only at the third
    t = app_targets(t, ["ga.har"])
    for n in (1, 2):
        assert scan(t) == 0
        assert "meta-pixel" in listed(t, site), f"removed after {n} complete scans"
    assert scan(t) == 0
    assert listed(t, site) == {"google-analytics"}
    changes = (site / "changes.html").read_text(encoding="utf-8")
    assert "Meta" in changes and "3回続けて" in changes

    # seen again: back on the list
    t = app_targets(t, ["both.har"])
    assert scan(t) == 0
    assert "meta-pixel" in listed(t, site)


def test_diff_between_the_last_two_complete_scans(tmp_path):
    make_har(tmp_path / "both.har", [GA, META],
             {META: ["fr=1; Domain=.facebook.com; Path=/; Max-Age=100; Secure; SameSite=None"]})
    make_har(tmp_path / "ga.har", [GA, "https://px.new-vendor.jp/p.gif"])
    t = app_targets(tmp_path / "targets.yaml", ["both.har"])
    r = run_gaibu("diff", "--targets", str(t))
    assert r.returncode == 1 and "two complete scans" in r.stderr
    assert scan(t) == 0
    t = app_targets(t, ["ga.har"])
    assert scan(t) == 0
    r = run_gaibu("diff", "--json", "--targets", str(t))
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert (d["from"]["id"], d["to"]["id"]) == (1, 2)
    (p,) = d["properties"]
    assert p["third_parties"] == {"added": ["new-vendor.jp"], "removed": ["facebook.com"]}
    assert p["cookies"]["removed"] == [{"name": "fr", "domain": ".facebook.com"}]
    text = run_gaibu("diff", "--targets", str(t)).stdout
    assert "+ third party new-vendor.jp" in text and "- third party facebook.com" in text
    assert "- cookie fr (.facebook.com)" in text
    r = run_gaibu("diff", "--from", "2", "--to", "1", "--json", "--targets", str(t))
    assert json.loads(r.stdout)["properties"][0]["third_parties"]["added"] == ["facebook.com"]


def test_build_from_the_same_database_is_byte_identical_and_atomic(tmp_path):
    make_har(tmp_path / "both.har", [GA, META])
    t = app_targets(tmp_path / "targets.yaml", ["both.har"])
    assert scan(t) == 0
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert run_gaibu("build", "--out", str(d), "--targets", str(t)).returncode == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert len(files_a) == 14  # 13 site files and the .gaibu-site marker
    for f in files_a:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    # a failing build (a broken template override) leaves the previous site as it was
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "changes.html").write_text("{% extends 'base.html' %}{% block content %}{{ missing.x }}{% endblock %}",
                                      encoding="utf-8")
    t.write_text(t.read_text().replace("site:\n", f"site:\n  templates_dir: {tpl}\n"), encoding="utf-8")
    before = {f: (a / f).read_bytes() for f in files_a}
    r = run_gaibu("build", "--out", str(a), "--targets", str(t))
    assert r.returncode == 1
    assert f"{tpl / 'changes.html'}:1: template error: 'missing' is undefined" in r.stderr
    assert "Traceback" not in r.stderr
    assert {f: (a / f).read_bytes() for f in files_a} == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".a")) == []
