"""Machine-readable lists: web.json / app.json and web.csv / app.csv (schema in README.md).

Both are deterministic: properties by name, services in the Japanese page order, keys in a fixed
order, ``\\n`` line ends. URLs are exported exactly as entered; consumers must check the scheme
before using one as a link (the HTML pages link only http(s) URLs).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from registry.categories import label as category_label
from site_generator.model import Disclosure, PropertyList, ServiceRow
from site_generator.views import property_anchor, row_anchor, sorted_properties, sorted_rows

SCHEMA_VERSION = 2  # 2: stop_* replace opt_out_*; evidence facts; company facts

CSV_COLUMNS: tuple[str, ...] = (
    "property", "kind", "platform", "property_title_ja", "property_title_en",
    "last_changed", "last_checked",
    "service_id", "category", "category_ja", "category_en",
    "name_ja", "name_en", "provider_ja", "provider_en",
    "information_ja", "information_en",
    "purpose_ja", "purpose_en", "recipient_use_ja", "recipient_use_en",
    "privacy_policy_url", "stop_kind", "stop_url", "stop_ja", "stop_en",
    "channel", "country", "after_consent_only", "page_groups", "page_groups_en", "cookies",
    "destinations", "first_listed",
)
CSV_LIST_SEPARATOR = "\n"  # list cells (information, destinations): one item per line
BOM = "\ufeff"
# Cells starting with these are formulas in Excel and LibreOffice (CSV injection); they get a
# leading apostrophe, which spreadsheets hide and which keeps the text as text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _iso(d: Any) -> str | None:
    return d.isoformat() if d is not None else None


def service_record(p: PropertyList, r: ServiceRow) -> dict[str, Any]:
    return {
        "service_id": r.service_id,
        "anchor": row_anchor(p.name, r.service_id),
        "name_ja": r.name_ja,
        "name_en": r.name_en,
        "provider_ja": r.provider_ja,
        "provider_en": r.provider_en,
        "category": r.category,
        "category_ja": category_label(r.category, "ja"),
        "category_en": category_label(r.category, "en"),
        "information_ja": list(r.information_ja),
        "information_en": list(r.information_en),
        "purpose_ja": r.purpose_ja,
        "purpose_en": r.purpose_en,
        "recipient_use_ja": r.recipient_use_ja,
        "recipient_use_en": r.recipient_use_en,
        "privacy_policy_url": r.privacy_policy_url,
        "stop_kind": r.stop_kind,
        "stop_url": r.stop_url,
        "stop_ja": r.stop_ja,
        "stop_en": r.stop_en,
        "channel": r.channel,
        "country": r.country,
        "after_consent_only": r.after_consent_only,
        "page_groups": sorted(set(r.page_groups)),
        "page_groups_en": sorted(set(r.page_groups_en or r.page_groups)),
        "cookies": sorted(set(r.cookies)),
        "destinations": sorted(set(r.destinations)),
        "first_listed": _iso(r.first_listed),
    }


def property_record(p: PropertyList) -> dict[str, Any]:
    return {
        "name": p.name,
        "kind": p.kind,
        "platform": p.platform,
        "title_ja": p.title_ja,
        "title_en": p.title_en,
        "anchor": property_anchor(p.name),
        "urls": list(p.urls),
        "last_changed": _iso(p.last_changed),
        "last_checked": _iso(p.last_checked),
        "review_pending": p.review_pending,
        "services": [service_record(p, r) for r in sorted_rows(p.rows, "ja")],
    }


def list_document(d: Disclosure, kind: str) -> dict[str, Any]:
    c = d.company
    return {
        "schema_version": SCHEMA_VERSION,
        "list": kind,
        "page": f"{kind}.html",
        "company": {
            "name_ja": c.name_ja,
            "name_en": c.name_en,
            "contact_url": c.contact_url,
            "contact_email": c.contact_email,
            "policy_url": c.policy_url,
            "base_url": c.base_url,
            "consent_settings_url": c.consent_settings_url,
            "lists_contact_ja": c.lists_contact_ja,
            "lists_contact_en": c.lists_contact_en,
            "lists_contact_url": c.lists_contact_url,
            "lists_contact_email": c.lists_contact_email,
            "established": _iso(c.established),
        },
        "removal_after_scans": d.removal_after_scans,
        "properties": [property_record(p) for p in sorted_properties(d, kind)],
    }


def to_json(d: Disclosure, kind: str) -> str:
    return json.dumps(list_document(d, kind), ensure_ascii=False, indent=2) + "\n"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list | tuple):
        v = CSV_LIST_SEPARATOR.join(str(i) for i in v)
    s = str(v).replace("\r\n", "\n").replace("\r", "\n")
    if s.startswith(_FORMULA_START):
        s = "'" + s
    return s


def csv_rows(d: Disclosure, kind: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for p in sorted_properties(d, kind):
        prop = property_record(p)
        for s in prop["services"]:
            rec = {"property": p.name, "kind": p.kind, "platform": p.platform,
                   "property_title_ja": p.title_ja, "property_title_en": p.title_en,
                   "last_changed": prop["last_changed"], "last_checked": prop["last_checked"],
                   **{k: v for k, v in s.items() if k != "anchor"}}
            rows.append([_cell(rec[c]) for c in CSV_COLUMNS])
    return rows


def to_csv(d: Disclosure, kind: str) -> str:
    """UTF-8 text with a BOM (Excel in Japan then reads it as UTF-8), header row first."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(CSV_COLUMNS)
    w.writerows(csv_rows(d, kind))
    return BOM + buf.getvalue()
