"""Turns per-request, per-cookie and per-storage records into observations aggregated per property.

This is where a request becomes an observation: one HostAgg per host, one CookieAgg per
(name, domain, path), one StorageAgg per (origin, kind, key). Query-parameter VALUES are dropped
here and never stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scanner.observations import CookieRecord, RequestRecord, StorageRecord
from scanner.party import PartyRules, host_of

MAX_SAMPLES = 5
MAX_PAGES = 20
MAX_PARAMS = 200
MAX_PATHS = 300


def strip_query(url: str) -> str:
    """URL without query values or fragment: scheme://host/path (query names are kept apart)."""
    try:
        p = urlsplit(url)
    except ValueError:
        return url.split("?", 1)[0]
    return f"{p.scheme}://{p.netloc}{p.path}"


def param_names(url: str) -> list[str]:
    try:
        q = urlsplit(url).query
    except ValueError:
        return []
    if not q:
        return []
    return [k for k, _ in parse_qsl(q, keep_blank_values=True) if k]


MAX_BODY_CHARS = 65536  # only the start of a request body is read for names
MAX_BODY_NAMES = 100
_FORM_NAME = re.compile(r"^[A-Za-z0-9_.\[\]-]{1,64}$")
_JSON_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$-]{0,63}$")
_MULTIPART_NAME = re.compile(r'content-disposition:\s*form-data;\s*name="([^"]{1,64})"', re.I)


def body_param_names(body: str | None, content_type: str | None = None) -> tuple[str, ...]:
    """Parameter NAMES of a request body, never values: form-encoded (one query string per line,
    as GA4 batches hits), multipart form fields, or JSON key paths (``context.page.url``; list
    items contribute their keys without an index). Bounded in size, depth and count; names that
    do not look like parameter names (an e-mail address used as a key) are dropped."""
    if not body:
        return ()
    text = body[:MAX_BODY_CHARS]
    ctype = (content_type or "").lower()
    out: list[str] = []

    def add(name: str) -> None:
        if name not in out and len(out) < MAX_BODY_NAMES:
            out.append(name)

    stripped = text.lstrip()
    if "json" in ctype or stripped[:1] in ("{", "["):
        try:
            data = json.loads(body) if len(body) <= MAX_BODY_CHARS else None
        except ValueError:
            data = None
        if data is not None:
            _json_names(data, "", 0, add)
        return tuple(out)  # JSON (or too long / malformed to read): no form parsing
    if "multipart/" in ctype:
        for m in _MULTIPART_NAME.finditer(text):
            if _FORM_NAME.match(m.group(1)):
                add(m.group(1))
        return tuple(out)
    for line in text.splitlines():
        if "=" not in line:
            continue
        for k, _ in parse_qsl(line.strip(), keep_blank_values=True):
            if _FORM_NAME.match(k):
                add(k)
    return tuple(out)


def _json_names(data: Any, prefix: str, depth: int, add: Any) -> None:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:20]:
            _json_names(item, prefix, depth + 1, add)
    elif isinstance(data, dict):
        for k, v in list(data.items())[:MAX_BODY_NAMES]:
            if not isinstance(k, str) or not _JSON_KEY.match(k):
                continue
            name = f"{prefix}.{k}" if prefix else k
            add(name)
            if isinstance(v, (dict, list)):
                _json_names(v, name, depth + 1, add)


def _path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "/"


def origin_of(url: str) -> str:
    p = urlsplit(url)
    if not p.scheme or not p.hostname:
        return url
    default = {"http": 80, "https": 443}.get(p.scheme)
    try:
        port = p.port
    except ValueError:
        port = None
    return f"{p.scheme}://{p.hostname}" + (f":{port}" if port and port != default else "")


