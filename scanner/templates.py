"""Template sampling: a site's 100,000 job pages are a dozen templates; visit a few of each.

Tags are put on page templates, not on single pages: every 求人詳細 page carries the same tags.
``template_key`` turns a canonical URL into its template (host and path with the variable parts
replaced, query parameter names without values):

    https://jobs.example.jp/job/12345/?ref=top      → jobs.example.jp/job/{n}/?ref
    https://jobs.example.jp/job/sales-tokyo-0012/   → jobs.example.jp/job/sales-tokyo-{n}/
    https://example.jp/news/2026-12-01/              → example.jp/news/{date}/
    https://example.jp/a/3f2a9c1e4b5d6a7f/           → example.jp/a/{hash}/
    https://example.jp/i/123e4567-e89b-12d3-a456-426614174000 → example.jp/i/{uuid}

and, once one parent path has many slug-like children (``/column/how-to-choose-a-flat``),
``{slug}`` for them. Top-level pages (``/about/``, ``/contact/``) are never merged: each is its
own template, because a contact page with its own chat widget is exactly what must not be missed.

``TemplateSampler`` decides per discovered URL: the first URL of a template is visited at once;
later ones wait in the template's pool and are counted. When the crawl frontier runs dry the
crawler calls ``drain()``, which picks up to ``max_per_template`` visits per template spread
evenly over everything discovered so far (first, middle, last …), so the sample is not just the
first three links of the first list page. ``summary()`` is what the report shows: templates,
how many URLs each had, which were visited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_HASH = re.compile(r"^(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}$", re.I)
_DATE = re.compile(r"^(?:19|20)\d\d-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])$")
_DIGITS = re.compile(r"\d{2,}")
_SLUGGY = re.compile(r"^[^/]*[-_][^/]*$")

SLUG_SIBLINGS = 12  # distinct slug-like children of one parent before they count as one template


def _segment(seg: str) -> str:
    if not seg:
        return seg
    stem, dot, ext = seg.rpartition(".")
    if not dot or not ext.isalnum() or len(ext) > 5:
        stem, dot, ext = seg, "", ""
    if _DATE.match(stem):
        return "{date}" + dot + ext
    if stem.isdigit():
        return "{n}" + dot + ext
    if _UUID.match(stem):
        return "{uuid}" + dot + ext
    if _HASH.match(stem):
        return "{hash}" + dot + ext
    return _DIGITS.sub("{n}", stem) + dot + ext


def _split(url: str) -> tuple[str, list[str], str, list[str]]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    trailing = "/" if path.endswith("/") and path != "/" else ""
    segs = [s for s in path.split("/") if s]
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return host, segs, trailing, keys


def _join(host: str, segs: list[str], trailing: str, keys: list[str]) -> str:
    path = "/" + "/".join(segs) + (trailing if segs else "")
    return host + path + ("?" + "&".join(keys) if keys else "")


def template_key(url: str) -> str:
    """The template of a canonical page URL (see the module docstring); no slug merging."""
    host, segs, trailing, keys = _split(url)
    return _join(host, [_segment(s) for s in segs], trailing, keys)


@dataclass
class Template:
    key: str
    discovered: int = 0
    visited: list[str] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)  # discovered, not (yet) visited, in order


@dataclass
class TemplateSampler:
    """Per-property sampling state; ``max_per_template`` 0 means: visit everything."""

    max_per_template: int = 3
    templates: dict[str, Template] = field(default_factory=dict)
    _slug_children: dict[str, set[str]] = field(default_factory=dict)
    _slug_parents: set[str] = field(default_factory=set)

    def key(self, url: str) -> str:
        host, segs, trailing, keys = _split(url)
        norm = [_segment(s) for s in segs]
        if len(norm) >= 2 and _SLUGGY.match(norm[-1]) and "{" not in norm[-1]:
            parent = _join(host, norm[:-1], "/", [])
            if parent in self._slug_parents:
                norm[-1] = "{slug}"
            else:
                kids = self._slug_children.setdefault(parent, set())
                kids.add(norm[-1])
                if len(kids) >= SLUG_SIBLINGS:
                    self._slug_parents.add(parent)
                    self._slug_children.pop(parent, None)
        return _join(host, norm, trailing, keys)

    def offer(self, url: str, force: bool = False) -> bool:
        """Count ``url``; True when it should be visited now (``force``: a start URL)."""
        t = self._template(url)
        t.discovered += 1
        if force or self.max_per_template <= 0 or not t.visited:
            t.visited.append(url)
            return True
        t.pool.append(url)
        return False

    def _template(self, url: str) -> Template:
        k = self.key(url)
        t = self.templates.get(k)
        if t is None:
            t = self.templates[k] = Template(k)
        return t

    def drain(self) -> list[str]:
        """More URLs to visit: per template up to the budget, spread evenly over its pool."""
        out: list[str] = []
        for t in self.templates.values():
            room = self.max_per_template - len(t.visited)
            if room <= 0 or not t.pool:
                continue
            picks = _spread(len(t.pool), room)
            chosen = [t.pool[i] for i in picks]
            t.visited.extend(chosen)
            chosen_set = set(picks)
            t.pool = [u for i, u in enumerate(t.pool) if i not in chosen_set]
            out.extend(chosen)
        return out

    def summary(self) -> list[dict[str, object]]:
        """Templates with more than one URL (or any skipped), for the report; largest first."""
        rows = [{"template": t.key, "discovered": t.discovered, "visited": list(t.visited),
                 "skipped": t.discovered - len(t.visited)}
                for t in self.templates.values() if t.discovered > 1]
        rows.sort(key=lambda r: (-int(r["discovered"]), str(r["template"])))  # type: ignore[call-overload]
        return rows


def _spread(n: int, k: int) -> list[int]:
    """k indices out of range(n), evenly spread and always including the last one."""
    if k >= n:
        return list(range(n))
    if k == 1:
        return [n - 1]
    step = (n - 1) / (k - 1)
    picks = sorted({round(i * step) for i in range(k)})
    return picks
