"""What was sent, read from parameter NAMES: the parameter-meaning table and its checks.

``registry/params/kinds.yaml`` fixes a small vocabulary of information kinds (page URL, referrer,
hashed e-mail …), each with Japanese/English labels and the words that show a service's published
送信される情報 (``information_ja``) already mentions it. The other ``registry/params/*.yaml`` files
(one per provider family, like the seed) map a vendor endpoint — a registry service plus the hosts
and paths it receives requests on — to the meaning of each parameter name, written from the vendor's
public documentation and citing it in ``sources:``. A company's ``registry_dir`` may add endpoint
files in its own ``params/`` folder.

Only names are ever used: the scanner stores which query (and form/JSON body) parameter names went
to each host, never their values. From those names :meth:`ParamTable.observe` says which kinds of
information a third party received, and :func:`information_gaps` finds the kinds a listed service's
published text does not mention, so the text can be corrected before it misleads the public.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlmodel import Session, col, select

from registry.loader import _validation_error
from registry.schema import SLUG, _host_list, _http_url
from scanner.errors import InputError
from scanner.yamlloc import load_located

PARAMS_DIR = Path(__file__).parent / "params"
KINDS_FILE = "kinds.yaml"
KIND_ID = r"^[a-z][a-z0-9_]{0,39}$"
_PARAM_NAME = re.compile(r"^[^\s*]*(\*[^\s*]*)?$")  # at most one '*' wildcard, no spaces


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InfoKindSpec(_M):
    """One kind of information a parameter can carry, as the public lists word it."""

    id: str = Field(pattern=KIND_ID)
    ja: str = Field(min_length=1)  # label shown to reviewers (and usable in public texts)
    en: str = Field(min_length=1)
    # any of these words in a service's information_ja means the text mentions this kind
    keywords_ja: list[str] = Field(min_length=1)


class KindsFile(_M):
    kinds: list[InfoKindSpec] = Field(min_length=1)


class EndpointSpec(_M):
    """Parameter meanings of one vendor endpoint (a registry service on some hosts and paths)."""

    id: str = Field(pattern=SLUG)
    service: str = Field(pattern=SLUG)  # registry service id the requests are matched to
    hosts: list[str] = []  # exactly these hosts
    domains: list[str] = []  # these domains or any host under them
    paths: list[str] = []  # path prefixes ('/g/collect'); empty: any path
    # parameter name → kind id; a name may hold one '*' (ud[*], ep.*); exact names win, then the
    # pattern with the longest fixed part
    params: dict[str, str] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)  # the vendor's documentation (https URLs)
    notes: str | None = None  # doubts, names not in the vendor's own documentation

    _hosts = field_validator("hosts", "domains")(classmethod(lambda cls, v: _host_list(v)))

    @field_validator("paths")
    @classmethod
    def _paths(cls, v: list[str]) -> list[str]:
        for p in v:
            if not p.startswith("/") or any(c.isspace() for c in p):
                raise ValueError(f"expected a path prefix like /g/collect, got {p!r}")
        return v

    @field_validator("params")
    @classmethod
    def _names(cls, v: dict[str, str]) -> dict[str, str]:
        for name in v:
            if not name or name == "*" or not _PARAM_NAME.match(name):
                raise ValueError(f"expected a parameter name, optionally with one '*' "
                                 f"(ud[*], ep.*), got {name!r}")
        return v

    @field_validator("sources")
    @classmethod
    def _sources(cls, v: list[str]) -> list[str]:
        return [_http_url(s) or s for s in v]

    @model_validator(mode="after")
    def _somewhere(self) -> EndpointSpec:
        if not (self.hosts or self.domains):
            raise ValueError("an endpoint needs hosts: or domains:")
        return self

    # -- matching ------------------------------------------------------------------------------
    def on_host(self, host: str) -> bool:
        host = host.lower()
        return host in self.hosts or any(host == d or host.endswith("." + d) for d in self.domains)

    def on_path(self, path: str | None) -> bool:
        return path is None or not self.paths or any(path.startswith(p) for p in self.paths)

    def kind_of(self, name: str) -> str | None:
        """The kind a parameter name carries here: the exact name, else the longest pattern."""
        if name in self.params and "*" not in name:
            return self.params[name]
        best: tuple[int, str] | None = None
        for pattern, kind in self.params.items():
            if "*" not in pattern:
                continue
            head, _, tail = pattern.partition("*")
            if (len(name) >= len(head) + len(tail) and name.startswith(head)
                    and name.endswith(tail)):
                fixed = len(head) + len(tail)
                if best is None or fixed > best[0]:
                    best = (fixed, kind)
        return best[1] if best else None


class ParamsFile(_M):
    endpoints: list[EndpointSpec] = []


@dataclass(frozen=True)
class Observed:
    """One kind of information seen going to a third party, and the parameters that carried it."""

    id: str
    ja: str
    en: str
    params: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "ja": self.ja, "en": self.en, "params": list(self.params)}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass
class ParamTable:
    """The information-kind vocabulary and every endpoint's parameter meanings."""

    kinds: dict[str, InfoKindSpec] = field(default_factory=dict)
    endpoints: list[EndpointSpec] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)  # endpoint id → file:line

    def endpoints_for(self, service: str | None, host: str, path: str | None = None
                      ) -> list[EndpointSpec]:
        """Endpoints on `host` (and `path` when known); of `service` when one was matched."""
        return [e for e in self.endpoints
                if (service is None or e.service == service) and e.on_host(host) and e.on_path(path)]

    def observe(self, service: str | None, hosts: Iterable[str], names: Iterable[str],
                paths: Iterable[str] | None = None) -> list[Observed]:
        """Kinds of information the parameter `names` sent to `hosts` carry, in vocabulary order.

        `service` is the registry service the requests were matched to (None for an unidentified
        third party: then any endpoint on the hosts counts). `paths`, when given, limits the
        endpoints to those receiving requests on one of those paths.
        """
        path_list = list(paths) if paths is not None else [None]
        eps: list[EndpointSpec] = []
        for h in sorted(set(hosts)):
            for p in path_list:
                for e in self.endpoints_for(service, h, p):
                    if e not in eps:
                        eps.append(e)
        found: dict[str, set[str]] = {}
        for name in set(names):
            for e in eps:
                kind = e.kind_of(name)
                if kind is not None:
                    found.setdefault(kind, set()).add(name)
                    break
        return [Observed(k, spec.ja, spec.en, tuple(sorted(found[k])))
                for k, spec in self.kinds.items() if k in found]

    def observe_url(self, service: str | None, url: str) -> list[Observed]:
        """The kinds one recorded request URL carries in its query parameter names."""
        p = urlsplit(url)
        names = [k for k, _ in parse_qsl(p.query, keep_blank_values=True) if k]
        return self.observe(service, [p.hostname or ""], names, [p.path or "/"])

    def mentioned(self, kind: str, information_ja: Iterable[str]) -> bool:
        """Whether a published 送信される情報 mentions `kind` (any of its keywords, NFKC, any case)."""
        spec = self.kinds.get(kind)
        if spec is None:
            return True
        text = _norm(" ".join(information_ja))
        return any(_norm(k) in text for k in spec.keywords_ja)


