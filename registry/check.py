"""`gaibu registry check`: problems in the registry files and database, before they reach the public.

Errors: malformed files, malformed URLs, duplicate or conflicting rules, rules that would match
the company's own (first-party) domains, services without any rule. Warnings: Japanese texts that
contain no Japanese, vague 「等」/「など」/「その他」, http:// links.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from registry.loader import (
    Registry,
    read_located,
    registry_dirs,
    rule_problem,
    spec_rules,
    yaml_files,
)
from registry.models import MatchRule
from scanner.errors import InputError
from scanner.party import registrable_domain

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")
VAGUE = re.compile(r"(等|など|その他)(?![a-zA-Z])")


@dataclass(frozen=True)
class Problem:
    level: str  # error | warning
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.level}: {self.message}"


def _url_ok(url: str) -> bool:
    try:
        p = urlsplit(url)
    except ValueError:
        return False
    return p.scheme in ("http", "https") and bool(p.hostname) and " " not in url


def check_registry(dirs: list[tuple[Path, str]], first_party: set[str],
                   engine: Engine | None = None) -> list[Problem]:
    problems: list[Problem] = []
    reg = Registry()
    for directory, source in dirs:
        if not directory.is_dir():
            problems.append(Problem("error", str(directory), "registry directory not found"))
            continue
        for f in yaml_files(directory):
            try:
                doc, rf = read_located(f)
            except InputError as e:
                problems.append(Problem("error", f"{e.file}:{e.where}" if e.where else e.file,
                                        e.message))
                continue
            for i, p in enumerate(rf.providers):
                reg.providers[p.id] = p
                reg.origin[f"provider:{p.id}"] = f"{f}:{doc.line_of(('providers', i))}"
            for i, s in enumerate(rf.services):
                where = f"{f}:{doc.line_of(('services', i))}"
                if f"service:{s.id}" in reg.origin and reg.source.get(s.id) == source:
                    problems.append(Problem("error", where, f"service {s.id!r} defined twice "
                                            f"(also at {reg.origin['service:' + s.id]})"))
                reg.services[s.id] = s
                reg.origin[f"service:{s.id}"] = where
                reg.source[s.id] = source
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sid, s in sorted(reg.services.items()):
        where = f"{reg.origin['service:' + sid]}: service {sid}"
        if s.provider not in reg.providers:
            problems.append(Problem("error", where, f"provider {s.provider!r} is not defined"))
        for field_name in ("name_ja", "purpose_ja", "recipient_use_ja"):
            text = getattr(s, field_name)
            if not JAPANESE.search(text):
                problems.append(Problem("warning", where, f"{field_name} has no Japanese text: {text!r}"))
        for i, item in enumerate(s.information_ja):
            if not JAPANESE.search(item) and not re.fullmatch(r"[A-Za-z0-9 /()._-]+", item):
                problems.append(Problem("warning", where, f"information_ja[{i}] has no Japanese text"))
        for field_name in ("information_ja", "purpose_ja", "recipient_use_ja"):
            value = getattr(s, field_name)
            texts = value if isinstance(value, list) else [value]
            for t in texts:
                if VAGUE.search(t):
                    problems.append(Problem("warning", where, f"{field_name}: vague wording "
                                            f"(「等」「など」「その他」) in {t!r}; list the items"))
        for field_name in ("privacy_policy_url", "opt_out_url"):
            url = getattr(s, field_name)
            if url is None:
                continue
            if not _url_ok(url):
                problems.append(Problem("error", where, f"{field_name} is not a valid URL: {url!r}"))
            elif url.startswith("http://"):
                problems.append(Problem("warning", where, f"{field_name} uses http://: {url}"))
        rules = spec_rules(s.match)
        if not rules:
            problems.append(Problem("error", where, "no match rules: nothing can be identified as this service"))
        seen: set[tuple[str, str]] = set()
        for kind, pattern in rules:
            if (kind, pattern) in seen:
                problems.append(Problem("error", where, f"duplicate rule {kind}:{pattern}"))
            seen.add((kind, pattern))
            owners[(kind, pattern)].add(sid)
            fp = _first_party_hit(kind, pattern, first_party)
            if fp:
                problems.append(Problem("error", where, f"rule {kind}:{pattern} would match the "
                                        f"company's own domain {fp}"))
    for pid, p in sorted(reg.providers.items()):
        if p.privacy_policy_url and not _url_ok(p.privacy_policy_url):
            problems.append(Problem("error", f"{reg.origin['provider:' + pid]}: provider {pid}",
                                    f"privacy_policy_url is not a valid URL: {p.privacy_policy_url!r}"))
    review_rules: list[tuple[str, str, str, str]] = []
    if engine is not None:
        with Session(engine) as session:
            for r in session.exec(select(MatchRule).where(MatchRule.source == "review")):
                owners[(r.kind, r.pattern)].add(r.service_id)
                review_rules.append((f"database: review rule #{r.id} ({r.service_id})",
                                     r.service_id, r.kind, r.pattern))
                bad = rule_problem(r.kind, r.pattern)
                if bad:  # from an older gaibu: export would write a file load refuses
                    problems.append(Problem("error", f"database: review rule #{r.id} ({r.service_id})",
                                            f"rule {r.kind}:{r.pattern!r} is not valid: {bad}"))
                fp = _first_party_hit(r.kind, r.pattern, first_party)
                if fp:
                    problems.append(Problem("error", f"database: review rule #{r.id} ({r.service_id})",
                                            f"rule {r.kind}:{r.pattern} would match the company's own domain {fp}"))
    for (kind, pattern), sids in sorted(owners.items()):
        if len(sids) > 1:
            problems.append(Problem("error", f"rule {kind}:{pattern}",
                                    f"conflicting: identifies {', '.join(sorted(sids))}"))
    problems += rule_overlaps(reg, review_rules)
    return problems


# SDK artifacts that several services of one provider pull in (core, transport, interop shims):
# their presence says nothing about which product an app uses, so no service rule may match
# them. From the Firebase iOS SDK podspecs (github.com/firebase/firebase-ios-sdk, *.podspec) and
# the Firebase Android BoM (firebase.google.com/support/release-notes/android); the demo's
# Podfile.lock (gaibu/demo/app) has FirebaseRemoteConfigInterop pulled in by Crashlytics.
SHARED_ARTIFACTS = (
    "cocoapods:FirebaseCore", "cocoapods:FirebaseCoreInternal", "cocoapods:FirebaseCoreExtension",
    "cocoapods:FirebaseCoreDiagnostics", "cocoapods:FirebaseInstallations",
    "cocoapods:FirebaseSessions", "cocoapods:FirebaseSharedSwift",
    "cocoapods:FirebaseRemoteConfigInterop", "cocoapods:FirebaseAnalyticsInterop",
    "cocoapods:FirebaseAuthInterop", "cocoapods:FirebaseAppCheckInterop",
    "cocoapods:FirebaseMessagingInterop", "cocoapods:GoogleDataTransport",
    "cocoapods:GoogleUtilities", "cocoapods:GoogleUtilitiesLegacy",
    "com.google.firebase:firebase-bom", "com.google.firebase:firebase-common",
    "com.google.firebase:firebase-common-ktx", "com.google.firebase:firebase-components",
    "com.google.firebase:firebase-installations", "com.google.firebase:firebase-installations-interop",
    "com.google.firebase:firebase-config-interop", "com.google.firebase:firebase-analytics-interop",
    "com.google.firebase:firebase-auth-interop", "com.google.firebase:firebase-appcheck-interop",
    "com.google.firebase:firebase-iid-interop", "com.google.firebase:firebase-sessions",
    "com.google.firebase:firebase-datatransport", "com.google.firebase:firebase-encoders",
    "com.google.firebase:firebase-encoders-json", "com.google.firebase:firebase-encoders-proto",
    "com.google.firebase:firebase-measurement-connector", "com.google.firebase:firebase-annotations",
    "com.google.android.datatransport:transport-api",
    "com.google.android.datatransport:transport-backend-cct",
    "com.google.android.datatransport:transport-runtime",
    # pulled in by Google Mobile Ads as well as by Analytics
    "com.google.android.gms:play-services-measurement-base",
    "com.google.android.gms:play-services-measurement-sdk-api",
    "com.google.android.gms:play-services-basement", "com.google.android.gms:play-services-base",
    "com.google.android.gms:play-services-tasks",
)


def _sdk_hits(pattern: str, artifact: str) -> bool:
    return artifact.startswith(pattern[:-1]) if pattern.endswith("*") else artifact == pattern


def rule_overlaps(reg: Registry, extra: list[tuple[str, str, str, str]] = ()  # type: ignore[assignment]
                  ) -> list[Problem]:
    """Rules that would list a service on evidence that is not specific to it.

    - an SDK rule (prefix or exact) that matches an artifact shared by a provider's services
      (SHARED_ARTIFACTS) or another service's exact artifact;
    - a host/domain rule on (or above) a domain a provider lists as shared among its services
      (``providers: domains:``): such traffic names the provider, never one service.
    ``extra``: (where, service id, kind, pattern) of rules from the database (review decisions).
    """
    rules: list[tuple[str, str, str, str]] = []
    for sid, s in sorted(reg.services.items()):
        where = f"{reg.origin.get('service:' + sid, '?')}: service {sid}"
        rules += [(where, sid, kind, pattern) for kind, pattern in spec_rules(s.match)]
    rules += list(extra)
    exact_sdk: dict[str, set[str]] = defaultdict(set)
    for _, sid, kind, pattern in rules:
        if kind == "sdk" and not pattern.endswith("*"):
            exact_sdk[pattern].add(sid)
    shared_domains = {d: pid for pid, p in reg.providers.items() for d in p.domains}
    problems: list[Problem] = []
    for where, sid, kind, pattern in rules:
        if kind == "sdk":
            for art in SHARED_ARTIFACTS:
                if _sdk_hits(pattern, art):
                    problems.append(Problem("error", where, f"rule sdk:{pattern} matches {art}, "
                                            "which several of the provider's SDKs pull in; "
                                            "list the service's own artifacts exactly"))
            if pattern.endswith("*"):
                for art, others in sorted(exact_sdk.items()):
                    others = others - {sid}
                    if others and _sdk_hits(pattern, art):
                        problems.append(Problem("error", where, f"rule sdk:{pattern} also matches "
                                                f"{art}, the artifact of {', '.join(sorted(others))}"))
        elif kind in ("domain", "host"):
            for d, pid in sorted(shared_domains.items()):
                if d == pattern or (kind == "domain" and d.endswith("." + pattern)):
                    problems.append(Problem("error", where, f"rule {kind}:{pattern} covers "
                                            f"{d}, which provider {pid} shares among its "
                                            "services; such traffic identifies the provider only "
                                            "(drop the rule, or move the domain out of the "
                                            "provider's domains if it is this service's own)"))
    return problems


def _first_party_hit(kind: str, pattern: str, first_party: set[str]) -> str | None:
    if kind in ("domain", "host", "url_prefix"):
        host = urlsplit(pattern).hostname or "" if kind == "url_prefix" else pattern
        dom = registrable_domain(host)
        for fp in first_party:
            if dom == fp or host == fp or host.endswith("." + fp) or fp.endswith("." + host):
                return fp
    return None


def run_check(extra_dir: Path | None, first_party: set[str], engine: Engine | None) -> list[Problem]:
    return check_registry(registry_dirs(extra_dir), first_party, engine)
