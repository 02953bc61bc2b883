"""`gaibu registry check`: problems in the registry files and database, before they reach the public.

Errors: malformed files, malformed URLs, duplicate or conflicting rules, rules that would match
the company's own (first-party) domains, services without any rule, services without a
``stop:`` (送信の停止・制限の方法; legacy ``opt_out_*`` alone are refused), wording that is false
on a platform the service is listed for (「当社サイト」/Cookie/ブラウザ in app texts,
広告識別子/広告ID in web texts; see registry/texts.py), and what `lint_service` finds in a
service's public texts: vague 「等」/「など」/「その他」 and links that are not https://.
Warnings: Japanese texts that contain no Japanese.

`lint_service` is the one lint of a service's public texts; the same function runs on seed and
registry_dir files (`registry check`), on a reviewer's file (`review new-service --file`) and on
every service a build would publish (`gaibu build`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
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
from registry.texts import LEGACY_STOP_MESSAGE, wrong_words
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


# Public texts of a service (the dict form of registry.schema.ServiceSpec): Japanese fields that
# must not be vague, and the links the public page shows.
_JA_TEXTS = ("name_ja", "information_ja", "purpose_ja", "recipient_use_ja", "opt_out_ja")
_PLATFORM_JA = ("information_ja", "purpose_ja", "recipient_use_ja")
_LINKS = ("privacy_policy_url", "opt_out_url")

Locate = Callable[[tuple[Any, ...]], str]


def _texts(value: Any) -> list[tuple[int | None, str]]:
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, list | tuple):
        return [(i, v) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def lint_service(data: Mapping[str, Any], locate: Locate) -> list[Problem]:
    """Problems in the public texts of one service, given as the dict form of a ServiceSpec
    (a YAML mapping, `ServiceSpec.model_dump()`, or a database row turned into that form).

    `locate(path)` names where a field is (``file:line`` for files, the service id for the
    database). Errors: vague 「等」「など」「その他」 in a Japanese public text, a public link that
    is not an absolute https:// URL. Warnings: a Japanese text without Japanese characters.
    """
    problems: list[Problem] = []
    sid = data.get("id", "?")

    def vague(path: tuple[Any, ...], label: str, value: Any) -> None:
        for i, text in _texts(value):
            m = VAGUE.search(text)
            if m:
                at = path + ((i,) if i is not None else ())
                problems.append(Problem("error", locate(at), f"service {sid}: {label}"
                                        f"{f'[{i}]' if i is not None else ''}: vague wording "
                                        f"「{m.group(1)}」 in a public text ({text!r}); list the "
                                        "items instead of 「等」「など」「その他」"))

    def link(path: tuple[Any, ...], label: str, url: Any) -> None:
        if url is None:
            return
        if not isinstance(url, str) or not _url_ok(url):
            problems.append(Problem("error", locate(path), f"service {sid}: {label} is not a "
                                    f"valid URL: {url!r}; expected an absolute https:// URL"))
        elif not url.startswith("https://"):
            problems.append(Problem("error", locate(path), f"service {sid}: {label} uses "
                                    f"{url.split(':', 1)[0]}://: {url}; expected an https:// URL"))

    for f in _JA_TEXTS:
        vague((f,), f, data.get(f))
    for f in ("name_ja", "purpose_ja", "recipient_use_ja"):
        text = data.get(f)
        if isinstance(text, str) and not JAPANESE.search(text):
            problems.append(Problem("warning", locate((f,)),
                                    f"service {sid}: {f} has no Japanese text: {text!r}"))
    for i, item in _texts(data.get("information_ja")):
        if not JAPANESE.search(item) and not re.fullmatch(r"[A-Za-z0-9 /()._-]+", item):
            problems.append(Problem("warning", locate(("information_ja", i)),
                                    f"service {sid}: information_ja[{i}] has no Japanese text"))
    for f in _LINKS:
        link((f,), f, data.get(f))
    stop = data.get("stop")
    if isinstance(stop, Mapping):
        vague(("stop", "text_ja"), "stop.text_ja", stop.get("text_ja"))
        link(("stop", "url"), "stop.url", stop.get("url"))
    for platform in ("web", "app", "webview"):
        block = data.get(platform)
        if not isinstance(block, Mapping):
            continue
        for f in _PLATFORM_JA:
            vague((platform, f), f"{platform}.{f}", block.get(f))
        pstop = block.get("stop")
        if isinstance(pstop, Mapping):
            vague((platform, "stop", "text_ja"), f"{platform}.stop.text_ja", pstop.get("text_ja"))
            link((platform, "stop", "url"), f"{platform}.stop.url", pstop.get("url"))
    return problems


def service_data(sv: Any) -> dict[str, Any]:
    """A registry.models.Service row in the dict form `lint_service` reads."""
    d: dict[str, Any] = {f: getattr(sv, f) for f in (
        "id", "name_ja", "name_en", "information_ja", "information_en", "purpose_ja",
        "purpose_en", "recipient_use_ja", "recipient_use_en", "privacy_policy_url",
        "opt_out_url", "opt_out_ja", "opt_out_en", "stop")}
    d.update({k: v for k, v in (sv.texts or {}).items() if k in ("web", "app", "webview")})
    return d


def lint_file_service(doc: Any, data: Mapping[str, Any],
                      prefix: tuple[Any, ...] = ()) -> list[Problem]:
    """`lint_service` for a service read from a YAML file (a LocatedYaml): problems name
    file:line. `prefix` is where the service sits in the document (("services", 0))."""
    file = doc.file

    def locate(path: tuple[Any, ...]) -> str:
        line = None
        for n in range(len(path), -1, -1):  # the field's line, else its parent's
            line = doc.line_of(prefix + path[:n])
            if line:
                break
        return f"{file}:{line}" if line else file
    return lint_service(data, locate)


def check_registry(dirs: list[tuple[Path, str]], first_party: set[str],
                   engine: Engine | None = None) -> list[Problem]:
    problems: list[Problem] = []
    reg = Registry()
    docs: dict[str, Any] = {}
    idx_of: dict[str, int] = {}
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
                docs[s.id], idx_of[s.id] = doc, i
                reg.source[s.id] = source
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for sid, s in sorted(reg.services.items()):
        where = f"{reg.origin['service:' + sid]}: service {sid}"
        if s.provider not in reg.providers:
            problems.append(Problem("error", where, f"provider {s.provider!r} is not defined"))
        problems += lint_file_service(docs[sid], s.model_dump(), ("services", idx_of[sid]))
        if s.stop is None:
            if s.opt_out_url or s.opt_out_ja:
                problems.append(Problem("error", where, LEGACY_STOP_MESSAGE))
            else:
                problems.append(Problem("error", where, "no stop method: add stop: {kind: stop|"
                                        "limit|company_setting|unavailable, ...} (送信の停止・制限の方法)"))
        elif s.opt_out_url or s.opt_out_ja or s.opt_out_en:
            problems.append(Problem("warning", where, "opt_out_url/opt_out_ja/opt_out_en are "
                                    "ignored (stop: is used); delete them"))
        for platform, field_name, word in wrong_words(s):
            other = "web" if platform == "app" else "app"
            problems.append(Problem("error", where, f"{field_name} for {platform} says 「{word}」, "
                                    f"which is not true there: move it to a {other}: block and "
                                    f"give the {platform} wording in a {platform}: block"))
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
    problems += param_problems(dirs, reg, engine)
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


def param_problems(dirs: list[tuple[Path, str]], reg: Registry, engine: Engine | None
                   ) -> list[Problem]:
    """The parameter-meaning table (registry/params, <registry_dir>/params): malformed files and
    endpoints of unknown services are errors; with a database, kinds of information the latest
    scans saw going to a service that its information_ja does not mention are warnings."""
    from registry.observed import (
        PARAMS_DIR,
        information_gaps,
        published_information,
        read_param_table,
    )

    try:
        table = read_param_table([PARAMS_DIR] + [d / "params" for d, src in dirs if src != "seed"])
    except InputError as e:
        return [Problem("error", f"{e.file}:{e.where}" if e.where else e.file, e.message)]
    out = [Problem("error", f"{table.origin[e.id]}: endpoint {e.id}",
                   f"service {e.service!r} is not defined in any registry file")
           for e in table.endpoints if e.service not in reg.services]
    if engine is not None:
        def published(sid: str, kind: str) -> list[str] | None:
            s = reg.services.get(sid)
            if s is None:
                return None
            blocks = {k: getattr(s, k).model_dump(exclude_none=True)
                      for k in ("web", "app") if getattr(s, k) is not None}
            return published_information(s.information_ja, blocks, kind)

        with Session(engine) as session:
            for gap in information_gaps(session, table, published):
                out.append(Problem("warning", f"{reg.origin['service:' + gap.service]}: service "
                                   f"{gap.service}", str(gap)))
    return out


def run_check(extra_dir: Path | None, first_party: set[str], engine: Engine | None) -> list[Problem]:
    return check_registry(registry_dirs(extra_dir), first_party, engine)
