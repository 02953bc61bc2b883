"""The value model that is the site generator's only input: frozen dataclasses, no database.

Whoever queries the database (the ``gaibu build`` command) turns reviewed listings into one
:class:`Disclosure`; :func:`site_generator.build.build_site` renders it. Nothing here does I/O.

``Disclosure``
    ``company`` (:class:`Company`), ``properties`` (one :class:`PropertyList` per web site or
    per app and OS), ``changes`` (:class:`ChangeEvent`, the 追加・削除の履歴) and
    ``removal_after_scans`` (how many consecutive complete scans without a service remove it;
    explained on the pages).
``Company``
    Who publishes the pages: names, contact (URL and/or e-mail), privacy policy URL and the
    public ``base_url`` the pages are served under (used for absolute hreflang/canonical links).
``PropertyList``
    One web site (``kind='web'``, ``platform=None``) or one app on one OS (``kind='app'``,
    ``platform='ios'|'android'``). ``name`` is the stable id from targets.yaml and becomes the
    anchor ``#p-<name>``. ``last_changed`` (最終更新日) is the last change of this list,
    ``last_checked`` (最終確認日) the last *complete* scan of the property; both may be ``None``.
    ``review_pending`` marks a list published while findings of it await review: its pages
    say review is in progress and make no completeness claim.
``ServiceRow``
    One service (tag or SDK) a property sends information to: what the page must say for it
    (施行規則 第22条の2の29 — information sent, recipient, purposes of the operator and of the
    recipient) plus the links and the observed destinations. ``service_id`` becomes the anchor
    ``#p-<property>--<service_id>``. ``category`` is a slug of ``registry.categories``.
    ``stop_kind`` says which 送信の停止・制限の方法 applies (stop: the transmission can be
    stopped; limit: only the recipient's use can be limited; company_setting: the company's
    consent settings, ``Company.consent_settings_url``, required then; unavailable: no method,
    ``stop_ja`` gives the reason). Facts from the company's own scans: ``channel`` (``webview``
    = sent only from pages the app shows), ``cookies`` (names observed), ``after_consent_only``,
    ``page_groups`` (sent only on these pages), ``country`` (the recipient's, ISO code).
``ChangeEvent``
    One addition to or removal from a property's list, with an optional reason.

Free text (names, purposes, reasons, URLs) is *untrusted*: it is stored as given and escaped by
the generator. Structural fields are checked on construction (``ValueError`` with the field):
ids must be slugs, ``kind``/``platform``/``action`` from their fixed sets, and the texts a
disclosure legally needs (names, provider, information, both purposes) must not be empty —
an incomplete row fails the build rather than being published half-empty. Sequences are
normalised to tuples so every value is hashable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date

# Slugs as targets.yaml (property names) and the registry (service ids) allow them.
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
KINDS = ("web", "app")
STOP_KINDS = ("stop", "limit", "company_setting", "unavailable")
CHANNELS = ("web", "app", "webview")
PLATFORMS = ("ios", "android")
ACTIONS = ("added", "removed")


def _tuples(obj: object) -> None:
    """Turn list-valued fields into tuples (frozen dataclasses must stay hashable)."""
    for f in fields(obj):  # type: ignore[arg-type]
        v = getattr(obj, f.name)
        if isinstance(v, list):
            object.__setattr__(obj, f.name, tuple(v))


def _require_text(obj: object, *names: str) -> None:
    for n in names:
        v = getattr(obj, n)
        if not isinstance(v, str) or not v.strip():
            raise ValueError(f"{type(obj).__name__}.{n}: expected non-empty text, got {v!r}")


def _require_id(obj: object, name: str) -> None:
    v = getattr(obj, name)
    if not isinstance(v, str) or not ID_RE.match(v):
        raise ValueError(f"{type(obj).__name__}.{name}: expected a slug like 'jobs-web' "
                         f"(lower-case letters, digits, '-' or '_'), got {v!r}")


@dataclass(frozen=True)
class Company:
    """The operator that publishes the disclosure."""

    name_ja: str
    name_en: str | None = None
    contact_url: str | None = None
    contact_email: str | None = None
    policy_url: str | None = None
    base_url: str | None = None  # where the pages are served, e.g. https://www.example.jp/privacy/transmission/
    consent_settings_url: str | None = None  # the company's own consent settings (stop kind company_setting)
    lists_contact_ja: str | None = None  # who answers questions about these lists (窓口の名称)
    lists_contact_en: str | None = None
    lists_contact_url: str | None = None
    lists_contact_email: str | None = None
    established: date | None = None  # 制定日: first publication of the lists, never changes

    def __post_init__(self) -> None:
        _require_text(self, "name_ja")
        if self.established is not None and not isinstance(self.established, date):
            raise ValueError("Company.established: expected a date")


@dataclass(frozen=True)
class ServiceRow:
    """One service (tag, widget or SDK) that one property sends information to."""

    service_id: str
    name_ja: str
    name_en: str
    provider_ja: str
    provider_en: str
    category: str  # slug from registry/categories.py
    information_ja: tuple[str, ...]
    information_en: tuple[str, ...]
    purpose_ja: str  # the operator's purpose (当社の利用目的)
    purpose_en: str
    recipient_use_ja: str  # what the recipient does with it (送信先での利用目的)
    recipient_use_en: str
    privacy_policy_url: str | None
    stop_kind: str  # 送信の停止・制限の方法: stop | limit | company_setting | unavailable
    stop_url: str | None
    stop_ja: str | None
    stop_en: str | None
    destinations: tuple[str, ...]  # hosts/domains observed (web) or SDK ids (app)
    first_listed: date
    channel: str = "web"  # how it is sent: web (a site), app (the app itself), webview (a page shown in the app)
    cookies: tuple[str, ...] = ()  # cookie names observed for this service on this property
    after_consent_only: bool = False  # observed only after the user consented
    page_groups: tuple[str, ...] = ()  # only sent on these page groups (empty: not limited)
    page_groups_en: tuple[str, ...] = ()  # the same groups' English names (empty: as page_groups)
    country: str | None = None  # ISO 3166-1 alpha-2 of the recipient (Provider.country)

    def __post_init__(self) -> None:
        _tuples(self)
        _require_id(self, "service_id")
        _require_text(self, "name_ja", "name_en", "provider_ja", "provider_en", "category",
                      "purpose_ja", "purpose_en", "recipient_use_ja", "recipient_use_en")
        if self.stop_kind not in STOP_KINDS:
            raise ValueError(f"ServiceRow({self.service_id}).stop_kind: expected one of "
                             f"{STOP_KINDS}, got {self.stop_kind!r}")
        if self.stop_kind in ("stop", "limit", "unavailable") and not (
                self.stop_url or (self.stop_ja and self.stop_ja.strip())):
            raise ValueError(f"ServiceRow({self.service_id}).stop_ja: kind {self.stop_kind!r} "
                             "needs a text or a URL saying how (or why not)")
        if self.channel not in CHANNELS:
            raise ValueError(f"ServiceRow({self.service_id}).channel: expected one of "
                             f"{CHANNELS}, got {self.channel!r}")
        if self.country is not None and not re.match(r"^[A-Z]{2}$", self.country):
            raise ValueError(f"ServiceRow({self.service_id}).country: expected a two-letter "
                             f"country code like 'US', got {self.country!r}")
        for n in ("information_ja", "information_en"):
            items = getattr(self, n)
            if not items or any(not isinstance(i, str) or not i.strip() for i in items):
                raise ValueError(f"ServiceRow({self.service_id}).{n}: expected at least one "
                                 f"non-empty item, got {items!r}")
        if not isinstance(self.first_listed, date):
            raise ValueError(f"ServiceRow({self.service_id}).first_listed: expected a date")


@dataclass(frozen=True)
class PropertyList:
    """The public list of one web site, or of one app on one OS."""

    name: str  # stable id from targets.yaml
    kind: str  # 'web' | 'app'
    platform: str | None  # None (web) | 'ios' | 'android'
    title_ja: str
    title_en: str | None
    urls: tuple[str, ...]
    rows: tuple[ServiceRow, ...]
    last_changed: date | None  # 最終更新日: last change of this list
    last_checked: date | None  # 最終確認日: last COMPLETE scan of this property
    # findings of this property still wait for review (published with `gaibu build
    # --allow-pending`): the pages say so and claim neither 最終確認日 nor completeness
    review_pending: bool = False

    def __post_init__(self) -> None:
        _tuples(self)
        _require_id(self, "name")
        _require_text(self, "title_ja")
        if self.kind not in KINDS:
            raise ValueError(f"PropertyList({self.name}).kind: expected one of {KINDS}, "
                             f"got {self.kind!r}")
        if self.kind == "web" and self.platform is not None:
            raise ValueError(f"PropertyList({self.name}).platform: expected None for a web "
                             f"property, got {self.platform!r}")
        if self.kind == "app" and self.platform not in PLATFORMS:
            raise ValueError(f"PropertyList({self.name}).platform: expected one of "
                             f"{PLATFORMS} for an app, got {self.platform!r}")
        seen: set[str] = set()
        for r in self.rows:
            if self.kind == "web" and r.channel != "web":
                raise ValueError(f"PropertyList({self.name}).rows: {r.service_id} has channel "
                                 f"{r.channel!r} on a web site; expected 'web'")
            if self.kind == "app" and r.channel == "web":
                raise ValueError(f"PropertyList({self.name}).rows: {r.service_id} has channel "
                                 "'web' in an app; expected 'app' or 'webview'")
            if r.service_id in seen:
                raise ValueError(f"PropertyList({self.name}).rows: service "
                                 f"{r.service_id!r} appears twice")
            seen.add(r.service_id)


@dataclass(frozen=True)
class ChangeEvent:
    """One addition to, or removal from, a property's public list."""

    on: date
    property: str
    property_title_ja: str
    property_title_en: str | None
    service_name_ja: str
    service_name_en: str
    provider_ja: str
    provider_en: str
    action: str  # 'added' | 'removed'
    reason_ja: str | None = None
    reason_en: str | None = None
    service_id: str | None = None  # lets the history link to the row while it is listed

    def __post_init__(self) -> None:
        _require_id(self, "property")
        if self.service_id is not None:
            _require_id(self, "service_id")
        if self.action not in ACTIONS:
            raise ValueError(f"ChangeEvent.action: expected one of {ACTIONS}, "
                             f"got {self.action!r}")
        if not isinstance(self.on, date):
            raise ValueError("ChangeEvent.on: expected a date")


@dataclass(frozen=True)
class Disclosure:
    """Everything the public pages show: the company, its lists and their history."""

    company: Company
    properties: tuple[PropertyList, ...]
    changes: tuple[ChangeEvent, ...] = field(default=())
    removal_after_scans: int = 3

    def __post_init__(self) -> None:
        _tuples(self)
        names = [p.name for p in self.properties]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"Disclosure.properties: duplicate property names {dupes}")
        for p in self.properties:
            for r in p.rows:
                if r.stop_kind == "company_setting" and not self.company.consent_settings_url:
                    raise ValueError(
                        f"PropertyList({p.name}).rows: {r.service_id} is stopped through the "
                        "company's consent settings (stop kind company_setting) but "
                        "Company.consent_settings_url is not set (targets.yaml "
                        "company.consent_settings_url)")
        if not isinstance(self.removal_after_scans, int) or self.removal_after_scans < 1:
            raise ValueError("Disclosure.removal_after_scans: expected a positive integer, "
                             f"got {self.removal_after_scans!r}")
