"""Hostile input and operator mistakes at the command line (issue 13), through the real CLI.

One parametrised table per kind — CLI arguments, database URLs, output folders, terminal
strings — and every case checks the exit code, exactly one ``error:`` line on stderr, no
traceback, and that the database (and for output folders: every file of the project) is
unchanged. Plus: the SQLite file alone holds every row after each command, and what
``registry export`` writes after review decisions on hostile HAR hosts always loads back.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

ESC_URL = "https://collect.unknown-metrics.jp/v1/\x1b]52;c;cHdu\x07/e?uid=1"
ESC_COOKIE = "um\x1b[2J=1; Domain=.unknown-metrics.jp; Path=/"
SCRIPT_URL = "https://x.<script>.com/p?q=1"
GA = "https://www.google-analytics.com/g/collect?v=2&tid=G-1"
OWN = "https://api.example-own.jp/v1/me"
# raw terminal controls that must never reach a terminal: ESC, BEL, 8-bit CSI/OSC, bidi override
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\x9d", "\u202e")


# -- helpers --------------------------------------------------------------------------------------
def snapshot(db: Path) -> dict[str, list[str]]:
    """Every row of every table (read through SQLite, so rows still in the -wal count too)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(repr(row) for row in con.execute(f'SELECT * FROM "{t}"'))  # noqa: S608
                for t in tables}
    finally:
        con.close()


