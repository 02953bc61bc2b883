"""SQLModel tables of the registry (providers, services, match rules) and of review and listing state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

RULE_KINDS = ("domain", "host", "url_prefix", "cookie", "storage", "sdk")
FINDING_STATUSES = ("pending", "assigned", "ignored", "first_party")


def _json(default: Any = None) -> Any:
    return Field(default_factory=lambda: (type(default)(default) if default is not None else None),
                 sa_column=Column(JSON, nullable=True))


def _text(nullable: bool = True) -> Any:
    return Field(default=None if nullable else "", sa_column=Column(Text, nullable=nullable))


class Provider(SQLModel, table=True):
    """A company that receives transmitted information (送信先の事業者)."""

    id: str = Field(primary_key=True)
    name_ja: str
    name_en: str
    country: str | None = None
    privacy_policy_url: str | None = _text()
    source: str = "seed"  # seed | local | review
    domains: list[str] | None = _json([])  # shared domains that identify only the provider


class Service(SQLModel, table=True):
    """One tag, widget or SDK: the unit a disclosure row describes."""

    id: str = Field(primary_key=True)
    provider_id: str = Field(foreign_key="provider.id", index=True)
    name_ja: str
    name_en: str
    category: str
    platforms: list[str] = _json(["web"])
    information_ja: list[str] = _json([])
    information_en: list[str] = _json([])
    purpose_ja: str = _text(False)
    purpose_en: str = _text(False)
    recipient_use_ja: str = _text(False)
    recipient_use_en: str = _text(False)
    privacy_policy_url: str | None = _text()
    opt_out_url: str | None = _text()
    opt_out_ja: str | None = _text()
    opt_out_en: str | None = _text()
    stop: dict[str, Any] | None = _json(None)  # registry.schema.StopSpec as a dict
    texts: dict[str, Any] | None = _json({})  # platform (web|app|webview) → PlatformTexts dict
    exemption_candidate: bool | None = False
    source: str = "seed"
    notes: str | None = _text()


class MatchRule(SQLModel, table=True):
    """How an observation is recognised as a service: kind in RULE_KINDS and a pattern."""

    __table_args__ = (UniqueConstraint("kind", "pattern", "service_id"),)
    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(foreign_key="service.id", index=True)
    kind: str
    pattern: str
    source: str = "seed"  # seed | local | review


class Finding(SQLModel, table=True):
    """An unknown third party (registrable domain, or SDK id) waiting for, or having had, review."""

    __table_args__ = (UniqueConstraint("key"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)  # 'example-tracker.com' or 'sdk:com.example:analytics'
    kind: str = "domain"  # domain | sdk
    status: str = Field(default="pending", index=True)
    service_id: str | None = None
    first_seen: datetime
    last_seen: datetime
    first_scan_id: int | None = None
    last_scan_id: int | None = None
    evidence: dict[str, Any] = _json({})
    suggestion: dict[str, Any] | None = _json(None)
    version: int | None = 0  # +1 on every decision: two reviewers at once → a conflict, not two
    # What the review queue shows and sorts by, kept from ``evidence`` on every write (see
    # ``_summarise`` below) so that a queue of thousands never decodes the full evidence.
    reach: int | None = Field(default=None, index=True)  # pages × properties
    summary: dict[str, Any] | None = _json(None)


def finding_summary(evidence: dict[str, Any] | None,
                    suggestion: dict[str, Any] | None) -> tuple[int, dict[str, Any]]:
    """(reach, summary) of a finding: the few fields a queue needs, from its evidence."""
    ev = evidence or {}
    props = list(ev.get("properties") or [])
    pages = int(ev.get("pages_count") or len(ev.get("pages") or []) or 1)
    hosts = list(ev.get("hosts") or [])
    sug = suggestion or {}
    return pages * max(1, len(props)), {
        "properties": props, "devices": list(ev.get("devices") or []), "hosts": hosts[:3],
        "hosts_total": len(hosts), "pages": pages,
        "after_consent_only": bool(ev.get("after_consent_only")),
        "company": sug.get("company") or sug.get("provider"), "category": sug.get("category")}


@event.listens_for(Finding, "before_insert")
@event.listens_for(Finding, "before_update")
def _summarise(_mapper: Any, _conn: Any, f: Finding) -> None:
    f.reach, f.summary = finding_summary(f.evidence, f.suggestion)


class Decision(SQLModel, table=True):
    """An append-only record of one review decision (who, when, what, why)."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    action: str  # assign | ignore | first_party | new_service | undo
    service_id: str | None = None
    reason: str | None = _text()
    by: str
    at: datetime
    previous_status: str
    new_status: str
    undoes: int | None = None  # id of the decision an undo reverts
    rule_ids: list[int] = _json([])  # match rules this decision added
    listing_ids: list[int] = _json([])  # listings this decision created


class Listing(SQLModel, table=True):
    """Whether a service is on a property's public list; sticky across failed or partial scans."""

    __table_args__ = (UniqueConstraint("property", "service_id"),)
    id: int | None = Field(default=None, primary_key=True)
    property: str = Field(index=True)
    service_id: str = Field(foreign_key="service.id")
    state: str = "listed"  # listed | removed
    first_listed_at: datetime
    first_scan_id: int | None = None
    last_seen_at: datetime | None = None
    last_seen_scan_id: int | None = None
    misses: int = 0  # consecutive complete scans without it
    last_checked_scan_id: int | None = None
    removed_at: datetime | None = None
    removed_reason: str | None = _text()
    pinned: bool = False  # kept by an explicit decision even when not observed


class ListingEvent(SQLModel, table=True):
    """Change log of the public lists (追加・削除の履歴)."""

    id: int | None = Field(default=None, primary_key=True)
    property: str = Field(index=True)
    service_id: str
    action: str  # added | removed
    at: datetime
    scan_id: int | None = None
    reason: str | None = _text()
    by: str | None = None  # who decided, for explicit decisions


class ServiceEdit(SQLModel, table=True):
    """Audit trail of a service's public texts changed in the console (old → new, who, when)."""

    id: int | None = Field(default=None, primary_key=True)
    service_id: str = Field(foreign_key="service.id", index=True)
    field: str
    old: str = _text(False)
    new: str = _text(False)
    by: str
    at: datetime
