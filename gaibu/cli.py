"""The `gaibu` command line: a thin layer that wires scanner, registry and site_generator."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.text import Text

from gaibu import __version__
from gaibu.db import close_all, current_url, describe_db_error, get_engine, resolve_url
from gaibu.safe import markup_safe, printable
from scanner.config import Targets, load_targets
from scanner.errors import GaibuError

app = typer.Typer(help="Keeps 外部送信 (external transmission) disclosures true.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
review_app = typer.Typer(help="Review unknown third parties (findings).", no_args_is_help=True)
registry_app = typer.Typer(help="The vendor registry.", no_args_is_help=True)
import_app = typer.Typer(help="Import app traffic (HAR) and SDK manifests.", no_args_is_help=True)
listing_app = typer.Typer(help="What each property's public list shows.", no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(registry_app, name="registry")
app.add_typer(import_app, name="import")
app.add_typer(listing_app, name="listing")

# wide enough for tables when output goes to a file or CI log
err = Console(stderr=True, width=None if sys.stderr.isatty() else 140)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 140)

TargetsOpt = Annotated[Path, typer.Option("--targets", "-t", help="targets.yaml")]
DbOpt = Annotated[str | None, typer.Option("--db", help="database URL (default: GAIBU_DATABASE_URL, "
                                           "database: in targets.yaml, sqlite:///gaibu.db)")]
EXIT_ERROR, EXIT_USAGE, EXIT_PENDING = 1, 2, 3
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


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
            if self.targets_path.is_dir():
                raise fail(f"--targets {self.targets_path}: is a directory; expected a "
                           "targets.yaml file", EXIT_USAGE)
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


def one_line(message: object) -> str:
    """A message as one printable line: control characters escaped, only the first line of a
    multi-line message (e.g. a browser's launch log) with a note that more was cut."""
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    if not lines:
        return type(message).__name__ if isinstance(message, BaseException) else ""
    first = printable(lines[0])
    return first if len(lines) == 1 else f"{first} (+{len(lines) - 1} more lines cut)"


MAX_DETAIL_LINES = 40


def print_error(message: object, details: bool = False) -> None:
    """``error: MESSAGE`` on stderr; the message is never read as Rich markup.

    One line, unless ``details``: gaibu's own errors that list what is wrong (every row a build
    cannot publish, every lint problem) keep those lines, indented and escaped, at most
    MAX_DETAIL_LINES. Foreign messages (a browser's launch log) are always cut to one line."""
    lines = [ln.strip() for ln in str(message).splitlines() if ln.strip()]
    if not details or len(lines) < 2:
        err.print(Text.assemble(("error:", "bold red"), " ", one_line(message)), highlight=False,
                  soft_wrap=True)
        return
    err.print(Text.assemble(("error:", "bold red"), " ", printable(lines[0])), highlight=False,
              soft_wrap=True)
    rest = lines[1:]
    for ln in rest[:MAX_DETAIL_LINES]:
        err.print(Text("  " + printable(ln)), highlight=False, soft_wrap=True)
    if len(rest) > MAX_DETAIL_LINES:
        err.print(Text(f"  … and {len(rest) - MAX_DETAIL_LINES} more"), highlight=False)


def fail(message: str, code: int = EXIT_ERROR) -> typer.Exit:
    print_error(message)
    return typer.Exit(code)


def check_writable_file(option: str, dest: str | None) -> None:
    """Before any work: the file an option names can be created (its folder is or can be made)."""
    if dest in (None, "-"):
        return
    path = Path(dest)  # type: ignore[arg-type]
    if path.is_dir():
        raise fail(f"{option} {dest}: is a directory; expected a file path", EXIT_USAGE)
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise fail(f"{option} {dest}: {parent} is a file, not a directory", EXIT_USAGE)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise fail(f"{option} {dest}: directory {parent} is not writable", EXIT_USAGE)


def emit_json(data: Any, dest: str | None) -> None:
    # json escapes C0 controls itself; C1 controls and bidi overrides are escaped too (\\uXXXX,
    # same JSON value) so a report printed to a terminal cannot drive it
    text = _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}",
                            json.dumps(data, ensure_ascii=False, indent=2, default=str))
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

    check_writable_file("--json", json_out)
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
        print_error(e)
    if outcome.status == "interrupted":
        raise typer.Exit(130)
    pending = [tp for p in report["properties"] for tp in p["third_parties"] + p.get("sdks", [])
               if tp.get("status") == "pending"]
    if fail_on_new and pending:
        names_p = sorted({tp.get("domain") or tp.get("id") for tp in pending})
        err.print(f"[bold red]{len(names_p)} unreviewed third part{'y' if len(names_p) == 1 else 'ies'}:[/] "
                  + ", ".join(markup_safe(n) for n in names_p)
                  + "\nReview them with: gaibu review list", highlight=False)
        raise typer.Exit(EXIT_PENDING)
    if outcome.errors or outcome.status == "failed":
        raise typer.Exit(EXIT_ERROR)


