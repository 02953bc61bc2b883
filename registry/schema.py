"""The registry YAML format (seed files, registry_dir files, export): pydantic models with checks."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from registry.categories import CATEGORIES

SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _http_url(v: str | None) -> str | None:
    """Public links must be absolute http(s) URLs (never javascript:, data:, relative)."""
    if v is None:
        return v
    v = v.strip()
    if not re.match(r"^https?://[^\s/?#]+[^\s]*$", v):
        raise ValueError(f"expected an absolute https:// URL, got {v!r}")
    return v


def _host_list(v: list[str]) -> list[str]:
    out = []
    for h in v:
        h = h.strip().lower()
        if not _HOST.match(h):
            raise ValueError(f"expected a host name like tracker.example.com, got {h!r}")
        out.append(h)
    return out


class ProviderSpec(_M):
    id: str = Field(pattern=SLUG)
    name_ja: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    privacy_policy_url: str | None = None
    # Domains (registrable domain or any host under it) the provider operates that do NOT by
    # themselves say which of its services sent the request: shared beacon, CDN, transport or
    # regional hosts. A request there identifies the provider only; the finding then names the
    # provider and its candidate services (see registry/identify.py).
    domains: list[str] = []

    _url = field_validator("privacy_policy_url")(classmethod(lambda cls, v: _http_url(v)))
    _domains = field_validator("domains")(classmethod(lambda cls, v: _host_list(v)))


class MatchSpec(_M):
    """Match rules. Cookie, storage and SDK patterns may end in '*' for a prefix."""

    domains: list[str] = []  # registrable domain or any host under it (suffix on labels)
    hosts: list[str] = []  # exactly this host
    url_prefixes: list[str] = []  # https://host/path… prefix (scheme-less match on host+path)
    cookies: list[str] = []
    storage: list[str] = []
    sdks: list[str] = []

    @field_validator("domains", "hosts")
    @classmethod
    def _hosts(cls, v: list[str]) -> list[str]:
        return _host_list(v)

    @field_validator("url_prefixes")
    @classmethod
    def _prefixes(cls, v: list[str]) -> list[str]:
        for p in v:
            if not re.match(r"^https?://[^/\s]+/\S*$", p):
                raise ValueError(f"expected a URL prefix like https://host/path, got {p!r}")
        return v

    def is_empty(self) -> bool:
        return not any((self.domains, self.hosts, self.url_prefixes, self.cookies, self.storage,
                        self.sdks))


STOP_KINDS = ("stop", "limit", "company_setting", "unavailable")


class StopSpec(_M):
    """送信の停止・制限の方法: which kind of method applies, and where.

    - ``stop``: the user can stop the transmission (an opt-out page, a browser add-on, a device
      setting); ``url`` and/or ``text_*`` say how.
    - ``limit``: the user can only limit what the recipient does with it (ad personalisation,
      ad-use of the data); the transmission itself continues. ``url`` and/or ``text_*``.
    - ``company_setting``: through the company's own consent settings
      (``company.consent_settings_url`` in targets.yaml); ``text_*`` optional.
    - ``unavailable``: no method exists; ``text_*`` give the reason (e.g. needed for security).
    """

    kind: Literal["stop", "limit", "company_setting", "unavailable"]
    url: str | None = None
    text_ja: str | None = None
    text_en: str | None = None

    _url = field_validator("url")(classmethod(lambda cls, v: _http_url(v)))

    @model_validator(mode="after")
    def _complete(self) -> StopSpec:
        if (self.text_ja is None) != (self.text_en is None):
            raise ValueError("text_ja and text_en go together (both or neither)")
        if self.kind == "unavailable" and not self.text_ja:
            raise ValueError("kind 'unavailable' needs text_ja/text_en giving the reason")
        if self.kind in ("stop", "limit") and not (self.url or self.text_ja):
            raise ValueError(f"kind {self.kind!r} needs a url or text_ja/text_en saying how")
        return self


class PlatformTexts(_M):
    """Wording that replaces a service's default texts on one platform (only where they differ)."""

    information_ja: list[str] | None = Field(default=None, min_length=1)
    information_en: list[str] | None = Field(default=None, min_length=1)
    purpose_ja: str | None = Field(default=None, min_length=1)
    purpose_en: str | None = Field(default=None, min_length=1)
    recipient_use_ja: str | None = Field(default=None, min_length=1)
    recipient_use_en: str | None = Field(default=None, min_length=1)
    stop: StopSpec | None = None


class ServiceSpec(_M):
    id: str = Field(pattern=SLUG)
    provider: str = Field(pattern=SLUG)
    name_ja: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    category: str
    platforms: list[Literal["web", "app"]] = ["web"]
    information_ja: list[str] = Field(min_length=1)
    information_en: list[str] = Field(min_length=1)
    purpose_ja: str = Field(min_length=1)  # the site operator's purpose (当社の利用目的)
    purpose_en: str = Field(min_length=1)
    recipient_use_ja: str = Field(min_length=1)  # what the recipient does with it (送信先での利用)
    recipient_use_en: str = Field(min_length=1)
    privacy_policy_url: str | None = None
    opt_out_url: str | None = None
    opt_out_ja: str | None = None  # how to opt out when there is no URL (or in addition to it)
    opt_out_en: str | None = None
    # 送信の停止・制限の方法 (default for every platform; web/app/webview may override it)
    stop: StopSpec | None = None
    # Per-platform wording, only for the fields that differ from the defaults above. The default
    # texts must be true on every platform in ``platforms``; ``webview`` is the wording for a
    # service seen inside an app's web view (default: the ``web`` wording).
    web: PlatformTexts | None = None
    app: PlatformTexts | None = None
    webview: PlatformTexts | None = None
    # A candidate for the 「真に必要な情報」 exemption (captcha, bot management, fraud prevention):
    # flagged for legal review, never decided by the tool; the reasoning goes in ``notes``.
    exemption_candidate: bool = False
    match: MatchSpec = MatchSpec()
    sources: list[str] = []
    notes: str | None = None

    @field_validator("privacy_policy_url", "opt_out_url")
    @classmethod
    def _urls(cls, v: str | None) -> str | None:
        return _http_url(v)

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"expected one of {', '.join(CATEGORIES)}, got {v!r}")
        return v


class RegistryFile(_M):
    providers: list[ProviderSpec] = []
    services: list[ServiceSpec] = []
