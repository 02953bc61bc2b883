"""Review use cases: the findings queue, one finding's evidence, and decisions on it.

The CLI (`gaibu review …`) and the console call these functions; neither runs SQL of its own.
A decision is recorded by ``registry.review`` (append-only ``Decision`` rows); this module adds
what both faces need around it: one transaction per decision, the optimistic version check that
turns two reviewers deciding the same finding at once into a clear conflict for the second, and
typed results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from registry.models import FINDING_STATUSES, Decision, Finding, Service, finding_summary
from scanner.errors import GaibuError

Action = Literal["assign", "ignore", "first_party", "new_service", "undo"]
ACTIONS: tuple[str, ...] = ("assign", "ignore", "first_party", "new_service", "undo")


class Conflict(GaibuError):
    """Somebody else decided on the finding since it was shown; nothing was changed."""


@dataclass(frozen=True)
class FindingRow:
    id: int
    key: str
    kind: str
    status: str
    service_id: str | None
    first_seen: datetime
    last_seen: datetime
    properties: tuple[str, ...]
    hosts: tuple[str, ...]
    devices: tuple[str, ...]
    pages_count: int
    reach: int  # pages × properties: what the queue is sorted by
    after_consent_only: bool
    suggestion: dict[str, Any] | None
    version: int


@dataclass(frozen=True)
class QueueFilter:
    status: str = "pending"  # a FINDING_STATUSES value or "all"
    property: str | None = None
    category: str | None = None  # the suggestion's category
    device: str | None = None
    phase: str | None = None  # "before" (sent before consent) | "after" (only after consent)
    q: str | None = None  # substring of the key or a host


@dataclass
class Queue:
    rows: list[FindingRow]
    counts: dict[str, int] = field(default_factory=dict)  # status → number of findings
    total: int = 0  # rows matching the filter (rows holds at most the limit)


def _row(f: Finding) -> FindingRow:
    return _row_of(f.id, f.key, f.kind, f.status, f.service_id, f.first_seen, f.last_seen,
                   f.version, f.reach, f.summary, f.evidence, f.suggestion)


def _row_of(fid: int | None, key: str, kind: str, status: str, service_id: str | None,
            first_seen: datetime, last_seen: datetime, version: int | None, reach: int | None,
            summary: dict[str, Any] | None, evidence: dict[str, Any] | None = None,
            suggestion: dict[str, Any] | None = None) -> FindingRow:
    if summary is None or reach is None:  # a row written before summaries existed
        reach, summary = finding_summary(evidence, suggestion)
    assert fid is not None
    company, category = summary.get("company"), summary.get("category")
    return FindingRow(
        id=fid, key=key, kind=kind, status=status, service_id=service_id,
        first_seen=first_seen, last_seen=last_seen,
        properties=tuple(summary.get("properties") or ()),
        hosts=tuple(summary.get("hosts") or ()), devices=tuple(summary.get("devices") or ()),
        pages_count=int(summary.get("pages") or 1), reach=reach,
        after_consent_only=bool(summary.get("after_consent_only")),
        suggestion=suggestion if suggestion is not None else (
            {"company": company, "category": category} if company or category else None),
        version=version or 0)


def queue(engine: Engine, flt: QueueFilter = QueueFilter(), limit: int = 500) -> Queue:
    """Findings matching ``flt``, widest reach first, and the number of findings per status.

    Reads only the summary columns (never the full evidence) and builds rows only for the ones
    shown, so a queue of thousands stays fast.
    """
    if flt.status != "all" and flt.status not in FINDING_STATUSES:
        raise GaibuError(f"status {flt.status!r}: expected one of {', '.join(FINDING_STATUSES)}, all")
    cols = (Finding.id, Finding.key, Finding.kind, Finding.status, Finding.service_id,
            Finding.first_seen, Finding.last_seen, Finding.version, Finding.reach,
            Finding.summary)
    rows: list[FindingRow] = []
    total = 0
    with Session(engine) as s:
        counts = {st: n for st, n in s.exec(
            select(Finding.status, func.count()).group_by(Finding.status)).all()}
        q = select(*cols)  # type: ignore[call-overload]
        if flt.status != "all":
            q = q.where(Finding.status == flt.status)
        for rec in s.exec(q.order_by(col(Finding.reach).desc(), Finding.key)).all():
            summary = rec[-1]
            if summary is None or rec[-2] is None:  # written before summaries existed
                f = s.get(Finding, rec[0])
                assert f is not None
                reach, summary = finding_summary(f.evidence, f.suggestion)
                rec = (*rec[:-2], reach, summary)
            if not _keep(rec[1], summary, flt):
                continue
            total += 1
            if len(rows) < limit:
                rows.append(_row_of(*rec))
    rows.sort(key=lambda r: (-r.reach, r.key))
    return Queue(rows, {st: counts.get(st, 0) for st in FINDING_STATUSES}, total=total)


def _keep(key: str, summary: dict[str, Any], flt: QueueFilter) -> bool:
    if flt.property and flt.property not in (summary.get("properties") or ()):
        return False
    if flt.device and flt.device not in (summary.get("devices") or ()):
        return False
    if flt.category and summary.get("category") != flt.category:
        return False
    after = bool(summary.get("after_consent_only"))
    if (flt.phase == "after" and not after) or (flt.phase == "before" and after):
        return False
    if flt.q:
        needle = flt.q.strip().lower()
        if needle not in key and not any(needle in h for h in summary.get("hosts") or ()):
            return False
    return True


def pending_by_property(engine: Engine) -> dict[str, list[str]]:
    """Keys of the pending findings per property they were seen on (the publication gate)."""
    out: dict[str, list[str]] = {}
    with Session(engine) as s:
        for fid, key, summary in s.exec(select(Finding.id, Finding.key, Finding.summary)
                                        .where(Finding.status == "pending")).all():
            if summary is None:
                f = s.get(Finding, fid)
                assert f is not None
                summary = finding_summary(f.evidence, f.suggestion)[1]
            for p in summary.get("properties") or ["?"]:
                out.setdefault(p, []).append(key)
    return {p: sorted(keys) for p, keys in out.items()}


@dataclass(frozen=True)
class DecisionRow:
    id: int
    action: str
    service_id: str | None
    reason: str | None
    by: str
    at: datetime
    previous_status: str
    new_status: str
    undoes: int | None
    undone: bool


@dataclass
class FindingDetail:
    finding: FindingRow
    evidence: dict[str, Any]
    decisions: list[DecisionRow]
    similar: list[tuple[str, str]]  # (service id, name) of services that may be the same vendor


def detail(engine: Engine, key: str) -> FindingDetail:
    from registry.review import get_finding, history

    with Session(engine) as s:
        f = get_finding(s, key)
        hist = history(s, f)
        undone = {d.undoes for d in hist if d.undoes}
        decisions = [DecisionRow(d.id or 0, d.action, d.service_id, d.reason, d.by, d.at,
                                 d.previous_status, d.new_status, d.undoes, d.id in undone)
                     for d in hist]
        similar = _similar(s, f)
        return FindingDetail(_row(f), dict(f.evidence or {}), decisions, similar)


def _similar(s: Session, f: Finding) -> list[tuple[str, str]]:
    """Services whose name or provider resembles the suggestion's company or the key's label."""
    words = set()
    sug = f.suggestion or {}
    for w in (sug.get("company") or "", sug.get("provider") or ""):
        words |= {x.lower() for x in str(w).replace(",", " ").split() if len(x) > 2}
    label = f.key.split(":")[-1].split(".")[0]
    if len(label) > 2:
        words.add(label.lower())
    if not words:
        return []
    out = []
    for sv in s.exec(select(Service).order_by(Service.id)).all():
        hay = f"{sv.id} {sv.name_en} {sv.provider_id}".lower()
        if any(w in hay for w in words):
            out.append((sv.id, sv.name_ja))
    return out[:10]


@dataclass(frozen=True)
class DecisionResult:
    decision_id: int
    finding_key: str
    action: str
    previous_status: str
    new_status: str
    service_id: str | None
    rules_added: int
    listings_added: int


def decide(engine: Engine, action: str, key: str, *, by: str | None, reason: str | None = None,
           service_id: str | None = None, rule: str | None = None,
           service_file: Path | None = None, decision_id: int | None = None,
           expected_version: int | None = None, removal_after: int = 3) -> DecisionResult:
    """Record one decision in its own transaction.

    ``expected_version`` is the finding's version the reviewer saw; when another decision was
    recorded since, ``Conflict`` is raised and nothing changes. ``None`` (the CLI) skips the check.
    For ``undo``, ``decision_id`` names the decision to revert (``key`` may be empty).
    """
    from registry import review as rv

    if action not in ACTIONS:
        raise GaibuError(f"unknown action {action!r}; expected one of {', '.join(ACTIONS)}")
    with Session(engine) as s:
        if action == "undo":
            if decision_id is None:
                raise GaibuError("undo needs the decision number")
            d0 = s.get(Decision, decision_id)
            if d0 is None:
                raise GaibuError(f"no decision #{decision_id}; see `gaibu review show KEY`")
            f = s.get(Finding, d0.finding_id)
        else:
            f = rv.get_finding(s, key)
        assert f is not None and f.id is not None
        # compare-and-set first, so the row is locked (PostgreSQL) or the database is
        # (SQLite) for the rest of this transaction; a concurrent decision waits, then fails
        cas = "UPDATE finding SET version = COALESCE(version, 0) + 1 WHERE id = :id"
        params: dict[str, Any] = {"id": f.id}
        if expected_version is not None:
            cas += " AND COALESCE(version, 0) = :v"
            params["v"] = expected_version
        if s.connection().execute(text(cas), params).rowcount != 1:
            s.rollback()
            raise Conflict(f"{f.key} was decided by someone else in the meantime; reload it to "
                           "see the current state (nothing was changed)")
        s.refresh(f)
        try:
            if action == "assign":
                if not service_id:
                    raise GaibuError("assign needs a service")
                d = rv.assign(s, f.key, service_id, by, reason, rule, removal_after=removal_after)
            elif action == "ignore":
                d = rv.ignore(s, f.key, reason or "", by)
            elif action == "first_party":
                d = rv.first_party(s, f.key, by, reason)
            elif action == "new_service":
                if service_file is None:
                    raise GaibuError("new-service needs a service file")
                d = rv.new_service(s, f.key, service_file, by, reason, removal_after=removal_after)
            else:
                assert decision_id is not None
                d = rv.undo(s, decision_id, by, reason)
            s.commit()
        except BaseException:
            s.rollback()
            raise
        assert d.id is not None
        return DecisionResult(d.id, f.key, d.action, d.previous_status, d.new_status,
                              d.service_id, len(d.rule_ids or []), len(d.listing_ids or []))

