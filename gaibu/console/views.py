"""What the console's screens show, assembled from the database (no HTTP here, no HTML)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from gaibu.commands.review import FindingDetail, pending_by_property
from registry.categories import CATEGORIES
from registry.models import Listing, MatchRule, Provider, Service, ServiceEdit
from registry.schema import ProviderSpec, ServiceSpec
from scanner.errors import GaibuError
from scanner.models import PageVisit, Scan, ScanProperty
from scanner.store import utcnow

TEXT_FIELDS = ("name_ja", "name_en", "information_ja", "information_en", "purpose_ja",
               "purpose_en", "recipient_use_ja", "recipient_use_en", "privacy_policy_url")
LIST_FIELDS = ("information_ja", "information_en")


def _lines(v: str) -> list[str]:
    return [x.strip() for x in (v or "").splitlines() if x.strip()]


# -- dashboard ------------------------------------------------------------------------------------
def dashboard(engine: Engine, targets: Any) -> dict[str, Any]:
    props = [p.name for p in targets.properties] if targets else []
    rows = []
    pending = {p: len(keys) for p, keys in pending_by_property(engine).items()}
    with Session(engine) as s:
        listed = dict(s.exec(select(Listing.property, func.count()).where(
            Listing.state == "listed").group_by(Listing.property)).all())
        known = set(props) | {sp.property for sp in s.exec(select(ScanProperty)).all()}
        for name in sorted(known, key=lambda n: (n not in props, props.index(n) if n in props else 0, n)):
            sp = s.exec(select(ScanProperty).where(ScanProperty.property == name)
                        .order_by(col(ScanProperty.scan_id).desc())).first()
            scan = s.get(Scan, sp.scan_id) if sp else None
            attempted = (sp.pages_visited + sp.pages_failed) if sp else 0
            rows.append({
                "name": name, "scan_id": sp.scan_id if sp else None,
                "when": (scan.finished_at or scan.started_at) if scan else None,
                "status": sp.status if sp else None,
                "visited": sp.pages_visited if sp else 0, "failed": sp.pages_failed if sp else 0,
                "coverage": (sp.pages_visited / attempted) if sp and attempted else None,
                "pending": pending.get(name, 0), "listed": listed.get(name, 0)})
    diff = _cached_diff(engine)
    return {"rows": rows, "diff": diff, "total_pending": sum(pending.values())}


_DIFFS: dict[tuple[str, int, int], Any] = {}


def _cached_diff(engine: Engine) -> dict[str, Any] | None:
    """The diff of the last two complete scans; finished scans never change, so it is cached."""
    from gaibu.commands.diff import diff_scans, pick_scans

    try:
        with Session(engine) as s:
            a, b = pick_scans(s, None, None)
    except GaibuError:
        return None
    assert a.id is not None and b.id is not None
    key = (str(engine.url), a.id, b.id)
    if key not in _DIFFS:
        if len(_DIFFS) > 32:
            _DIFFS.clear()
        _DIFFS[key] = diff_scans(engine, a.id, b.id)
    return _DIFFS[key]


# -- new service form ---------------------------------------------------------------------------
def form_choices(engine: Engine) -> dict[str, Any]:
    with Session(engine) as s:
        providers = [(p.id, p.name_ja) for p in s.exec(select(Provider).order_by(Provider.id)).all()]
    return {"categories": list(CATEGORIES.items()), "providers": providers,
            "stop_kinds": ("stop", "limit", "company_setting", "unavailable")}


def service_form_defaults(d: FindingDetail) -> dict[str, str]:
    label = d.finding.key.split(":")[-1].split(".")[0].lower()
    slug = "".join(c if c.isalnum() else "-" for c in label).strip("-")[:60] or "service"
    sug = d.finding.suggestion or {}
    return {"id": slug, "provider": "", "platforms": "web", "category": sug.get("category_slug", ""),
            "version": str(d.finding.version)}


def spec_from_form(v: dict[str, str]) -> tuple[ProviderSpec | None, ServiceSpec]:
    """The registry schema applied to the form: the same validation as files get."""
    prov = None
    if v.get("new_provider_id"):
        prov = ProviderSpec.model_validate({
            "id": v.get("new_provider_id", "").strip(), "name_ja": v.get("new_provider_name_ja", ""),
            "name_en": v.get("new_provider_name_en", ""),
            "country": v.get("new_provider_country") or None,
            "privacy_policy_url": v.get("new_provider_policy") or None})
    data: dict[str, Any] = {
        "id": v.get("id", "").strip(), "provider": (prov.id if prov else v.get("provider", "")),
        "name_ja": v.get("name_ja", ""), "name_en": v.get("name_en", ""),
        "category": v.get("category", ""),
        "platforms": [p for p in ("web", "app") if v.get(f"platform_{p}")] or ["web"],
        "information_ja": _lines(v.get("information_ja", "")),
        "information_en": _lines(v.get("information_en", "")),
        "purpose_ja": v.get("purpose_ja", ""), "purpose_en": v.get("purpose_en", ""),
        "recipient_use_ja": v.get("recipient_use_ja", ""),
        "recipient_use_en": v.get("recipient_use_en", ""),
        "privacy_policy_url": v.get("privacy_policy_url") or None,
    }
    if v.get("stop_kind"):
        data["stop"] = {"kind": v["stop_kind"], "url": v.get("stop_url") or None,
                        "text_ja": v.get("stop_text_ja") or None,
                        "text_en": v.get("stop_text_en") or None}
    return prov, ServiceSpec.model_validate(data)


def validation_problems(e: ValidationError) -> list[str]:
    out = []
    for err in e.errors():
        where = ".".join(str(x) for x in err["loc"])
        out.append(f"{where}: {err['msg']}")
    return out


def lint_service(spec: ServiceSpec) -> list[str]:
    """The public-text lint of `registry check`, applied before anything is stored."""
    from registry.check import JAPANESE, VAGUE

    problems = []
    for name in ("name_ja", "purpose_ja", "recipient_use_ja"):
        text = getattr(spec, name)
        if not JAPANESE.search(text):
            problems.append(f"{name}: expected Japanese text")
        if VAGUE.search(text):
            problems.append(f"{name}: vague wording 「{VAGUE.search(text).group(1)}」: "  # type: ignore[union-attr]
                            "name the items instead")
    for item in spec.information_ja:
        if VAGUE.search(item):
            problems.append(f"information_ja: vague wording in 「{item}」: name the items instead")
    if spec.stop is None:
        problems.append("stop: choose how users can stop or limit the transmission")
    return problems


def create_service(engine: Engine, d: FindingDetail, prov: ProviderSpec | None, spec: ServiceSpec,
                   by: str, reason: str | None, version: int, removal_after: int) -> int:
    """new-service through the same decision path as the CLI (version-checked)."""
    import tempfile

    from gaibu.commands.review import decide

    payload: dict[str, Any] = {"services": [spec.model_dump(exclude_none=True, exclude_defaults=False)]}
    if prov is not None:
        payload["providers"] = [prov.model_dump(exclude_none=True)]
    with tempfile.TemporaryDirectory(prefix="gaibu-console-") as tmp:
        path = Path(tmp) / f"{spec.id}.service.yaml"
        path.write_text(yaml.safe_dump(payload, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        res = decide(engine, "new_service", str(d.finding.id), by=by, reason=reason,
                     service_file=path, expected_version=version, removal_after=removal_after)
    return res.decision_id


# -- registry -------------------------------------------------------------------------------------
def registry_list(engine: Engine, q: str) -> dict[str, Any]:
    with Session(engine) as s:
        providers = {p.id: p for p in s.exec(select(Provider)).all()}
        services = s.exec(select(Service).order_by(Service.id)).all()
        rules: dict[str, list[str]] = {}
        for r in s.exec(select(MatchRule)).all():
            rules.setdefault(r.service_id, []).append(f"{r.kind}:{r.pattern}")
    needle = q.strip().lower()
    rows = []
    for sv in services:
        pv = providers.get(sv.provider_id)
        hay = " ".join([sv.id, sv.name_ja, sv.name_en, sv.provider_id,
                        pv.name_ja if pv else "", *rules.get(sv.id, [])]).lower()
        if needle and needle not in hay:
            continue
        rows.append({"id": sv.id, "name_ja": sv.name_ja, "name_en": sv.name_en,
                     "provider": pv.name_ja if pv else sv.provider_id, "category": sv.category,
                     "source": sv.source, "rules": len(rules.get(sv.id, []))})
    return {"services": rows, "q": q}


def service_detail(engine: Engine, sid: str) -> dict[str, Any] | None:
    with Session(engine) as s:
        sv = s.get(Service, sid)
        if sv is None:
            return None
        pv = s.get(Provider, sv.provider_id)
        rules = [f"{r.kind}:{r.pattern} ({r.source})" for r in
                 s.exec(select(MatchRule).where(MatchRule.service_id == sid)
                        .order_by(MatchRule.kind, MatchRule.pattern)).all()]
        edits = s.exec(select(ServiceEdit).where(ServiceEdit.service_id == sid)
                       .order_by(col(ServiceEdit.id).desc())).all()
        listed = s.exec(select(Listing).where(Listing.service_id == sid)).all()
        values = {k: ("\n".join(getattr(sv, k) or []) if k in LIST_FIELDS else getattr(sv, k) or "")
                  for k in TEXT_FIELDS}
        return {"service": sv, "provider": pv, "rules": rules, "edits": list(edits),
                "listings": list(listed), "values": values}


def edit_service(engine: Engine, sid: str, v: dict[str, str], by: str) -> list[str]:
    """Change a service's public texts (validated like registry files); log old → new."""
    with Session(engine) as s:
        sv = s.get(Service, sid)
        if sv is None:
            return [f"no service {sid!r}"]
        try:
            expected = int(v.get("version") or -1)
        except ValueError:
            expected = -1
        current = _service_version(s, sid)
        if expected != current:
            return ["someone else changed this service in the meantime; reload to see it"]
        new: dict[str, Any] = {}
        for k in TEXT_FIELDS:
            if k not in v:
                continue
            new[k] = _lines(v[k]) if k in LIST_FIELDS else (v[k].strip() or None
                                                             if k == "privacy_policy_url"
                                                             else v[k].strip())
        spec_data: dict[str, Any] = {"id": sv.id, "provider": sv.provider_id, "category": sv.category,
                     "platforms": list(sv.platforms or ["web"])}
        for k in TEXT_FIELDS:
            spec_data[k] = new.get(k, getattr(sv, k))
        if sv.stop:
            spec_data["stop"] = sv.stop
        try:
            spec = ServiceSpec.model_validate(spec_data)
        except ValidationError as e:
            return validation_problems(e)
        # the stop/limit method is not edited here: only the texts of this form are linted
        problems = [p for p in lint_service(spec) if not p.startswith("stop:")]
        if problems:
            return problems
        now = utcnow()
        changed = False
        for k, val in new.items():
            old = getattr(sv, k)
            if (old or None) == (val or None):
                continue
            s.add(ServiceEdit(service_id=sid, field=k, old=_show(old), new=_show(val), by=by, at=now))
            setattr(sv, k, val)
            changed = True
        if changed:
            sv.source = "edited"  # registry load keeps these texts (see registry.loader)
            s.add(sv)
            s.commit()
        return []


