"""`gaibu build`: the reviewed registry and the sticky listings → site_generator's Disclosure → pages.

This is where a match becomes a table row: each listed (property, service) pair becomes a
ServiceRow with the service's texts *for the platform it is sent on* (web, app, or an app's
in-app web view — registry/texts.py), its 送信の停止・制限の方法 (``stop``), its provider and
country, and the facts of the company's own scans: hosts or SDKs, cookie names, whether it
was seen only after consent and only on some page groups. A listed row whose service has no
wording for its platform or no ``stop`` fails the build (RowError) with every such row named.
制定日 (``Company.established``) is stored in the database on the first successful build.

Publication gate (`publication_check`): the pages are a legal statement, so nothing unreviewed
is published as if it were complete. While findings of a property are pending, `build` refuses
(the CLI exits 3 and names them per property) unless `allow_pending=True`; then those
properties' pages show that review is in progress and claim no 最終確認日. 最終確認日 is the
date of the last complete crawl of a property that has no pending finding at build time. The
console's publish button calls the same functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from jinja2 import TemplateError, TemplateSyntaxError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from registry.identify import EVIDENCE_CAP, PropertyMatches, match_property
from registry.index import RegistryIndex, build_index
from registry.models import Finding, Listing, ListingEvent, Provider, Publication, Service
from registry.texts import has_wording, resolve, row_problem
from scanner.config import Targets
from scanner.errors import GaibuError, InputError
from scanner.models import PageVisit, Scan, ScanProperty
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
        return ("当社の調査で送信を確認したため追加しました。",
                "Added because our check observed the transmission.")
    if code == "detected_again":
        return ("再び送信を確認したため、一覧に戻しました。",
                "Added back because a scan observed the transmission again.")
    if code.startswith("not_detected"):
        n = code.partition(":")[2] or str(removal_after)
        return (f"対象ページをひととおり確認し終えた当社の調査で、{n}回続けて送信が見つからなかったため削除しました。",
                f"Removed after {n} consecutive complete checks (nearly every page) without this transmission.")
    if code.startswith("decision:"):
        text = code.partition(":")[2]
        return (f"担当者の判断により削除しました（{text}）。", f"Removed by decision ({text}).")
    return code, code


PAGE_GROUP_CAP = 6  # more groups than this: shown as "not limited" (the row would say little)


def page_group(url: str, groups: Sequence[Any] = ()) -> tuple[str, str]:
    """(ja, en) label of a page: the first of the property's `page_groups:` whose `path` regex
    matches (求人詳細 / Job details), else its first path segment (/jobs/123 → /jobs/), or /."""
    path = urlsplit(url).path or "/"
    for g in groups:
        if re.search(g.path, path):
            return g.name_ja, g.name_en or g.name_ja
    first = path.strip("/").split("/", 1)[0]
    label = f"/{first}/" if first and "/" in path.strip("/") else (f"/{first}" if first else "/")
    return label, label


@dataclass
class RowFacts:
    """What the company's own scans say about one service on one property."""

    destinations: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()
    after_consent_only: bool = False
    page_groups: tuple[tuple[str, str], ...] = ()  # (ja, en) labels
    channel: str = "web"


