"""`gaibu diff`: third parties and cookies that appeared or disappeared per property between scans."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from scanner.errors import GaibuError
from scanner.models import CookieObservation, HostObservation, Scan, ScanProperty


def pick_scans(session: Session, from_id: int | None, to_id: int | None) -> tuple[Scan, Scan]:
    if from_id is not None and to_id is not None:
        a, b = session.get(Scan, from_id), session.get(Scan, to_id)
        for sid, s in ((from_id, a), (to_id, b)):
            if s is None:
                raise GaibuError(f"no scan {sid}")
        return a, b  # type: ignore[return-value]
    complete = session.exec(select(Scan).where(Scan.status == "complete")
                            .order_by(col(Scan.id).desc())).all()
    if to_id is not None:
        b = session.get(Scan, to_id)
        if b is None:
            raise GaibuError(f"no scan {to_id}")
        earlier = [s for s in complete if s.id is not None and s.id < to_id]
        if not earlier:
            raise GaibuError(f"no complete scan before scan {to_id} to compare with")
        return earlier[0], b
    if from_id is not None:
        a = session.get(Scan, from_id)
        if a is None:
            raise GaibuError(f"no scan {from_id}")
        later = [s for s in complete if s.id is not None and s.id > from_id]
        if not later:
            raise GaibuError(f"no complete scan after scan {from_id} to compare with")
        return a, later[0]  # the latest complete scan
    if len(complete) < 2:
        raise GaibuError(f"diff needs two complete scans; this database has {len(complete)} "
                         "(name them with --from and --to)")
    return complete[1], complete[0]


def _state(session: Session, scan_id: int) -> dict[str, dict[str, set[Any]]]:
    out: dict[str, dict[str, set[Any]]] = {}
    for sp in session.exec(select(ScanProperty).where(ScanProperty.scan_id == scan_id)):
        out[sp.property] = {"third_parties": set(), "hosts": set(), "cookies": set()}
    # columns only: the observations' JSON evidence is not needed here
    for prop, domain, host in session.exec(
            select(HostObservation.property, HostObservation.domain, HostObservation.host)
            .where(HostObservation.scan_id == scan_id, HostObservation.party == "third")):
        st = out.setdefault(prop, {"third_parties": set(), "hosts": set(), "cookies": set()})
        st["third_parties"].add(domain)
        st["hosts"].add(host)
    for prop, name, domain in session.exec(
            select(CookieObservation.property, CookieObservation.name, CookieObservation.domain)
            .where(CookieObservation.scan_id == scan_id)):
        st = out.setdefault(prop, {"third_parties": set(), "hosts": set(), "cookies": set()})
        st["cookies"].add((name, domain))
    return out


def diff_scans(engine: Engine, from_id: int | None = None, to_id: int | None = None
               ) -> dict[str, Any]:
    with Session(engine) as s:
        a, b = pick_scans(s, from_id, to_id)
        assert a.id is not None and b.id is not None
        old, new = _state(s, a.id), _state(s, b.id)
    props = []
    for name in sorted(set(old) | set(new)):
        o = old.get(name)
        n = new.get(name)
        entry: dict[str, Any] = {"name": name, "in_from": o is not None, "in_to": n is not None}
        o = o or {"third_parties": set(), "hosts": set(), "cookies": set()}
        n = n or {"third_parties": set(), "hosts": set(), "cookies": set()}
        for key in ("third_parties", "hosts"):
            entry[key] = {"added": sorted(n[key] - o[key]), "removed": sorted(o[key] - n[key])}
        entry["cookies"] = {
            "added": [{"name": x, "domain": d} for x, d in sorted(n["cookies"] - o["cookies"])],
            "removed": [{"name": x, "domain": d} for x, d in sorted(o["cookies"] - n["cookies"])]}
        props.append(entry)
    return {"from": {"id": a.id, "status": a.status}, "to": {"id": b.id, "status": b.status},
            "properties": props}


def format_diff(d: dict[str, Any]) -> str:
    lines = [f"scan {d['from']['id']} ({d['from']['status']}) → scan {d['to']['id']} ({d['to']['status']})"]
    changed = False
    for p in d["properties"]:
        parts = []
        for label, key in (("third party", "third_parties"), ("host", "hosts")):
            for x in p[key]["added"]:
                parts.append(f"  + {label} {x}")
            for x in p[key]["removed"]:
                parts.append(f"  - {label} {x}")
        for c in p["cookies"]["added"]:
            parts.append(f"  + cookie {c['name']} ({c['domain']})")
        for c in p["cookies"]["removed"]:
            parts.append(f"  - cookie {c['name']} ({c['domain']})")
        if not p["in_from"]:
            parts.insert(0, "  (not in the earlier scan)")
        if not p["in_to"]:
            parts.insert(0, "  (not in the later scan)")
        if parts:
            changed = True
            lines.append(f"{p['name']}:")
            lines.extend(parts)
    if not changed:
        lines.append("no change")
    return "\n".join(lines)
