"""targets.yaml → typed, validated models; every error names file, line, field and what was expected."""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from scanner.errors import ConfigError
from scanner.yamlloc import LocatedYaml, load_located

NAME_RE = r"^[a-z0-9][a-z0-9_-]{0,63}$"
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")

Device = Literal["desktop", "mobile"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListsContact(_Model):
    """Who answers questions about the 外部送信 lists (shown on every list page)."""

    name_ja: str = Field(min_length=1)  # e.g. 個人情報お問い合わせ窓口
    name_en: str | None = None
    url: AnyHttpUrl | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Company(_Model):
    name_ja: str = Field(min_length=1)
    name_en: str | None = None
    owned_domains: list[str] = []
    # The company's own consent settings (cookie banner / privacy settings page): where the
    # services whose stop kind is company_setting are stopped. Required when such a service is
    # listed.
    consent_settings_url: AnyHttpUrl | None = None
    lists_contact: ListsContact | None = None  # default: site.contact_url / contact_email

    @field_validator("owned_domains")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        out = []
        for d in v:
            d = d.strip().lower().lstrip(".")
            if not DOMAIN_RE.match(d):
                raise ValueError(f"expected a domain name like example.co.jp, got {d!r}")
            out.append(d)
        return out


class BrowserSettings(_Model):
    executable: str | None = None
    args: list[str] = []
    ignore_https_errors: bool = False
    third_party_cookies: Literal["allow", "block"] = "allow"
    user_agent: str | None = None
    headless: bool = True


class ScanSettings(_Model):
    """Crawl defaults in one place (scrapy-style): data, not code paths."""

    concurrency: int = Field(default=2, ge=1, le=32)
    page_timeout: float = Field(default=30.0, gt=0, description="seconds for one page load")
    idle_timeout: float = Field(default=5.0, ge=0, description="max seconds to wait for network quiet")
    idle_time: float = Field(default=0.5, ge=0, description="seconds without requests that count as quiet")
    dwell: float = Field(default=1.0, ge=0, description="seconds to stay on a page after scrolling")
    scroll: bool = True
    page_budget: float = Field(default=90.0, gt=0, description="hard cap in seconds for one page visit")
    retries: int = Field(default=1, ge=0, le=5, description="retries for a page that failed to load")
    private_suffixes: bool = True
    sitemap: bool = True
    recycle_after: int = Field(default=50, ge=1, description="pages before a context is renewed")


class PageGroup(_Model):
    """A named group of pages (求人詳細, 応募完了): rows say on which groups a service is sent."""

    name_ja: str = Field(min_length=1, max_length=40)
    name_en: str | None = Field(default=None, max_length=60)
    path: str = Field(min_length=1, max_length=500)  # regex searched in the URL path

    @field_validator("path")
    @classmethod
    def _regex(cls, v: str) -> str:
        import re
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"expected a regular expression for the URL path, got {v!r} ({e})") from None
        return v


class Consent(_Model):
    accept: list[str] = []
    timeout: float = Field(default=3.0, ge=0)


class SiteSettings(_Model):
    base_url: AnyHttpUrl | None = None
    contact_url: str | None = None
    contact_email: str | None = None
    policy_url: str | None = None
    removal_after_scans: int = Field(default=3, ge=1)
    # a property's scan is complete (confirms 最終確認日, counts towards removals) when every
    # start URL loaded and at least this share of the pages it tried loaded
    min_coverage: float = Field(default=0.95, ge=0, le=1)
    templates_dir: str | None = None
    out: str = "public"


