"""`python -m gaibu.demo`: scan the fictional すみか日和 on a local net, review, and build its lists.

Starts the demo's LocalNet, writes OUT/targets.yaml and then drives the real CLI in subprocesses,
exactly as a user would type it:

    gaibu registry load
    gaibu scan --json OUT/report.json --no-fail-on-new
    gaibu review list
    gaibu review new-service kumo-analytics.jp --file …/kumo-analytics.service.yaml --by demo
    gaibu review new-service mouseflow.com --file …/mouseflow.service.yaml --by demo
    gaibu review ignore sdk:… --reason … --by demo
    gaibu review list
    gaibu build --out OUT/site

Every command gets --targets OUT/targets.yaml and --db sqlite:///OUT/gaibu.db, so a
GAIBU_DATABASE_URL in the environment is never touched.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gaibu.demo.server import (
    PACKAGE_DIR,
    SITE_HOST,
    TARGETS_HEADER,
    TRANSMISSION_PATH,
    build_net,
    demo_targets,
)

REVIEW_FILE = PACKAGE_DIR / "review.yaml"
# The module run as `python -m …` for every command; tests point it at a stub.
CLI_MODULE_ENV = "GAIBU_DEMO_CLI"


@dataclass(frozen=True)
class Step:
    title: str
    args: list[str]
    ok_codes: tuple[int, ...] = (0,)
    required: bool = True  # stop the demo when it fails


def _say(msg: str = "") -> None:
    print(msg, flush=True)


def review_steps(report: dict[str, Any] | None, review_file: Path = REVIEW_FILE) -> list[Step]:
    """The `gaibu review …` commands of review.yaml whose keys the scan left pending."""
    data = yaml.safe_load(review_file.read_text(encoding="utf-8")) or {}
    pending: set[str] | None = None
    if report is not None:
        pending = {tp["domain"] for p in report.get("properties", [])
                   for tp in p.get("third_parties", []) if tp.get("status") == "pending"}
        pending |= {f"sdk:{sd['id']}" for p in report.get("properties", [])
                    for sd in p.get("sdks", []) if sd.get("status") == "pending"}
    steps = []
    for d in data.get("decisions", []):
        action, key, by = d["action"], d["key"], d.get("by", "demo")
        if pending is not None and key not in pending:
            _say(f"  (skipping review of {key}: the scan did not leave it pending)")
            continue
        args = ["review", action, key]
        if action == "new-service":
            args += ["--file", str((review_file.parent / d["file"]).resolve())]
        elif action == "assign":
            args += ["--service", d["service"]]
        elif action == "ignore":
            args += ["--reason", d["reason"]]
        args += ["--by", by]
        steps.append(Step(f"review: {action} {key}", args))
    return steps


def run_cli(step: Step, targets: Path, db_url: str, env: dict[str, str],
            module: str = "gaibu.cli") -> int:
    cmd = [sys.executable, "-m", module, *step.args, "--targets", str(targets), "--db", db_url]
    shown = "gaibu " + " ".join(shlex.quote(a) for a in step.args)
    _say(f"\n── {step.title}\n$ {shown}")
    t0 = time.monotonic()
    rc = subprocess.call(cmd, env=env)
    _say(f"   → exit {rc} ({time.monotonic() - t0:.1f} s)")
    return rc


def _site_index(site_dir: Path) -> Path | None:
    for name in ("index.html", "ja/index.html", "index.ja.html"):
        if (site_dir / name).is_file():
            return site_dir / name
    found = sorted(site_dir.rglob("index.html")) if site_dir.is_dir() else []
    return found[0] if found else None


_OUTPUTS = ("gaibu.db", "gaibu.db-journal", "gaibu.db-wal", "gaibu.db-shm", "report.json",
            "targets.yaml", "site")


def _fresh(out: Path) -> bool:
    """Remove what an earlier demo run left in OUT; False when OUT holds files of something else."""
    import shutil

    present = [out / n for n in _OUTPUTS if (out / n).exists()]
    if not present:
        return True
    targets = out / "targets.yaml"
    if not (targets.is_file() and targets.read_text(encoding="utf-8").startswith(TARGETS_HEADER)):
        return False  # not written by the demo: never delete someone's database or site
    for path in present:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m gaibu.demo", description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the database of an earlier run (the scan becomes a re-scan)")
    ap.add_argument("--serve", action="store_true",
                    help="afterwards keep the local net running, so the demo site and the built "
                         "list can be opened in Chromium, until Ctrl-C")
    args = ap.parse_args(argv)

    module = os.environ.get(CLI_MODULE_ENV) or "gaibu.cli"
    if importlib.util.find_spec(module) is None:
        _say(f"error: {module} is not installed; the demo drives the gaibu command line")
        return 1
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not args.keep and not _fresh(out):
        _say(f"error: {out} already holds a gaibu database, report, targets.yaml or site that the "
             "demo did not write; choose another --out directory")
        return 2
    db_url = f"sqlite:///{out / 'gaibu.db'}"
    report_path = out / "report.json"
    site_dir = out / "site"
    env = {k: v for k, v in os.environ.items() if k != "GAIBU_DATABASE_URL"}
    env.setdefault("PYTHONIOENCODING", "utf-8")

    net = build_net(published_dir=site_dir)
    net.start()
    t_start = time.monotonic()
    try:
        targets = demo_targets(net, out)
        _say(f"gaibu demo — 株式会社すみか日和 (fictional) on a local net: "
             f"http :{net.http_port}, https :{net.https_port}")
        _say(f"targets: {targets}")

        steps = [Step("load the vendor registry", ["registry", "load"]),
                 Step("scan the web site (desktop + mobile) and the apps",
                      ["scan", "--json", str(report_path), "--no-fail-on-new"])]
        for step in steps:
            rc = run_cli(step, targets, db_url, env, module)
            if rc not in step.ok_codes and step.required:
                _say(f"error: `{step.title}` failed (exit {rc}); stopping the demo")
                return 1

        report = None
        if report_path.is_file():
            report = json.loads(report_path.read_text(encoding="utf-8"))
        later = [Step("what the scan left for review", ["review", "list"], required=False),
                 *review_steps(report),
                 Step("what is still waiting for review", ["review", "list"], required=False),
                 Step("build the public 外部送信一覧", ["build", "--out", str(site_dir)])]
        for step in later:
            rc = run_cli(step, targets, db_url, env, module)
            if rc not in step.ok_codes and step.required:
                _say(f"error: `{step.title}` failed (exit {rc}); stopping the demo")
                return 1

        _say(f"\nDone in {time.monotonic() - t_start:.0f} s.")
        _say(f"  database : {out / 'gaibu.db'}")
        _say(f"  targets  : {targets}")
        _say(f"  report   : {report_path}")
        index = _site_index(site_dir)
        _say(f"  site     : {index or site_dir}")
        if report is not None:
            for p in report.get("properties", []):
                tps = p.get("third_parties", [])
                pend = sorted(tp.get("domain", "?") for tp in tps if tp.get("status") == "pending")
                _say(f"  {p['name']}: {len(tps)} third parties, {len(p.get('cookies', []))} cookies, "
                     f"{len(p.get('sdks', []))} SDKs" + (f"; pending after the scan: {', '.join(pend)}"
                                                         if pend else ""))
        _say("\nReview the same database in the browser (the review console, on 127.0.0.1):\n"
             f"  {shlex.quote(str(Path(sys.executable).parent / 'gaibu'))} console "
             f"--targets {shlex.quote(str(targets))} --db {shlex.quote(db_url)}\n"
             "  then open http://127.0.0.1:8470/")
        if args.serve:
            _say("\nThe local net keeps running. Open the demo in Chromium with:\n"
                 f"  chromium --user-data-dir=$(mktemp -d) --ignore-certificate-errors "
                 f"{shlex.quote(net.chromium_args[0])} https://{SITE_HOST}/\n"
                 f"The built list is served at https://{SITE_HOST}{TRANSMISSION_PATH}\n"
                 "Press Ctrl-C to stop.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        return 0
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    finally:
        net.stop()


if __name__ == "__main__":
    sys.exit(main())