class _Evidence:
    """Facts per (property, service) from the scans that saw it (hosts, SDKs, cookies, pages)."""

    def __init__(self, session: Session, idx: RegistryIndex,
                 page_groups: dict[str, Sequence[Any]] | None = None) -> None:
        self.session = session
        self.idx = idx
        self.page_groups = page_groups or {}  # property → its targets.yaml page_groups
        self.cache: dict[tuple[int, str], PropertyMatches | None] = {}
        self.pages: dict[tuple[int, str], set[str]] = {}
        self.consent: dict[tuple[int, str], set[str]] = {}

    def matches(self, prop: str, scan_id: int) -> PropertyMatches | None:
        key = (scan_id, prop)
        if key not in self.cache:
            sp = self.session.exec(select(ScanProperty).where(ScanProperty.scan_id == scan_id,
                                                              ScanProperty.property == prop)).first()
            self.cache[key] = None if sp is None else match_property(self.session, self.idx,
                                                                    scan_id, sp)
        return self.cache[key]

    def visited(self, prop: str, scan_id: int) -> set[str]:
        """URLs (as requested and as finally loaded) of the pages a crawl visited."""
        key = (scan_id, prop)
        if key not in self.pages:
            urls: set[str] = set()
            for v in self.session.exec(select(PageVisit).where(PageVisit.scan_id == scan_id,
                                                               PageVisit.property == prop)):
                urls.add(v.url)
                if v.final_url:
                    urls.add(v.final_url)
            self.pages[key] = urls
        return self.pages[key]

    def consent_pages(self, prop: str, scan_id: int) -> set[str]:
        """Pages on which the crawler clicked the consent button (seen before and after it)."""
        key = (scan_id, prop)
        if key not in self.consent:
            urls: set[str] = set()
            for v in self.session.exec(select(PageVisit).where(
                    PageVisit.scan_id == scan_id, PageVisit.property == prop,
                    col(PageVisit.consent_clicked).is_(True))):
                urls.add(v.url)
                if v.final_url:
                    urls.add(v.final_url)
            self.consent[key] = urls
        return self.consent[key]

    def app_channel(self, pm: PropertyMatches, prop: str, scan_id: int, service: Service) -> str:
        """How an app sends to the service: ``app`` (the app itself: an SDK in a manifest, a
        request in a HAR capture) or ``webview`` (only from web pages the app shows).

        Requests from crawled ``webviews:`` pages are webview. A HAR entry whose page is an
        http(s) URL may come from a web view or from the app (capture tools differ), so it
        counts as webview only for a service that has no app wording but has web wording."""
        if any(svc == service.id for _, svc in pm.sdks):
            return "app"
        tps = [tp for tp in pm.third_parties if tp.service == service.id]
        if not tps or not all(tp.pages for tp in tps):
            return "app"
        pages = {u for tp in tps for u in tp.pages}
        visited = self.visited(prop, scan_id)
        if visited and pages <= visited:
            return "webview"
        if (all(urlsplit(u).scheme in ("http", "https") for u in pages)
                and not has_wording(service, "app") and has_wording(service, "web")):
            return "webview"
        return "app"

    def __call__(self, prop: str, kind: str, scan_id: int | None, service: Service) -> RowFacts:
        service_id = service.id
        channel = "web" if kind == "web" else "app"
        if scan_id is None:
            return RowFacts(channel=channel)
        pm = self.matches(prop, scan_id)
        if pm is None:
            return RowFacts(channel=channel)
        if kind == "app":
            channel = self.app_channel(pm, prop, scan_id, service)
        dests: set[str] = set()
        pages: set[str] = set()
        before = after = 0
        for tp in pm.third_parties:
            if tp.service == service_id:
                dests |= tp.hosts
                pages |= set(tp.pages)
                before += tp.before_consent
                after += tp.after_consent
        for sd, svc in pm.sdks:
            if svc == service_id:
                dests.add(sd.sdk_id)
        cookies = sorted({c.name for c, svc in pm.cookies if svc == service_id})
        # "only after consent" needs a page where the service could have been seen before the
        # click: later pages of a consented browser only ever show "after"
        consent_only = (after > 0 and before == 0
                        and bool(pages & self.consent_pages(prop, scan_id)))
        groups: tuple[tuple[str, str], ...] = ()
        visited = self.visited(prop, scan_id) if channel in ("web", "webview") else set()
        if pages and len(pages) < EVIDENCE_CAP and visited:
            named = self.page_groups.get(prop, ())
            all_groups = {page_group(u, named) for u in visited}
            seen_groups = {page_group(u, named) for u in pages}
            if seen_groups < all_groups and len(seen_groups) <= PAGE_GROUP_CAP:
                groups = tuple(sorted(seen_groups))
        return RowFacts(destinations=tuple(sorted(dests)), cookies=tuple(cookies),
                        after_consent_only=consent_only, page_groups=groups, channel=channel)


