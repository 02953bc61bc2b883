"""The JSON report of a scan (DESIGN.md contract, fields documented in README.md "JSON report")
and its summary table.

Per property: `status` (complete | partial | failed | interrupted), `pages_visited` (page loads
attempted, one per URL and device), `pages_failed` (loads that failed: timeout, crash, DNS,
aborted — a page answering 404/500 is visited, with its `status` in `pages`), `coverage`
((visited − failed) / visited, 3 decimals; null when no page was attempted) and `min_coverage`
(the threshold the scan applied; null for properties without pages to crawl).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from gaibu.safe import printable
from registry.identify import (
    PropertyMatches,
    ThirdParty,
    finding_status,
    match_scan,
    platform_of,
    provider_suggestion,
    sdk_key,
)
from registry.index import RegistryIndex, build_index
from registry.observed import ParamTable, load_param_table, published_information
from scanner.config import Targets
from scanner.models import PageVisit, Scan, ScanProperty, coverage_of

SCHEMA_VERSION = 1


def iso(dt: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, seconds precision."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def coverage_value(sp: ScanProperty) -> float | None:
    """The coverage of one property's scan, rounded to 3 decimals (what reports show)."""
    cov = coverage_of(sp)
    return None if cov is None else round(cov, 3)


def coverage_text(cov: float | None) -> str:
    return "–" if cov is None else f"{cov * 100:.1f}%"


def personal_data(leaks: Any) -> list[dict[str, str]]:
    """The test identity found (scanner/leaks.py): which kind, how encoded, where — never the value."""
    out = []
    for item in sorted(leaks or ()):
        kind, _, rest = str(item).partition(":")
        encoding, _, location = rest.partition(":")
        out.append({"kind": kind, "encoding": encoding, "location": location})
    return out


def property_report(session: Session, idx: RegistryIndex, scan_id: int, pm: PropertyMatches,
                    sp: ScanProperty, params: ParamTable | None = None) -> dict[str, Any]:
    keys = {tp.domain for tp in pm.third_parties if tp.needs_review}
    keys |= {sdk_key(sd.sdk_id) for sd, svc in pm.sdks if svc is None}
    findings = finding_status(session, keys)

    def status_for(key: str) -> str:
        f = findings.get(key)
        if f is None or f.status == "assigned":
            return "pending"
        return f.status

    pages = session.exec(select(PageVisit).where(PageVisit.scan_id == scan_id,
                                                 PageVisit.property == pm.name)
                         .order_by(col(PageVisit.id))).all()
    tps = []
    for tp in pm.third_parties:
        f = findings.get(tp.domain) if tp.needs_review else None
        candidates = (idx.candidates(tp.provider, tp.domain, platform_of(pm.kind))
                      if tp.provider and tp.needs_review else [])
        suggestion = None
        if tp.needs_review:
            suggestion = f.suggestion if f is not None and f.suggestion else None
            if suggestion is None and tp.provider:
                suggestion = provider_suggestion(idx, {
                    "id": tp.provider, "name": idx.provider_label(tp.provider),
                    "candidates": candidates}, idx.suggester.suggest(tp.domain))
            elif suggestion is None:
                suggestion = idx.suggester.suggest(tp.domain)
        tps.append({
            "domain": tp.domain, "hosts": sorted(tp.hosts), "requests": tp.requests,
            "service": tp.service,
            "provider": (idx.provider_name(tp.service) if tp.service
                         else idx.provider_label(tp.provider)),
            "provider_id": (idx.provider_of_service(tp.service) if tp.service else tp.provider),
            "status": ("listed" if tp.service else "supporting" if tp.supports
                       else status_for(tp.domain)),
            "supports": list(tp.supports), "candidates": candidates,
            "suggestion": suggestion,
            "after_consent_only": tp.before_consent == 0 and tp.after_consent > 0,
            "devices": sorted(tp.devices), "param_names": sorted(tp.param_names),
            "resource_types": sorted(tp.resource_types), "rules": sorted(tp.rules),
            "frames": sorted(tp.frames), "statuses": sorted(tp.statuses),
            "information_observed": _information(idx, params, pm.kind, tp),
            "personal_data": personal_data(tp.leaks),
        })
    cookies = [{
        "name": c.name, "domain": c.domain, "path": c.path, "party": c.party, "set_by": c.set_by,
        "service": svc, "session": c.session,
        "expires": iso(datetime.fromtimestamp(c.expires, UTC)) if c.expires else None,
        "secure": c.secure, "http_only": c.http_only, "same_site": c.same_site,
        "after_consent_only": c.after_consent_only, "devices": c.devices or [],
        "personal_data": personal_data(c.leaks or []),
    } for c, svc in pm.cookies]
    storage = [{"origin": st.origin, "kind": st.kind, "key": st.key, "party": st.party,
                "service": svc, "after_consent_only": st.after_consent_only}
               for st, svc in pm.storage]
    sdks = []
    libraries = 0
    for sd, svc in pm.sdks:
        if svc is None and not sd.hint:
            libraries += 1
            continue
        sdks.append({"id": sd.sdk_id, "version": sd.version, "ecosystem": sd.ecosystem,
                     "manifest": sd.manifest, "service": svc,
                     "provider": idx.provider_name(svc),
                     "status": "listed" if svc else status_for(sdk_key(sd.sdk_id)),
                     "hint": sd.hint})
    return {
        "name": pm.name, "kind": pm.kind, "platform": pm.platform, "status": sp.status,
        "pages_visited": sp.pages_visited, "pages_failed": sp.pages_failed,
        "coverage": coverage_value(sp), "min_coverage": sp.min_coverage,
        "pages": [{"url": p.url, "final_url": p.final_url, "status": p.status, "error": p.error,
                   "error_kind": p.error_kind, "device": p.device, "depth": p.depth,
                   "consent_clicked": p.consent_clicked, "notes": p.notes or [],
                   "redirect_chain": p.redirect_chain or []} for p in pages],
        "third_parties": tps, "cookies": cookies, "storage": storage, "sdks": sdks,
        "libraries": libraries,
    }


