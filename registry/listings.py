"""Sticky public listings: which services each property's public list shows, and its change log.

A service joins a list when a scan sees the property send to it. It leaves only after
`removal_after` consecutive COMPLETE scans of that property without it, or by an explicit
decision; partial, failed and interrupted scans never remove anything. A crawl is complete when
every start URL loaded and its coverage reached min_coverage (scanner/crawl.py: crawl_status):
a 404 page or one slow page no longer makes every scan partial.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from registry.identify import PropertyMatches
from registry.models import Listing, ListingEvent, Service
from scanner.errors import GaibuError
from scanner.models import Scan


def sync_listings(session: Session, scan: Scan, matches: list[PropertyMatches],
                  removal_after: int = 3, when: datetime | None = None,
                  count_misses: bool | None = None) -> list[ListingEvent]:
    """Apply one scan's observations to the listings. Idempotent for a given scan.

    `when` dates the changes (default: the scan's start; a review decision passes its own
    time). Absences only count for full scans (`gaibu scan`), never for a single HAR or
    manifest import, and only when the property's part of the scan was complete.
    """
    assert scan.id is not None
    seen_at = scan.started_at
    when = when or scan.started_at
    if count_misses is None:
        count_misses = scan.source == "crawl"
    events: list[ListingEvent] = []
    known_services = {s for s in session.exec(select(Service.id)).all()}
    for pm in matches:
        rows = {lst.service_id: lst for lst in session.exec(
            select(Listing).where(Listing.property == pm.name)).all()}
        observed = {s for s in pm.services if s in known_services}
        for sid in sorted(observed):
            lst = rows.get(sid)
            if lst is None:
                lst = Listing(property=pm.name, service_id=sid, state="listed",
                              first_listed_at=when, first_scan_id=scan.id)
                rows[sid] = lst
                events.append(ListingEvent(property=pm.name, service_id=sid, action="added",
                                           at=when, scan_id=scan.id, reason="detected"))
            elif lst.state == "removed":
                lst.state = "listed"
                lst.removed_at = None
                lst.removed_reason = None
                events.append(ListingEvent(property=pm.name, service_id=sid, action="added",
                                           at=when, scan_id=scan.id, reason="detected_again"))
            if lst.last_seen_scan_id is None or scan.id >= lst.last_seen_scan_id:
                lst.last_seen_at, lst.last_seen_scan_id = seen_at, scan.id
                lst.misses = 0
            session.add(lst)
        if count_misses and pm.status == "complete":
            for sid, lst in sorted(rows.items()):
                if lst.last_checked_scan_id is not None and scan.id <= lst.last_checked_scan_id:
                    continue
                lst.last_checked_scan_id = scan.id
                if sid not in observed and lst.state == "listed":
                    lst.misses += 1
                    if lst.misses >= removal_after and not lst.pinned:
                        lst.state = "removed"
                        lst.removed_at = when
                        lst.removed_reason = "not_detected"
                        events.append(ListingEvent(
                            property=pm.name, service_id=sid, action="removed", at=when,
                            scan_id=scan.id, reason=f"not_detected:{removal_after}"))
                session.add(lst)
    for e in events:
        session.add(e)
    session.flush()
    return events


def remove_listing(session: Session, prop: str, service_id: str, reason: str,
                   when: datetime, by: str | None = None) -> ListingEvent:
    """An explicit decision to take a service off a property's list now."""
    lst = session.exec(select(Listing).where(Listing.property == prop,
                                             Listing.service_id == service_id)).first()
    if lst is None or lst.state != "listed":
        raise GaibuError(f"{service_id!r} is not on the list of {prop!r}")
    lst.state = "removed"
    lst.removed_at = when
    lst.removed_reason = f"decision:{reason}"
    session.add(lst)
    ev = ListingEvent(property=prop, service_id=service_id, action="removed", at=when,
                      reason=f"decision:{reason}", by=by)
    session.add(ev)
    session.flush()
    return ev
