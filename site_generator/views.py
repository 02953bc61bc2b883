"""Per-language views of the model for the templates: texts picked, rows grouped and sorted, URLs checked.

Templates receive these instead of the raw model so that they contain no language switching or
ordering logic, and so that a company overriding a template works with plain, named fields.
Everything is sorted here, so the output does not depend on the order the database returned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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
# The recipient's country as the pages name it (ISO 3166-1 alpha-2 → ja, en); unknown codes are
# shown as the code itself.
COUNTRIES = {
    "JP": ("日本", "Japan"), "US": ("米国", "United States"), "GB": ("英国", "United Kingdom"),
    "IE": ("アイルランド", "Ireland"), "DE": ("ドイツ", "Germany"), "FR": ("フランス", "France"),
    "NL": ("オランダ", "Netherlands"), "SE": ("スウェーデン", "Sweden"),
    "FI": ("フィンランド", "Finland"), "DK": ("デンマーク", "Denmark"),
    "CH": ("スイス", "Switzerland"), "ES": ("スペイン", "Spain"), "IT": ("イタリア", "Italy"),
    "BE": ("ベルギー", "Belgium"), "LU": ("ルクセンブルク", "Luxembourg"),
    "MT": ("マルタ", "Malta"), "IL": ("イスラエル", "Israel"), "SG": ("シンガポール", "Singapore"),
    "TW": ("台湾", "Taiwan"), "KR": ("韓国", "South Korea"), "CN": ("中国", "China"),
    "HK": ("香港", "Hong Kong"), "IN": ("インド", "India"), "CA": ("カナダ", "Canada"),
    "AU": ("オーストラリア", "Australia"),
}
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


def country_name(code: str | None, lang: str) -> str | None:
    if not code:
        return None
    names = COUNTRIES.get(code)
    return (names[0] if lang == "ja" else names[1]) if names else code


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
    consent_settings_url: str | None
    lists_contact: str | None  # name of the desk that answers questions about the lists
    lists_contact_url: str | None
    lists_contact_email: str | None
    established: date | None


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
    stop_kind: str  # stop | limit | company_setting | unavailable
    stop_url: str | None
    stop_text: str | None
    destinations: tuple[str, ...]
    first_listed: date
    channel: str  # web | app | webview
    cookies: tuple[str, ...]
    after_consent_only: bool
    page_groups: tuple[str, ...]
    country: str | None  # in the page's language: 米国 / United States
    platforms: tuple[str, ...] = ()  # OS labels when one card stands for several apps' OSes
    also_anchors: tuple[str, ...] = ()  # anchors of the same row on the other OS (kept stable)


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
    also_anchors: tuple[str, ...] = ()  # the other OS's property anchor when merged
    review_pending: bool = False


@dataclass(frozen=True)
class ChangeView:
    on: date
    property_title: str  # with the OS for an app that still exists: サンプルアプリ（iOS）
    property_href: str | None  # relative to the page's language directory
    service_name: str
    provider: str
    action: str  # added | removed | published (a list's first publication, collapsed)
    reason: str | None
    row_href: str | None
    count: int = 1  # services in a 'published' entry


def _text_key(s: str) -> str:
    return s.casefold()


def row_view(prop: str, r: ServiceRow, lang: str) -> RowView:
    stop_text = _pick(r, "stop", lang)
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
        stop_kind=r.stop_kind,
        stop_url=r.stop_url or None,
        stop_text=str(stop_text) if stop_text and str(stop_text).strip() else None,
        destinations=tuple(sorted(set(r.destinations))),
        first_listed=r.first_listed,
        channel=r.channel,
        cookies=tuple(sorted(set(r.cookies))),
        after_consent_only=r.after_consent_only,
        page_groups=tuple(sorted(set(r.page_groups_en if lang == "en" and r.page_groups_en
                                     else r.page_groups))),
        country=country_name(r.country, lang),
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


_SAME_ROW_IGNORES = ("anchor", "destinations", "first_listed", "platforms", "also_anchors")


def _same_row(a: RowView, b: RowView) -> bool:
    """Whether two rows say the same to the reader (technical details may differ)."""
    return all(getattr(a, f) == getattr(b, f) for f in a.__dataclass_fields__
               if f not in _SAME_ROW_IGNORES)


def merged_app_views(props: list[PropertyList], lang: str) -> list[PropertyView]:
    """App sections for the app page: an app published for iOS and Android under the same title
    is one section naming both OSes; a service identical on both is one card naming both, a
    service that differs (or exists on one OS only) is a card per OS. Every anchor of the
    separate sections (``#p-<property>``, ``#p-<property>--<service>``) still exists."""
    groups: dict[tuple[str, str | None], list[PropertyList]] = {}
    for p in props:
        groups.setdefault((p.title_ja, p.title_en), []).append(p)
    out: list[PropertyView] = []
    done: set[str] = set()
    for p in props:
        if p.name in done:
            continue
        group = groups[(p.title_ja, p.title_en)]
        oses = sorted({g.platform for g in group}, key=lambda x: PLATFORM_ORDER.get(x, 9))
        if len(group) != 2 or oses != ["ios", "android"]:
            out.append(property_view(p, lang))
            done.add(p.name)
            continue
        ios, android = sorted(group, key=lambda g: PLATFORM_ORDER.get(g.platform, 9))
        done |= {ios.name, android.name}
        vi, va = property_view(ios, lang), property_view(android, lang)
        by_id = {r.id: r for r in va.rows}
        rows: list[RowView] = []
        for r in vi.rows:
            other = by_id.pop(r.id, None)
            if other is not None and _same_row(r, other):
                rows.append(replace(r, platforms=("iOS", "Android"),
                                    also_anchors=(other.anchor,),
                                    destinations=tuple(sorted(set(r.destinations)
                                                              | set(other.destinations))),
                                    first_listed=min(r.first_listed, other.first_listed)))
            else:
                rows.append(replace(r, platforms=("iOS",)))
                if other is not None:
                    rows.append(replace(other, platforms=("Android",)))
        rows += [replace(r, platforms=("Android",)) for r in va.rows if r.id in by_id]
        order = {r.service_id: i for i, r in enumerate(sorted_rows(ios.rows + tuple(
            x for x in android.rows if x.service_id not in {y.service_id for y in ios.rows}),
            lang))}
        rows.sort(key=lambda r: (order[r.id], r.platforms))
        sections: list[SectionView] = []
        for rv in rows:
            if sections and sections[-1].category == rv.category:
                last = sections[-1]
                sections[-1] = SectionView(last.category, last.label, last.rows + (rv,))
            else:
                sections.append(SectionView(rv.category, rv.category_label, (rv,)))
        label = "iOS・Android" if lang == "ja" else "iOS and Android"
        checked = [d for d in (ios.last_checked, android.last_checked) if d]
        changed = [d for d in (ios.last_changed, android.last_changed) if d]
        out.append(PropertyView(
            name=ios.name, anchor=vi.anchor, kind="app", platform=None, platform_label=label,
            title=vi.title, full_title=title_with_os(vi.title, label, lang),
            urls=tuple(dict.fromkeys(ios.urls + android.urls)), sections=tuple(sections),
            rows=tuple(rows), last_changed=max(changed) if changed else None,
            # the older of the two: the date by which both OSes had been checked
            last_checked=min(checked) if len(checked) == 2 else None,
            page="app", also_anchors=(va.anchor,),
            review_pending=ios.review_pending or android.review_pending))
    return out


def sorted_properties(d: Disclosure, kind: str) -> list[PropertyList]:
    """Properties of one kind, by name (the stable id), iOS before Android on equal names."""
    return sorted((p for p in d.properties if p.kind == kind),
                  key=lambda p: (p.name, PLATFORM_ORDER.get(p.platform, 9)))


def company_view(d: Disclosure, lang: str) -> CompanyView:
    c = d.company
    desk = c.lists_contact_ja if lang == "ja" or not c.lists_contact_en else c.lists_contact_en
    return CompanyView(name=c.name_ja if lang == "ja" or not c.name_en else c.name_en,
                       name_ja=c.name_ja, contact_url=c.contact_url,
                       contact_email=c.contact_email, policy_url=c.policy_url,
                       consent_settings_url=c.consent_settings_url, lists_contact=desk,
                       lists_contact_url=c.lists_contact_url or c.contact_url,
                       lists_contact_email=c.lists_contact_email or c.contact_email,
                       established=c.established)


def change_views(d: Disclosure, lang: str) -> list[ChangeView]:
    """The history newest first; ties by property, action, service name."""
    props = {p.name: p for p in d.properties}

    def key(e: ChangeEvent) -> tuple[int, str, str, str, str]:
        return (-e.on.toordinal(), e.property, e.action,
                _text_key(e.service_name_ja if lang == "ja" else e.service_name_en),
                e.service_id or "")

    # The first publication (every addition on the first day of the history) is one entry per
    # property instead of one per service.
    first = min((e.on for e in d.changes), default=None)
    published: dict[str, int] = {}
    for e in d.changes:
        if e.action == "added" and e.on == first:
            published[e.property] = published.get(e.property, 0) + 1

    out = []
    emitted: set[str] = set()
    for e in sorted(d.changes, key=key):
        p = props.get(e.property)
        collapse = e.action == "added" and e.on == first
        if collapse and e.property in emitted:
            continue
        prop_href = row_href = None
        if p is not None:
            prop_href = f"{page_file(p.kind)}#{property_anchor(p.name)}"
            if (not collapse and e.service_id
                    and any(r.service_id == e.service_id for r in p.rows)):
                row_href = f"{page_file(p.kind)}#{row_anchor(p.name, e.service_id)}"
        if lang == "ja":
            title, name, provider, reason = (e.property_title_ja, e.service_name_ja,
                                             e.provider_ja, e.reason_ja)
        else:
            title = e.property_title_en or e.property_title_ja
            name, provider, reason = e.service_name_en, e.provider_en, e.reason_en
        if p is not None:
            title = title_with_os(title, PLATFORM_LABELS.get(p.platform or ""), lang)
        if collapse:
            emitted.add(e.property)
            out.append(ChangeView(on=e.on, property_title=title, property_href=prop_href,
                                  service_name="", provider="", action="published",
                                  reason=None, row_href=None, count=published[e.property]))
            continue
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