def _information(idx: RegistryIndex, params: ParamTable | None, kind: str, tp: ThirdParty
                 ) -> list[dict[str, Any]]:
    """Kinds of information the parameter names carried; ``published``: whether the service's
    information_ja mentions each (null for an unidentified third party)."""
    if params is None:
        return []
    sv = idx.services.get(tp.service) if tp.service else None
    info = published_information(sv.information_ja, sv.texts, kind) if sv else None
    return [{**o.as_dict(), "published": params.mentioned(o.id, info) if info is not None else None}
            for o in params.observe(tp.service, tp.hosts, tp.param_names)]


def build_report(engine: Engine, scan_id: int, targets: Targets | None = None) -> dict[str, Any]:
    with Session(engine) as session:
        scan = session.get(Scan, scan_id)
        if scan is None:
            raise KeyError(scan_id)
        idx = build_index(session)
        matches = match_scan(session, idx, scan_id)
        sps = {sp.property: sp for sp in session.exec(
            select(ScanProperty).where(ScanProperty.scan_id == scan_id)).all()}
        extra = targets.resolve(targets.registry_dir) if targets and targets.registry_dir else None
        params = load_param_table(extra)
        props = [property_report(session, idx, scan_id, pm, sps[pm.name], params)
                 for pm in matches]
        return {
            "schema_version": SCHEMA_VERSION,
            "scan": {"id": scan.id, "status": scan.status, "started_at": iso(scan.started_at),
                     "finished_at": iso(scan.finished_at), "source": scan.source,
                     "tool_version": scan.tool_version, "error": scan.error},
            "properties": props,
        }