def tree(root: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under root (directories as 'dir')."""
    out = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if p.name.endswith(("-wal", "-shm")):
            continue  # SQLite's own side files; the database content is compared separately
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def assert_one_error_line(r, code: int, needle: str) -> str:  # type: ignore[no-untyped-def]
    everything = r.stdout + r.stderr
    assert "Traceback" not in everything, everything
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert needle in lines[0], (needle, lines[0])
    for c in RAW_CONTROLS:
        assert c not in everything, repr(everything)
    return lines[0]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project that has scanned a HAR with hostile strings: pending findings, nothing decided."""
    d = tmp_path_factory.mktemp("base")
    make_har(d / "s1.har", [GA, ESC_URL, SCRIPT_URL, OWN], {ESC_URL: [ESC_COOKIE]})
    app_targets(d / "targets.yaml", ["s1.har"])
    r = run_gaibu("scan", "--targets", str(d / "targets.yaml"), "--json", str(d / "r.json"))
    assert r.returncode == 0, r.stderr
    for c in RAW_CONTROLS:
        assert c not in r.stdout + r.stderr
    # a localStorage key with an OSC 52 (clipboard write) and a bidi override, as a crawl of a
    # hostile page stores it (crawling needs Chromium; the stored evidence is what is printed)
    con = sqlite3.connect(d / "gaibu.db")
    with con:
        row = con.execute("SELECT id, evidence FROM finding WHERE key = 'unknown-metrics.jp'").fetchone()
        ev = json.loads(row[1])
        ev["storage"] = [{"origin": "https://collect.unknown-metrics.jp", "kind": "local",
                          "key": "k\x1b]52;c;ZXZpbA==\x07\u202eevil"}]
        con.execute("UPDATE finding SET evidence = ? WHERE id = ?", (json.dumps(ev), row[0]))
    con.close()
    # for the output-folder cases: a built site the user then added a file to, folders of theirs
    r = run_gaibu("build", "--targets", str(d / "targets.yaml"), "--out", str(d / "site"),
                  "--allow-pending")
    assert r.returncode == 0, r.stderr
    (d / "site" / "CNAME").write_text("example.com\n")
    (d / "sub").mkdir()
    (d / "home").mkdir()
    (d / "home" / ".bashrc").write_text("# mine\n")
    (d / "mine").mkdir()
    (d / "mine" / "notes.txt").write_text("mine\n")
    (d / "data").mkdir()
    shutil.copy(d / "gaibu.db", d / "data" / "gaibu.db")
    return d


@pytest.fixture()
def proj(base: Path, tmp_path: Path) -> Path:
    d = tmp_path / "proj"
    shutil.copytree(base, d)
    # targets.yaml names the database by absolute path: point it at the copy
    t = d / "targets.yaml"
    t.write_text(t.read_text(encoding="utf-8").replace(str(base), str(d)), encoding="utf-8")
    return d


def fill(args: list[str], proj: Path) -> list[str]:
    return [a.format(proj=proj, targets=proj / "targets.yaml", db=proj / "gaibu.db") for a in args]


# -- CLI arguments --------------------------------------------------------------------------------
BAD_MARKUP_TARGETS = """company: {{name_ja: テスト株式会社, name_en: Test Inc.}}
database: sqlite:///{proj}/gaibu.db
properties:
  - name: web1
    kind: web
    title_ja: テスト
    title_en: Test
    start_urls: [http://127.0.0.1:9/]
    max_pages: "[bold red]X[/bold red]"
"""
FALSE_BROWSER_TARGETS = """company: {{name_ja: テスト株式会社, name_en: Test Inc.}}
database: sqlite:///{proj}/gaibu.db
browser: {{executable: /bin/false}}
properties:
  - name: web1
    kind: web
    title_ja: テスト
    title_en: Test
    start_urls: [http://127.0.0.1:9/]
"""
BAD_SLUG_SERVICE = """services:
  - id: "Bad Id!"
    provider: google
    name_ja: テスト
    name_en: Test
    category: analytics
    information_ja: [閲覧したページのURL]
    information_en: [URL of the page viewed]
    purpose_ja: アクセス解析のため
    purpose_en: Analytics
    recipient_use_ja: 統計の作成
    recipient_use_en: Statistics
    match: {domains: [bad-slug.example]}
"""

CLI_CASES = [
    ("targets-is-a-directory", ["scan", "--targets", "{proj}"], 2, "is a directory"),
    ("targets-dir-for-review", ["review", "ignore", "1", "--reason", "x", "--targets", "{proj}"],
     2, "is a directory"),
    ("new-service-file-is-a-directory",
     ["review", "new-service", "unknown-metrics.jp", "--file", "{proj}", "--targets", "{targets}"],
     2, "expected a SERVICE.yaml file"),
    ("scan-json-under-a-file", ["scan", "--targets", "{targets}", "--json", "{targets}/sub"], 2,
     "is a file, not a directory"),
    ("import-json-under-a-file", ["import", "har", "{proj}/s1.har", "--property", "app-ios",
                                  "--targets", "{targets}", "--json", "{targets}/sub/r.json"],
     2, "is a file, not a directory"),
    ("har-is-a-directory", ["import", "har", "{proj}", "--property", "app-ios",
                            "--targets", "{targets}"], 1, "{proj}"),
    ("status-with-markup", ["review", "list", "--status", "[bold]x[/bold]", "--targets", "{targets}"],
     2, "--status '[bold]x[/bold]'"),
    ("unknown-finding-with-escape", ["review", "show", "\x1b]0;pwned\x07", "--targets", "{targets}"],
     1, "no finding '\\x1b]0;pwned\\x07'"),
    ("rule-percent-encoded", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                              "--rule", "host:x.%3cscript%3e.com", "--targets", "{targets}"],
     1, "expected a host name"),
    ("rule-dot-dot", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                      "--rule", "domain:a..b.com", "--targets", "{targets}"], 1, "expected a host name"),
    ("rule-slash", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                    "--rule", "host:a.com/b", "--targets", "{targets}"], 1, "expected a host name"),
    ("rule-empty", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                    "--rule", "cookie:", "--targets", "{targets}"], 1, "expected KIND:PATTERN"),
    ("rule-url-prefix-bad-host", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                                  "--rule", "url_prefix:https://<x>/a", "--targets", "{targets}"],
     1, "with a host name"),
    ("rule-cookie-star", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                          "--rule", "cookie:*", "--targets", "{targets}"], 1, "not just '*'"),
    ("assign-invalid-host-finding", ["review", "assign", "<script>.com", "--service", "adjust",
                                     "--targets", "{targets}"], 1, "not a valid host name"),
    ("markup-in-targets-value", ["scan", "--targets", "{proj}/markup.yaml"], 1,
     "[bold red]X[/bold red]"),
    ("regex-in-registry-error", ["registry", "load", "--targets", "{proj}/slug.yaml"], 1,
     "^[a-z0-9][a-z0-9-]{0,79}$"),
    ("browser-executable-false", ["scan", "--targets", "{proj}/false.yaml"], 1,
     "browser /bin/false did not start"),
]


