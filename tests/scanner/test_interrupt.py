"""Ctrl-C, SIGTERM and a killed process leave a consistent database: the scan is marked
interrupted and what was captured is kept."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from gaibu.localnet import LocalNet
from tests.conftest import ROOT, run_gaibu
from tests.fixtures.web import SLOW, add_slow_site, browser_pids, kill_browser, write_targets

pytestmark = pytest.mark.browser

BODY = f"""properties:
  - name: slow
    kind: web
    title_ja: 遅いサイト
    start_urls: [https://{SLOW}/]
    max_pages: 40
    max_depth: 1
  - name: slow2
    kind: web
    title_ja: 遅いサイト2
    start_urls: [https://{SLOW}/p/1]
    max_pages: 2
    max_depth: 0
"""


@pytest.fixture(scope="module")
def net():
    n = LocalNet()
    add_slow_site(n)
    n.start()
    yield n
    n.stop()


def _start(targets, tmp):
    env = dict(os.environ)
    env.pop("CI", None)
    env["GAIBU_PROFILE_DIR"] = str(tmp)
    return subprocess.Popen([sys.executable, "-m", "gaibu.cli", "scan", "--targets", str(targets),
                             "--no-fail-on-new", "--property", "slow"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)


def _wait_for_pages(db, n, proc, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"scan ended early ({proc.returncode}): {proc.stderr.read()}")
        try:
            con = sqlite3.connect(db)
            got = con.execute("select count(*) from pagevisit").fetchone()[0]
            con.close()
            if got >= n:
                return got
        except sqlite3.OperationalError:
            pass
        time.sleep(0.2)
    raise AssertionError("scan did not record pages in time")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_marks_scan_interrupted_and_keeps_pages(net, tmp_path, sig):
    targets = write_targets(tmp_path / "targets.yaml", net, BODY,
                            scan="{dwell: 0.2, idle_timeout: 3, concurrency: 2}")
    db = tmp_path / "gaibu.db"
    tmp = Path(tempfile.mkdtemp(prefix="gp", dir="/tmp"))  # short: Chromium's socket path limit
    proc = _start(targets, tmp)
    _wait_for_pages(db, 3, proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    con = sqlite3.connect(db)
    status, finished = con.execute("select status, finished_at from scan").fetchone()
    assert status == "interrupted" and finished is not None
    visits = con.execute("select count(*) from pagevisit").fetchone()[0]
    assert 3 <= visits < 40
    hosts = {h for (h,) in con.execute("select host from hostobservation")}
    assert "px.slow-tag.jp" in hosts
    assert con.execute("select status from scanproperty").fetchone()[0] == "interrupted"
    # no browser left behind, and its temporary profile is gone
    assert browser_pids(str(tmp)) == []
    assert list(tmp.iterdir()) == []


def test_killed_scan_is_marked_interrupted_by_the_next_run(net, tmp_path):
    targets = write_targets(tmp_path / "targets.yaml", net, BODY,
                            scan="{dwell: 0.2, idle_timeout: 3, concurrency: 2}")
    db = tmp_path / "gaibu.db"
    tmp = Path(tempfile.mkdtemp(prefix="gp", dir="/tmp"))  # short: Chromium's socket path limit
    proc = _start(targets, tmp)
    _wait_for_pages(db, 2, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    con = sqlite3.connect(db)
    assert con.execute("select status from scan").fetchone()[0] == "running"
    kept = con.execute("select count(*) from pagevisit").fetchone()[0]
    con.close()
    r = run_gaibu("scan", "--targets", str(targets), "--property", "slow2", "--no-fail-on-new")
    assert r.returncode == 0, r.stderr
    con = sqlite3.connect(db)
    rows = con.execute("select id, status from scan order by id").fetchall()
    assert rows == [(1, "interrupted"), (2, "complete")]
    assert con.execute("select count(*) from pagevisit where scan_id=1").fetchone()[0] == kept
    # the killed process could not close its Chromium; do it here
    kill_browser(str(tmp))