def print_summary(report: dict[str, Any], console: Console) -> None:
    scan = report["scan"]
    table = Table(title=Text(printable(f"scan {scan['id']}: {scan['status']}")),
                  title_justify="left")
    for heading in ("property", "status", "pages", "failed", "coverage", "third parties", "listed",
                    "pending", "cookies", "storage", "SDKs"):
        table.add_column(heading, justify="right" if heading not in ("property", "status") else "left")
    for p in report["properties"]:
        tps = p["third_parties"]
        cells = (p["name"], p["status"], str(p["pages_visited"]), str(p["pages_failed"]),
                 coverage_text(p.get("coverage")), str(len(tps)),
                 str(sum(1 for t in tps if t["status"] == "listed")),
                 str(sum(1 for t in tps + p["sdks"] if t["status"] == "pending")),
                 str(len(p["cookies"])), str(len(p["storage"])), str(len(p["sdks"])))
        # crawled and user text: never Rich markup, never raw control characters
        table.add_row(*(Text(printable(c)) for c in cells))
    console.print(table)
    for p in report["properties"]:
        failed = [pg for pg in p["pages"] if pg["error"]]
        for pg in failed[:10]:
            console.print(printable(f"  {p['name']}: {pg['device']} {pg['url']} — {pg['error']}"),
                          markup=False, highlight=False)
        if len(failed) > 10:
            console.print(f"  … and {len(failed) - 10} more failed pages (see --json)")
        http = [pg for pg in p["pages"] if not pg["error"] and (pg["status"] or 0) >= 400]
        if http:
            console.print(f"  {p['name']}: {len(http)} page load(s) answered with an HTTP error "
                          "status (visited, their transmissions recorded): "
                          + ", ".join(f"{pg['status']} {pg['url']}" for pg in http[:5])
                          + (" …" if len(http) > 5 else ""), markup=False, highlight=False)
        cov, need = p.get("coverage"), p.get("min_coverage")
        start_failed = any(pg["error"] and pg["depth"] == 0 for pg in p["pages"])
        if p["status"] == "partial" and cov is not None and need is not None:
            if start_failed:
                why = "a start URL did not load"
            elif cov < need:
                why = f"coverage {coverage_text(cov)} < min_coverage {coverage_text(need)}"
            else:
                why = "an input file could not be read"
            console.print(f"  {p['name']}: partial: {why}; a partial scan neither confirms "
                          "最終確認日 nor removes services", markup=False, highlight=False)
    print_information(report, console)
    print_personal_data(report, console)


KIND_LABELS = {"email": "e-mail address", "phone": "phone number", "member_id": "member id"}


def print_personal_data(report: dict[str, Any], console: Console) -> None:
    """One warning line per third party (or cookie) that received the test identity."""
    for p in report["properties"]:
        items = [(t["service"] or t["domain"], t.get("personal_data") or [])
                 for t in p["third_parties"]]
        items += [(f"cookie {c['name']} ({c['domain']})", c.get("personal_data") or [])
                  for c in p["cookies"] if c["party"] == "third"]
        for who, found in items:
            if not found:
                continue
            how = ", ".join(f"{KIND_LABELS.get(x['kind'], x['kind'])} ({x['encoding']}, in the "
                            f"{x['location']})" for x in found)
            console.print(printable(f"  {p['name']}: PERSONAL DATA: {who} received the test "
                                    f"account's {how}"),
                          markup=False, highlight=False, soft_wrap=True)


def _names(params: list[str], limit: int = 6) -> str:
    return ", ".join(params[:limit]) + (f" … {len(params) - limit} more" if len(params) > limit else "")


def print_information(report: dict[str, Any], console: Console) -> None:
    """Per service, the information its parameters carried; kinds its published text omits first."""
    for p in report["properties"]:
        for t in p["third_parties"]:
            seen = t.get("information_observed") or []
            if not seen:
                continue
            who = t["service"] or t["domain"]
            missing = [o for o in seen if o["published"] is False]
            console.print(printable(f"  {p['name']}: {who} received "
                                    + "、".join(f"{o['ja']} ({_names(o['params'])})" for o in seen)),
                          markup=False, highlight=False, soft_wrap=True)
            for o in missing:
                console.print(printable(f"  {p['name']}: warning: {who} received 「{o['ja']}」 "
                                        f"({_names(o['params'])}) but its published 送信される情報 "
                                        "does not mention it"),
                              markup=False, highlight=False, soft_wrap=True)