@dataclass
class HostAgg:
    host: str
    domain: str
    party: str
    requests: int = 0
    before_consent: int = 0
    after_consent: int = 0
    resource_types: set[str] = field(default_factory=set)
    sample_urls: list[str] = field(default_factory=list)
    paths: dict[str, int] = field(default_factory=dict)
    param_names: set[str] = field(default_factory=set)
    pages: list[str] = field(default_factory=list)
    page_set: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)
    frames: set[str] = field(default_factory=set)  # frames (query-less) that made the requests
    statuses: set[int] = field(default_factory=set)
    leaks: set[str] = field(default_factory=set)  # "kind:encoding:location" of the test identity


@dataclass
class CookieAgg:
    name: str
    domain: str
    path: str
    party: str
    set_by: str
    setter_url: str | None
    session: bool
    expires: float | None
    http_only: bool
    secure: bool
    same_site: str | None
    phases: set[str] = field(default_factory=set)
    page_set: set[str] = field(default_factory=set)
    first_page: str | None = None
    devices: set[str] = field(default_factory=set)
    leaks: set[str] = field(default_factory=set)


@dataclass
class StorageAgg:
    origin: str
    kind: str
    key: str
    party: str
    phases: set[str] = field(default_factory=set)
    page_set: set[str] = field(default_factory=set)
    first_page: str | None = None
    devices: set[str] = field(default_factory=set)


