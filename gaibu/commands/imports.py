"""`gaibu import har|sdk`: one capture or manifest becomes a scan (source har | sdk).

The file is read completely before anything is written, so a malformed file stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Engine

from gaibu import __version__
from scanner.aggregate import Aggregator
from scanner.config import Property, Targets
from scanner.importers import check_input_file
from scanner.importers.har import iter_har
from scanner.importers.sdk import read_manifest
from scanner.leaks import LeakDetector
from scanner.observations import CookieRecord, RequestRecord
from scanner.party import PartyRules
from scanner.store import ScanStore


def har_aggregate(targets: Targets, prop: Property, path: Path) -> Aggregator:
    """Parse a whole HAR file into an aggregator (raises InputError, stores nothing)."""
    check_input_file(path, "a HAR file")
    agg = Aggregator(PartyRules.for_targets(targets, prop))
    device = prop.platform or "desktop"
    leaks = LeakDetector(targets.test_identity.values()) if targets.test_identity else None
    for rec in iter_har(path, device=device, leaks=leaks):
        if isinstance(rec, RequestRecord):
            agg.add_request(rec)
        elif isinstance(rec, CookieRecord):
            agg.add_cookie(rec)
    return agg


def _store(targets: Targets, engine: Engine, prop: Property, source: str,
           write: Callable[[ScanStore], None]) -> int:
    """One complete scan of `source` for `prop`, written in one go after the file was read."""
    store = ScanStore(engine, source=source, targets_file=targets.source, tool_version=__version__)
    try:
        store.start()
        store.add_property(prop.name, prop.kind, prop.platform)
        write(store)
        store.finish_property(prop.name, "complete")
        store.finish("complete")
        return store.scan_id
    finally:
        store.close()


def import_har(targets: Targets, engine: Engine, prop: Property, path: Path) -> int:
    agg = har_aggregate(targets, prop, path)
    return _store(targets, engine, prop, "har", lambda store: store.flush(prop.name, agg))


def import_sdk(targets: Targets, engine: Engine, prop: Property, path: Path) -> int:
    sdks = read_manifest(path)  # refuses a missing path, a directory, a device, a huge file
    return _store(targets, engine, prop, "sdk", lambda store: store.add_sdks(prop.name, sdks))
