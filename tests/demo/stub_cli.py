"""A stand-in for `python -m gaibu.cli` that records its argv (for testing the demo runner)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    with open(os.environ["GAIBU_STUB_LOG"], "a", encoding="utf-8") as f:
        f.write(json.dumps(argv, ensure_ascii=False) + "\n")
    if argv[0] == "scan" and "--json" in argv:
        report = {"scan": {"id": 1, "status": "complete"}, "properties": [
            {"name": "sumika-web", "kind": "web", "third_parties": [
                {"domain": "kumo-analytics.jp", "status": "pending"},
                {"domain": "mouseflow.com", "status": "pending"},
                {"domain": "google-analytics.com", "status": "listed"}],
             "cookies": [], "storage": [], "sdks": []}]}
        Path(argv[argv.index("--json") + 1]).write_text(json.dumps(report), encoding="utf-8")
    if argv[0] == "build" and "--out" in argv:
        out = Path(argv[argv.index("--out") + 1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text("<html></html>", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
