"""build_site: golden files, determinism, atomic replacement, template overrides, output rules."""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from site_generator import BuildError, build_site, render_site
from site_generator import build as build_module
from site_generator.build import PACKAGED_TEMPLATES
from site_generator.model import Disclosure, PropertyList
from tests.site_generator.fixtures import COMPANY, hostile_disclosure, sample_disclosure

GOLDEN = Path(__file__).parent / "golden"
EXPECTED_FILES = [
    "app.csv", "app.html", "app.json", "changes.html",
    "en/app.html", "en/changes.html", "en/index.html", "en/web.html",
    "index.html", "style.css", "web.csv", "web.html", "web.json",
]


def _tree(root: Path) -> dict[str, bytes]:
    """The site's files, without the .gaibu-site marker (tested on its own)."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != build_module.MARKER}


def test_golden_files(tmp_path: Path) -> None:
    """The fixed sample renders byte for byte like tests/site_generator/golden/.

    After an intended change: GAIBU_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/site_generator
    and review the diff of golden/ like code.
    """
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    got = _tree(out)
    if os.environ.get("GAIBU_UPDATE_GOLDEN") == "1":
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
        pytest.skip("golden files rewritten; review and commit tests/site_generator/golden/")
    if not GOLDEN.is_dir():
        pytest.fail("no golden files yet: run with GAIBU_UPDATE_GOLDEN=1 and review them")
    want = _tree(GOLDEN)
    assert sorted(got) == sorted(want), "set of files differs from golden/"
    for name in sorted(want):
        if got[name] != want[name]:
            diff = "\n".join(difflib.unified_diff(
                want[name].decode("utf-8", "replace").splitlines(),
                got[name].decode("utf-8", "replace").splitlines(),
                f"golden/{name}", f"built/{name}", lineterm="", n=2))
            pytest.fail(f"{name} differs from the golden file (GAIBU_UPDATE_GOLDEN=1 to "
                        f"accept):\n{diff[:4000]}")


def test_returns_sorted_relative_paths(tmp_path: Path) -> None:
    written = build_site(sample_disclosure(), tmp_path / "site")
    assert [p.as_posix() for p in written] == EXPECTED_FILES
    assert all(not p.is_absolute() for p in written)


def test_deterministic(tmp_path: Path) -> None:
    build_site(sample_disclosure(), tmp_path / "a")
    build_site(sample_disclosure(), tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")


def test_input_order_does_not_matter() -> None:
    d = sample_disclosure()
    shuffled = replace(
        d, properties=tuple(reversed([replace(p, rows=tuple(reversed(p.rows)))
                                      for p in d.properties])),
        changes=tuple(reversed(d.changes)))
    assert render_site(d) == render_site(shuffled)


def test_text_files_use_lf_and_end_with_newline() -> None:
    for name, data in render_site(sample_disclosure()).items():
        assert b"\r" not in data, name
        assert data.endswith(b"\n"), name


def test_rebuild_replaces_old_content(tmp_path: Path) -> None:
    """A file an earlier build wrote (listed in its marker) goes when the new build lacks it."""
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    (out / "stale.html").write_text("old")
    marker = out / build_module.MARKER
    marker.write_text(marker.read_text(encoding="utf-8") + "stale.html\n", encoding="utf-8")
    build_site(sample_disclosure(), out)
    assert sorted(_tree(out)) == EXPECTED_FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    listed = marker.read_text(encoding="utf-8").splitlines()[1:]
    assert listed == EXPECTED_FILES


def test_folder_with_foreign_files_is_refused_and_kept(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    with pytest.raises(BuildError, match="stale.html"):
        build_site(sample_disclosure(), out)
    assert sorted(p.name for p in out.iterdir()) == ["stale.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_site_from_before_the_marker_is_recognised(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    (out / build_module.MARKER).unlink()
    build_site(replace(sample_disclosure(), removal_after_scans=5), out)
    assert (out / build_module.MARKER).is_file()
    (out / build_module.MARKER).unlink()
    (out / "index.html").unlink()  # not a complete gaibu site any more: refused
    with pytest.raises(BuildError, match="no .gaibu-site marker"):
        build_site(sample_disclosure(), out)


def test_swap_without_renameat2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where an atomic exchange is unavailable: rename old away, new in, delete old."""
    monkeypatch.setattr(build_module, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    build_site(replace(sample_disclosure(), removal_after_scans=5), out)
    build_site(sample_disclosure(), out)
    assert _tree(out) == render_site(sample_disclosure())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_failed_swap_restores_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    before = _tree(out)
    monkeypatch.setattr(build_module, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def flaky_rename(src: Path, dst: Path) -> None:
        if ".new-" in Path(src).name:
            raise OSError("disk on fire")
        real_rename(src, dst)

    monkeypatch.setattr(build_module.os, "rename", flaky_rename)
    with pytest.raises(BuildError, match="disk on fire"):  # one line for the CLI
        build_site(replace(sample_disclosure(), removal_after_scans=5), out)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux-only")
def test_atomic_exchange_on_linux(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "new").write_text("n")
    (b / "old").write_text("o")
    assert build_module._exchange(a, b)
    assert [p.name for p in b.iterdir()] == ["new"] and [p.name for p in a.iterdir()] == ["old"]


def test_output_is_world_readable(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    assert out.stat().st_mode & 0o755 == 0o755  # mkdtemp's 0700 must not leak into the site
    assert (out / "en").stat().st_mode & 0o755 == 0o755


def _override(tmp_path: Path, name: str, text: str) -> Path:
    tdir = tmp_path / "templates"
    (tdir / name).parent.mkdir(parents=True, exist_ok=True)
    (tdir / name).write_text(text, encoding="utf-8")
    return tdir


def test_failure_midway_leaves_previous_site_intact(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(sample_disclosure(), out)
    before = _tree(out)
    # app.html renders after index.html and web.html: the failure is midway through the build.
    tdir = _override(tmp_path, "app.html",
                     '{% extends "list.html" %}{% block content %}{{ no_such_variable }}{% endblock %}')
    changed = replace(sample_disclosure(), removal_after_scans=5)
    with pytest.raises(Exception, match="no_such_variable"):
        build_site(changed, out, templates_dir=tdir)
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "templates"]


def test_failure_on_first_build_leaves_nothing(tmp_path: Path) -> None:
    tdir = _override(tmp_path, "style.css", "x")
    (tdir / "changes.html").write_text("{{ 1 / 0 }}")
    with pytest.raises(ZeroDivisionError):
        build_site(sample_disclosure(), tmp_path / "site", templates_dir=tdir)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["templates"]


def test_override_one_file_changes_only_that_page(tmp_path: Path) -> None:
    default = render_site(sample_disclosure())
    tdir = _override(tmp_path, "changes.html",
                     (PACKAGED_TEMPLATES / "changes.html").read_text(encoding="utf-8")
                     .replace("<h1>", '<h1 class="company-style">'))
    overridden = render_site(sample_disclosure(), templates_dir=tdir)
    differing = sorted(k for k in default if default[k] != overridden[k])
    assert differing == ["changes.html", "en/changes.html"]
    assert b'<h1 class="company-style">' in overridden["changes.html"]


def test_override_wording_and_css(tmp_path: Path) -> None:
    ja = (PACKAGED_TEMPLATES / "i18n" / "ja.html").read_text(encoding="utf-8")
    tdir = _override(tmp_path, "i18n/ja.html", ja.replace('"本文へ移動"', '"本文へ"'))
    (tdir / "style.css").write_text("body { color: #000; }\n")
    files = render_site(sample_disclosure(), templates_dir=tdir)
    assert ">本文へ</a>" in files["web.html"].decode()
    assert ">本文へ移動<" not in files["index.html"].decode()
    assert files["style.css"] == b"body { color: #000; }\n"
    assert files["en/web.html"] == render_site(sample_disclosure())["en/web.html"]


def test_missing_templates_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not a directory"):
        build_site(sample_disclosure(), tmp_path / "site", templates_dir=tmp_path / "nope")


def test_out_dir_that_is_a_file_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "site").write_text("x")
    with pytest.raises(BuildError, match="not a directory"):
        build_site(sample_disclosure(), tmp_path / "site")
    assert (tmp_path / "site").read_text() == "x"


def test_anchor_collision_is_an_error() -> None:
    d = sample_disclosure()
    jobs = next(p for p in d.properties if p.name == "jobs-web")
    # the section of property "jobs-web--sitest" would have the id of jobs-web's SiTest row
    evil = replace(jobs, name="jobs-web--sitest")
    with pytest.raises(BuildError, match="duplicate element ids"):
        render_site(replace(d, properties=d.properties + (evil,)))


def test_templates_never_bypass_autoescape() -> None:
    for path in PACKAGED_TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path
        assert "autoescape false" not in text, path
        assert "<script" not in text.lower(), path


def test_no_javascript_and_external_links_are_safe() -> None:
    files = render_site(sample_disclosure())
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        html = data.decode()
        assert "<script" not in html.lower()
        assert not re.search(r"\son[a-z]+=", html), name
        for tag in re.findall(r"<a\s[^>]*>", html):
            href = re.search(r'href="([^"]*)"', tag).group(1)  # type: ignore[union-attr]
            if href.startswith("http"):
                assert 'rel="noopener noreferrer"' in tag, tag
            else:
                assert not re.match(r"^[a-z]+:", href) or href.startswith("mailto:"), tag


def test_hostile_strings_are_escaped_everywhere() -> None:
    files = render_site(hostile_disclosure())
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        html = data.decode()
        assert "<script" not in html.lower(), name
        assert "<img" not in html.lower(), name
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html, name
        assert not re.search(r'<a\s[^>]*href="\s*(javascript|data|vbscript):', html, re.I), name
        assert "onmouseover=" not in html.replace("onmouseover=&#34;", ""), name
    web = files["web.html"].decode()
    assert '<span class="url-text">javascript:window.__xss=1</span>' in web
    assert "canonical" not in web  # base_url is not http(s): no absolute links at all


def _props(*props: PropertyList) -> Disclosure:
    return Disclosure(company=COMPANY, properties=props, changes=())


def test_empty_lists_get_a_sentence_not_an_empty_table() -> None:
    empty_web = PropertyList(name="lp", kind="web", platform=None, title_ja="LP", title_en="LP",
                             urls=(), rows=(), last_changed=None, last_checked=date(2026, 11, 1))
    files = render_site(_props(empty_web))
    web = files["web.html"].decode()
    assert "現在、このウェブサイトで一覧に掲載している外部送信はありません。" in web
    assert "<table" not in web
    assert "最終確認日</dt><dd data-field=\"last-checked\"><time datetime=\"2026-11-01\">2026年11月1日</time>" in web
    app = files["app.html"].decode()
    assert "現在、外部送信一覧の対象となるアプリはありません。" in app
    assert "<table" not in app
    assert "At present, this website sends no information" in files["en/web.html"].decode()
    assert "これまでに記録された追加・削除はありません。" in files["changes.html"].decode()
    assert "No additions or removals have been recorded yet." in files["en/changes.html"].decode()


def test_required_wording() -> None:
    files = render_site(sample_disclosure())
    web, app, index = (files[k].decode() for k in ("web.html", "app.html", "index.html"))
    assert "<h1>ウェブサイトにおける外部送信一覧</h1>" in web
    assert "<h1>アプリにおける外部送信一覧</h1>" in app
    assert "<h1>追加・削除の履歴</h1>" in files["changes.html"].decode()
    for label in ("送信先（事業者名）", "送信される情報", "当社の利用目的", "送信先での利用目的",
                  "プライバシーポリシー", "送信の停止・制限の方法", "送信先ドメイン", "最終更新日",
                  "最終確認日", "技術情報", "送信先の所在国", "制定日",
                  "この一覧についてのお問い合わせ"):
        assert label in web, label
    assert "オプトアウト（送信の停止）" not in web and "スキャン" not in web
    assert "送信を止める方法はありません" in web
    assert "2026年11月30日" in web and "30 November 2026" in files["en/web.html"].decode()
    assert 'data-field="os">iOS・Android<' in app  # one section for the app on both OSes
    assert 'href="web.html"' in index and 'href="app.html"' in index
    assert "https://www.sample.co.jp/contact/" in index
    assert 'hreflang="en" href="https://www.sample.co.jp/privacy/transmission/en/app.html"' in app
    for name, data in files.items():  # no bare 「等」 in our own wording
        if name.endswith(".html") and not name.startswith("en/"):
            assert "等" not in re.sub(r"<[^>]+>", "", data.decode()), name


def test_history_is_newest_first_and_links_listed_rows() -> None:
    html = render_site(sample_disclosure())["changes.html"].decode()
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', html)
    assert dates == sorted(dates, reverse=True) and len(dates) == 8
    # the first day's additions are one "published" entry per list, not one per service
    assert html.count("一覧を公開しました（2件のサービスを掲載）") == 1
    assert 'href="web.html#p-jobs-web--meta-pixel"' in html
    assert 'href="app.html#p-jobs-app-ios--appsflyer">AppsFlyer（AppsFlyer Ltd.）</a>' in html
    assert ">サンプル求人アプリ（iOS）</a>" in html
    # a removed service and a property that no longer exists are shown without links
    assert "<td data-label=\"対象\">2026年春の採用キャンペーンサイト</td>" in html
    assert ">Criteo（Criteo株式会社）</td>" in html
