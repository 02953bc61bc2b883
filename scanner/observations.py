"""Frozen records that cross module boundaries: what a browser, a HAR file or a manifest observed.

The crawler (scanner/crawl.py), the HAR importer and the SDK readers all produce these; the
aggregator (scanner/aggregate.py) turns them into the per-scan observation tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Phase = Literal["none", "pre", "post"]  # consent: not configured / before accept / after accept
SetBy = Literal["header", "script", "unknown"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One network request (or websocket) made while a page was open."""

    url: str
    method: str = "GET"
    resource_type: str = "other"  # document, script, image, xhr, fetch, ping, websocket, …
    status: int | None = None
    frame_url: str | None = None
    page_url: str = ""
    device: str = "desktop"
    phase: Phase = "none"
    # crawl: 'page' | 'service_worker'; HAR: Chrome's _initiator.type (parser, script, other)
    initiator: str | None = None
    # names (never values) of form-encoded / JSON body parameters (scanner/capture.py)
    body_params: tuple[str, ...] = ()
    # the test identity found in this request: "kind:encoding:location" (scanner/leaks.py)
    leaks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CookieRecord:
    """A cookie stored in the jar (crawl) or sent/stored per a HAR file."""

    name: str
    domain: str  # as stored: '.example.com' for domain cookies, 'www.example.com' for host-only
    path: str = "/"
    expires: float | None = None  # epoch seconds; None = session cookie
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None
    set_by: SetBy = "unknown"
    setter_url: str | None = None
    page_url: str = ""
    device: str = "desktop"
    phase: Phase = "none"
    leaks: tuple[str, ...] = ()  # the test identity found in the cookie's value (never kept)


@dataclass(frozen=True, slots=True)
class StorageRecord:
    """A key written to localStorage or sessionStorage by an origin (top frame or iframe)."""

    origin: str
    kind: Literal["localStorage", "sessionStorage"]
    key: str
    page_url: str = ""
    device: str = "desktop"
    phase: Phase = "none"


@dataclass(frozen=True, slots=True)
class SdkRecord:
    """An SDK dependency read from an app manifest."""

    id: str  # maven 'group:artifact'; 'cocoapods:Name', 'spm:host/owner/repo', 'pub:name', 'npm:name', 'nuget:Name'
    version: str | None
    ecosystem: str  # maven | cocoapods | spm | pub | npm | nuget
    manifest: str  # path of the file it came from
    hint: str | None = None  # analytics | ads | attribution | crash | push | … when it looks like tracking


@dataclass(slots=True)
class PageResult:
    """Outcome of visiting one page on one device."""

    url: str
    device: str
    depth: int = 0
    final_url: str | None = None
    status: int | None = None
    error: str | None = None
    error_kind: str | None = None  # timeout | http | dns | crash | redirect_loop | download | …
    consent_clicked: bool = False
    redirect_chain: list[str] = field(default_factory=list)
    duration_ms: int = 0
    requests: list[RequestRecord] = field(default_factory=list)
    cookies: list[CookieRecord] = field(default_factory=list)
    storage: list[StorageRecord] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # dialogs shown, popups opened, …

    @property
    def failed(self) -> bool:
        return self.error is not None
