"""Fixtures for the site generator tests: built sites, a local HTTP server and a Chromium browser."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from site_generator import build_site
from tests.site_generator.fixtures import hostile_disclosure, sample_disclosure


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "site"
    build_site(sample_disclosure(), out)
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile") / "site"
    build_site(hostile_disclosure(), out)
    return out


@pytest.fixture(scope="session")
def serve() -> Iterator[Any]:
    """serve(dir) → base URL of a 127.0.0.1 HTTP server for that directory (stopped at the end)."""
    servers: list[ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        srv = ThreadingHTTPServer(("127.0.0.1", 0),
                                  functools.partial(_QuietHandler, directory=str(directory)))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}/"

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from scanner.browser import find_chromium

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=find_chromium())
        yield b
        b.close()
