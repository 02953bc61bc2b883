"""The registry YAML format (seed files, registry_dir files, export): pydantic models with checks."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

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


class ProviderSpec(_M):
    id: str = Field(pattern=SLUG)
    name_ja: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    privacy_policy_url: str | None = None

    _url = field_validator("privacy_policy_url")(classmethod(lambda cls, v: _http_url(v)))


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
        out = []
        for h in v:
            h = h.strip().lower()
            if not _HOST.match(h):
                raise ValueError(f"expected a host name like tracker.example.com, got {h!r}")
            out.append(h)
        return out

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
