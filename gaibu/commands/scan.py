"""`gaibu scan`: crawl web properties and app webviews, import app HARs and manifests, store it all."""

from __future__ import annotations

import asyncio
import signal
import traceback
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from gaibu import __version__
from scanner.aggregate import Aggregator
from scanner.config import Property, Targets
from scanner.crawl import CrawlListener, crawl
from scanner.errors import GaibuError, InputError
from scanner.leaks import LeakDetector
from scanner.observations import PageResult
from scanner.party import PartyRules
from scanner.store import ScanStore


@dataclass
class ScanOutcome:
    scan_id: int
    status: str
    property_status: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # input errors (HAR, manifests) to show the user


def party_rules(targets: Targets, prop: Property) -> PartyRules:
    return PartyRules.for_targets(targets, prop)


def _combine(statuses: list[str]) -> str:
    if not statuses:
        return "complete"
    if all(s == "complete" for s in statuses):
        return "complete"
    if all(s == "failed" for s in statuses):
        return "failed"
    return "partial"


def import_app_inputs(targets: Targets, prop: Property, store: ScanStore, agg: Aggregator,
                      errors: list[str]) -> list[str]:
    """HAR captures and SDK manifests of an app property; one status per input file.

    Each file is parsed completely before anything of it is kept: a broken file adds nothing.
    """
    from gaibu.commands.imports import har_aggregate
    from scanner.importers.sdk import read_manifest

    statuses: list[str] = []
    for har in prop.har:
        path = targets.resolve(har)
        try:
            local = har_aggregate(targets, prop, path)
        except (InputError, OSError) as e:
            errors.append(str(e) if isinstance(e, InputError) else f"{path}: {e}")
            statuses.append("failed")
            continue
        agg.merge(local)
        store.flush(prop.name, agg)
        statuses.append("complete")
    sdks = []
    for m in prop.manifests:
        path = targets.resolve(m)
        try:
            sdks.extend(read_manifest(path))  # refuses a missing path, a directory, a device
            statuses.append("complete")
        except (InputError, OSError) as e:
            errors.append(str(e) if isinstance(e, InputError) else f"{path}: {e}")
            statuses.append("failed")
    if sdks:
        store.add_sdks(prop.name, sdks)
    return statuses


def run_scan(targets: Targets, engine: Engine, props: list[Property],
             listener: CrawlListener | None = None, concurrency: int | None = None) -> ScanOutcome:
    # read before anything is stored: a test identity variable that is not set is an error
    leaks = LeakDetector(targets.test_identity.values()) if targets.test_identity else None
    store = ScanStore(engine, source="crawl", targets_file=targets.source,
                      tool_version=__version__)
    scan = store.start()
    assert scan.id is not None
    outcome = ScanOutcome(scan.id, "running")
    aggs: dict[str, Aggregator] = {}
    parts: dict[str, list[str]] = {}
    for p in props:
        store.add_property(p.name, p.kind, p.platform,
                           targets.min_coverage(p) if p.urls else None)
        aggs[p.name] = Aggregator(party_rules(targets, p))
        parts[p.name] = []

    def sink(prop: Property, result: PageResult) -> None:
        agg = aggs[prop.name]
        total, third = agg.add_requests(result.requests)
        for c in result.cookies:
            agg.add_cookie(c)
        for s in result.storage:
            agg.add_storage(s)
        store.record_page(prop.name, result, total, third)
        store.flush(prop.name, agg)

    crawled: set[str] = set()

    def on_property(prop: Property, status: str) -> None:
        parts[prop.name].append(status)
        crawled.add(prop.name)

    to_crawl = [p for p in props if p.urls]
    status = "running"
    error = None
    try:
        for p in props:
            if p.kind == "app":
                parts[p.name].extend(import_app_inputs(targets, p, store, aggs[p.name],
                                                       outcome.errors))
        if to_crawl:
            asyncio.run(_crawl_with_signals(targets, to_crawl, sink, on_property, listener, leaks,
                                            concurrency))
    except (KeyboardInterrupt, asyncio.CancelledError):
        status = "interrupted"
        error = "interrupted (signal)"
    except GaibuError:
        status = "failed"
        raise
    except Exception as e:  # a crash of gaibu itself: keep what was captured
        status = "failed"
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
        raise
    finally:
        for p in props:
            if status in ("interrupted", "failed") and p in to_crawl and p.name not in crawled:
                ps = status
            else:
                ps = _combine(parts[p.name])
            outcome.property_status[p.name] = ps
            try:
                store.finish_property(p.name, ps)
            except Exception:  # pragma: no cover - keep finishing the scan row
                store.session.rollback()
        if status == "running":
            status = _combine(list(outcome.property_status.values()))
        store.finish(status, error)
        store.close()
        outcome.status = status
    return outcome


async def _crawl_with_signals(targets: Targets, props: list[Property], sink, on_property,
                              listener, leaks, concurrency) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    try:
        loop.add_signal_handler(signal.SIGTERM, task.cancel)
    except (NotImplementedError, RuntimeError):  # pragma: no cover - non-Unix
        pass
    await crawl(props, targets.browser, targets.scan, sink, on_property, listener, concurrency,
                min_coverage=targets.min_coverage, leaks=leaks)


def ensure_registry(engine: Engine, targets: Targets) -> None:
    """Load the seed registry and the company's registry_dir (idempotent, a few ms)."""
    from registry.loader import load_into

    extra = targets.resolve(targets.registry_dir) if targets.registry_dir else None
    load_into(engine, extra)


def after_scan(engine: Engine, targets: Targets, scan_id: int) -> None:
    """Match the scan, refresh the review queue and the sticky listings, in one transaction."""
    from sqlmodel import Session

    from registry.identify import match_scan, update_findings
    from registry.index import build_index
    from registry.listings import sync_listings
    from scanner.models import Scan

    with Session(engine) as s:
        scan = s.get(Scan, scan_id)
        assert scan is not None
        idx = build_index(s)
        matches = match_scan(s, idx, scan_id)
        update_findings(s, idx, scan, matches)
        sync_listings(s, scan, matches, targets.site.removal_after_scans)
        s.commit()