@pytest.mark.parametrize("args,code,needle", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_argument_mistakes(proj: Path, args: list[str], code: int, needle: str) -> None:
    (proj / "markup.yaml").write_text(BAD_MARKUP_TARGETS.format(proj=proj), encoding="utf-8")
    (proj / "false.yaml").write_text(FALSE_BROWSER_TARGETS.format(proj=proj), encoding="utf-8")
    (proj / "reg").mkdir()
    (proj / "reg" / "bad.yaml").write_text(BAD_SLUG_SERVICE, encoding="utf-8")
    (proj / "slug.yaml").write_text((proj / "targets.yaml").read_text(encoding="utf-8")
                                    + "registry_dir: reg\n", encoding="utf-8")
    before = snapshot(proj / "gaibu.db")
    r = run_gaibu(*fill(args, proj))
    assert_one_error_line(r, code, needle.replace("{proj}", str(proj)))
    after = snapshot(proj / "gaibu.db")
    if "false.yaml" in " ".join(args):
        # the attempt is on record as a failed scan; nothing that was there changed
        assert [x for x in after["scan"] if x not in before["scan"]][0].count("'failed'") == 1
        after = {k: v for k, v in after.items() if k not in ("scan", "scanproperty")}
        before = {k: v for k, v in before.items() if k not in ("scan", "scanproperty")}
    assert after == before


# -- database URLs --------------------------------------------------------------------------------
DB_CASES = [
    ("mysql", "mysql://u@127.0.0.1/x", "'mysql' is not supported"),
    ("unknown-scheme", "foo://bar", "'foo' is not supported"),
    ("missing-directory", "sqlite:////missing/dir/x.db", "directory /missing/dir does not exist"),
    ("directory-as-database", "{proj}", "is a directory"),
    ("postgres-refused", "postgresql://gaibu@127.0.0.1:1/gaibu", "127.0.0.1:1"),
    ("read-only", "sqlite:///file:{db}?mode=ro&uri=true", "readonly database"),
]


@pytest.mark.parametrize("url,needle", [c[1:] for c in DB_CASES], ids=[c[0] for c in DB_CASES])
def test_database_url_mistakes(proj: Path, url: str, needle: str) -> None:
    before = snapshot(proj / "gaibu.db")
    url = url.format(proj=proj, db=proj / "gaibu.db")
    # a write (a review decision): nothing may be half-done
    r = run_gaibu("review", "ignore", "unknown-metrics.jp", "--reason", "test", "--db", url,
                  "--targets", str(proj / "targets.yaml"))
    line = assert_one_error_line(r, 1, needle)
    if url.startswith("postgresql"):
        assert "connection refused" in line
    assert snapshot(proj / "gaibu.db") == before


def test_unreachable_postgres_has_a_connect_timeout() -> None:
    from gaibu.db import CONNECT_TIMEOUT, DatabaseError, get_engine

    assert 0 < CONNECT_TIMEOUT <= 10
    with pytest.raises(DatabaseError, match=r"127\.0\.0\.1:1.*connection refused"):
        get_engine("postgresql+psycopg://gaibu@127.0.0.1:1/gaibu")


# -- output folders -------------------------------------------------------------------------------
OUT_CASES = [
    # (id, --out, cwd relative to the project or None for the repository, needle)
    ("current-folder-with-database", ".", ".", "current folder"),
    ("parent-folder", "..", "sub", "current folder or one of its parents"),
    ("root", "/", None, "root folder"),
    ("home", "{proj}/home", None, "home folder"),
    ("project-folder-by-path", "{proj}", None, "which a build would delete"),
    ("database-folder", "{proj}/data", None, "gaibu.db"),
    ("folder-with-own-files", "{proj}/mine", None, "files gaibu did not write"),
    ("old-site-plus-own-file", "{proj}/site", None, "files the last build did not write: CNAME"),
    ("proc", "/proc", None, "/proc is not empty"),
    ("under-proc", "/proc/gaibu-site", None, "cannot create"),
    ("under-a-file", "{proj}/targets.yaml/site", None, "is a file, not a folder"),
]


@pytest.mark.parametrize("out,cwd,needle", [c[1:] for c in OUT_CASES], ids=[c[0] for c in OUT_CASES])
def test_output_folder_mistakes(proj: Path, out: str, cwd: str | None, needle: str) -> None:
    targets = proj / "targets.yaml"
    db_args = ["--db", str(proj / "data" / "gaibu.db")] if "data" in out else []
    before, files = snapshot(proj / "gaibu.db"), tree(proj)
    r = run_gaibu("build", "--allow-pending", "--targets", str(targets), "--out",
                  out.format(proj=proj), *db_args,
                  cwd=proj / cwd if cwd else None, env={"HOME": str(proj / "home")})
    assert_one_error_line(r, 1, needle)
    assert tree(proj) == files
    assert snapshot(proj / "gaibu.db") == before


def test_output_folders_that_are_fine(proj: Path) -> None:
    """New, empty, a previous build (replaced whole), and a site built before the marker."""
    targets = str(proj / "targets.yaml")
    (proj / "empty").mkdir()
    for out in ("new/site", "empty", "empty"):
        r = run_gaibu("build", "--targets", targets, "--out", str(proj / out), "--allow-pending")
        assert r.returncode == 0, r.stderr
    site = proj / "empty"
    listed = (site / ".gaibu-site").read_text(encoding="utf-8").splitlines()[1:]
    on_disk = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                     if p.is_file() and p.name != ".gaibu-site")
    assert listed == on_disk and "index.html" in listed
    (site / ".gaibu-site").unlink()  # as built by the gaibu before the marker
    r = run_gaibu("build", "--targets", targets, "--out", str(site), "--allow-pending")
    assert r.returncode == 0, r.stderr
    assert (site / ".gaibu-site").is_file()
    assert (proj / "gaibu.db").is_file() and (proj / "targets.yaml").is_file()


