"""The review workflow: decisions on findings, recorded append-only with who, when and why.

assign → the finding's domain (or SDK id) gets a match rule for an existing service, so the
next scan matches it on its own; new-service → a service is created from a YAML file and
assigned; ignore / first-party → kept off the public lists; undo → the last decision on a
finding is reverted (its rules and the listings it created are removed) and the undo recorded.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from pydantic import ValidationError
from sqlmodel import Session, col, select

from registry.identify import match_property
from registry.index import build_index
from registry.listings import sync_listings
from registry.loader import _validation_error, rule_problem, spec_rules
from registry.models import Decision, Finding, Listing, ListingEvent, MatchRule, Provider, Service
from registry.schema import ProviderSpec, RegistryFile, ServiceSpec
from scanner.errors import GaibuError, InputError
from scanner.models import Scan, ScanProperty
from scanner.store import utcnow
from scanner.yamlloc import load_located

RULE_KINDS = ("domain", "host", "url_prefix", "cookie", "storage", "sdk")


def reviewer(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        return os.environ.get("USER", "unknown")


def get_finding(session: Session, key: str) -> Finding:
    """A finding by key (domain or 'sdk:<id>') or by its number."""
    f = None
    if key.isdigit():
        f = session.get(Finding, int(key))
    if f is None:
        f = session.exec(select(Finding).where(Finding.key == key.strip().lower())).first()
    if f is None:
        f = session.exec(select(Finding).where(Finding.key == key.strip())).first()
    if f is None:
        keys = [k for k in session.exec(select(Finding.key)).all()]
        import difflib
        close = difflib.get_close_matches(key, keys, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else "; see: gaibu review list"
        raise GaibuError(f"no finding {key!r}{hint}")
    return f


def _record(session: Session, f: Finding, action: str, by: str, reason: str | None,
            new_status: str, service_id: str | None = None, rule_ids: list[int] | None = None,
            listing_ids: list[int] | None = None, undoes: int | None = None) -> Decision:
    assert f.id is not None
    d = Decision(finding_id=f.id, action=action, service_id=service_id, reason=reason, by=by,
                 at=utcnow(), previous_status=f.status, new_status=new_status, undoes=undoes,
                 rule_ids=rule_ids or [], listing_ids=listing_ids or [])
    f.status = new_status
    f.service_id = service_id if new_status == "assigned" else None
    session.add(f)
    session.add(d)
    session.flush()
    return d


def _parse_rule(spec: str | None, f: Finding) -> tuple[str, str]:
    """The rule a decision adds: --rule KIND:PATTERN, else the finding's own domain or SDK id.

    Checked like a registry file's ``match:`` (rule_problem), so `registry export` of the result
    always loads back."""
    if spec is None:
        if f.kind == "sdk":
            kind, pattern = "sdk", f.key[len("sdk:"):]
        else:
            kind, pattern = "domain", f.key
        problem = None if f.kind != "invalid" else "it is not a valid host name"
        problem = problem or rule_problem(kind, pattern)
        if problem:
            raise GaibuError(f"finding {f.key!r} cannot become a match rule: {problem}; give "
                             "--rule KIND:PATTERN (e.g. host:px.example.com) or use "
                             "`gaibu review ignore` with a reason")
        return kind, pattern
    kind, _, pattern = spec.partition(":")
    if kind not in RULE_KINDS or not pattern.strip():
        raise GaibuError(f"--rule {spec!r}: expected KIND:PATTERN with KIND one of "
                         f"{', '.join(RULE_KINDS)} (e.g. host:px.example.com)")
    pattern = pattern.strip() if kind == "url_prefix" else pattern.strip().lower() \
        if kind in ("domain", "host") else pattern.strip()
    problem = rule_problem(kind, pattern)
    if problem:
        raise GaibuError(f"--rule {spec!r}: {problem}")
    return kind, pattern


def _shared_domains(session: Session) -> dict[str, str]:
    """Every provider's shared domain (``Provider.domains``) → the provider's name."""
    return {d: p.name_en for p in session.exec(select(Provider)).all() for d in (p.domains or [])}


def assign_rules(session: Session, spec: str | None, f: Finding) -> list[tuple[str, str]]:
    """The match rules an assignment adds.

    A provider-level finding (its domain is one a provider shares among its services) never
    gets a rule on the whole shared domain: without ``--rule`` it gets ``host:`` rules for the
    hosts it was seen on, except hosts the registry itself lists as shared, since a rule there
    would put the service on every list where any of the provider's services is used.
    """
    shared = _shared_domains(session)
    if spec is None and f.kind == "domain" and (f.evidence or {}).get("provider"):
        hosts = sorted(set((f.evidence or {}).get("hosts") or []))
        own = [h for h in hosts if h not in shared]
        if not own:
            owner = (f.evidence or {})["provider"].get("name") or "one provider"
            raise GaibuError(f"{f.key}: {', '.join(hosts)} {'is' if len(hosts) == 1 else 'are'} "
                             f"shared by {owner}'s services, so a rule there would list the "
                             "service wherever any of them is used; give --rule "
                             "(e.g. host:HOST or url_prefix:https://HOST/PATH) if you mean it")
        return [("host", h) for h in own]
    kind, pattern = _parse_rule(spec, f)
    if kind == "domain":
        covered = sorted(d for d in shared if d == pattern or d.endswith("." + pattern))
        if covered:
            raise GaibuError(f"rule domain:{pattern} would take every host of {covered[0]}, "
                             f"which {shared[covered[0]]} shares among its services; "
                             "give a narrower --rule host:HOST or url_prefix:https://HOST/PATH")
    return [(kind, pattern)]


def _add_rule(session: Session, service_id: str, kind: str, pattern: str) -> list[int]:
    clash = session.exec(select(MatchRule).where(MatchRule.kind == kind,
                                                 MatchRule.pattern == pattern)).all()
    for r in clash:
        if r.service_id != service_id:
            raise GaibuError(f"rule {kind}:{pattern} already identifies {r.service_id!r}; "
                             "choose a narrower rule with --rule")
        return []  # already there
    rule = MatchRule(service_id=service_id, kind=kind, pattern=pattern, source="review")
    session.add(rule)
    session.flush()
    assert rule.id is not None
    return [rule.id]


def _relist(session: Session, f: Finding, removal_after: int) -> list[int]:
    """Apply the new rule to the latest scan of each property the finding was seen on."""
    props = (f.evidence or {}).get("properties") or []
    created: list[int] = []
    idx = build_index(session)
    for prop in props:
        sp = session.exec(select(ScanProperty).join(Scan, col(Scan.id) == col(ScanProperty.scan_id))
                          .where(ScanProperty.property == prop)
                          .order_by(col(ScanProperty.scan_id).desc())).first()
        if sp is None:
            continue
        scan = session.get(Scan, sp.scan_id)
        assert scan is not None
        before = {lst.id for lst in session.exec(select(Listing).where(Listing.property == prop))}
        pm = match_property(session, idx, sp.scan_id, sp)
        # only additions here: absences are judged by scans, not by review decisions
        sync_listings(session, scan, [pm], removal_after, when=utcnow(), count_misses=False)
        after = session.exec(select(Listing).where(Listing.property == prop)).all()
        created += [lst.id for lst in after if lst.id not in before and lst.id is not None]
    return created


def _refuse_invalid(f: Finding) -> None:
    if f.kind == "invalid":
        raise GaibuError(f"finding {f.key!r} is not a valid host name (recorded as seen, e.g. "
                         "from a malformed HAR entry); no rule can identify it: use `gaibu review "
                         "ignore` with a reason")


def assign(session: Session, key: str, service_id: str, by: str | None, reason: str | None = None,
           rule: str | None = None, removal_after: int = 3) -> Decision:
    f = get_finding(session, key)
    _refuse_invalid(f)
    if session.get(Service, service_id) is None:
        raise GaibuError(f"no service {service_id!r} in the registry; create it with "
                         f"`gaibu review new-service {f.key} --file SERVICE.yaml`")
    if f.status == "assigned" and f.service_id == service_id:
        raise GaibuError(f"{f.key} is already assigned to {service_id}")
    rule_ids: list[int] = []
    for kind, pattern in assign_rules(session, rule, f):
        rule_ids += _add_rule(session, service_id, kind, pattern)
    d = _record(session, f, "assign", reviewer(by), reason, "assigned", service_id, rule_ids)
    d.listing_ids = _relist(session, f, removal_after)
    session.add(d)
    return d


def ignore(session: Session, key: str, reason: str, by: str | None) -> Decision:
    if not reason or not reason.strip():
        raise GaibuError("ignore needs --reason (why this third party is not disclosed)")
    f = get_finding(session, key)
    return _record(session, f, "ignore", reviewer(by), reason.strip(), "ignored")


def first_party(session: Session, key: str, by: str | None, reason: str | None = None) -> Decision:
    f = get_finding(session, key)
    return _record(session, f, "first_party", reviewer(by), reason, "first_party")


def read_service_file(path: Path) -> tuple[ProviderSpec | None, ServiceSpec]:
    """A service YAML: one ServiceSpec mapping, or a registry file with one service (+ provider)."""
    doc = load_located(path)
    data = doc.data
    prefix: tuple[str | int, ...]
    if not isinstance(data, dict):
        raise InputError(str(path), "1", "expected a mapping describing one service")
    try:
        if "services" in data or "providers" in data:
            rf = RegistryFile.model_validate(data)
            if len(rf.services) != 1:
                raise InputError(str(path), None, f"expected exactly one service, found {len(rf.services)}")
            prov, spec, prefix = (rf.providers[0] if rf.providers else None, rf.services[0],
                                  ("services", 0))
        else:
            prov, spec, prefix = None, ServiceSpec.model_validate(data), ()
    except ValidationError as e:
        raise _validation_error(str(path), doc, e) from None
    # the same lint as the seed and `registry check`: a vague or http:// public text is refused
    from registry.check import lint_file_service
    for problem in lint_file_service(doc, spec.model_dump(), prefix):
        if problem.level == "error":
            raise InputError(problem.where, None, problem.message)
    return prov, spec


def new_service(session: Session, key: str, file: Path, by: str | None, reason: str | None = None,
                removal_after: int = 3) -> Decision:
    prov, spec = read_service_file(file)
    return new_service_from_spec(session, key, prov, spec, by, reason, removal_after, str(file))


def new_service_from_spec(session: Session, key: str, prov: ProviderSpec | None,
                          spec: ServiceSpec, by: str | None, reason: str | None = None,
                          removal_after: int = 3, file: str = "service") -> Decision:
    """Create the service ``spec`` (and its provider when given and new), assign the finding."""
    f = get_finding(session, key)
    _refuse_invalid(f)
    if session.get(Service, spec.id) is not None:
        raise GaibuError(f"{file}: service {spec.id!r} already exists; use "
                         f"`gaibu review assign {f.key} --service {spec.id}`")
    if prov is not None:
        if prov.id != spec.provider:
            raise InputError(str(file), None, f"service provider {spec.provider!r} does not match "
                             f"the provider defined in the file ({prov.id!r})")
        if session.get(Provider, prov.id) is None:
            session.add(Provider(id=prov.id, name_ja=prov.name_ja, name_en=prov.name_en,
                                 country=prov.country, privacy_policy_url=prov.privacy_policy_url,
                                 source="review"))
    elif session.get(Provider, spec.provider) is None:
        raise InputError(str(file), None, f"provider {spec.provider!r} is not in the registry; "
                         "add a providers: entry to the file")
    session.add(Service(
        id=spec.id, provider_id=spec.provider, name_ja=spec.name_ja, name_en=spec.name_en,
        category=spec.category, platforms=list(spec.platforms),
        information_ja=list(spec.information_ja), information_en=list(spec.information_en),
        purpose_ja=spec.purpose_ja, purpose_en=spec.purpose_en,
        recipient_use_ja=spec.recipient_use_ja, recipient_use_en=spec.recipient_use_en,
        privacy_policy_url=spec.privacy_policy_url, opt_out_url=spec.opt_out_url,
        opt_out_ja=spec.opt_out_ja, opt_out_en=spec.opt_out_en, source="review",
        stop=spec.stop.model_dump(exclude_none=True) if spec.stop else None,
        texts={k: getattr(spec, k).model_dump(exclude_none=True)
               for k in ("web", "app", "webview") if getattr(spec, k) is not None},
        exemption_candidate=spec.exemption_candidate, notes=spec.notes))
    session.flush()
    rule_ids: list[int] = []
    for kind, pattern in spec_rules(spec.match):
        rule_ids += _add_rule(session, spec.id, kind, pattern)
    own = set(spec_rules(spec.match))
    if f.kind == "domain" and (f.evidence or {}).get("provider"):
        # a provider's shared domain: the file's own rules, else the observed hosts
        defaults = [] if own else assign_rules(session, None, f)
    else:
        defaults = [_parse_rule(None, f)]
    for default_kind, default_pattern in defaults:
        if (default_kind, default_pattern) not in own:
            rule_ids += _add_rule(session, spec.id, default_kind, default_pattern)
    d = _record(session, f, "new_service", reviewer(by), reason, "assigned", spec.id, rule_ids)
    d.listing_ids = _relist(session, f, removal_after)
    session.add(d)
    return d


def undo(session: Session, decision_id: int, by: str | None, reason: str | None = None) -> Decision:
    d = session.get(Decision, decision_id)
    if d is None:
        raise GaibuError(f"no decision #{decision_id}; see `gaibu review show KEY`")
    if d.action == "undo":
        raise GaibuError(f"decision #{decision_id} is itself an undo; decide again instead")
    if session.exec(select(Decision).where(Decision.undoes == decision_id)).first():
        raise GaibuError(f"decision #{decision_id} was already undone")
    later = session.exec(select(Decision).where(Decision.finding_id == d.finding_id,
                                                col(Decision.id) > decision_id)).all()
    if any(x.action != "undo" and not _undone(session, x.id) for x in later):
        raise GaibuError(f"decision #{decision_id} is not the latest on its finding; undo the "
                         "later ones first")
    f = session.get(Finding, d.finding_id)
    assert f is not None
    for rid in d.rule_ids or []:
        r = session.get(MatchRule, rid)
        if r is not None:
            session.delete(r)
    for lid in d.listing_ids or []:
        lst = session.get(Listing, lid)
        if lst is not None:
            for ev in session.exec(select(ListingEvent).where(
                    ListingEvent.property == lst.property,
                    ListingEvent.service_id == lst.service_id)):
                session.delete(ev)
            session.delete(lst)
    session.flush()
    restored_service = None
    if d.previous_status == "assigned":
        prev = session.exec(select(Decision).where(Decision.finding_id == f.id,
                                                   col(Decision.id) < decision_id,
                                                   Decision.new_status == "assigned")
                            .order_by(col(Decision.id).desc())).first()
        restored_service = prev.service_id if prev else None
    nd = Decision(finding_id=f.id, action="undo", service_id=restored_service,  # type: ignore[arg-type]
                  reason=reason, by=reviewer(by), at=utcnow(), previous_status=f.status,
                  new_status=d.previous_status, undoes=decision_id)
    f.status = d.previous_status
    f.service_id = restored_service
    session.add(f)
    session.add(nd)
    session.flush()
    return nd


def _undone(session: Session, decision_id: int | None) -> bool:
    return session.exec(select(Decision).where(Decision.undoes == decision_id)).first() is not None


def history(session: Session, f: Finding) -> list[Decision]:
    return list(session.exec(select(Decision).where(Decision.finding_id == f.id)
                             .order_by(col(Decision.id))).all())