def _show(v: Any) -> str:
    if isinstance(v, list):
        return "\n".join(str(x) for x in v)
    return "" if v is None else str(v)


def _service_version(s: Session, sid: str) -> int:
    return int(s.exec(select(func.count()).select_from(ServiceEdit)
                      .where(ServiceEdit.service_id == sid)).one())


# -- listings and scans ---------------------------------------------------------------------------
def listings(engine: Engine) -> dict[str, Any]:
    with Session(engine) as s:
        names = {sv.id: sv.name_ja for sv in s.exec(select(Service)).all()}
        rows = [{"property": x.property, "service": x.service_id,
                 "name": names.get(x.service_id, x.service_id), "state": x.state,
                 "first_listed": x.first_listed_at, "last_seen": x.last_seen_at,
                 "misses": x.misses, "removed": x.removed_at, "removed_reason": x.removed_reason}
                for x in s.exec(select(Listing).order_by(Listing.property, Listing.service_id))]
    return {"rows": rows}


def scans(engine: Engine) -> dict[str, Any]:
    with Session(engine) as s:
        rows = []
        for sc in s.exec(select(Scan).order_by(col(Scan.id).desc()).limit(200)).all():
            props = s.exec(select(ScanProperty).where(ScanProperty.scan_id == sc.id)).all()
            rows.append({"scan": sc, "properties": list(props)})
    return {"rows": rows}


