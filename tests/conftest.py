"""Shared helpers: run the real CLI in a subprocess, find the real Chromium."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


# Commands run in an empty directory unless told otherwise: the repository's top-level
# targets.yaml (an example for a fictional company) must never be read by accident.
_NEUTRAL_CWD = Path(tempfile.mkdtemp(prefix="gaibu-tests-cwd-"))


def run_gaibu(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
              cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`gaibu ARGS` as a user runs it (python -m gaibu.cli), captured, in an empty directory."""
    e = dict(os.environ)
    e.pop("CI", None)
    e.pop("GAIBU_DATABASE_URL", None)
    e["COLUMNS"] = "200"
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), e.get("PYTHONPATH")) if p)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "gaibu.cli", *args], capture_output=True,
                          text=True, timeout=timeout, env=e, cwd=cwd or _NEUTRAL_CWD)


def load_json(path: Path) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chromium() -> str:
    from scanner.browser import find_chromium

    return find_chromium()