class RowError(GaibuError):
    """A listed row cannot be published (no wording for its platform, no stop method)."""


def _established(s: Session) -> date | None:
    row = s.get(Publication, "established")
    return date.fromisoformat(row.value) if row else None


def record_established(engine: Engine, on: date) -> None:
    """Store 制定日 on the first successful build; later builds never change it."""
    with Session(engine) as s:
        if s.get(Publication, "established") is None:
            s.add(Publication(key="established", value=on.isoformat()))
            s.commit()


def disclosure_from_db(engine: Engine, targets: Targets, today: date | None = None) -> Disclosure:
    site = targets.site
    tc = targets.company
    contact = tc.lists_contact
    with Session(engine) as s:
        established = _established(s) or today or datetime.now(JST).date()
    company = Company(name_ja=tc.name_ja, name_en=tc.name_en,
                      contact_url=site.contact_url, contact_email=site.contact_email,
                      policy_url=site.policy_url,
                      base_url=str(site.base_url) if site.base_url else None,
                      consent_settings_url=str(tc.consent_settings_url)
                      if tc.consent_settings_url else None,
                      lists_contact_ja=contact.name_ja if contact else None,
                      lists_contact_en=contact.name_en if contact else None,
                      lists_contact_url=str(contact.url) if contact and contact.url else None,
                      lists_contact_email=contact.email if contact else None,
                      established=established)
    problems: list[str] = []
    with Session(engine) as s:
        idx = build_index(s)
        services = {sv.id: sv for sv in s.exec(select(Service)).all()}
        providers = {p.id: p for p in s.exec(select(Provider)).all()}
        evidence = _Evidence(s, idx, {p.name: p.page_groups for p in targets.properties})
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
                facts = evidence(p.name, p.kind, lst.last_seen_scan_id, sv)
                problem = row_problem(sv, facts.channel)
                if problem:
                    problems.append(f"{p.name}: service {sv.id} {problem}")
                    continue
                tx = resolve(sv, facts.channel)
                assert tx is not None and tx.stop is not None
                rows.append(ServiceRow(
                    service_id=sv.id, name_ja=sv.name_ja, name_en=sv.name_en,
                    provider_ja=pv.name_ja if pv else sv.provider_id,
                    provider_en=pv.name_en if pv else sv.provider_id,
                    category=sv.category, information_ja=tx.information_ja,
                    information_en=tx.information_en, purpose_ja=tx.purpose_ja,
                    purpose_en=tx.purpose_en, recipient_use_ja=tx.recipient_use_ja,
                    recipient_use_en=tx.recipient_use_en,
                    privacy_policy_url=sv.privacy_policy_url or (pv.privacy_policy_url if pv else None),
                    stop_kind=tx.stop.kind, stop_url=tx.stop.url, stop_ja=tx.stop.text_ja,
                    stop_en=tx.stop.text_en, destinations=facts.destinations,
                    first_listed=jst_date(lst.first_listed_at) or date(1970, 1, 1),
                    channel=facts.channel, cookies=facts.cookies,
                    after_consent_only=facts.after_consent_only,
                    page_groups=tuple(ja for ja, _ in facts.page_groups),
                    page_groups_en=tuple(en for _, en in facts.page_groups),
                    country=pv.country if pv else None))
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
    if problems:
        raise RowError("build failed: listed rows cannot be published; the previous site is "
                       "unchanged:\n  " + "\n  ".join(problems))
    try:
        return Disclosure(company=company, properties=tuple(lists), changes=tuple(changes),
                          removal_after_scans=site.removal_after_scans)
    except ValueError as e:
        raise RowError(f"build failed: {e}; the previous site is unchanged") from None