class Aggregator:
    """Accumulates observations for one property of one scan; tracks what changed since the last flush."""

    def __init__(self, rules: PartyRules) -> None:
        self.rules = rules
        self.hosts: dict[str, HostAgg] = {}
        self.cookies: dict[tuple[str, str, str], CookieAgg] = {}
        self.storage: dict[tuple[str, str, str], StorageAgg] = {}
        self.dirty_hosts: set[str] = set()
        self.dirty_cookies: set[tuple[str, str, str]] = set()
        self.dirty_storage: set[tuple[str, str, str]] = set()

    # -- requests ------------------------------------------------------------------------------
    def add_request(self, r: RequestRecord) -> bool:
        """Record one request; returns True when it went to a third party."""
        host = host_of(r.url)
        if not host:
            return False
        agg = self.hosts.get(host)
        if agg is None:
            agg = self.hosts[host] = HostAgg(host, self.rules.domain(host),
                                             self.rules.party_of_host(host))
        agg.requests += 1
        if r.phase == "pre":
            agg.before_consent += 1
        elif r.phase == "post":
            agg.after_consent += 1
        agg.resource_types.add(r.resource_type)
        base = strip_query(r.url)
        if len(agg.sample_urls) < MAX_SAMPLES and base not in agg.sample_urls:
            agg.sample_urls.append(base)
        path = _path(r.url)
        if path in agg.paths:
            agg.paths[path] += 1
        elif len(agg.paths) < MAX_PATHS:
            agg.paths[path] = 1
        else:
            agg.paths["*"] = agg.paths.get("*", 0) + 1
        if len(agg.param_names) < MAX_PARAMS:
            agg.param_names.update(param_names(r.url))
            agg.param_names.update(r.body_params)
        page = r.page_url or ""
        if page and page not in agg.page_set:
            agg.page_set.add(page)
            if len(agg.pages) < MAX_PAGES:
                agg.pages.append(page)
        agg.devices.add(r.device)
        if r.frame_url and len(agg.frames) < MAX_SAMPLES * 2:
            agg.frames.add(strip_query(r.frame_url))
        if r.status is not None:
            agg.statuses.add(r.status)
        agg.leaks.update(r.leaks)
        self.dirty_hosts.add(host)
        return agg.party == "third"

    def add_requests(self, records: Iterable[RequestRecord]) -> tuple[int, int]:
        total = third = 0
        for r in records:
            total += 1
            third += self.add_request(r)
        return total, third

    # -- cookies -------------------------------------------------------------------------------
    def add_cookie(self, c: CookieRecord) -> None:
        key = (c.name, c.domain.lower(), c.path or "/")
        agg = self.cookies.get(key)
        if agg is None:
            agg = self.cookies[key] = CookieAgg(
                c.name, key[1], key[2], self.rules.party_of_cookie_domain(key[1]), c.set_by,
                c.setter_url, c.expires is None, c.expires, c.http_only, c.secure, c.same_site,
                first_page=c.page_url or None)
        else:
            # a header-set cookie stays 'header' even when a script rewrites it later
            if agg.set_by != "header" and c.set_by == "header":
                agg.set_by, agg.setter_url = "header", c.setter_url
            elif agg.set_by == "unknown" and c.set_by == "script":
                agg.set_by = "script"
            if c.expires is not None and (agg.expires is None or c.expires > agg.expires):
                agg.expires, agg.session = c.expires, False
            agg.http_only |= c.http_only
            agg.secure |= c.secure
        agg.phases.add(c.phase)
        if c.page_url:
            agg.page_set.add(c.page_url)
        agg.devices.add(c.device)
        agg.leaks.update(c.leaks)
        self.dirty_cookies.add(key)

    # -- storage -------------------------------------------------------------------------------
    def add_storage(self, s: StorageRecord) -> None:
        key = (s.origin, s.kind, s.key)
        agg = self.storage.get(key)
        if agg is None:
            agg = self.storage[key] = StorageAgg(
                s.origin, s.kind, s.key, self.rules.party_of_url(s.origin),
                first_page=s.page_url or None)
        agg.phases.add(s.phase)
        if s.page_url:
            agg.page_set.add(s.page_url)
        agg.devices.add(s.device)
        self.dirty_storage.add(key)

    def take_dirty(self) -> tuple[list[HostAgg], list[CookieAgg], list[StorageAgg]]:
        out = ([self.hosts[h] for h in sorted(self.dirty_hosts)],
               [self.cookies[k] for k in sorted(self.dirty_cookies)],
               [self.storage[k] for k in sorted(self.dirty_storage)])
        self.dirty_hosts.clear()
        self.dirty_cookies.clear()
        self.dirty_storage.clear()
        return out

    def merge(self, other: Aggregator) -> None:
        """Add everything `other` observed (e.g. a fully parsed HAR file) to this aggregator."""
        for host, h in other.hosts.items():
            mine = self.hosts.get(host)
            if mine is None:
                self.hosts[host] = h
            else:
                mine.requests += h.requests
                mine.before_consent += h.before_consent
                mine.after_consent += h.after_consent
                mine.resource_types |= h.resource_types
                for u in h.sample_urls:
                    if len(mine.sample_urls) < MAX_SAMPLES and u not in mine.sample_urls:
                        mine.sample_urls.append(u)
                for path, n in h.paths.items():
                    if path in mine.paths or len(mine.paths) < MAX_PATHS:
                        mine.paths[path] = mine.paths.get(path, 0) + n
                    else:
                        mine.paths["*"] = mine.paths.get("*", 0) + n
                mine.param_names |= h.param_names
                for page in h.pages:
                    if page not in mine.page_set and len(mine.pages) < MAX_PAGES:
                        mine.pages.append(page)
                mine.page_set |= h.page_set
                mine.devices |= h.devices
                mine.frames |= h.frames
                mine.statuses |= h.statuses
            self.dirty_hosts.add(host)
        for key, c in other.cookies.items():
            mine_c = self.cookies.get(key)
            if mine_c is None:
                self.cookies[key] = c
            else:
                if c.set_by == "header" and mine_c.set_by != "header":
                    mine_c.set_by, mine_c.setter_url = "header", c.setter_url
                mine_c.phases |= c.phases
                mine_c.page_set |= c.page_set
                mine_c.devices |= c.devices
            self.dirty_cookies.add(key)
        for key, st in other.storage.items():
            mine_s = self.storage.get(key)
            if mine_s is None:
                self.storage[key] = st
            else:
                mine_s.phases |= st.phases
                mine_s.page_set |= st.page_set
                mine_s.devices |= st.devices
            self.dirty_storage.add(key)
