"""Per-language views of the model for the templates: texts picked, rows grouped and sorted, URLs checked.

Templates receive these instead of the raw model so that they contain no language switching or
ordering logic, and so that a company overriding a template works with plain, named fields.
Everything is sorted here, so the output does not depend on the order the database returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from registry.categories import label as category_label
from registry.categories import order as category_order
from site_generator.model import ChangeEvent, Disclosure, PropertyList, ServiceRow

LANGS = ("ja", "en")
PAGES = ("index", "web", "app", "changes")
PLATFORM_LABELS = {"ios": "iOS", "android": "Android"}
PLATFORM_ORDER = {None: 0, "ios": 1, "android": 2}
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
_UNSAFE_URL_CHARS = re.compile(r'[\x00-\x20\x7f"<>\\]')
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")


def http_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL safe to put in href, else None (shown as text)."""
    if not url or _UNSAFE_URL_CHARS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def mailto(email: str | None) -> str | None:
    """A mailto: href for a plain e-mail address, else None."""
    if email and _EMAIL.match(email):
        return "mailto:" + email
    return None


def format_date(d: date | None, lang: str) -> str:
    """2026年11月30日 (ja) or 30 November 2026 (en); empty for None."""
    if d is None:
        return ""
    if lang == "ja":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def page_file(page: str) -> str:
    return f"{page}.html"


def page_path(lang: str, page: str) -> str:
    """Path of a page relative to the site root: web.html, en/web.html."""
    return page_file(page) if lang == "ja" else f"en/{page_file(page)}"


def href_between(from_lang: str, to_lang: str, page: str) -> str:
    """Relative link from a page in from_lang to the page in to_lang (works over file:// too)."""
    if from_lang == to_lang:
        return page_file(page)
    return ("../" if from_lang == "en" else "") + page_path(to_lang, page)


def absolute(base_url: str | None, rel_path: str) -> str | None:
    """Absolute URL of a site path under the company's base_url, when that is http(s)."""
    base = http_url(base_url)
    if base is None:
        return None
    if not base.endswith("/"):
        base += "/"
    return urljoin(base, rel_path)


def title_with_os(title: str, platform_label: str | None, lang: str) -> str:
    """サンプルアプリ（iOS） / Sample app (iOS), unless the title already names the OS."""
    if not platform_label or platform_label.lower() in title.lower():
        return title
    return f"{title}（{platform_label}）" if lang == "ja" else f"{title} ({platform_label})"


def _pick(row: object, name: str, lang: str) -> Any:
    return getattr(row, f"{name}_{lang}")


def property_anchor(name: str) -> str:
    return f"p-{name}"


def row_anchor(prop: str, service_id: str) -> str:
    return f"p-{prop}--{service_id}"


@dataclass(frozen=True)
class CompanyView:
    name: str
    name_ja: str
    contact_url: str | None
    contact_email: str | None
    policy_url: str | None


@dataclass(frozen=True)
class RowView:
    id: str
    anchor: str
    name: str
    provider: str
    category: str
    category_label: str
    information: tuple[str, ...]
    purpose: str
    recipient_use: str
    privacy_policy_url: str | None
    opt_out_url: str | None
    opt_out_text: str | None
    destinations: tuple[str, ...]
    first_listed: date


@dataclass(frozen=True)
class SectionView:
    category: str
    label: str
    rows: tuple[RowView, ...]


@dataclass(frozen=True)
class PropertyView:
    name: str
    anchor: str
    kind: str
    platform: str | None
    platform_label: str | None
    title: str
    full_title: str  # title with the OS for apps: サンプルアプリ（iOS）
    urls: tuple[str, ...]
    sections: tuple[SectionView, ...]
    rows: tuple[RowView, ...]  # all rows in display order (sections concatenated)
    last_changed: date | None
    last_checked: date | None
    page: str  # 'web' | 'app'
    review_pending: bool = False


@dataclass(frozen=True)
class ChangeView:
    on: date
    property_title: str  # with the OS for an app that still exists: サンプルアプリ（iOS）
    property_href: str | None  # relative to the page's language directory
    service_name: str
    provider: str
    action: str
    reason: str | None
    row_href: str | None


def _text_key(s: str) -> str:
    return s.casefold()


