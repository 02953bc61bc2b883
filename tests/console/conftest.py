"""A review database made through the real CLI from a HAR with hostile strings, and the console."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import run_gaibu
from tests.fixtures.har import app_targets, make_har

XSS_PARAM = '"><img src=x onerror="window.__xss=2">'
XSS_COOKIE = "<script>alert(3)</script>"
XSS_PAGE = "https://app.example-own.jp/<script>window.__xss=1</script>"
PASSWORD = "correct horse battery staple"


@dataclass
class ConsoleDb:
    dir: Path
    targets: Path
    db: str

    def gaibu(self, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
        import os
        import subprocess
        import sys

        if stdin is None:
            return run_gaibu(*args, "--targets", str(self.targets), "--db", self.db)
        env = dict(os.environ)
        env.pop("CI", None)
        return subprocess.run([sys.executable, "-m", "gaibu.cli", *args, "--targets",
                               str(self.targets), "--db", self.db], input=stdin, text=True,
                              capture_output=True, env=env, timeout=120)


@pytest.fixture(scope="session")
def _review_db_template(tmp_path_factory: pytest.TempPathFactory) -> ConsoleDb:
    return _make(tmp_path_factory.mktemp("console-template"))


@pytest.fixture()
def review_db(_review_db_template: ConsoleDb, tmp_path: Path) -> ConsoleDb:
    """A private copy of the template database (made once through the CLI) for one test."""
    import sqlite3

    src = sqlite3.connect(_review_db_template.dir / "gaibu.db")
    dst = sqlite3.connect(tmp_path / "gaibu.db")
    src.backup(dst)
    src.close()
    dst.close()
    text = _review_db_template.targets.read_text(encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(text.replace(str(_review_db_template.dir), str(tmp_path)), encoding="utf-8")
    return ConsoleDb(tmp_path, targets, f"sqlite:///{tmp_path / 'gaibu.db'}")


def _make(tmp_path: Path) -> ConsoleDb:
    hostile = "https://px.kumo-tracker.jp/c?" + quote(XSS_PARAM, safe="") + "=1"
    har = make_har(tmp_path / "app.har", [
        hostile,
        "https://beacon.nazo-ads.jp/b?uid=1",
        "https://www.google-analytics.com/g/collect?v=2&tid=G-1&cid=1.2",
    ], set_cookies={hostile: [f"{XSS_COOKIE}=1; Domain=kumo-tracker.jp; Path=/; "
                              "Secure; SameSite=None"]}, page=XSS_PAGE)
    targets = app_targets(tmp_path / "targets.yaml", ["app.har"],
                          extra=f"  out: {tmp_path / 'public'}\n")
    db = f"sqlite:///{tmp_path / 'gaibu.db'}"
    cdb = ConsoleDb(tmp_path, targets, db)
    r = cdb.gaibu("import", "har", str(har), "--property", "app-ios")
    assert r.returncode == 0, r.stderr
    return cdb


def client_for(cdb: ConsoleDb, **kw):  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    from gaibu.console.app import ConsoleConfig, create_app
    from gaibu.db import get_engine, resolve_url
    from scanner.config import load_targets

    cfg = ConsoleConfig(engine=get_engine(resolve_url(cdb.db)), targets=load_targets(cdb.targets),
                        **kw)
    return TestClient(create_app(cfg), base_url="http://127.0.0.1:8470",
                      client=("127.0.0.1", 50000), follow_redirects=False)
