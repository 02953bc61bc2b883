"""SQLModel tables the scanner writes: scans, page visits and observations aggregated per scan and property."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

SCAN_STATUSES = ("running", "complete", "partial", "failed", "interrupted")


def _json(default: Any = None) -> Any:
    return Field(default_factory=lambda: (list(default) if isinstance(default, list) else default),
                 sa_column=Column(JSON, nullable=True))


class Scan(SQLModel, table=True):
    """One run of `gaibu scan` or `gaibu import` (source crawl | har | sdk)."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime
    finished_at: datetime | None = None
    status: str = Field(default="running", index=True)
    source: str = "crawl"
    tool_version: str = ""
    targets_file: str | None = None
    pid: int | None = None
    hostname: str | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ScanProperty(SQLModel, table=True):
    """What one scan did for one property; its status decides whether absences count.

    pages_visited counts attempted page loads (one per URL and device, after retries), pages_failed
    those that did not load (timeouts, crashes, DNS, aborted; an HTTP error status is a visit).
    A crawl is complete when every start URL loaded and `coverage` ≥ min_coverage.
    """

    __table_args__ = (UniqueConstraint("scan_id", "property"),)
    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str = Field(index=True)
    kind: str = "web"
    platform: str | None = None
    status: str = "running"
    pages_visited: int = 0
    pages_failed: int = 0
    pages_known: int = 0
    min_coverage: float | None = None  # the threshold the scan applied (None: no crawl)


def coverage_of(sp: ScanProperty) -> float | None:
    """Share of a property's attempted page loads that loaded; None when none was attempted."""
    if not sp.pages_visited:
        return None
    return (sp.pages_visited - sp.pages_failed) / sp.pages_visited


class PageVisit(SQLModel, table=True):
    """One page loaded on one device."""

    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str
    device: str
    url: str = Field(sa_column=Column(Text, nullable=False))
    final_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: int | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error_kind: str | None = None
    depth: int = 0
    consent_clicked: bool = False
    requests: int = 0
    third_party_requests: int = 0
    duration_ms: int = 0
    redirect_chain: list[str] = _json([])
    notes: list[str] = _json([])


class HostObservation(SQLModel, table=True):
    """Requests to one host during one scan of one property."""

    __table_args__ = (UniqueConstraint("scan_id", "property", "host"),
                      Index("ix_hostobs_scan_domain", "scan_id", "domain"))
    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str
    host: str
    domain: str
    party: str
    requests: int = 0
    before_consent: int = 0
    after_consent: int = 0
    resource_types: list[str] = _json([])
    sample_urls: list[str] = _json([])
    paths: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=True))
    param_names: list[str] = _json([])
    pages: list[str] = _json([])
    pages_count: int = 0
    devices: list[str] = _json([])
    frames: list[str] = _json([])
    statuses: list[int] = _json([])
    # the test account's identity found in requests to this host: "kind:encoding:location"
    # (scanner/leaks.py) — that it was found and how, never the value
    leaks: list[str] | None = _json([])


class CookieObservation(SQLModel, table=True):
    """A cookie found in the browser's jar (or a HAR's cookies) during one scan of one property."""

    __table_args__ = (UniqueConstraint("scan_id", "property", "name", "domain", "path"),)
    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str
    name: str
    domain: str
    path: str = "/"
    party: str
    set_by: str = "script"  # header | script | unknown
    setter_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    session: bool = False
    expires: float | None = None
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None
    after_consent_only: bool = False
    pages_count: int = 0
    first_page: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    devices: list[str] = _json([])
    leaks: list[str] | None = _json([])  # the test identity found in the value ("kind:encoding:cookie")


class StorageObservation(SQLModel, table=True):
    """A localStorage / sessionStorage key written by some origin during one scan of one property."""

    __table_args__ = (UniqueConstraint("scan_id", "property", "origin", "kind", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str
    origin: str
    kind: str  # localStorage | sessionStorage
    key: str = Field(sa_column=Column(Text, nullable=False))
    party: str
    after_consent_only: bool = False
    pages_count: int = 0
    first_page: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    devices: list[str] = _json([])


class SdkObservation(SQLModel, table=True):
    """An SDK found in an app's dependency manifest."""

    __table_args__ = (UniqueConstraint("scan_id", "property", "sdk_id"),)
    id: int | None = Field(default=None, primary_key=True)
    scan_id: int = Field(foreign_key="scan.id", index=True)
    property: str
    sdk_id: str
    version: str | None = None
    ecosystem: str = ""
    manifest: str = ""
    hint: str | None = None  # analytics | ads | attribution | … when it looks like a tracking SDK
