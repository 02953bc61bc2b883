"""Observation → service: the most specific match rule wins, found by dictionary walks.

Hosts are matched by walking their labels from the full host down to the registrable domain
(a dict lookup per label), URL prefixes by a per-host list, cookie/storage/SDK names by exact
lookup and then by prefix lookups over the name's own prefixes. Cost does not grow with the
number of rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

# Higher wins. A URL prefix beats an exact host, which beats a domain suffix; longer beats shorter.
SPECIFICITY = {"url_prefix": 3, "host": 2, "domain": 1, "cookie": 1, "storage": 1, "sdk": 1}
SOURCE_RANK = {"review": 0, "local": 1, "seed": 2, "suggestion": 3}


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: str
    target: str  # service id (or 'suggest:<entity>' for suggestions)
    source: str = "seed"
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    target: str
    rule: Rule
    score: tuple[int, int]  # (kind specificity, pattern length) – higher is more specific


def _norm_prefix(url: str) -> tuple[str, str]:
    p = urlsplit(url)
    return (p.hostname or "").lower(), p.path or "/"


class Matcher:
    """Indexes rules once; answers matches in time independent of the number of rules."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.domains: dict[str, Rule] = {}
        self.hosts: dict[str, Rule] = {}
        self.prefixes: dict[str, list[tuple[str, Rule]]] = {}
        self.exact: dict[str, dict[str, Rule]] = {"cookie": {}, "storage": {}, "sdk": {}}
        self.starts: dict[str, dict[str, Rule]] = {"cookie": {}, "storage": {}, "sdk": {}}
        self.max_start: dict[str, int] = {"cookie": 0, "storage": 0, "sdk": 0}
        self.conflicts: list[tuple[Rule, Rule]] = []
        ordered = sorted(rules, key=lambda r: (SOURCE_RANK.get(r.source, 9), r.target, r.kind,
                                               r.pattern))
        for r in ordered:
            self._add(r)
        for lst in self.prefixes.values():
            lst.sort(key=lambda pr: -len(pr[0]))
        self.rule_count = len(ordered)

    def _put(self, table: dict[str, Rule], key: str, r: Rule) -> None:
        old = table.get(key)
        if old is None:
            table[key] = r
        elif old.target != r.target:
            self.conflicts.append((old, r))  # first (higher-ranked source) wins

    def _add(self, r: Rule) -> None:
        if r.kind == "domain":
            self._put(self.domains, r.pattern.lower().strip("."), r)
        elif r.kind == "host":
            self._put(self.hosts, r.pattern.lower(), r)
        elif r.kind == "url_prefix":
            host, path = _norm_prefix(r.pattern)
            lst = self.prefixes.setdefault(host, [])
            for existing_path, existing in lst:
                if existing_path == path:
                    if existing.target != r.target:
                        self.conflicts.append((existing, r))
                    return
            lst.append((path, r))
        elif r.kind in self.exact:
            if r.pattern.endswith("*"):
                stem = r.pattern[:-1]
                self._put(self.starts[r.kind], stem, r)
                self.max_start[r.kind] = max(self.max_start[r.kind], len(stem))
            else:
                self._put(self.exact[r.kind], r.pattern, r)
        else:
            raise ValueError(f"unknown rule kind {r.kind!r}")

    # -- hosts and URLs ------------------------------------------------------------------------
    def match_host(self, host: str, path: str | None = None) -> Match | None:
        """Most specific rule for a request to host (and path, when given)."""
        host = host.lower()
        if path is not None and host in self.prefixes:
            for prefix, r in self.prefixes[host]:
                if path.startswith(prefix):
                    return Match(r.target, r, (3, len(prefix)))
        hr = self.hosts.get(host)
        if hr is not None:
            return Match(hr.target, hr, (2, len(host)))
        labels = host.split(".")
        for i in range(len(labels) - 1):
            suffix = ".".join(labels[i:])
            dr = self.domains.get(suffix)
            if dr is not None:
                return Match(dr.target, dr, (1, len(suffix)))
        return None

    def match_url(self, url: str) -> Match | None:
        try:
            p = urlsplit(url)
        except ValueError:
            return None
        return self.match_host((p.hostname or ""), p.path or "/")

    def has_prefix_rules(self, host: str) -> bool:
        return host.lower() in self.prefixes

    # -- names ---------------------------------------------------------------------------------
    def _match_name(self, kind: str, name: str) -> Match | None:
        r = self.exact[kind].get(name)
        if r is not None:
            return Match(r.target, r, (1, len(name) + 1))
        starts = self.starts[kind]
        if starts:
            for n in range(min(len(name), self.max_start[kind]), 0, -1):
                r = starts.get(name[:n])
                if r is not None:
                    return Match(r.target, r, (1, n))
        return None

    def match_cookie(self, name: str) -> Match | None:
        return self._match_name("cookie", name)

    def match_storage(self, key: str) -> Match | None:
        return self._match_name("storage", key)

    def match_sdk(self, sdk_id: str) -> Match | None:
        return self._match_name("sdk", sdk_id)


class NaiveMatcher:
    """The obvious loop over every rule (for the benchmark and as a cross-check in tests)."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = sorted(rules, key=lambda r: (SOURCE_RANK.get(r.source, 9), r.target, r.kind,
                                                  r.pattern))
        # parsed once, so the baseline pays only for the loop itself
        self._prefix = {id(r): _norm_prefix(r.pattern) for r in self.rules
                        if r.kind == "url_prefix"}

    def match_url(self, url: str) -> Match | None:
        p = urlsplit(url)
        host, path = (p.hostname or "").lower(), p.path or "/"
        best: Match | None = None
        for r in self.rules:
            m = None
            if r.kind == "url_prefix":
                h, pp = self._prefix[id(r)]
                if h == host and path.startswith(pp):
                    m = Match(r.target, r, (3, len(pp)))
            elif r.kind == "host" and r.pattern == host:
                m = Match(r.target, r, (2, len(host)))
            elif r.kind == "domain" and (host == r.pattern or host.endswith("." + r.pattern)):
                m = Match(r.target, r, (1, len(r.pattern)))
            if m is not None and (best is None or m.score > best.score):
                best = m
        return best

    def _match_name(self, kind: str, name: str) -> Match | None:
        best: Match | None = None
        for r in self.rules:
            if r.kind != kind:
                continue
            if r.pattern.endswith("*"):
                if name.startswith(r.pattern[:-1]):
                    m = Match(r.target, r, (1, len(r.pattern) - 1))
                else:
                    continue
            elif r.pattern == name:
                m = Match(r.target, r, (1, len(name) + 1))
            else:
                continue
            if best is None or m.score > best.score:
                best = m
        return best

    def match_cookie(self, name: str) -> Match | None:
        return self._match_name("cookie", name)

    def match_storage(self, key: str) -> Match | None:
        return self._match_name("storage", key)

    def match_sdk(self, sdk_id: str) -> Match | None:
        return self._match_name("sdk", sdk_id)
