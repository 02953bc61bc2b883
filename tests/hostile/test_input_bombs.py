"""Memory and time bombs in small input files, through the real CLI under a memory limit.

Each case writes a small hostile file (a few hundred KiB at most; an "over the size limit" file
is sparse) and runs `gaibu …` in a subprocess limited to MEMORY_LIMIT of address space and
TIMEOUT seconds. It must fail with exit code 1 and one stderr line naming the file and the
limit, no traceback, and leave the database exactly as it was (a prior import is in it).

Before the limits, these files took 1-24 GB (HAR nesting, YAML aliases) or minutes to forever
(Gradle doubling), or crashed with RecursionError. A normal `gaibu import` needs about 110 MiB
of address space (measured with RLIMIT_AS), so 1 GiB leaves a wide margin.
"""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.importers.har import MAX_HAR_DEPTH
from scanner.importers.sdk.gradle import (
    MAX_GRADLE_BYTES,
    MAX_LOOKUPS,
    MAX_REFERENCE_CHAIN,
    MAX_SCAN_CHARS,
    MAX_STRING_CHARS,
)
from scanner.importers.sdk.interface import MAX_MANIFEST_BYTES, MAX_NESTING
from scanner.yamlloc import MAX_YAML_ALIAS_NODES, MAX_YAML_BYTES, MAX_YAML_DEPTH
from tests.conftest import ROOT

MEMORY_LIMIT = 1024 * 2**20
TIMEOUT = 60


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def gaibu_limited(*args: str) -> subprocess.CompletedProcess[str]:
    """`gaibu ARGS` (as tests.conftest.run_gaibu) with an address-space limit and a timeout."""
    env = dict(os.environ)
    env.pop("CI", None)
    env.pop("GAIBU_DATABASE_URL", None)
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "gaibu.cli", *args], capture_output=True,
                          text=True, timeout=TIMEOUT, env=env, cwd=ROOT,
                          preexec_fn=_limit_memory)


# ------------------------------------------------------------------------------ generators