class Property(_Model):
    name: Annotated[str, Field(pattern=NAME_RE)]
    kind: Literal["web", "app"]
    title_ja: str = Field(min_length=1)
    title_en: str | None = None
    platform: Literal["ios", "android"] | None = None
    start_urls: list[AnyHttpUrl] = []
    max_pages: int = Field(default=50, ge=1)
    max_depth: int = Field(default=3, ge=0)
    include: list[str] = []
    exclude: list[str] = []
    devices: list[Device] = ["desktop"]
    consent: Consent | None = None
    user_agent: str | None = None
    har: list[str] = []
    manifests: list[str] = []
    webviews: list[AnyHttpUrl] = []
    min_coverage: float | None = Field(default=None, ge=0, le=1)  # default: site.min_coverage
    page_groups: list[PageGroup] = []  # named groups of pages; unmatched pages: first path segment

    @field_validator("include", "exclude")
    @classmethod
    def _regexes(cls, v: list[str]) -> list[str]:
        for i, pattern in enumerate(v):
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"item {i}: expected a regular expression, {pattern!r} is not: {e}") from None
        return v

    @field_validator("devices")
    @classmethod
    def _devices(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("expected at least one device (desktop, mobile)")
        return list(dict.fromkeys(v))

    @model_validator(mode="after")
    def _kind_fields(self) -> Property:
        if self.kind == "web":
            for f in ("har", "manifests", "webviews"):
                if getattr(self, f):
                    raise ValueError(f"'{f}' is only for kind: app properties")
            if self.platform is not None:
                raise ValueError("'platform' is only for kind: app properties")
            if not self.start_urls:
                raise ValueError("a web property needs start_urls (a list of https:// URLs)")
        else:
            if self.platform is None:
                raise ValueError("an app property needs platform: ios or android")
            if self.start_urls:
                raise ValueError("an app property lists its pages under webviews:, not start_urls:")
            if not (self.har or self.manifests or self.webviews):
                raise ValueError("an app property needs at least one of har:, manifests:, webviews:")
        return self

    @property
    def urls(self) -> list[str]:
        """The URLs a crawl starts from (start_urls for web, webviews for apps)."""
        return [str(u) for u in (self.start_urls if self.kind == "web" else self.webviews)]


ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"


class TestIdentity(_Model):
    """A test account whose personal data must not reach third parties: the NAMES of the
    environment variables holding its e-mail address, phone number and member id (the values
    never appear in targets.yaml, the database, the report or any message)."""

    __test__ = False  # not a pytest test class
    email_env: str | None = Field(default=None, pattern=ENV_NAME)
    phone_env: str | None = Field(default=None, pattern=ENV_NAME)
    member_id_env: str | None = Field(default=None, pattern=ENV_NAME)

    def values(self) -> dict[str, str | None]:
        """{kind: value} read from the environment now; a named variable that is unset or empty
        is an error naming the variable (not its value)."""
        import os

        from scanner.errors import GaibuError

        out: dict[str, str | None] = {}
        for kind in ("email", "phone", "member_id"):
            var = getattr(self, f"{kind}_env")
            if var is None:
                continue
            value = os.environ.get(var)
            if not value:
                raise GaibuError(f"test_identity.{kind}_env: environment variable {var} is not set "
                                 "(set it to the test account's value, or remove the key)")
            out[kind] = value
        return out


class Targets(_Model):
    company: Company
    browser: BrowserSettings = BrowserSettings()
    scan: ScanSettings = ScanSettings()
    registry_dir: str | None = None
    database: str | None = None
    site: SiteSettings = SiteSettings()
    test_identity: TestIdentity | None = None
    properties: list[Property] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> Targets:
        seen: set[str] = set()
        for p in self.properties:
            if p.name in seen:
                raise ValueError(f"duplicate property name {p.name!r}; expected unique names")
            seen.add(p.name)
        return self

    # Set by parse_targets: the file read and the directory relative paths are resolved against.
    _base_dir: Path = PrivateAttr(default=Path("."))
    _source: str = PrivateAttr(default="targets.yaml")

    @property
    def base_dir(self) -> Path:
        return self._base_dir

    @property
    def source(self) -> str:
        return self._source

    def resolve(self, path: str) -> Path:
        p = Path(os.path.expanduser(path))
        return p if p.is_absolute() else (self.base_dir / p)

    def min_coverage(self, prop: Property) -> float:
        """The share of pages that must load for a complete scan of `prop`."""
        return prop.min_coverage if prop.min_coverage is not None else self.site.min_coverage

    def property(self, name: str) -> Property:
        for p in self.properties:
            if p.name == name:
                return p
        raise KeyError(name)


_EXPECTED = {
    "int_parsing": "expected an integer",
    "int_type": "expected an integer",
    "float_parsing": "expected a number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping (key: value)",
    "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "url_parsing": "expected an absolute http(s) URL",
    "url_scheme": "expected an http:// or https:// URL",
    "missing": "required field is missing",
    "string_pattern_mismatch": "expected lowercase letters, digits, '-' or '_' (at most 64)",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Keys the model at `loc` accepts (for 'did you mean' hints)."""
    m: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = m.model_fields.get(part) if hasattr(m, "model_fields") else None
        if field is None:
            return []
        ann = field.annotation
        # unwrap list[X] / X | None
        for _ in range(3):
            args = getattr(ann, "__args__", None)
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), args[0])
        m = ann
    if isinstance(m, type) and issubclass(m, BaseModel):
        return list(m.model_fields)
    return []


def _error(doc: LocatedYaml, err: dict[str, Any]) -> ConfigError:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    field = _field_name(loc)
    line = doc.line_of(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(Targets, loc)
        key = str(loc[-1])
        hint = difflib.get_close_matches(key, allowed, n=1)
        msg = f"unknown key {key!r}"
        if hint:
            msg += f"; did you mean {hint[0]!r}?"
        if allowed:
            msg += f" (expected one of: {', '.join(allowed)})"
        return ConfigError(doc.file, line, field, msg)
    if kind == "literal_error":
        exp = err.get("ctx", {}).get("expected", "")
        return ConfigError(doc.file, line, field, f"expected one of {exp}, got {err.get('input')!r}")
    if kind in ("value_error", "assertion_error"):
        return ConfigError(doc.file, line, field, str(err["ctx"]["error"]))
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "too_short"):
        return ConfigError(doc.file, line, field, f"{err['msg'].lower()}, got {err.get('input')!r}")
    base = _EXPECTED.get(kind, err["msg"])
    got = err.get("input")
    if kind != "missing" and not isinstance(got, dict | list):
        base += f", got {got!r}"
    return ConfigError(doc.file, line, field, base)


def parse_targets(doc: LocatedYaml, base_dir: Path | None = None) -> Targets:
    """Validate a parsed document; raise ConfigError for the first problem."""
    data = doc.data
    if not isinstance(data, dict):
        raise ConfigError(doc.file, 1, None, "expected a mapping with company: and properties:")
    try:
        t = Targets.model_validate(data)
    except ValidationError as e:
        errors = e.errors(include_url=False)
        raise _error(doc, dict(errors[0])) from None
    t._base_dir = base_dir if base_dir is not None else Path(doc.file).resolve().parent
    t._source = doc.file
    return t


def load_targets(path: str | Path) -> Targets:
    """Read and validate targets.yaml."""
    return parse_targets(load_located(path))