@dataclass(frozen=True)
class PendingFinding:
    """A finding not yet reviewed that a property's traffic (or manifest) produced."""

    key: str  # 'example-tracker.com' or 'sdk:com.example:analytics'
    kind: str  # domain | sdk
    hosts: tuple[str, ...] = ()
    suggestion: str | None = None  # 'Mouseflow (analytics)' when the suggester knows it


@dataclass(frozen=True)
class PublicationCheck:
    """What stands between the reviewed registry and a publication that claims completeness."""

    pending: dict[str, tuple[PendingFinding, ...]] = field(default_factory=dict)  # property → …

    @property
    def ok(self) -> bool:
        return not self.pending

    @property
    def count(self) -> int:
        return len({f.key for fs in self.pending.values() for f in fs})

    def lines(self) -> list[str]:
        """One line per property: `property: key (hosts; suggestion), …`."""
        out = []
        for prop, fs in self.pending.items():
            items = []
            for f in fs:
                extra = ", ".join(f.hosts[:3]) + (" …" if len(f.hosts) > 3 else "")
                if f.suggestion:
                    extra = f"{extra}; suggested: {f.suggestion}" if extra else f"suggested: {f.suggestion}"
                items.append(f"{f.key} ({extra})" if extra else f.key)
            out.append(f"{prop}: {', '.join(items)}")
        return out


def publication_check(engine: Engine, targets: Targets) -> PublicationCheck:
    """Pending findings per property of targets.yaml (in targets order, keys sorted).

    A pending finding the registry now identifies (its SDK, or every host it was seen on,
    matches a rule: e.g. the vendor was added to registry_dir) no longer blocks: the next scan
    lists it like any known service."""
    from registry.index import rules_from_db
    from registry.matcher import Matcher

    names = [p.name for p in targets.properties]
    found: dict[str, list[PendingFinding]] = {n: [] for n in names}
    with Session(engine) as s:
        matcher = Matcher(rules_from_db(s))
        for f in s.exec(select(Finding).where(Finding.status == "pending")
                        .order_by(col(Finding.key))).all():
            ev = f.evidence or {}
            if f.kind == "sdk":
                known = matcher.match_sdk(f.key.removeprefix("sdk:")) is not None
            else:
                known = all(matcher.match_host(h) is not None for h in ev.get("hosts") or [f.key])
            if known:
                continue
            sug = f.suggestion or {}
            label = None
            if sug.get("company"):
                label = f"{sug['company']} ({sug['category']})" if sug.get("category") else str(sug["company"])
            pf = PendingFinding(key=f.key, kind=f.kind, hosts=tuple(ev.get("hosts") or ()),
                                suggestion=label)
            for prop in ev.get("properties") or ():
                if prop in found:
                    found[prop].append(pf)
    return PublicationCheck({n: tuple(fs) for n, fs in found.items() if fs})


@dataclass(frozen=True)
class BuildResult:
    """`build`'s outcome: `published` is False when the gate refused (nothing was written)."""

    check: PublicationCheck
    out_dir: Path
    files: tuple[Path, ...] = ()
    published: bool = False

    @property
    def review_in_progress(self) -> tuple[str, ...]:
        """Properties published with pending findings (--allow-pending)."""
        return tuple(self.check.pending) if self.published else ()

    def __iter__(self) -> Iterator[Any]:
        """`out_dir, files = build(...)`, as callers of the earlier tuple result wrote it; such a
        caller must check `publication_check()` first (an unpublished result has no files)."""
        return iter((self.out_dir, list(self.files)))


def published_problems(engine: Engine, targets: Targets) -> list[str]:
    """Lint errors (registry.check.lint_service) of every service a build would publish."""
    from registry.check import lint_service, service_data

    names = {p.name for p in targets.properties}
    problems: list[str] = []
    with Session(engine) as s:
        ids = sorted({lst.service_id for lst in s.exec(
            select(Listing).where(Listing.state == "listed")).all() if lst.property in names})
        for sid in ids:
            sv = s.get(Service, sid)
            if sv is None:
                continue
            where = f"service {sv.id} ({sv.source})"

            def locate(_path: tuple[Any, ...], where: str = where) -> str:
                return where
            problems += [str(p) for p in lint_service(service_data(sv), locate)
                         if p.level == "error"]
    return problems


