"""Writes a scan to the database as it goes: every flush is one transaction, so an interrupted or
crashed scan leaves a consistent database with everything captured up to its last page."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from scanner.aggregate import Aggregator, CookieAgg, HostAgg, StorageAgg
from scanner.models import (
    CookieObservation,
    HostObservation,
    PageVisit,
    Scan,
    ScanProperty,
    SdkObservation,
    StorageObservation,
)
from scanner.observations import PageResult, SdkRecord


def utcnow() -> datetime:
    """Timezone-aware UTC now (what every timestamp column holds)."""
    return datetime.now(UTC)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def mark_stale_scans(engine: Engine) -> list[int]:
    """Scans still 'running' whose process is gone on this host (killed, power loss) → interrupted."""
    host = socket.gethostname()
    fixed = []
    with Session(engine) as s:
        for scan in s.exec(select(Scan).where(Scan.status == "running")).all():
            if scan.hostname == host and scan.pid and not _pid_alive(scan.pid):
                scan.status = "interrupted"
                scan.finished_at = scan.finished_at or utcnow()
                scan.error = (scan.error or "") + "process ended without finishing the scan"
                for sp in s.exec(select(ScanProperty).where(ScanProperty.scan_id == scan.id)):
                    if sp.status == "running":
                        sp.status = "interrupted"
                        s.add(sp)
                s.add(scan)
                if scan.id is not None:
                    fixed.append(scan.id)
        s.commit()
    return fixed


class ScanStore:
    """One scan's rows; call start(), then record_page()/flush() as pages finish, then finish()."""

    def __init__(self, engine: Engine, source: str = "crawl", targets_file: str | None = None,
                 tool_version: str = ""):
        self.tool_version = tool_version  # recorded on the scan; passed in (the scanner imports nothing above it)
        self.engine = engine
        self.source = source
        self.targets_file = targets_file
        self.session = Session(engine, expire_on_commit=False)
        self.scan: Scan | None = None
        self.props: dict[str, ScanProperty] = {}
        self._rows_h: dict[tuple[str, str], HostObservation] = {}
        self._rows_c: dict[tuple[str, tuple[str, str, str]], CookieObservation] = {}
        self._rows_s: dict[tuple[str, tuple[str, str, str]], StorageObservation] = {}

    @property
    def scan_id(self) -> int:
        assert self.scan is not None and self.scan.id is not None
        return self.scan.id

    def start(self) -> Scan:
        mark_stale_scans(self.engine)
        self.scan = Scan(started_at=utcnow(), status="running", source=self.source,
                         tool_version=self.tool_version, targets_file=self.targets_file,
                         pid=os.getpid(), hostname=socket.gethostname())
        self.session.add(self.scan)
        self.session.commit()
        return self.scan

    def add_property(self, name: str, kind: str, platform: str | None,
                     min_coverage: float | None = None) -> ScanProperty:
        sp = ScanProperty(scan_id=self.scan_id, property=name, kind=kind, platform=platform,
                          status="running", min_coverage=min_coverage)
        self.session.add(sp)
        self.session.commit()
        self.props[name] = sp
        return sp

    def record_page(self, prop: str, page: PageResult, requests: int, third: int) -> None:
        self.session.add(PageVisit(
            scan_id=self.scan_id, property=prop, device=page.device, url=page.url,
            final_url=page.final_url, status=page.status, error=page.error,
            error_kind=page.error_kind, depth=page.depth, consent_clicked=page.consent_clicked,
            requests=requests, third_party_requests=third, duration_ms=page.duration_ms,
            redirect_chain=list(page.redirect_chain), notes=list(page.notes)))
        sp = self.props[prop]
        sp.pages_visited += 1
        if page.failed:
            sp.pages_failed += 1
        self.session.add(sp)

    def set_known(self, prop: str, known: int) -> None:
        sp = self.props[prop]
        sp.pages_known = known
        self.session.add(sp)

    def flush(self, prop: str, agg: Aggregator) -> None:
        """Write what changed since the last flush, with pending page visits, in one transaction."""
        hosts, cookies, storage = agg.take_dirty()
        for h in hosts:
            self._write_host(prop, h)
        for c in cookies:
            self._write_cookie(prop, c)
        for st in storage:
            self._write_storage(prop, st)
        self.session.commit()

    def add_sdks(self, prop: str, sdks: list[SdkRecord]) -> None:
        seen: set[str] = set()
        for r in sdks:
            if r.id in seen:
                continue
            seen.add(r.id)
            self.session.add(SdkObservation(scan_id=self.scan_id, property=prop, sdk_id=r.id,
                                            version=r.version, ecosystem=r.ecosystem,
                                            manifest=r.manifest, hint=r.hint))
        self.session.commit()

    def finish_property(self, prop: str, status: str) -> None:
        sp = self.props[prop]
        sp.status = status
        self.session.add(sp)
        self.session.commit()

    def finish(self, status: str, error: str | None = None) -> Scan:
        assert self.scan is not None
        try:
            self.session.rollback()  # drop anything half-written by an interrupted flush
        except Exception:  # pragma: no cover
            pass
        for sp in self.props.values():
            if sp.status == "running":
                sp.status = "interrupted" if status == "interrupted" else "failed"
                self.session.add(sp)
        self.scan.status = status
        self.scan.finished_at = utcnow()
        if error:
            self.scan.error = error[:4000]
        self.session.add(self.scan)
        self.session.commit()
        return self.scan

    def close(self) -> None:
        self.session.close()

    # -- rows ----------------------------------------------------------------------------------
    def _write_host(self, prop: str, h: HostAgg) -> None:
        row = self._rows_h.get((prop, h.host))
        if row is None:
            row = HostObservation(scan_id=self.scan_id, property=prop, host=h.host,
                                  domain=h.domain, party=h.party)
            self._rows_h[(prop, h.host)] = row
        row.requests = h.requests
        row.before_consent = h.before_consent
        row.after_consent = h.after_consent
        row.resource_types = sorted(h.resource_types)
        row.sample_urls = list(h.sample_urls)
        row.paths = dict(sorted(h.paths.items()))
        row.param_names = sorted(h.param_names)
        row.pages = list(h.pages)
        row.pages_count = len(h.page_set)
        row.devices = sorted(h.devices)
        row.frames = sorted(h.frames)
        row.statuses = sorted(h.statuses)
        row.leaks = sorted(h.leaks)
        self.session.add(row)

    def _write_cookie(self, prop: str, c: CookieAgg) -> None:
        key = (c.name, c.domain, c.path)
        row = self._rows_c.get((prop, key))
        if row is None:
            row = CookieObservation(scan_id=self.scan_id, property=prop, name=c.name,
                                    domain=c.domain, path=c.path, party=c.party)
            self._rows_c[(prop, key)] = row
        row.set_by = c.set_by
        row.setter_url = c.setter_url
        row.session = c.session
        row.expires = c.expires
        row.http_only = c.http_only
        row.secure = c.secure
        row.same_site = c.same_site
        row.after_consent_only = c.phases == {"post"}
        row.pages_count = len(c.page_set)
        row.first_page = c.first_page
        row.devices = sorted(c.devices)
        row.leaks = sorted(c.leaks)
        self.session.add(row)

    def _write_storage(self, prop: str, st: StorageAgg) -> None:
        key = (st.origin, st.kind, st.key)
        row = self._rows_s.get((prop, key))
        if row is None:
            row = StorageObservation(scan_id=self.scan_id, property=prop, origin=st.origin,
                                     kind=st.kind, key=st.key, party=st.party)
            self._rows_s[(prop, key)] = row
        row.after_consent_only = st.phases == {"post"}
        row.pages_count = len(st.page_set)
        row.first_page = st.first_page
        row.devices = sorted(st.devices)
        self.session.add(row)