# -- terminal strings -----------------------------------------------------------------------------
TERMINAL_CASES = [
    ("review-show", ["review", "show", "unknown-metrics.jp"],
     ["\\x1b]52;c;cHdu\\x07", "um\\x1b[2J", "k\\x1b]52;c;ZXZpbA==\\x07\\u202eevil"]),
    ("review-list", ["review", "list"], ["<script>.com"]),
    ("review-list-json", ["review", "list", "--json"], ["\\u001b"]),
    ("listing-list", ["listing", "list"], ["listing(s)"]),
    ("diff", ["diff"], ["new-metrics.jp", "cookie um\\x1b[2J"]),
    ("scan-summary", ["scan"], ["app-ios"]),
]


@pytest.mark.parametrize("args,shown", [c[1:] for c in TERMINAL_CASES],
                         ids=[c[0] for c in TERMINAL_CASES])
def test_crawled_strings_reach_the_terminal_escaped(proj: Path, args: list[str],
                                                     shown: list[str]) -> None:
    if args[0] == "diff":  # a second scan in which a new third party sets a hostile cookie
        new = "https://n.new-metrics.jp/x"
        make_har(proj / "s1.har", [GA, ESC_URL, new],
                 {new: ["nw\x1b]0;t\x07=1; Domain=.new-metrics.jp; Path=/"]})
        assert run_gaibu("scan", "--targets", str(proj / "targets.yaml")).returncode == 0
    before = snapshot(proj / "gaibu.db")
    r = run_gaibu(*args, "--targets", str(proj / "targets.yaml"))
    assert r.returncode == 0, r.stderr
    everything = r.stdout + r.stderr
    assert "Traceback" not in everything
    for c in RAW_CONTROLS:
        assert c not in everything, (c, everything)
    for s in shown:
        assert s in everything, (s, everything)
    if args[0] != "scan":
        assert snapshot(proj / "gaibu.db") == before


def test_escaping_helper() -> None:
    from gaibu.safe import markup_safe, printable

    assert printable("a\x1b[31mb\x07\x9b\u202e\n") == "a\\x1b[31mb\\x07\\x9b\\u202e\\n"
    assert printable("x\ny", keep_newlines=True) == "x\ny"
    assert printable("日本語 ok") == "日本語 ok"
    assert markup_safe("[bold]x[/bold]") == "\\[bold]x\\[/bold]"