def _gate(d: Disclosure, check: PublicationCheck) -> Disclosure:
    """Properties with pending findings: no 最終確認日, marked as review in progress."""
    if check.ok:
        return d
    props = tuple(replace(p, last_checked=None, review_pending=True) if p.name in check.pending
                  else p for p in d.properties)
    return replace(d, properties=props)


def protected_paths(targets: Targets, db_url: str) -> tuple[Path, ...]:
    """What an output folder must never hold: targets.yaml, the SQLite database (and its -wal,
    -shm files) and the registry_dir (see site_generator.build: the output folder check)."""
    from gaibu.db import sqlite_path

    protect = [Path(targets.source)]
    dbfile = sqlite_path(db_url)
    if dbfile is not None:
        protect += [dbfile, Path(f"{dbfile}-wal"), Path(f"{dbfile}-shm")]
    if targets.registry_dir:
        protect.append(targets.resolve(targets.registry_dir))
    return tuple(protect)


def build(engine: Engine, targets: Targets, out: Path | None,
          allow_pending: bool = False, protect: tuple[Path, ...] = ()) -> BuildResult:
    """Render the site unless findings are pending (then `published` is False and nothing is
    written), or with `allow_pending` render it with the pending properties marked."""
    from site_generator.build import BuildError, build_site

    out_dir = out or targets.resolve(targets.site.out)
    check = publication_check(engine, targets)
    if not check.ok and not allow_pending:
        return BuildResult(check, out_dir)
    problems = published_problems(engine, targets)
    if problems:
        raise GaibuError("a public text fails the registry lint; fix the service and run "
                         "`gaibu registry check`:\n" + "\n".join(problems))
    templates = targets.resolve(targets.site.templates_dir) if targets.site.templates_dir else None
    d = _gate(disclosure_from_db(engine, targets), check)
    try:
        files = build_site(d, out_dir, templates, protect=protect)
        if d.company.established is not None:
            record_established(engine, d.company.established)
    except TemplateSyntaxError as e:
        raise InputError(e.filename or e.name or "template", str(e.lineno),
                         f"template syntax error: {e.message}") from None
    except TemplateError as e:
        file, line = _template_frame(e)
        raise InputError(file, line, f"template error: {e}; the previous site in {out_dir} "
                         "is unchanged") from None
    except BuildError as e:
        raise GaibuError(f"build failed: {e}; nothing in {out_dir} was changed") from None
    return BuildResult(check, out_dir, tuple(files), published=True)


def _template_frame(e: BaseException) -> tuple[str, str | None]:
    """The template file and line a Jinja runtime error happened in (from the traceback)."""
    import traceback

    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename.endswith((".html", ".css", ".j2")):
            return frame.filename, str(frame.lineno)
    return "template", None


def information_warnings(engine: Engine, targets: Targets) -> list[str]:
    """Listed services whose published 送信される情報 omits a kind of information their parameters
    were seen carrying in the latest scan (registry/observed.py): the text needs correcting."""
    from registry.observed import information_gaps, load_param_table, published_information

    extra = targets.resolve(targets.registry_dir) if targets.registry_dir else None
    table = load_param_table(extra)
    with Session(engine) as s:
        services = {sv.id: sv for sv in s.exec(select(Service)).all()}
        listed = {(lst.property, lst.service_id) for lst in s.exec(
            select(Listing).where(Listing.state == "listed")).all()}

        def published(sid: str, kind: str) -> list[str] | None:
            sv = services.get(sid)
            return published_information(sv.information_ja, sv.texts, kind) if sv else None

        return [str(g) for g in information_gaps(s, table, published, only=listed)]
