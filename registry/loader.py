"""Registry YAML ↔ database: load the seed and the company's own files idempotently, export back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from registry.models import MatchRule, Provider, Service
from registry.schema import _HOST, MatchSpec, ProviderSpec, RegistryFile, ServiceSpec
from scanner.errors import GaibuError, InputError
from scanner.yamlloc import LocatedYaml, load_located

SEED_DIR = Path(__file__).parent / "seed"
PLATFORM_TEXT_KEYS = ("web", "app", "webview")  # ServiceSpec blocks stored in Service.texts
KIND_FIELDS = (("domain", "domains"), ("host", "hosts"), ("url_prefix", "url_prefixes"),
               ("cookie", "cookies"), ("storage", "storage"), ("sdk", "sdks"))


@dataclass
class Registry:
    """Providers and services read from YAML files, with where each came from."""

    providers: dict[str, ProviderSpec] = field(default_factory=dict)
    services: dict[str, ServiceSpec] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # 'service:<id>'/'provider:<id>' → file:line
    source: dict[str, str] = field(default_factory=dict)  # id → seed | local


def _validation_error(file: str, doc: Any, e: ValidationError) -> InputError:
    first = e.errors(include_url=False)[0]
    loc = tuple(first["loc"])
    line = doc.line_of(loc)
    field_name = ""
    for part in loc:
        field_name += f"[{part}]" if isinstance(part, int) else (("." if field_name else "") + str(part))
    msg = first["msg"]
    if first["type"] == "extra_forbidden":
        msg = f"unknown key {loc[-1]!r}"
    elif first["type"] == "value_error":
        msg = str(first["ctx"]["error"])
    return InputError(file, str(line), f"{field_name}: {msg}")


def read_located(path: Path) -> tuple[LocatedYaml, RegistryFile]:
    """A registry YAML file, validated, with the line of every entry."""
    doc = load_located(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise InputError(str(path), "1", "expected a mapping with providers: and services:")
    try:
        return doc, RegistryFile.model_validate(data)
    except ValidationError as e:
        raise _validation_error(str(path), doc, e) from None


def read_file(path: Path) -> RegistryFile:
    return read_located(path)[1]


def yaml_files(directory: Path) -> list[Path]:
    return sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])


def read_registry(dirs: list[tuple[Path, str]]) -> Registry:
    """Read every YAML file of each (directory, source); later directories override earlier ids."""
    reg = Registry()
    for directory, source in dirs:
        if not directory.is_dir():
            raise InputError(str(directory), None, "registry directory not found")
        seen_here: dict[str, str] = {}
        for f in yaml_files(directory):
            doc, rf = read_located(f)
            for i, p in enumerate(rf.providers):
                where = f"{f}:{doc.line_of(('providers', i))}"
                if f"provider:{p.id}" in seen_here:
                    raise InputError(str(f), str(doc.line_of(("providers", i))),
                                     f"provider {p.id!r} is defined twice (also {seen_here['provider:' + p.id]})")
                seen_here[f"provider:{p.id}"] = where
                reg.providers[p.id] = p
                reg.origin[f"provider:{p.id}"] = where
                reg.source[f"provider:{p.id}"] = source
            for i, s in enumerate(rf.services):
                where = f"{f}:{doc.line_of(('services', i))}"
                if f"service:{s.id}" in seen_here:
                    raise InputError(str(f), str(doc.line_of(("services", i))),
                                     f"service {s.id!r} is defined twice (also {seen_here['service:' + s.id]})")
                seen_here[f"service:{s.id}"] = where
                reg.services[s.id] = s
                reg.origin[f"service:{s.id}"] = where
                reg.source[f"service:{s.id}"] = source
    for sid, s in reg.services.items():
        if s.provider not in reg.providers:
            where = reg.origin[f"service:{sid}"]
            file, _, line = where.rpartition(":")
            raise InputError(file, line, f"service {sid!r}: provider {s.provider!r} is not defined "
                             "in any registry file")
    return reg


def registry_dirs(extra: Path | None) -> list[tuple[Path, str]]:
    dirs = [(SEED_DIR, "seed")]
    if extra is not None:
        dirs.append((extra, "local"))
    return dirs


@dataclass
class LoadResult:
    providers: int
    services: int
    rules: int
    added: int
    changed: int


def _service_row(s: ServiceSpec, source: str) -> dict[str, Any]:
    return dict(provider_id=s.provider, name_ja=s.name_ja, name_en=s.name_en, category=s.category,
                platforms=list(s.platforms), information_ja=list(s.information_ja),
                information_en=list(s.information_en), purpose_ja=s.purpose_ja,
                purpose_en=s.purpose_en, recipient_use_ja=s.recipient_use_ja,
                recipient_use_en=s.recipient_use_en, privacy_policy_url=s.privacy_policy_url,
                opt_out_url=s.opt_out_url, opt_out_ja=s.opt_out_ja, opt_out_en=s.opt_out_en,
                stop=s.stop.model_dump(exclude_none=True) if s.stop else None,
                texts={k: getattr(s, k).model_dump(exclude_none=True)
                       for k in PLATFORM_TEXT_KEYS if getattr(s, k) is not None},
                exemption_candidate=s.exemption_candidate, source=source, notes=s.notes)


_NAME_RULE = re.compile(r"^[^\s\x00-\x1f\x7f-\x9f]{1,200}$")


def rule_problem(kind: str, pattern: str) -> str | None:
    """Why ``kind:pattern`` cannot be a match rule, or None when it can.

    The same checks a registry file's ``match:`` gets (registry/schema.py MatchSpec), so a rule
    that enters through a review decision always exports to YAML that loads back; URL prefixes
    must also have a real host name, and cookie, storage and SDK patterns may not be empty, hold
    whitespace or control characters, or be a bare ``*``.
    """
    fields = dict(KIND_FIELDS)
    if kind not in fields:
        return f"unknown rule kind {kind!r}; expected one of {', '.join(fields)}"
    if not pattern or not pattern.strip():
        return "empty pattern"
    try:
        spec = MatchSpec.model_validate({fields[kind]: [pattern]})
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        return str(first["ctx"]["error"]) if first["type"] == "value_error" else first["msg"]
    if getattr(spec, fields[kind]) != [pattern]:
        return f"not in canonical form (expected {getattr(spec, fields[kind])[0]!r})"
    if kind == "url_prefix":
        try:
            host = urlsplit(pattern).hostname or ""
        except ValueError:
            host = ""
        if not _HOST.match(host):
            return f"expected a URL prefix like https://host/path with a host name, got {pattern!r}"
    elif kind in ("cookie", "storage", "sdk"):
        if not _NAME_RULE.match(pattern) or pattern.strip("*") == "":
            return (f"expected a {kind} name (no spaces or control characters, at most 200 "
                    f"characters, not just '*'), got {pattern!r}")
    return None


def spec_rules(m: MatchSpec) -> list[tuple[str, str]]:
    out = []
    for kind, attr in KIND_FIELDS:
        for pattern in getattr(m, attr):
            out.append((kind, pattern))
    return out


def store_registry(session: Session, reg: Registry, prune: bool = True) -> LoadResult:
    """Upsert providers, services and their rules; rules from review decisions are kept."""
    added = changed = 0
    for pid, p in sorted(reg.providers.items()):
        source = reg.source[f"provider:{pid}"]
        prow = session.get(Provider, pid)
        pvalues: dict[str, Any] = dict(name_ja=p.name_ja, name_en=p.name_en, country=p.country,
                                       privacy_policy_url=p.privacy_policy_url, source=source,
                                       domains=list(p.domains))
        if prow is None:
            session.add(Provider(id=pid, **pvalues))
            added += 1
        elif any(getattr(prow, k) != v for k, v in pvalues.items()):
            for k, v in pvalues.items():
                setattr(prow, k, v)
            session.add(prow)
            changed += 1
    session.flush()
    rule_count = 0
    for sid, s in sorted(reg.services.items()):
        source = reg.source[f"service:{sid}"]
        values = _service_row(s, source)
        srow = session.get(Service, sid)
        if srow is None:
            session.add(Service(id=sid, **values))
            added += 1
        elif srow.source == "edited":
            pass  # texts changed by reviewers in the console win over the files (audit: ServiceEdit)
        elif any(getattr(srow, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(srow, k, v)
            session.add(srow)
            changed += 1
        session.flush()
        wanted = set(spec_rules(s.match))
        existing = session.exec(select(MatchRule).where(MatchRule.service_id == sid)).all()
        have = {(r.kind, r.pattern): r for r in existing}
        for r in existing:
            if r.source in ("seed", "local") and (r.kind, r.pattern) not in wanted:
                session.delete(r)
                changed += 1
        for kind, pattern in sorted(wanted):
            hr = have.get((kind, pattern))
            if hr is None:
                session.add(MatchRule(service_id=sid, kind=kind, pattern=pattern, source=source))
            elif hr.source != source and hr.source != "review":
                hr.source = source
                session.add(hr)
            rule_count += 1
    if prune:
        # seed/local services that left the files lose their file rules (review rules stay)
        for old in session.exec(select(Service).where(col(Service.source).in_(("seed", "local")))):
            if old.id not in reg.services:
                for r in session.exec(select(MatchRule).where(MatchRule.service_id == old.id,
                                                              MatchRule.source != "review")):
                    session.delete(r)
                    changed += 1
    session.flush()
    return LoadResult(len(reg.providers), len(reg.services), rule_count, added, changed)


def load_into(engine: Engine, extra_dir: Path | None) -> LoadResult:
    reg = read_registry(registry_dirs(extra_dir))
    with Session(engine) as s:
        res = store_registry(s, reg)
        s.commit()
    return res


# -- export ---------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_rep)


def export_registry(engine: Engine, out_dir: Path) -> list[Path]:
    """Write providers.yaml and services.yaml that load back to the same database content."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with Session(engine) as s:
        providers = s.exec(select(Provider).order_by(Provider.id)).all()
        services = s.exec(select(Service).order_by(Service.id)).all()
        rules = s.exec(select(MatchRule).order_by(MatchRule.service_id, MatchRule.kind,
                                                  MatchRule.pattern)).all()
    by_service: dict[str, list[MatchRule]] = {}
    for r in rules:
        problem = rule_problem(r.kind, r.pattern)
        if problem is not None:
            # written, it would make a file `registry load` refuses: say which rule, and how
            # it goes (rules from review decisions go with `gaibu review undo`)
            raise GaibuError(f"cannot export: rule #{r.id} {r.kind}:{r.pattern!r} of service "
                             f"{r.service_id!r} ({r.source}) is not a valid rule: {problem}; "
                             "remove it first (`gaibu review undo DECISION` for a review rule, "
                             "see `gaibu registry check`); nothing was written")
        by_service.setdefault(r.service_id, []).append(r)
    pdata = []
    for p in providers:
        d: dict[str, Any] = {"id": p.id, "name_ja": p.name_ja, "name_en": p.name_en}
        if p.country:
            d["country"] = p.country
        if p.privacy_policy_url:
            d["privacy_policy_url"] = p.privacy_policy_url
        if p.domains:
            d["domains"] = list(p.domains)
        pdata.append(d)
    sdata = []
    for sv in services:
        d = {"id": sv.id, "provider": sv.provider_id, "name_ja": sv.name_ja, "name_en": sv.name_en,
             "category": sv.category, "platforms": list(sv.platforms or ["web"]),
             "information_ja": list(sv.information_ja or []),
             "information_en": list(sv.information_en or []),
             "purpose_ja": sv.purpose_ja, "purpose_en": sv.purpose_en,
             "recipient_use_ja": sv.recipient_use_ja, "recipient_use_en": sv.recipient_use_en}
        for k in ("privacy_policy_url", "opt_out_url", "opt_out_ja", "opt_out_en"):
            v = getattr(sv, k)
            if v:
                d[k] = v
        if sv.stop:
            d["stop"] = dict(sv.stop)
        for k in PLATFORM_TEXT_KEYS:
            if (sv.texts or {}).get(k):
                d[k] = dict(sv.texts[k])  # type: ignore[index]
        if sv.exemption_candidate:
            d["exemption_candidate"] = True
        if sv.notes:
            d["notes"] = sv.notes
        match: dict[str, list[str]] = {}
        for r in by_service.get(sv.id, []):
            attr = dict(KIND_FIELDS)[r.kind]
            match.setdefault(attr, []).append(r.pattern)
        if match:
            d["match"] = {attr: sorted(v) for attr, v in
                          sorted(match.items(), key=lambda kv: [a for _, a in KIND_FIELDS].index(kv[0]))}
        sdata.append(d)
    files = []
    for name, payload in (("providers.yaml", {"providers": pdata}),
                          ("services.yaml", {"services": sdata})):
        path = out_dir / name
        path.write_text(yaml.dump(payload, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                                  width=100), encoding="utf-8")
        files.append(path)
    return files
