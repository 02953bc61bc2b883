"""Where an observation becomes a match: a scan's hosts, cookies, storage keys and SDKs → services.

Also keeps the review queue in step: every third-party registrable domain (or tracking-looking
SDK) that no rule matches becomes, or updates, a Finding with its evidence.

Provider-level evidence: a host no service rule matches but that lies in a provider's shared
``domains:`` (Firebase's transport hosts, Google's regional domains, Meta's CDN…) names the
provider, not a service. When the same property, in the same scan, has a specific service of
that provider, the host is supporting evidence for it (status ``supporting``: no finding, no
row of its own). Otherwise it becomes a finding, keyed by its registrable domain as any unknown
domain, whose suggestion names the provider and its candidate services.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from registry.index import RegistryIndex
from registry.models import Finding
from scanner.models import (
    CookieObservation,
    HostObservation,
    Scan,
    ScanProperty,
    SdkObservation,
    StorageObservation,
)
from scanner.party import host_of, registrable_domain

EVIDENCE_CAP = 20
# A domain finding's key must be something a match rule can name: lower-case labels of letters,
# digits, '-' and '_' separated by single dots (or an IP address). Anything else ('%3c', '<',
# '..', '/', spaces) comes from a malformed HAR entry or URL and becomes an "invalid" finding:
# reviewable (ignore) but never turned into a rule.
_HOSTLIKE = re.compile(r"^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
                       r"(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$")


def valid_domain_key(domain: str) -> bool:
    """True when ``domain`` is a host name (or IP address) a finding and a rule can carry."""
    if _HOSTLIKE.match(domain):
        return True
    try:
        ipaddress.ip_address(domain.strip("[]"))
        return True
    except ValueError:
        return False


@dataclass
class ThirdParty:
    domain: str
    service: str | None
    hosts: set[str] = field(default_factory=set)
    requests: int = 0
    before_consent: int = 0
    after_consent: int = 0
    rules: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)
    param_names: set[str] = field(default_factory=set)
    sample_urls: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    resource_types: set[str] = field(default_factory=set)
    frames: set[str] = field(default_factory=set)
    statuses: set[int] = field(default_factory=set)
    leaks: set[str] = field(default_factory=set)  # test identity found: "kind:encoding:location"
    # provider-level match: the provider whose shared domains hold these hosts (service is None)
    provider: str | None = None
    # the property's specific services of that provider this traffic supports (none: a finding)
    supports: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """Unknown, or known only by its provider with no specific service of it beside."""
        return self.service is None and not self.supports


@dataclass
class PropertyMatches:
    name: str
    kind: str
    platform: str | None
    status: str
    third_parties: list[ThirdParty]
    cookies: list[tuple[CookieObservation, str | None]]
    storage: list[tuple[StorageObservation, str | None]]
    sdks: list[tuple[SdkObservation, str | None]]

    @property
    def services(self) -> set[str]:
        """Every service this property was seen sending to in the scan."""
        out = {tp.service for tp in self.third_parties if tp.service}
        out |= {s for _, s in self.cookies if s}
        out |= {s for _, s in self.storage if s}
        out |= {s for _, s in self.sdks if s}
        return out


def _rule_label(kind: str, pattern: str) -> str:
    return f"{kind}:{pattern}"


def match_property(session: Session, idx: RegistryIndex, scan_id: int, sp: ScanProperty
                   ) -> PropertyMatches:
    m = idx.matcher
    groups: dict[tuple[str, str | None, str | None], ThirdParty] = {}
    hosts = session.exec(select(HostObservation).where(
        HostObservation.scan_id == scan_id, HostObservation.property == sp.property,
        HostObservation.party == "third").order_by(HostObservation.host)).all()
    for h in hosts:
        # split a host's requests by path only when some rule distinguishes paths on it
        if m.has_prefix_rules(h.host) and h.paths:
            parts: dict[str | None, tuple[int, set[str]]] = {}
            for path, n in h.paths.items():
                mt = m.match_host(h.host, path if path != "*" else "/")
                key = mt.target if mt else None
                cnt, rules = parts.get(key, (0, set()))
                if mt:
                    rules.add(_rule_label(mt.rule.kind, mt.rule.pattern))
                parts[key] = (cnt + n, rules)
        else:
            mt = m.match_host(h.host)
            parts = {(mt.target if mt else None):
                     (h.requests, {_rule_label(mt.rule.kind, mt.rule.pattern)} if mt else set())}
        for service, (count, rules) in parts.items():
            provider = idx.provider_of_host(h.host) if service is None else None
            if provider is not None:
                rules = rules | {_rule_label("provider", provider)}
            tp = groups.get((h.domain, service, provider))
            if tp is None:
                tp = groups[(h.domain, service, provider)] = ThirdParty(h.domain, service,
                                                                       provider=provider)
            tp.hosts.add(h.host)
            tp.requests += count
            share = count / h.requests if h.requests else 0
            tp.before_consent += round(h.before_consent * share)
            tp.after_consent += round(h.after_consent * share)
            tp.rules |= rules
            tp.devices |= set(h.devices or [])
            tp.param_names |= set(h.param_names or [])
            tp.resource_types |= set(h.resource_types or [])
            tp.frames |= set(h.frames or [])
            tp.statuses |= set(h.statuses or [])
            tp.leaks |= set(h.leaks or [])
            for u in h.sample_urls or []:
                if len(tp.sample_urls) < EVIDENCE_CAP and u not in tp.sample_urls:
                    tp.sample_urls.append(u)
            for p in h.pages or []:
                if len(tp.pages) < EVIDENCE_CAP and p not in tp.pages:
                    tp.pages.append(p)
    cookies = []
    for c in session.exec(select(CookieObservation).where(
            CookieObservation.scan_id == scan_id, CookieObservation.property == sp.property
            ).order_by(CookieObservation.name, CookieObservation.domain)).all():
        mt = m.match_cookie(c.name)
        if mt is None and c.party == "third":
            mt = m.match_host(c.domain.lstrip("."))
        cookies.append((c, mt.target if mt else None))
    storage = []
    for st in session.exec(select(StorageObservation).where(
            StorageObservation.scan_id == scan_id, StorageObservation.property == sp.property
            ).order_by(StorageObservation.origin, StorageObservation.key)).all():
        mt = m.match_storage(st.key)
        if mt is None and st.party == "third":
            mt = m.match_host(host_of(st.origin))
        storage.append((st, mt.target if mt else None))
    sdks = []
    for sd in session.exec(select(SdkObservation).where(
            SdkObservation.scan_id == scan_id, SdkObservation.property == sp.property
            ).order_by(SdkObservation.sdk_id)).all():
        mt = m.match_sdk(sd.sdk_id)
        sdks.append((sd, mt.target if mt else None))
    tps = sorted(groups.values(), key=lambda t: (t.domain, t.service or "", t.provider or ""))
    pm = PropertyMatches(sp.property, sp.kind, sp.platform, sp.status, tps, cookies, storage, sdks)
    by_provider: dict[str, set[str]] = defaultdict(set)
    for sid in pm.services:
        pid = idx.provider_of_service(sid)
        if pid is not None:
            by_provider[pid].add(sid)
    for tp in tps:
        if tp.provider is not None:
            tp.supports = sorted(by_provider.get(tp.provider, set()))
    return pm


def match_scan(session: Session, idx: RegistryIndex, scan_id: int) -> list[PropertyMatches]:
    props = session.exec(select(ScanProperty).where(ScanProperty.scan_id == scan_id)
                         .order_by(col(ScanProperty.id))).all()
    return [match_property(session, idx, scan_id, sp) for sp in props]


def sdk_key(sdk_id: str) -> str:
    return f"sdk:{sdk_id}"


def _merge_list(old: list[Any], new: list[Any], cap: int = EVIDENCE_CAP) -> list[Any]:
    out = list(old)
    for x in new:
        if x not in out and len(out) < cap:
            out.append(x)
    return out


def update_findings(session: Session, idx: RegistryIndex, scan: Scan,
                    matches: list[PropertyMatches]) -> dict[str, Finding]:
    """Create or refresh a Finding for every unmatched third-party domain and tracking-looking SDK."""
    when = scan.started_at
    evidence: dict[str, dict[str, Any]] = defaultdict(dict)
    kinds: dict[str, str] = {}
    providers: dict[str, set[str]] = defaultdict(set)  # finding key → provider ids
    candidates: dict[str, set[str]] = defaultdict(set)
    for pm in matches:
        unmatched_domains = {tp.domain for tp in pm.third_parties if tp.needs_review}
        for tp in pm.third_parties:
            if not tp.needs_review:
                continue
            ev = evidence[tp.domain]
            kinds[tp.domain] = "domain" if valid_domain_key(tp.domain) else "invalid"
            if tp.provider is not None:
                providers[tp.domain].add(tp.provider)
                candidates[tp.domain] |= set(idx.candidates(tp.provider, tp.domain,
                                                            platform_of(pm.kind)))
            ev.setdefault("properties", [])
            if pm.name not in ev["properties"]:
                ev["properties"].append(pm.name)
            ev["hosts"] = sorted(set(ev.get("hosts", [])) | tp.hosts)
            ev["pages"] = _merge_list(ev.get("pages", []), tp.pages)
            ev["sample_urls"] = _merge_list(ev.get("sample_urls", []), tp.sample_urls)
            ev["param_names"] = sorted(set(ev.get("param_names", [])) | tp.param_names)[:100]
            ev["devices"] = sorted(set(ev.get("devices", [])) | tp.devices)
            ev["requests"] = ev.get("requests", 0) + tp.requests
            if tp.leaks:
                ev["personal_data"] = sorted(set(ev.get("personal_data", [])) | tp.leaks)
            ev["after_consent_only"] = ev.get("after_consent_only", True) and (
                tp.before_consent == 0 and tp.after_consent > 0)
        for c, svc in pm.cookies:
            if svc is None and c.party == "third":
                dom = _registrable(c.domain)
                if dom in unmatched_domains:
                    ev = evidence[dom]
                    ev["cookies"] = _merge_list(ev.get("cookies", []),
                                                [{"name": c.name, "domain": c.domain,
                                                  "set_by": c.set_by}])
        for st, svc in pm.storage:
            if svc is None and st.party == "third":
                dom = _registrable(host_of(st.origin))
                if dom in unmatched_domains:
                    ev = evidence[dom]
                    ev["storage"] = _merge_list(ev.get("storage", []),
                                                [{"origin": st.origin, "kind": st.kind,
                                                  "key": st.key}])
        for sd, svc in pm.sdks:
            if svc is None and sd.hint:
                key = sdk_key(sd.sdk_id)
                kinds[key] = "sdk"
                ev = evidence[key]
                ev["properties"] = _merge_list(ev.get("properties", []), [pm.name])
                ev["sdk"] = {"id": sd.sdk_id, "version": sd.version, "ecosystem": sd.ecosystem,
                             "manifest": sd.manifest, "hint": sd.hint}
    out: dict[str, Finding] = {}
    for key in sorted(evidence):
        ev = evidence[key]
        f = session.exec(select(Finding).where(Finding.key == key)).first()
        suggestion = idx.suggester.suggest(key) if kinds[key] == "domain" else None
        if providers.get(key):
            ev["provider"] = provider_evidence(idx, sorted(providers[key]),
                                               sorted(candidates[key]))
            suggestion = provider_suggestion(idx, ev["provider"], suggestion)
        if f is None:
            f = Finding(key=key, kind=kinds[key], status="pending", first_seen=when,
                        last_seen=when, first_scan_id=scan.id, last_scan_id=scan.id,
                        evidence=ev, suggestion=suggestion)
        else:
            merged = dict(f.evidence or {})
            for k, v in ev.items():
                if isinstance(v, list) and isinstance(merged.get(k), list):
                    merged[k] = _merge_list(merged[k], v, cap=100)
                else:
                    merged[k] = v
            f.evidence = merged
            if when >= f.last_seen:
                f.last_seen, f.last_scan_id = when, scan.id
            f.suggestion = suggestion or f.suggestion
            if f.status == "assigned":
                # its rule no longer matches (rule removed): it needs a person again
                f.status = "pending"
        session.add(f)
        out[key] = f
    session.flush()
    return out


def platform_of(kind: str) -> str:
    """The registry platform (ServiceSpec.platforms) a property of this kind is seen on."""
    return "app" if kind == "app" else "web"


def provider_evidence(idx: RegistryIndex, provider_ids: list[str],
                      candidates: list[str]) -> dict[str, Any]:
    """What a finding keeps about a provider-level match: who, and which services it may be."""
    pid = provider_ids[0]
    return {"id": pid, "name": idx.provider_label(pid), "name_ja": idx.provider_label(pid, "ja"),
            "others": provider_ids[1:], "candidates": candidates}


def provider_suggestion(idx: RegistryIndex, prov: dict[str, Any],
                        broad: dict[str, Any] | None) -> dict[str, Any]:
    """A suggestion naming the provider (from the registry) and its candidate services.

    The registry's provider wins over a broad source's company; the broad source's category is
    kept as a hint.
    """
    return {"company": prov["name"], "name": prov["name"], "provider": prov["id"],
            "candidates": list(prov["candidates"]),
            "category": (broad or {}).get("category"),
            "homepage": (broad or {}).get("homepage"), "source": "registry-provider"}


def _registrable(host: str) -> str:
    return registrable_domain(host.lstrip("."))


def finding_status(session: Session, keys: set[str]) -> dict[str, Finding]:
    if not keys:
        return {}
    rows = session.exec(select(Finding).where(col(Finding.key).in_(sorted(keys)))).all()
    return {f.key: f for f in rows}


@dataclass(frozen=True)
class Naming:
    """Who a host is attributed to, and how sure: a service, only its provider, or a suggestion."""

    how: str  # service | provider | suggestion | unknown
    company: str | None
    service: str | None = None
    provider: str | None = None


def name_host(idx: RegistryIndex, host: str) -> Naming:
    """The name a reviewer (or a public row) gets for a request to host, best source first.

    A service rule names the service and its provider; a provider's shared domain names the
    provider; otherwise the broad suggestion (third-party-web, with curated corrections) names a
    company; otherwise nothing.
    """
    mt = idx.matcher.match_host(host.lower())
    if mt is not None and mt.target in idx.services:
        pid = idx.services[mt.target].provider_id
        return Naming("service", idx.provider_label(pid), mt.target, pid)
    provider = idx.provider_of_host(host)
    if provider is not None:
        return Naming("provider", idx.provider_label(provider), None, provider)
    sg = idx.suggester.suggest(host)
    if sg is not None:
        return Naming("suggestion", sg.get("company"))
    return Naming("unknown", None)