def scan_detail(engine: Engine, sid: int) -> dict[str, Any] | None:
    with Session(engine) as s:
        sc = s.get(Scan, sid)
        if sc is None:
            return None
        props = s.exec(select(ScanProperty).where(ScanProperty.scan_id == sid)).all()
        pages = s.exec(select(PageVisit).where(PageVisit.scan_id == sid)
                       .order_by(PageVisit.property, PageVisit.url).limit(2000)).all()
        return {"scan": sc, "properties": list(props), "pages": list(pages)}


# -- publication ----------------------------------------------------------------------------------
def publication(engine: Engine, targets: Any) -> dict[str, Any]:
    """What the publish screen shows: the same gate as `gaibu build` (publication_check)."""
    if targets is None:
        return {"pending": {}, "out_dir": None, "has_targets": False}
    from gaibu.commands.build import publication_check

    check = publication_check(engine, targets)
    pending = {prop: [f.key for f in fs] for prop, fs in check.pending.items()}
    return {"pending": pending, "out_dir": targets.resolve(targets.site.out), "has_targets": True}


def publish(engine: Engine, targets: Any, by: str) -> str:
    """Build the public pages to site.out — refused, like `gaibu build`, while findings are pending."""
    if targets is None:
        raise GaibuError("no targets.yaml: start the console with --targets to publish")
    from gaibu.commands.build import build, protected_paths

    res = build(engine, targets, None,
                protect=protected_paths(targets, engine.url.render_as_string(hide_password=False)))
    if not res.published:
        raise GaibuError("pending findings remain: " + "; ".join(res.check.lines()))
    return f"{len(res.files)} files written to {res.out_dir} by {by} at {datetime.now():%Y-%m-%d %H:%M}"


def preview_files(engine: Engine, targets: Any) -> dict[str, bytes]:
    if targets is None:
        return {}
    from gaibu.commands.build import disclosure_from_db
    from site_generator.build import render_site

    templates = targets.resolve(targets.site.templates_dir) if targets.site.templates_dir else None
    return render_site(disclosure_from_db(engine, targets), templates)