# -- the SQLite file alone is the whole database ---------------------------------------------------
def test_database_file_alone_holds_every_row_after_each_command(proj: Path, tmp_path: Path) -> None:
    targets = str(proj / "targets.yaml")
    make_har(proj / "s2.har", [GA, "https://px.other-metrics.jp/p?id=1"])
    steps = [
        ("scan", ["scan", "--targets", targets]),
        ("import har", ["import", "har", str(proj / "s2.har"), "--property", "app-ios",
                        "--targets", targets]),
        ("review assign", ["review", "assign", "unknown-metrics.jp", "--service", "adjust",
                           "--targets", targets]),
        ("registry load", ["registry", "load", "--targets", targets]),
        ("build", ["build", "--targets", targets, "--out", str(proj / "public"),
                   "--allow-pending"]),
        ("listing remove", ["listing", "remove", "app-ios", "google-analytics", "--reason",
                            "contract ended",
                            "--targets", targets]),
    ]
    for i, (name, args) in enumerate(steps):
        r = run_gaibu(*args)
        assert r.returncode == 0, (name, r.stderr)
        alone = tmp_path / f"copy{i}" / "gaibu.db"
        alone.parent.mkdir()
        shutil.copy(proj / "gaibu.db", alone)  # the file alone, as a CI artifact upload
        assert not (alone.parent / "gaibu.db-wal").exists()
        got = snapshot(alone)
        assert got == snapshot(proj / "gaibu.db"), name
        assert got["scan"] and got["finding"], name
    assert any("contract ended" in row for row in got["listingevent"] + got["listing"])


# -- export after hostile hosts always loads back --------------------------------------------------
def test_registry_round_trip_with_hostile_hosts(proj: Path) -> None:
    targets = proj / "targets.yaml"
    t = str(targets)
    f = {x["key"]: x for x in json.loads(run_gaibu("review", "list", "--json", "--targets", t)
                                         .stdout)["findings"]}
    assert f["<script>.com"]["kind"] == "invalid"  # seen, reviewable, never a rule
    assert f["unknown-metrics.jp"]["kind"] == "domain"
    assert run_gaibu("review", "assign", "unknown-metrics.jp", "--service", "adjust", "--targets", t,
                     "--rule", "host:collect.unknown-metrics.jp").returncode == 0
    r = run_gaibu("review", "ignore", "<script>.com", "--reason", "malformed HAR entry",
                  "--targets", t)
    assert r.returncode == 0, r.stderr
    r = run_gaibu("registry", "export", str(proj / "export"), "--targets", t)
    assert r.returncode == 0, r.stderr
    exported = (proj / "export" / "services.yaml").read_text(encoding="utf-8")
    assert "collect.unknown-metrics.jp" in exported and "<script>" not in exported
    # the export loads back (as the company's registry_dir) and check finds nothing wrong
    targets.write_text(targets.read_text(encoding="utf-8") + "registry_dir: export\n",
                       encoding="utf-8")
    r = run_gaibu("registry", "load", "--targets", t)
    assert r.returncode == 0, r.stderr
    r = run_gaibu("registry", "check", "--targets", t)
    assert "0 error(s)" in r.stdout, r.stdout + r.stderr


def test_invalid_rule_from_an_older_gaibu_is_reported_and_not_exported(proj: Path) -> None:
    t = str(proj / "targets.yaml")
    con = sqlite3.connect(proj / "gaibu.db")
    with con:
        con.execute("INSERT INTO matchrule (service_id, kind, pattern, source) "
                    "VALUES ('adjust', 'domain', '<script>.com', 'review')")
    con.close()
    r = run_gaibu("registry", "check", "--targets", t)
    assert r.returncode == 1 and "'<script>.com' is not valid" in r.stderr, r.stdout + r.stderr
    before = snapshot(proj / "gaibu.db")
    r = run_gaibu("registry", "export", str(proj / "export"), "--targets", t)
    assert_one_error_line(r, 1, "cannot export: rule #")
    assert not (proj / "export" / "services.yaml").exists()
    assert snapshot(proj / "gaibu.db") == before


def test_error_output_is_never_markup_with_a_terminal(proj: Path) -> None:
    """Rich only styles when it believes it writes to a terminal: force it, and the text stays."""
    r = run_gaibu("review", "list", "--status", "[bold red]X[/bold red]", "--targets",
                  str(proj / "targets.yaml"), env={"FORCE_COLOR": "1", "TERM": "xterm"})
    assert r.returncode == 2
    assert "[bold red]X[/bold red]" in r.stderr
    assert os.linesep not in r.stderr.strip()
