"""`python -m gaibu.demo` drives the CLI contract in order and stops its net (stub CLI, no browser)."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from gaibu.demo.__main__ import CLI_MODULE_ENV, main
from gaibu.demo.server import PACKAGE_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_runner_commands_follow_the_cli_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv(CLI_MODULE_ENV, "tests.demo.stub_cli")
    monkeypatch.setenv("GAIBU_STUB_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("GAIBU_DATABASE_URL", "postgresql://must-not-be-used/")
    out = tmp_path / "demo-out"

    assert main(["--out", str(out)]) == 0

    calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    db = f"sqlite:///{out.resolve() / 'gaibu.db'}"
    targets = str(out.resolve() / "targets.yaml")
    for c in calls:  # every command names the demo's targets and database explicitly
        assert c[-4:] == ["--targets", targets, "--db", db]
    commands = [c[:-4] for c in calls]
    assert commands == [
        ["registry", "load"],
        ["scan", "--json", str(out.resolve() / "report.json"), "--no-fail-on-new"],
        ["review", "list"],
        ["review", "new-service", "kumo-analytics.jp",
         "--file", str(PACKAGE_DIR / "kumo-analytics.service.yaml"), "--by", "demo"],
        ["review", "new-service", "mouseflow.com",
         "--file", str(PACKAGE_DIR / "mouseflow.service.yaml"), "--by", "demo"],
        ["review", "list"],
        ["build", "--out", str(out.resolve() / "site")],
    ]
    printed = capsys.readouterr().out
    assert str(out.resolve() / "site" / "index.html") in printed
    assert "pending after the scan: kumo-analytics.jp, mouseflow.com" in printed

    # the net is stopped: its HTTPS port (written into targets.yaml) refuses connections
    m = re.search(r"MAP \*:443 127\.0\.0\.1:(\d+)", Path(targets).read_text(encoding="utf-8"))
    assert m is not None
    port = int(m[1])
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass

    # a second run in the same directory starts afresh (it wrote those files itself)
    (out / "gaibu.db").write_bytes(b"old")
    assert main(["--out", str(out)]) == 0
    assert not (out / "gaibu.db").exists()  # the stub CLI writes no database


def test_runner_stops_when_a_required_step_fails(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLI_MODULE_ENV, "tests.demo.no_such_cli_module")
    assert main(["--out", str(tmp_path / "o")]) == 1


def test_runner_never_cleans_a_directory_it_did_not_write(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLI_MODULE_ENV, "tests.demo.stub_cli")
    (tmp_path / "gaibu.db").write_bytes(b"someone's data")
    assert main(["--out", str(tmp_path)]) == 2
    assert (tmp_path / "gaibu.db").read_bytes() == b"someone's data"
