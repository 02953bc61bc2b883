"""URL canonicalisation, de-duplication keys and include/exclude filters for the crawl frontier."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from scanner.party import registrable_domain

# Query parameters that only track campaigns or sessions: pages differing only in these are one page.
TRACKING_PARAMS = frozenset({
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id",
    "gclid", "dclid", "gbraid", "wbraid", "fbclid", "yclid", "msclkid", "twclid", "ttclid",
    "ldtag_cl", "_ga", "_gl", "mc_cid", "mc_eid", "sessionid", "jsessionid", "phpsessid", "sid",
})
_SKIP_EXT = re.compile(
    r"\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|zip|gz|tgz|rar|7z|dmg|exe|msi|apk|ipa|"
    r"mp[34]|m4[av]|mov|avi|wmv|webm|ogg|wav|flac|woff2?|ttf|otf|eot|css|js|mjs|json|xml|rss|atom|"
    r"txt|csv|docx?|xlsx?|pptx?|ics)$",
    re.I,
)


def canonicalize(url: str, base: str | None = None) -> str | None:
    """Canonical form of an http(s) page URL, or None when it is not a crawlable page URL.

    Lower-case scheme and host, default port dropped, fragment dropped, dot segments resolved,
    empty path → '/', tracking parameters removed, remaining query sorted.
    """
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(absolute)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    try:
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        netloc = f"{host}:{port}"
    else:
        netloc = host
    path = parts.path or "/"
    # resolve ./ and ../ segments
    if "/." in path:
        path = urlsplit(urljoin(f"{scheme}://{netloc}/", path)).path or "/"
    path = re.sub(r"/{2,}", "/", path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS]
    query.sort()
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def looks_like_page(url: str) -> bool:
    """False for links to files a crawler should not open as pages (images, archives, PDFs…)."""
    return not _SKIP_EXT.search(urlsplit(url).path)


def same_site(url: str, site_domains: frozenset[str], private_suffixes: bool = True) -> bool:
    host = urlsplit(url).hostname or ""
    return registrable_domain(host, private_suffixes) in site_domains


class UrlFilter:
    """include/exclude regexes (searched anywhere in the canonical URL)."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]

    def allows(self, url: str) -> bool:
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)