def yaml_laughs(levels: int = 9, width: int = 9) -> str:
    """Anchors of anchors: 9**9 (387 million) strings from 500 bytes."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def yaml_merge_laughs(levels: int = 30) -> str:
    """`<<:` merges of merges: every mapping merges the previous one twice."""
    lines = ["m0: &m0 {k: v}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: v}}")
    return "\n".join(lines) + "\n"


def yaml_deep(depth: int = 20_000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def yaml_block_deep(depth: int = MAX_YAML_DEPTH + 5) -> str:
    return "".join(" " * i + f"k{i}:\n" for i in range(depth)) + " " * depth + "v\n"


def json_deep(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


def gradle_doubling(n: int = 40, kts: bool = False) -> str:
    kw = "val" if kts else "def"
    lines = [f'{kw} a0 = "{"x" * 16}"']
    lines += [f'{kw} a{i} = "${{a{i - 1}}}${{a{i - 1}}}"' for i in range(1, n)]
    dep = (f'    implementation("com.example:lib:${{a{n - 1}}}")' if kts
           else f'    implementation "com.example:lib:${{a{n - 1}}}"')
    return "\n".join(lines) + "\ndependencies {\n" + dep + "\n}\n"


def gradle_empty_doubling(n: int = 40) -> str:
    """Doubling of an empty string: the result stays short, the work is 2**n lookups."""
    lines = ['def a0 = ""'] + [f'def a{i} = "${{a{i - 1}}}${{a{i - 1}}}"' for i in range(1, n)]
    return "\n".join(lines) + f'\ndependencies {{\n    implementation "g:a:1${{a{n - 1}}}"\n}}\n'


def gradle_parens(n: int = 100_000) -> str:
    return "dependencies {\n    implementation " + "(" * n + '"g:a:1"' + ")" * n + "\n}\n"


def gradle_chain(n: int = 20_000, kts: bool = False) -> str:
    kw = "val" if kts else "def"
    lines = [f'{kw} a0 = "1.0"'] + [f"{kw} a{i} = a{i - 1}" for i in range(1, n)]
    return "\n".join(lines) + f'\ndependencies {{\n    implementation("g:a:${{a{n - 1}}}")\n}}\n'


def gradle_plus_doubling(n: int = 40) -> str:
    lines = ['def a0 = "xxxxxxxx"'] + [f"def a{i} = a{i - 1} + a{i - 1}" for i in range(1, n)]
    return "\n".join(lines) + f"\ndependencies {{\n    implementation a{n - 1}\n}}\n"


def sparse(path: Path, size: int) -> None:
    """A file of `size` bytes that takes no disk space."""
    with path.open("wb") as f:
        f.truncate(size)


# ------------------------------------------------------------------------------ the project

GOOD_HAR = {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": [
    {"request": {"method": "GET", "url": "https://app.sample.jp/", "headers": []},
     "response": {"status": 200, "headers": [], "content": {"mimeType": "text/html"}}},
    {"request": {"method": "GET", "url": "https://t.unknown-metrics.jp/c.gif", "headers": []},
     "response": {"status": 200, "headers": [], "content": {"mimeType": "image/gif"}}}]}}


def targets_text(db: Path, registry_dir: str | None = None) -> str:
    reg = f"registry_dir: {registry_dir}\n" if registry_dir else ""
    return (f"company: {{name_ja: テスト, owned_domains: [sample.jp]}}\n"
            f"database: sqlite:///{db}\n{reg}"
            "properties:\n"
            "  - {name: app, kind: app, platform: android, title_ja: アプリ, har: [a.har]}\n")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """targets.yaml + a database holding one complete HAR import with one pending finding."""
    d = tmp_path_factory.mktemp("bombs")
    (d / "targets.yaml").write_text(targets_text(d / "g.db"), encoding="utf-8")
    (d / "good.har").write_text(json.dumps(GOOD_HAR), encoding="utf-8")
    r = gaibu_limited("import", "har", str(d / "good.har"), "--property", "app",
                      "--targets", str(d / "targets.yaml"))
    assert r.returncode == 0, r.stderr  # a normal run fits in MEMORY_LIMIT
    r = gaibu_limited("review", "list", "--json", "--targets", str(d / "targets.yaml"))
    assert r.returncode == 0, r.stderr
    keys = [f["key"] for f in json.loads(r.stdout)["findings"]]
    assert keys == ["unknown-metrics.jp"]
    return d


def dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def assert_refused(project: Path, bomb: Path, args: list[str], *expected: str) -> None:
    before = dump(project / "g.db")
    assert len(before) > 20  # the prior import is there to lose
    r = gaibu_limited(*args)
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr[-2000:]
    line = lines[0]
    assert len(line) < 1200, line[:300]
    assert str(bomb) in line, line
    for text in expected:
        assert text in line, line
    assert dump(project / "g.db") == before


# ------------------------------------------------------------------------------ targets.yaml

TARGETS_CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "alias bomb": (lambda p: p.write_text(yaml_laughs() + "company: {name_ja: テ}\n"),
                   [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "merge-key bomb": (lambda p: p.write_text(yaml_merge_laughs() + "company: {name_ja: テ}\n"),
                       [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "flow nesting": (lambda p: p.write_text(yaml_deep()), [f"more than {MAX_YAML_DEPTH} levels"]),
    "block nesting": (lambda p: p.write_text(yaml_block_deep()),
                      [f"more than {MAX_YAML_DEPTH} levels"]),
    "over the size limit": (lambda p: sparse(p, MAX_YAML_BYTES + 1), [f"{MAX_YAML_BYTES:,} bytes"]),
    # a directory given as --targets / --file is a usage error (exit 2): test_cli_hostile.py
}


@pytest.mark.parametrize("case", sorted(TARGETS_CASES))
def test_targets_yaml_bombs(project: Path, tmp_path: Path, case: str) -> None:
    make, expected = TARGETS_CASES[case]
    bomb = tmp_path / "targets.yaml"
    make(bomb)
    assert_refused(project, bomb, ["import", "har", str(project / "good.har"), "--property",
                                   "app", "--targets", str(bomb), "--db",
                                   f"sqlite:///{project / 'g.db'}"], *expected)


# ------------------------------------------------------------------------------ registry_dir

HUGE_SCALAR = "x" * 300_000
REGISTRY_CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "alias bomb": (lambda p: p.write_text(yaml_laughs()),
                   [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "aliased huge string": (
        lambda p: p.write_text(f'big: &b "{HUGE_SCALAR}"\nproviders: [*b, *b, *b, *b, *b]\n'),
        [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "huge value in an error": (  # the message must not echo it
        lambda p: p.write_text(f'providers:\n  - id: "{HUGE_SCALAR}"\n    names: 1\n'), []),
    "flow nesting": (lambda p: p.write_text(yaml_deep()), [f"more than {MAX_YAML_DEPTH} levels"]),
    "over the size limit": (lambda p: sparse(p, MAX_YAML_BYTES + 1), [f"{MAX_YAML_BYTES:,} bytes"]),
    "a directory named .yaml": (lambda p: p.mkdir(), ["is a directory"]),
}


@pytest.mark.parametrize("case", sorted(REGISTRY_CASES))
def test_registry_dir_file_bombs(project: Path, tmp_path: Path, case: str) -> None:
    make, expected = REGISTRY_CASES[case]
    (tmp_path / "reg").mkdir()
    bomb = tmp_path / "reg" / "vendors.yaml"
    make(bomb)
    targets = tmp_path / "targets.yaml"
    targets.write_text(targets_text(project / "g.db", str(tmp_path / "reg")), encoding="utf-8")
    assert_refused(project, bomb, ["import", "har", str(project / "good.har"), "--property",
                                   "app", "--targets", str(targets)], *expected)


# ------------------------------------------------------------------------------ new-service

SERVICE_CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "alias bomb": (lambda p: p.write_text(yaml_laughs()),
                   [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "merge-key bomb": (lambda p: p.write_text(yaml_merge_laughs()),
                       [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "flow nesting": (lambda p: p.write_text(yaml_deep()), [f"more than {MAX_YAML_DEPTH} levels"]),
    "huge value in an error": (lambda p: p.write_text(f'id: "{HUGE_SCALAR}"\nname_ja: 1\n'), []),
    "over the size limit": (lambda p: sparse(p, MAX_YAML_BYTES + 1), [f"{MAX_YAML_BYTES:,} bytes"]),
    # a directory given as --targets / --file is a usage error (exit 2): test_cli_hostile.py
}


@pytest.mark.parametrize("case", sorted(SERVICE_CASES))
def test_new_service_file_bombs(project: Path, tmp_path: Path, case: str) -> None:
    make, expected = SERVICE_CASES[case]
    bomb = tmp_path / "service.yaml"
    make(bomb)
    assert_refused(project, bomb, ["review", "new-service", "unknown-metrics.jp", "--file",
                                   str(bomb), "--by", "test", "--targets",
                                   str(project / "targets.yaml")], *expected)


# ------------------------------------------------------------------------------ HAR

def _har_with(inner: str, where: str) -> str:
    entry = ('{"request": {"method": "GET", "url": "https://a.sample.jp/", "x": %s}, '
             '"response": {"status": 200}}')
    if where == "log":
        return '{"log": {"version": "1.2", "x": ' + inner + ', "entries": []}}'
    if where == "top":
        return '{"x": ' + inner + ', "log": {"entries": []}}'
    return '{"log": {"version": "1.2", "entries": [' + entry.replace("%s", inner) + "]}}"


HAR_DEEP = f"more than {MAX_HAR_DEPTH} levels"
HAR_CASES: dict[str, tuple[Callable[[Path], None], list[str]]] = {
    "20k arrays under log": (lambda p: p.write_text(_har_with(json_deep(20_000), "log")),
                             ["log.x[]", HAR_DEEP]),
    "100k arrays under log": (lambda p: p.write_text(_har_with(json_deep(100_000), "log")),
                              ["log.x[]", HAR_DEEP]),
    "40k arrays at top level": (lambda p: p.write_text(_har_with(json_deep(40_000), "top")),
                                ["x[]", HAR_DEEP]),
    "40k objects in an entry": (
        lambda p: p.write_text(_har_with('{"a":' * 40_000 + "1" + "}" * 40_000, "entry")),
        ["log.entries[0].request.x.a", HAR_DEEP]),
    "long keys": (lambda p: p.write_text(_har_with(
        "".join('{"%s":' % ("k" * 900) for _ in range(200)) + "1" + "}" * 200, "log")),
        ["log.x.kkk", "JSON path longer than"]),
    "a directory": (lambda p: p.mkdir(), ["is a directory; expected a HAR file"]),
    "a pipe": (lambda p: os.mkfifo(p), ["not a regular file"]),
}


@pytest.mark.parametrize("case", sorted(HAR_CASES))
def test_har_bombs(project: Path, tmp_path: Path, case: str) -> None:
    make, expected = HAR_CASES[case]
    bomb = tmp_path / "session.har"
    make(bomb)
    assert_refused(project, bomb, ["import", "har", str(bomb), "--property", "app",
                                   "--targets", str(project / "targets.yaml")], *expected)


# ------------------------------------------------------------------------------ manifests

NEST = f"more than {MAX_NESTING}"
MANIFEST_CASES: dict[str, tuple[str, Callable[[Path], None], list[str]]] = {
    "gradle doubling strings": ("build.gradle", lambda p: p.write_text(gradle_doubling()),
                                [f"more than {MAX_STRING_CHARS} characters"]),
    "gradle doubling empty strings": ("build.gradle",
                                      lambda p: p.write_text(gradle_empty_doubling()),
                                      [f"more than {MAX_LOOKUPS} times"]),
    "gradle doubling 60 lines": ("build.gradle", lambda p: p.write_text(gradle_doubling(60)),
                                 ["the limit"]),
    "gradle doubling with +": ("build.gradle", lambda p: p.write_text(gradle_plus_doubling()),
                               [f"more than {MAX_STRING_CHARS} characters"]),
    "gradle 100k parentheses": ("build.gradle", lambda p: p.write_text(gradle_parens()),
                                [f"brackets nested {NEST}"]),
    "gradle 20k chained defs": ("build.gradle", lambda p: p.write_text(gradle_chain()),
                                [f"more than {MAX_REFERENCE_CHAIN} variables"]),
    "kts doubling strings": ("build.gradle.kts", lambda p: p.write_text(gradle_doubling(kts=True)),
                             [f"more than {MAX_STRING_CHARS} characters"]),
    "kts 20k chained vals": ("build.gradle.kts", lambda p: p.write_text(gradle_chain(kts=True)),
                             [f"more than {MAX_REFERENCE_CHAIN} variables"]),
    "gradle over the size limit": ("build.gradle", lambda p: sparse(p, MAX_MANIFEST_BYTES + 1),
                                   [f"{MAX_MANIFEST_BYTES:,} bytes"]),
    "gradle over its own size limit": ("build.gradle", lambda p: p.write_text(
        "// x\n" * (MAX_GRADLE_BYTES // 5 + 1)), [f"{MAX_GRADLE_BYTES:,} bytes"]),
    "gradle 20k dependencies blocks": ("build.gradle", lambda p: p.write_text(
        "dependencies {}\n" * 20_000), [f"{MAX_SCAN_CHARS:,} characters of scanning"]),
    "gradle one name defined 20k times": ("build.gradle", lambda p: p.write_text(
        'def a = "1"\n' * 20_000 + "dependencies {\n" + '    implementation "g:a:$a"\n' * 5000
        + "}\n"), [f"{MAX_SCAN_CHARS:,} characters of scanning"]),
    "gradle 20k continued lines": ("build.gradle", lambda p: p.write_text(
        "".join(f'a{i} = "x" +\n' for i in range(20_000)) + '"y"\n'),
        [f"{MAX_SCAN_CHARS:,} characters of scanning"]),
    "version catalog nested arrays": (
        "libs.versions.toml",
        lambda p: p.write_text("[versions]\na = " + json_deep(100_000, '"1"') + "\n"), [NEST]),
    "version catalog nested inline tables": (
        "libs.versions.toml",
        lambda p: p.write_text("[versions]\na = " + "{b = " * 50_000 + '"1"' + "}" * 50_000
                               + "\n"), [NEST]),
    "version catalog 100k dotted keys": (
        "libs.versions.toml",
        lambda p: p.write_text("[versions]\n" + ".".join(["k"] * 100_000) + ' = "1"\n'),
        [f"more than {MAX_NESTING} dotted parts"]),
    "Podfile.lock alias bomb": ("Podfile.lock",
                                lambda p: p.write_text("PODS:\n  - A (1.0)\n" + yaml_laughs()),
                                [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "Podfile.lock nesting": ("Podfile.lock",
                             lambda p: p.write_text("PODS: " + json_deep(50_000) + "\n"),
                             [f"more than {MAX_YAML_DEPTH} levels"]),
    "Podfile.lock huge pod in an error": ("Podfile.lock", lambda p: p.write_text(
        "PODS:\n  - {" + ", ".join(f"k{i}: [{HUGE_SCALAR[:1000]}]" for i in range(300))
        + "}\n"), ["PODS"]),
    "pubspec.lock alias bomb": ("pubspec.lock",
                                lambda p: p.write_text("packages: {}\n" + yaml_laughs()),
                                [f"more than {MAX_YAML_ALIAS_NODES:,} values"]),
    "Package.resolved nesting": ("Package.resolved",
                                 lambda p: p.write_text('{"pins": ' + json_deep(100_000) + "}"),
                                 [NEST]),
    "package.json 100k arrays": ("package.json",
                                 lambda p: p.write_text('{"dependencies": ' + json_deep(100_000)
                                                        + "}"), [NEST]),
    "package.json 100k objects": ("package.json", lambda p: p.write_text(
        '{"dependencies": ' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "}"), [NEST]),
    "csproj 100k nested elements": ("App.csproj", lambda p: p.write_text(
        "<Project>" + "<a>" * 100_000 + "</a>" * 100_000 + "</Project>"), [NEST]),
    "csproj entity bomb": ("App.csproj", lambda p: p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY a0 "aaaaaaaaaa">'
        + "".join(f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, 9))
        + ']>\n<Project><x>&a8;</x></Project>'), ["DOCTYPE"]),
    "a directory named build.gradle": ("build.gradle", lambda p: p.mkdir(), ["is a directory"]),
    "a pipe named package.json": ("package.json", lambda p: os.mkfifo(p),
                                  ["not a regular file"]),
}


@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_manifest_bombs(project: Path, tmp_path: Path, case: str) -> None:
    name, make, expected = MANIFEST_CASES[case]
    if name == "libs.versions.toml":
        (tmp_path / "gradle").mkdir()
        bomb = tmp_path / "gradle" / name
    else:
        bomb = tmp_path / name
    make(bomb)
    assert_refused(project, bomb, ["import", "sdk", str(bomb), "--property", "app",
                                   "--targets", str(project / "targets.yaml")], *expected)


def test_scan_with_a_doubling_manifest_finishes_and_keeps_the_prior_scan(
        project: Path, tmp_path: Path) -> None:
    """`gaibu scan` with `manifests:` no longer hangs: the property fails, the rest is kept."""
    bomb = tmp_path / "build.gradle"
    bomb.write_text(gradle_doubling(), encoding="utf-8")
    db = tmp_path / "g.db"
    db.write_bytes((project / "g.db").read_bytes())
    targets = tmp_path / "targets.yaml"
    targets.write_text(targets_text(db).replace("har: [a.har]", "manifests: [build.gradle]"),
                       encoding="utf-8")
    before = dump(db)
    r = gaibu_limited("scan", "--targets", str(targets), "--no-fail-on-new")
    assert r.returncode == 1, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert f"{bomb}:" in r.stderr and f"more than {MAX_STRING_CHARS} characters" in r.stderr
    after = dump(db)
    assert set(before) <= set(after)  # a failed scan is recorded; nothing earlier is lost