def row_view(prop: str, r: ServiceRow, lang: str) -> RowView:
    opt_text = _pick(r, "opt_out", lang)
    return RowView(
        id=r.service_id,
        anchor=row_anchor(prop, r.service_id),
        name=str(_pick(r, "name", lang)),
        provider=str(_pick(r, "provider", lang)),
        category=r.category,
        category_label=category_label(r.category, lang),
        information=tuple(_pick(r, "information", lang)),
        purpose=str(_pick(r, "purpose", lang)),
        recipient_use=str(_pick(r, "recipient_use", lang)),
        privacy_policy_url=r.privacy_policy_url or None,
        opt_out_url=r.opt_out_url or None,
        opt_out_text=str(opt_text) if opt_text and str(opt_text).strip() else None,
        destinations=tuple(sorted(set(r.destinations))),
        first_listed=r.first_listed,
    )


def sorted_rows(rows: tuple[ServiceRow, ...], lang: str) -> list[ServiceRow]:
    """Category order, then name in the page's language, then id."""
    return sorted(rows, key=lambda r: (category_order(r.category), r.category,
                                       _text_key(str(_pick(r, "name", lang))), r.service_id))


def property_view(p: PropertyList, lang: str) -> PropertyView:
    rows = [row_view(p.name, r, lang) for r in sorted_rows(p.rows, lang)]
    sections: list[SectionView] = []
    for rv in rows:
        if sections and sections[-1].category == rv.category:
            last = sections[-1]
            sections[-1] = SectionView(last.category, last.label, last.rows + (rv,))
        else:
            sections.append(SectionView(rv.category, rv.category_label, (rv,)))
    title = p.title_ja if lang == "ja" or not p.title_en else p.title_en
    platform_label = PLATFORM_LABELS.get(p.platform or "")
    return PropertyView(
        name=p.name, anchor=property_anchor(p.name), kind=p.kind, platform=p.platform,
        platform_label=platform_label, title=title,
        full_title=title_with_os(title, platform_label, lang),
        urls=tuple(p.urls), sections=tuple(sections), rows=tuple(rows),
        last_changed=p.last_changed, last_checked=p.last_checked, page=p.kind,
        review_pending=p.review_pending)


def sorted_properties(d: Disclosure, kind: str) -> list[PropertyList]:
    """Properties of one kind, by name (the stable id), iOS before Android on equal names."""
    return sorted((p for p in d.properties if p.kind == kind),
                  key=lambda p: (p.name, PLATFORM_ORDER.get(p.platform, 9)))


def company_view(d: Disclosure, lang: str) -> CompanyView:
    c = d.company
    return CompanyView(name=c.name_ja if lang == "ja" or not c.name_en else c.name_en,
                       name_ja=c.name_ja, contact_url=c.contact_url,
                       contact_email=c.contact_email, policy_url=c.policy_url)


def change_views(d: Disclosure, lang: str) -> list[ChangeView]:
    """The history newest first; ties by property, action, service name."""
    props = {p.name: p for p in d.properties}

    def key(e: ChangeEvent) -> tuple[int, str, str, str, str]:
        return (-e.on.toordinal(), e.property, e.action,
                _text_key(e.service_name_ja if lang == "ja" else e.service_name_en),
                e.service_id or "")

    out = []
    for e in sorted(d.changes, key=key):
        p = props.get(e.property)
        prop_href = row_href = None
        if p is not None:
            prop_href = f"{page_file(p.kind)}#{property_anchor(p.name)}"
            if e.service_id and any(r.service_id == e.service_id for r in p.rows):
                row_href = f"{page_file(p.kind)}#{row_anchor(p.name, e.service_id)}"
        if lang == "ja":
            title, name, provider, reason = (e.property_title_ja, e.service_name_ja,
                                             e.provider_ja, e.reason_ja)
        else:
            title = e.property_title_en or e.property_title_ja
            name, provider, reason = e.service_name_en, e.provider_en, e.reason_en
        if p is not None:
            title = title_with_os(title, PLATFORM_LABELS.get(p.platform or ""), lang)
        out.append(ChangeView(on=e.on, property_title=title, property_href=prop_href,
                              service_name=name, provider=provider, action=e.action,
                              reason=reason if reason and reason.strip() else None,
                              row_href=row_href))
    return out


def last_update(d: Disclosure) -> date | None:
    """The newest date any list changed (list dates and history)."""
    dates = [p.last_changed for p in d.properties if p.last_changed]
    dates += [e.on for e in d.changes]
    return max(dates) if dates else None
