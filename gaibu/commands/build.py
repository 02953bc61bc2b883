"""`gaibu build`: the reviewed registry and the sticky listings → site_generator's Disclosure → pages.

This is where a match becomes a table row: each listed (property, service) pair becomes a
ServiceRow with the service's texts, its provider, and the hosts or SDKs it was seen on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import TemplateError, TemplateSyntaxError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from registry.identify import PropertyMatches, match_property
from registry.index import RegistryIndex, build_index
from registry.models import Listing, ListingEvent, Provider, Service
from scanner.config import Targets
from scanner.errors import GaibuError, InputError
from scanner.models import Scan, ScanProperty
from site_generator.model import ChangeEvent, Company, Disclosure, PropertyList, ServiceRow

JST = ZoneInfo("Asia/Tokyo")


def jst_date(dt: datetime | None) -> date | None:
    """The calendar date in Japan of a stored UTC timestamp (what the public pages show)."""
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(JST).date()


def reason_texts(code: str | None, removal_after: int) -> tuple[str | None, str | None]:
    if not code:
        return None, None
    if code == "detected":
        return ("スキャンで送信を確認したため追加しました。",
                "Added because a scan observed the transmission.")
    if code == "detected_again":
        return ("再び送信を確認したため、一覧に戻しました。",
                "Added back because a scan observed the transmission again.")
    if code.startswith("not_detected"):
        n = code.partition(":")[2] or str(removal_after)
        return (f"{n}回続けて、すべてのページを確認できたスキャンで送信が見つからなかったため削除しました。",
                f"Removed after {n} consecutive complete scans without this transmission.")
    if code.startswith("decision:"):
        text = code.partition(":")[2]
        return (f"担当者の判断により削除しました（{text}）。", f"Removed by decision ({text}).")
    return code, code


class _Destinations:
    """Hosts (web) or SDK ids and hosts (apps) a service was seen on, from the scan that last saw it."""

    def __init__(self, session: Session, idx: RegistryIndex) -> None:
        self.session = session
        self.idx = idx
        self.cache: dict[tuple[int, str], PropertyMatches] = {}

    def __call__(self, prop: str, scan_id: int | None, service_id: str) -> tuple[str, ...]:
        if scan_id is None:
            return ()
        key = (scan_id, prop)
        if key not in self.cache:
            sp = self.session.exec(select(ScanProperty).where(ScanProperty.scan_id == scan_id,
                                                              ScanProperty.property == prop)).first()
            if sp is None:
                return ()
            self.cache[key] = match_property(self.session, self.idx, scan_id, sp)
        pm = self.cache[key]
        out: set[str] = set()
        for tp in pm.third_parties:
            if tp.service == service_id:
                out |= tp.hosts
        for sd, svc in pm.sdks:
            if svc == service_id:
                out.add(sd.sdk_id)
        return tuple(sorted(out))


def disclosure_from_db(engine: Engine, targets: Targets) -> Disclosure:
    site = targets.site
    company = Company(name_ja=targets.company.name_ja, name_en=targets.company.name_en,
                      contact_url=site.contact_url, contact_email=site.contact_email,
                      policy_url=site.policy_url,
                      base_url=str(site.base_url) if site.base_url else None)
    with Session(engine) as s:
        idx = build_index(s)
        services = {sv.id: sv for sv in s.exec(select(Service)).all()}
        providers = {p.id: p for p in s.exec(select(Provider)).all()}
        dest = _Destinations(s, idx)
        lists = []
        titles = {p.name: p for p in targets.properties}
        for p in targets.properties:
            rows = []
            for lst in s.exec(select(Listing).where(Listing.property == p.name,
                                                    Listing.state == "listed")
                              .order_by(Listing.service_id)).all():
                sv = services.get(lst.service_id)
                if sv is None:
                    continue
                pv = providers.get(sv.provider_id)
                rows.append(ServiceRow(
                    service_id=sv.id, name_ja=sv.name_ja, name_en=sv.name_en,
                    provider_ja=pv.name_ja if pv else sv.provider_id,
                    provider_en=pv.name_en if pv else sv.provider_id,
                    category=sv.category, information_ja=tuple(sv.information_ja or ()),
                    information_en=tuple(sv.information_en or ()), purpose_ja=sv.purpose_ja,
                    purpose_en=sv.purpose_en, recipient_use_ja=sv.recipient_use_ja,
                    recipient_use_en=sv.recipient_use_en,
                    privacy_policy_url=sv.privacy_policy_url or (pv.privacy_policy_url if pv else None),
                    opt_out_url=sv.opt_out_url, opt_out_ja=sv.opt_out_ja, opt_out_en=sv.opt_out_en,
                    destinations=dest(p.name, lst.last_seen_scan_id, sv.id),
                    first_listed=jst_date(lst.first_listed_at) or date(1970, 1, 1)))
            last_event = s.exec(select(ListingEvent).where(ListingEvent.property == p.name)
                                .order_by(col(ListingEvent.at).desc())).first()
            last_complete = s.exec(
                select(Scan).join(ScanProperty, col(ScanProperty.scan_id) == col(Scan.id))
                .where(ScanProperty.property == p.name, ScanProperty.status == "complete",
                       Scan.source == "crawl")
                .order_by(col(Scan.id).desc())).first()
            lists.append(PropertyList(
                name=p.name, kind=p.kind, platform=p.platform, title_ja=p.title_ja,
                title_en=p.title_en, urls=tuple(p.urls), rows=tuple(rows),
                last_changed=jst_date(last_event.at) if last_event else None,
                last_checked=jst_date(last_complete.finished_at or last_complete.started_at)
                if last_complete else None))
        changes = []
        for ev in s.exec(select(ListingEvent).order_by(col(ListingEvent.at),
                                                       col(ListingEvent.id))).all():
            prop = titles.get(ev.property)
            sv = services.get(ev.service_id)
            if prop is None or sv is None:
                continue
            pv = providers.get(sv.provider_id)
            rja, ren = reason_texts(ev.reason, site.removal_after_scans)
            changes.append(ChangeEvent(
                on=jst_date(ev.at) or date(1970, 1, 1), property=prop.name,
                property_title_ja=prop.title_ja, property_title_en=prop.title_en,
                service_name_ja=sv.name_ja, service_name_en=sv.name_en,
                provider_ja=pv.name_ja if pv else sv.provider_id,
                provider_en=pv.name_en if pv else sv.provider_id,
                action=ev.action, reason_ja=rja, reason_en=ren, service_id=sv.id))
    return Disclosure(company=company, properties=tuple(lists), changes=tuple(changes),
                      removal_after_scans=site.removal_after_scans)


def build(engine: Engine, targets: Targets, out: Path | None,
          protect: tuple[Path, ...] = ()) -> tuple[Path, list[Path]]:
    from site_generator.build import BuildError, build_site

    out_dir = out or targets.resolve(targets.site.out)
    templates = targets.resolve(targets.site.templates_dir) if targets.site.templates_dir else None
    d = disclosure_from_db(engine, targets)
    try:
        files = build_site(d, out_dir, templates, protect=protect)
    except TemplateSyntaxError as e:
        raise InputError(e.filename or e.name or "template", str(e.lineno),
                         f"template syntax error: {e.message}") from None
    except TemplateError as e:
        file, line = _template_frame(e)
        raise InputError(file, line, f"template error: {e}; the previous site in {out_dir} "
                         "is unchanged") from None
    except BuildError as e:
        raise GaibuError(f"build failed: {e}; nothing in {out_dir} was changed") from None
    return out_dir, files


def _template_frame(e: BaseException) -> tuple[str, str | None]:
    """The template file and line a Jinja runtime error happened in (from the traceback)."""
    import traceback

    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.endswith((".html", ".css", ".j2")):
            return frame.filename, str(frame.lineno)
    return "template", None