# -- review -------------------------------------------------------------------------------------
ByOpt = Annotated[str | None, typer.Option("--by", help="who decides (default: the OS user)")]


def _finding_row(f: Any) -> dict[str, Any]:
    from gaibu.report import iso
    ev = f.evidence or {}
    return {"id": f.id, "key": f.key, "kind": f.kind, "status": f.status, "service": f.service_id,
            "first_seen": iso(f.first_seen), "last_seen": iso(f.last_seen),
            "first_scan": f.first_scan_id, "last_scan": f.last_scan_id,
            "properties": ev.get("properties", []), "hosts": ev.get("hosts", []),
            "evidence": ev, "suggestion": f.suggestion}


def _suggestion_cell(sug: dict[str, Any] | None) -> str:
    if not sug:
        return ""
    if sug.get("provider"):
        cands = sug.get("candidates") or []
        more = f" +{len(cands) - 3}" if len(cands) > 3 else ""
        return f"{sug.get('company')} (provider): {', '.join(cands[:3])}{more}"
    return f"{sug.get('company')} ({sug.get('category')})"


@review_app.command("list")
def review_list(
    targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
    status: Annotated[str, typer.Option("--status", help="pending | assigned | ignored | first_party | all")] = "pending",
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """Findings waiting for review (unknown third parties and tracking-looking SDKs)."""
    from sqlmodel import Session, select

    from registry.models import FINDING_STATUSES, Finding

    if status != "all" and status not in FINDING_STATUSES:
        raise fail(f"--status {status!r}: expected one of {', '.join(FINDING_STATUSES)}, all",
                   EXIT_USAGE)
    ctx = Ctx(targets, db, need_targets=False)
    with Session(ctx.engine) as s:
        q = select(Finding).order_by(Finding.key)
        if status != "all":
            q = q.where(Finding.status == status)
        rows = [_finding_row(f) for f in s.exec(q).all()]
    if as_json:
        emit_json({"findings": rows}, None)
        return
    if not rows:
        out.print(f"no {'' if status == 'all' else status + ' '}findings")
        return
    from rich.table import Table
    t = Table(title=f"{len(rows)} {status} finding(s)", title_justify="left")
    for c in ("id", "key", "status", "properties", "hosts", "last seen", "suggestion"):
        t.add_column(c)
    for r in rows:
        sug = r["suggestion"] or {}
        cells = (str(r["id"]), r["key"], r["status"], ", ".join(r["properties"]),
                 ", ".join(r["hosts"][:3]) + (" …" if len(r["hosts"]) > 3 else ""),
                 (r["last_seen"] or "")[:10], _suggestion_cell(sug))
        t.add_row(*(Text(printable(c)) for c in cells))
    out.print(t)


@review_app.command("show")
def review_show(key: str, targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Everything known about one finding, and its decisions."""
    from sqlmodel import Session

    from gaibu.report import iso
    from registry.review import get_finding, history

    ctx = Ctx(targets, db, need_targets=False)
    with Session(ctx.engine) as s:
        f = get_finding(s, key)
        row = _finding_row(f)
        row["decisions"] = [{"id": d.id, "action": d.action, "service": d.service_id,
                             "reason": d.reason, "by": d.by, "at": iso(d.at),
                             "from": d.previous_status, "to": d.new_status, "undoes": d.undoes}
                            for d in history(s, f)]
    row["information_observed"] = _information_observed(ctx, row["service"], row["evidence"])
    if as_json:
        emit_json(row, None)
        return
    ev = row["evidence"]
    lines = [f"finding {row['id']}: {row['key']} ({row['kind']}) — {row['status']}"
             + (f" → {row['service']}" if row["service"] else ""),
             f"first seen {row['first_seen']} (scan {row['first_scan']}), last seen "
             f"{row['last_seen']} (scan {row['last_scan']})",
             f"properties: {', '.join(ev.get('properties', []))}"]
    for label, k in (("hosts", "hosts"), ("parameters", "param_names"),
                     ("devices", "devices")):
        if ev.get(k):
            lines.append(f"{label}: {', '.join(ev[k])}")
    if row["information_observed"]:
        lines.append("information observed:")
        lines += [f"  {o['ja']} / {o['en']} ({', '.join(o['params'])})"
                  for o in row["information_observed"]]
    if ev.get("after_consent_only"):
        lines.append("sent only after consent")
    for label, k in (("pages", "pages"), ("sample URLs", "sample_urls")):
        if ev.get(k):
            lines.append(f"{label}:")
            lines += [f"  {x}" for x in ev[k]]
    if ev.get("cookies"):
        lines.append("cookies: " + ", ".join(f"{c['name']} ({c['domain']}, {c['set_by']})"
                                             for c in ev["cookies"]))
    if ev.get("storage"):
        lines.append("storage: " + ", ".join(f"{x['key']} ({x['origin']})" for x in ev["storage"]))
    if ev.get("sdk"):
        sd = ev["sdk"]
        lines.append(f"SDK: {sd['id']} {sd.get('version') or ''} from {sd['manifest']} (looks like {sd['hint']})")
    if row["suggestion"] and row["suggestion"].get("provider"):
        sg = row["suggestion"]
        lines.append(f"provider (registry): {sg['company']} — a domain it shares among its "
                     "services; which one sent this?")
        lines.append("candidate services: " + (", ".join(sg.get("candidates") or [])
                                               or "none in the registry (new-service)"))
    elif row["suggestion"]:
        sg = row["suggestion"]
        lines.append(f"suggestion ({sg['source']}): {sg['company']} — {sg['category']}"
                     + (f" — {sg['homepage']}" if sg.get("homepage") else ""))
    if row["decisions"]:
        lines.append("decisions:")
        for d in row["decisions"]:
            lines.append(f"  #{d['id']} {d['at']} {d['by']}: {d['action']}"
                         + (f" {d['service']}" if d["service"] else "")
                         + f" ({d['from']} → {d['to']})"
                         + (f" — {d['reason']}" if d["reason"] else ""))
    out.print("\n".join(printable(ln) for ln in lines), markup=False, highlight=False,
              soft_wrap=True)


def _information_observed(ctx: Ctx, service: str | None, ev: dict[str, Any]) -> list[dict[str, Any]]:
    """What a finding's parameter names carried, per the parameter-meaning table (registry/params)."""
    from registry.observed import load_param_table

    table = load_param_table(_registry_dir(ctx))
    return [o.as_dict() for o in table.observe(service, ev.get("hosts", []),
                                               ev.get("param_names", []))]


def _decide(targets: Path, db: str | None, fn: Any, *args: Any, **kw: Any) -> None:
    from sqlmodel import Session

    ctx = Ctx(targets, db, need_targets=False)
    t = ctx.maybe_targets()
    with Session(ctx.engine) as s:
        if "removal_after" in kw:
            kw["removal_after"] = t.site.removal_after_scans if t else 3
        d = fn(s, *args, **kw)
        s.commit()
        out.print(printable(f"decision #{d.id}: {d.action} ({d.previous_status} → {d.new_status})"
                            + (f" service {d.service_id}" if d.service_id else "")
                            + (f", {len(d.rule_ids)} rule(s) added" if d.rule_ids else "")
                            + (f", {len(d.listing_ids)} listing(s) added" if d.listing_ids else "")),
                  markup=False, highlight=False)


@review_app.command("assign")
def review_assign(key: str, service: Annotated[str, typer.Option("--service", help="registry service id")],
                  targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None, by: ByOpt = None,
                  reason: Annotated[str | None, typer.Option("--reason")] = None,
                  rule: Annotated[str | None, typer.Option("--rule", help="KIND:PATTERN instead of the finding's domain")] = None) -> None:
    """Identify a finding as an existing service; adds a match rule so the next scan matches it."""
    from registry.review import assign
    _decide(targets, db, assign, key, service, by, reason, rule, removal_after=3)


@review_app.command("ignore")
def review_ignore(key: str, reason: Annotated[str, typer.Option("--reason", help="why it is not disclosed")],
                  targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None, by: ByOpt = None) -> None:
    """Keep a third party off the public lists, with the reason on record."""
    from registry.review import ignore
    _decide(targets, db, ignore, key, reason, by)


@review_app.command("first-party")
def review_first_party(key: str, targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
                       by: ByOpt = None,
                       reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Mark a domain as the company's own (not a third party)."""
    from registry.review import first_party
    _decide(targets, db, first_party, key, by, reason)


@review_app.command("new-service")
def review_new_service(key: str, file: Annotated[Path, typer.Option("--file", help="SERVICE.yaml")],
                       targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
                       by: ByOpt = None,
                       reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Create a service (texts for the public list) from a YAML file and assign the finding to it."""
    from registry.review import new_service
    if file.is_dir():
        raise fail(f"--file {file}: is a directory; expected a SERVICE.yaml file", EXIT_USAGE)
    _decide(targets, db, new_service, key, file, by, reason, removal_after=3)


@review_app.command("undo")
def review_undo(decision: Annotated[int, typer.Argument(help="decision number (see review show)")],
                targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None, by: ByOpt = None,
                reason: Annotated[str | None, typer.Option("--reason")] = None) -> None:
    """Revert a decision (its rules and listings go); the undo itself is recorded."""
    from registry.review import undo
    _decide(targets, db, undo, decision, by, reason)


# -- registry -----------------------------------------------------------------------------------
def _registry_dir(ctx: Ctx) -> Path | None:
    t = ctx.maybe_targets()
    return t.resolve(t.registry_dir) if t and t.registry_dir else None


@registry_app.command("load")
def registry_load(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Load the seed registry and registry_dir: into the database (idempotent)."""
    from registry.loader import load_into

    ctx = Ctx(targets, db, need_targets=False)
    r = load_into(ctx.engine, _registry_dir(ctx))
    out.print(f"registry: {r.providers} providers, {r.services} services, {r.rules} rules "
              f"({r.added} added, {r.changed} changed)")


@registry_app.command("export")
def registry_export(directory: Annotated[Path, typer.Argument(help="output directory")],
                    targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Write the registry (seed, local and reviewed entries) as YAML that loads back identically."""
    from registry.loader import export_registry

    ctx = Ctx(targets, db, need_targets=False)
    for f in export_registry(ctx.engine, directory):
        out.print(printable(f), markup=False, highlight=False)


@registry_app.command("check")
def registry_check(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Problems in the registry: Japanese texts, URLs, duplicate/conflicting/first-party rules."""
    from registry.check import run_check
    from scanner.party import host_of, registrable_domain

    ctx = Ctx(targets, db, need_targets=False)
    t = ctx.maybe_targets()
    first = set()
    if t:
        first = set(t.company.owned_domains)
        first |= {registrable_domain(host_of(u)) for p in t.properties for u in p.urls}
    problems = run_check(_registry_dir(ctx), first, ctx.engine)
    for p in problems:
        (err if p.level == "error" else out).print(printable(p), markup=False, highlight=False,
                                                   soft_wrap=True)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    out.print(f"{errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(EXIT_ERROR)


# -- import -------------------------------------------------------------------------------------
@import_app.command("har")
def import_har(file: Path, prop: Annotated[str, typer.Option("--property", help="property name")],
               targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
               json_out: Annotated[str | None, typer.Option("--json")] = None) -> None:
    """Import app (or web) traffic captured as HAR 1.2; matched and reviewed like crawled data."""
    from gaibu.commands.imports import import_har as run
    _import(targets, db, prop, lambda t, e, p: run(t, e, p, file), json_out)


@import_app.command("sdk")
def import_sdk(file: Path, prop: Annotated[str, typer.Option("--property", help="property name")],
               targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
               json_out: Annotated[str | None, typer.Option("--json")] = None) -> None:
    """Import an app's dependency manifest (Gradle, Podfile.lock, Package.resolved, pubspec.lock,
    package.json, .csproj) and match its SDKs."""
    from gaibu.commands.imports import import_sdk as run
    _import(targets, db, prop, lambda t, e, p: run(t, e, p, file), json_out)


def _import(targets: Path, db: str | None, prop: str, fn: Any, json_out: str | None) -> None:
    from gaibu.commands.scan import after_scan, ensure_registry
    from gaibu.report import build_report, print_summary

    check_writable_file("--json", json_out)
    ctx = Ctx(targets, db)
    t = ctx.targets
    try:
        p = t.property(prop)
    except KeyError:
        raise fail(f"{t.source}: no property named {prop!r}; expected one of: "
                   f"{', '.join(x.name for x in t.properties)}", EXIT_USAGE) from None
    engine = ctx.engine
    ensure_registry(engine, t)
    scan_id = fn(t, engine, p)
    after_scan(engine, t, scan_id)
    report = build_report(engine, scan_id, t)
    if json_out:
        emit_json(report, json_out)
    print_summary(report, err if json_out == "-" else out)


# -- listing ------------------------------------------------------------------------------------
@listing_app.command("list")
def listing_list(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
                 prop: Annotated[str | None, typer.Option("--property")] = None,
                 as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Services on (and removed from) each property's public list."""
    from sqlmodel import Session, select

    from gaibu.report import iso
    from registry.models import Listing

    ctx = Ctx(targets, db, need_targets=False)
    with Session(ctx.engine) as s:
        q = select(Listing).order_by(Listing.property, Listing.service_id)
        if prop:
            q = q.where(Listing.property == prop)
        rows: list[dict[str, Any]] = [{"property": x.property, "service": x.service_id, "state": x.state,
                 "first_listed": iso(x.first_listed_at), "last_seen": iso(x.last_seen_at),
                 "last_seen_scan": x.last_seen_scan_id, "misses": x.misses,
                 "removed": iso(x.removed_at), "removed_reason": x.removed_reason}
                for x in s.exec(q).all()]
    if as_json:
        emit_json({"listings": rows}, None)
        return
    from rich.table import Table
    t = Table(title=f"{len(rows)} listing(s)", title_justify="left")
    for c in ("property", "service", "state", "first listed", "last seen", "misses"):
        t.add_column(c)
    for r in rows:
        t.add_row(*(Text(printable(c)) for c in (
            r["property"], r["service"], r["state"], (r["first_listed"] or "")[:10],
            (r["last_seen"] or "")[:10], str(r["misses"]))))
    out.print(t)


@listing_app.command("remove")
def listing_remove(prop: Annotated[str, typer.Argument(help="property name")],
                   service: Annotated[str, typer.Argument(help="service id")],
                   reason: Annotated[str, typer.Option("--reason", help="why (shown in the change log)")],
                   targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
                   by: ByOpt = None) -> None:
    """Take a service off a property's public list now (an explicit decision)."""
    from sqlmodel import Session

    from registry.listings import remove_listing
    from registry.review import reviewer
    from scanner.store import utcnow

    if not reason.strip():
        raise fail("--reason must say why the service is removed", EXIT_USAGE)
    ctx = Ctx(targets, db, need_targets=False)
    with Session(ctx.engine) as s:
        remove_listing(s, prop, service, reason.strip(), utcnow(), reviewer(by))
        s.commit()
    out.print(printable(f"removed {service} from the list of {prop}"), markup=False,
              highlight=False)


# -- build and diff -----------------------------------------------------------------------------
@app.command()
def build(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
          out_dir: Annotated[Path | None, typer.Option("--out", help="output directory (default: site.out)")] = None,
          allow_pending: Annotated[bool, typer.Option("--allow-pending", help="publish although findings await review: those lists say review is in progress and show no 最終確認日")] = False) -> None:
    """Render the public 外部送信一覧 pages (ja + en), JSON and CSV from the reviewed registry.

    Exits 3, naming the pending findings per property, while any finding awaits review."""
    from gaibu.commands.build import build as run
    from gaibu.commands.build import protected_paths

    ctx = Ctx(targets, db)
    protect = protected_paths(ctx.targets, ctx.url)
    result = run(ctx.engine, ctx.targets, out_dir, allow_pending=allow_pending,
                 protect=protect)
    if not result.published:
        n = result.check.count
        err.print(f"[bold red]not published:[/] {n} finding{'' if n == 1 else 's'} await review "
                  "(the list would not show every transmission):", highlight=False)
        for line in result.check.lines():
            err.print(f"  {printable(line)}", markup=False, highlight=False, soft_wrap=True)
        err.print("Review them with `gaibu review list`, or publish with review in progress "
                  "with `gaibu build --allow-pending`.", markup=False, highlight=False)
        raise typer.Exit(EXIT_PENDING)
    for name in result.review_in_progress:
        err.print(f"warning: {name}: published with review in progress (findings pending; "
                  "no 最終確認日)", markup=False, highlight=False, soft_wrap=True)
    out.print(printable(f"built {len(result.files)} files in {result.out_dir}"), markup=False,
              highlight=False)
    out.print(printable(f"index: {result.out_dir / 'index.html'}"), markup=False, highlight=False)
    from gaibu.commands.build import information_warnings
    for w in information_warnings(ctx.engine, ctx.targets):
        out.print(f"warning: {printable(w)}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def diff(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
         from_scan: Annotated[int | None, typer.Option("--from", help="earlier scan id")] = None,
         to_scan: Annotated[int | None, typer.Option("--to", help="later scan id")] = None,
         as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Third parties and cookies that appeared or disappeared per property between two scans."""
    from gaibu.commands.diff import diff_scans, format_diff

    ctx = Ctx(targets, db, need_targets=False)
    d = diff_scans(ctx.engine, from_scan, to_scan)
    if as_json:
        emit_json(d, None)
    else:
        out.print(printable(format_diff(d), keep_newlines=True), markup=False, highlight=False)


def describe_os_error(e: OSError) -> str:
    """'PATH: what went wrong' for a file-system error (no errno numbers, no traceback)."""
    what = e.strerror or type(e).__name__
    where = " → ".join(str(x) for x in (e.filename, e.filename2) if x is not None)
    return f"{where}: {what}" if where else what


class _PrintableFormatter(logging.Formatter):
    """Log lines (warnings from the crawler) with crawled text's control characters escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record), keep_newlines=True)


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(levelname)s: %(name)s: %(message)s"))
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(handler)
        root.setLevel(logging.WARNING)


import gaibu.cli_console  # noqa: E402,F401 - registers `console` and `user` on app


def main() -> None:
    """Entry point: user errors print one clear line and exit 1, never a traceback.

    Whatever happens, every SQLite database is checkpointed on the way out (gaibu.db alone then
    holds all rows, see gaibu/db.py checkpoint).
    """
    from sqlalchemy.exc import SQLAlchemyError

    _setup_logging()
    code = 0
    try:
        app()
    except GaibuError as e:
        print_error(e, details=True)
        code = EXIT_ERROR
    except SQLAlchemyError as e:
        print_error(describe_db_error(current_url() or "", e))
        code = EXIT_ERROR
    except OSError as e:
        print_error(describe_os_error(e))
        code = EXIT_ERROR
    finally:
        close_all()
    sys.exit(code)


if __name__ == "__main__":
    # `python -m gaibu.cli`: run the canonical module, where every command is registered
    from gaibu.cli import main as canonical_main
    canonical_main()