# -- reading ------------------------------------------------------------------------------------
def _read(path: Path, model: type[BaseModel], what: str) -> tuple[Any, Any]:
    doc = load_located(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise InputError(str(path), "1", f"expected a mapping with {what}:")
    try:
        return doc, model.model_validate(data)
    except ValidationError as e:
        raise _validation_error(str(path), doc, e) from None


def param_files(directory: Path) -> list[Path]:
    return sorted(p for p in [*directory.glob("*.yaml"), *directory.glob("*.yml")]
                  if p.name != KINDS_FILE)


def read_param_table(dirs: Iterable[Path], kinds_file: Path = PARAMS_DIR / KINDS_FILE
                     ) -> ParamTable:
    """The vocabulary and every endpoint file of `dirs` (missing directories are skipped).

    Malformed files, unknown kinds and duplicate endpoint ids raise InputError with file:line.
    """
    _, kf = _read(kinds_file, KindsFile, "kinds")
    table = ParamTable()
    for i, k in enumerate(kf.kinds):
        if k.id in table.kinds:
            doc = load_located(kinds_file)
            raise InputError(str(kinds_file), str(doc.line_of(("kinds", i))),
                             f"kinds[{i}].id: kind {k.id!r} is defined twice")
        table.kinds[k.id] = k
    for directory in dirs:
        if not directory.is_dir():
            continue
        for f in param_files(directory):
            doc, pf = _read(f, ParamsFile, "endpoints")
            for i, e in enumerate(pf.endpoints):
                where = f"{f}:{doc.line_of(('endpoints', i))}"
                if e.id in table.origin:
                    raise InputError(str(f), str(doc.line_of(("endpoints", i))),
                                     f"endpoint {e.id!r} is defined twice (also {table.origin[e.id]})")
                for name, kind in e.params.items():
                    if kind not in table.kinds:
                        raise InputError(str(f), str(doc.line_of(("endpoints", i, "params", name))),
                                         f"endpoints[{i}].params.{name}: unknown information kind "
                                         f"{kind!r}; expected one of {', '.join(table.kinds)}")
                table.origin[e.id] = where
                table.endpoints.append(e)
    return table


def param_dirs(registry_dir: Path | None) -> list[Path]:
    """The seed's endpoint files, then the company's own (``<registry_dir>/params/``)."""
    dirs = [PARAMS_DIR]
    if registry_dir is not None:
        dirs.append(registry_dir / "params")
    return dirs


def load_param_table(registry_dir: Path | None = None) -> ParamTable:
    return read_param_table(param_dirs(registry_dir))


# -- published texts vs observations ------------------------------------------------------------
def published_information(information_ja: list[str] | None, texts: dict[str, Any] | None,
                          property_kind: str) -> list[str]:
    """The 送信される情報 a property of `property_kind` (web|app) shows for a service: the
    platform block's wording when the service has one, else its default."""
    block = (texts or {}).get("app" if property_kind == "app" else "web") or {}
    return list(block.get("information_ja") or information_ja or [])


def _names(params: tuple[str, ...], limit: int = 8) -> str:
    more = len(params) - limit
    return ", ".join(params[:limit]) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class Gap:
    """An observed kind of information a service's published text does not mention."""

    property: str
    service: str
    kind: Observed
    keywords: tuple[str, ...]

    def __str__(self) -> str:
        return (f"property {self.property}: service {self.service} was seen receiving "
                f"「{self.kind.ja}」 ({self.kind.id}; parameter {_names(self.kind.params)}) but "
                f"its information_ja mentions none of {'・'.join(self.keywords)}; "
                "correct the service's 送信される情報")


def gaps_for(table: ParamTable, prop: str, service: str, observed: list[Observed],
             information_ja: list[str]) -> list[Gap]:
    return [Gap(prop, service, o, tuple(table.kinds[o.id].keywords_ja))
            for o in observed if not table.mentioned(o.id, information_ja)]


def information_gaps(session: Session, table: ParamTable,
                     published: Callable[[str, str], list[str] | None],
                     only: set[tuple[str, str]] | None = None) -> list[Gap]:
    """Gaps in the latest scan of every property stored in the database.

    `published(service_id, property_kind)` gives the service's information_ja for that kind of
    property (None: unknown service, skipped); `only`, when given, limits the check to those
    (property, service) pairs (e.g. the rows a build publishes).
    """
    from registry.identify import match_property
    from registry.index import build_index
    from scanner.models import ScanProperty

    latest: dict[str, ScanProperty] = {}
    for sp in session.exec(select(ScanProperty).order_by(col(ScanProperty.scan_id))).all():
        latest[sp.property] = sp
    if not latest:
        return []
    idx = build_index(session)
    out: list[Gap] = []
    for prop, sp in sorted(latest.items()):
        pm = match_property(session, idx, sp.scan_id, sp)
        hosts: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for tp in pm.third_parties:
            if tp.service is None or (only is not None and (prop, tp.service) not in only):
                continue
            hosts.setdefault(tp.service, set()).update(tp.hosts)
            names.setdefault(tp.service, set()).update(tp.param_names)
        for service in sorted(hosts):
            info = published(service, sp.kind)
            if info is None:
                continue
            seen = table.observe(service, hosts[service], names[service])
            out += gaps_for(table, prop, service, seen, info)
    return out
