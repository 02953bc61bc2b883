"""Page discovery: same-site links from a rendered DOM (BeautifulSoup) and URLs from sitemap.xml."""

from __future__ import annotations

from urllib.parse import urljoin

from bs4 import BeautifulSoup, SoupStrainer
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from scanner.urls import canonicalize, looks_like_page

_LINKS = SoupStrainer(["a", "area", "base"])


def extract_links(html: str, page_url: str) -> list[str]:
    """Canonical http(s) page URLs of <a>/<area> links, in document order, de-duplicated.

    Honours <base href>; skips download links, javascript:/mailto:/tel: and links to files.
    """
    try:
        soup = BeautifulSoup(html, "lxml", parse_only=_LINKS)
    except Exception:  # pragma: no cover - lxml copes with anything, html.parser as fallback
        soup = BeautifulSoup(html, "html.parser", parse_only=_LINKS)
    base = page_url
    base_tag = soup.find("base", href=True)
    if base_tag is not None:
        base = urljoin(page_url, str(base_tag["href"]))
    out: list[str] = []
    seen: set[str] = set()
    for tag in soup.find_all(["a", "area"], href=True):
        if tag.has_attr("download"):
            continue
        url = canonicalize(str(tag["href"]), base)
        if url and url not in seen and looks_like_page(url):
            seen.add(url)
            out.append(url)
    return out


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_sitemap(xml: bytes | str, sitemap_url: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) from a <urlset> or <sitemapindex> document.

    Malformed or hostile XML (entity expansion, external entities) yields nothing.
    """
    try:
        root = ElementTree.fromstring(xml, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        return [], []
    pages: list[str] = []
    nested: list[str] = []
    kind = _local(root.tag)
    for child in root:
        loc = next((c.text for c in child if _local(c.tag) == "loc" and c.text), None)
        if not loc:
            continue
        url = canonicalize(loc.strip(), sitemap_url)
        if not url:
            continue
        if kind == "sitemapindex":
            nested.append(url)
        elif kind == "urlset" and looks_like_page(url):
            pages.append(url)
    return pages, nested


def robots_sitemaps(text: str, robots_url: str) -> list[str]:
    """Sitemap: lines of a robots.txt."""
    out = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = canonicalize(value.strip(), robots_url)
            if url:
                out.append(url)
    return out
