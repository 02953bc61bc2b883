"""The `gaibu` command line: a thin layer that wires scanner, registry and site_generator."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from gaibu import __version__
from gaibu.db import get_engine, resolve_url
from scanner.config import Targets, load_targets
from scanner.errors import GaibuError

app = typer.Typer(help="Keeps 外部送信 (external transmission) disclosures true.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
review_app = typer.Typer(help="Review unknown third parties (findings).", no_args_is_help=True)
registry_app = typer.Typer(help="The vendor registry.", no_args_is_help=True)
import_app = typer.Typer(help="Import app traffic (HAR) and SDK manifests.", no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(registry_app, name="registry")
app.add_typer(import_app, name="import")

# wide enough for tables when output goes to a file or CI log
err = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)

TargetsOpt = Annotated[Path, typer.Option("--targets", "-t", help="targets.yaml")]
DbOpt = Annotated[str | None, typer.Option("--db", help="database URL (default: GAIBU_DATABASE_URL, "
                                           "database: in targets.yaml, sqlite:///gaibu.db)")]
EXIT_ERROR, EXIT_USAGE, EXIT_PENDING = 1, 2, 3


class Ctx:
    """Lazily loaded targets and database for one command."""

    def __init__(self, targets: Path, db: str | None, need_targets: bool = True) -> None:
        self.targets_path = targets
        self._targets: Targets | None = None
        self.need_targets = need_targets
        self.db_arg = db

    @property
    def targets(self) -> Targets:
        if self._targets is None:
            self._targets = load_targets(self.targets_path)
        return self._targets

    def maybe_targets(self) -> Targets | None:
        if self._targets is None and (self.need_targets or self.targets_path.exists()):
            return self.targets
        return self._targets

    @property
    def url(self) -> str:
        t = self.maybe_targets()
        return resolve_url(self.db_arg, t.database if t else None)

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        return get_engine(self.url)


def fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def emit_json(data: Any, dest: str | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if dest in (None, "-"):
        sys.stdout.write(text + "\n")
    else:
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        Path(dest).write_text(text + "\n", encoding="utf-8")


def version_callback(value: bool) -> None:
    if value:
        out.print(f"gaibu {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                                is_eager=True)] = False) -> None:
    """gaibu keeps 外部送信一覧 true: scan → review → build."""


# -- scan ---------------------------------------------------------------------------------------
@app.command()
def scan(
    targets: TargetsOpt = Path("targets.yaml"),
    db: DbOpt = None,
    prop: Annotated[list[str] | None, typer.Option("--property", "-p", help="only this property (repeatable)")] = None,
    concurrency: Annotated[int | None, typer.Option("--concurrency", "-c", min=1, max=32, help="parallel browser contexts")] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="write the JSON report to PATH (- for stdout)")] = None,
    fail_on_new: Annotated[bool | None, typer.Option("--fail-on-new/--no-fail-on-new", help="exit 3 while unreviewed third parties remain (default: on when CI is set)")] = None,
) -> None:
    """Crawl the properties in targets.yaml and record every external transmission."""
    from gaibu.commands.scan import after_scan, ensure_registry, run_scan
    from gaibu.progress import RichListener
    from gaibu.report import build_report, print_summary

    ctx = Ctx(targets, db)
    t = ctx.targets
    names = prop or []
    unknown = [n for n in names if n not in {p.name for p in t.properties}]
    if unknown:
        raise fail(f"{t.source}: no property named {', '.join(map(repr, unknown))}; expected one "
                   f"of: {', '.join(p.name for p in t.properties)}", EXIT_USAGE)
    props = [p for p in t.properties if not names or p.name in names]
    engine = ctx.engine
    if fail_on_new is None:
        fail_on_new = bool(os.environ.get("CI"))
    ensure_registry(engine, t)
    with RichListener(err) as listener:
        outcome = run_scan(t, engine, props, listener=listener, concurrency=concurrency)
    after_scan(engine, t, outcome.scan_id)
    report = build_report(engine, outcome.scan_id, t)
    if json_out:
        emit_json(report, json_out)
    print_summary(report, err if json_out in ("-",) else out)
    for e in outcome.errors:
        err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
    if outcome.status == "interrupted":
        raise typer.Exit(130)
    pending = [tp for p in report["properties"] for tp in p["third_parties"] + p.get("sdks", [])
               if tp.get("status") == "pending"]
    if fail_on_new and pending:
        names_p = sorted({tp.get("domain") or tp.get("id") for tp in pending})
        err.print(f"[bold red]{len(names_p)} unreviewed third part{'y' if len(names_p) == 1 else 'ies'}:[/] "
                  + ", ".join(names_p) + "\nReview them with: gaibu review list", highlight=False)
        raise typer.Exit(EXIT_PENDING)
    if outcome.errors or outcome.status == "failed":
        raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """Entry point: user errors print one clear line and exit 1, never a traceback."""
    try:
        app()
    except GaibuError as e:
        err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(EXIT_ERROR)


if __name__ == "__main__":
    main()
