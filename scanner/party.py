"""First or third party: registrable domain via offline tldextract plus the company's owned domains."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import Any, Literal
from urllib.parse import urlsplit

import tldextract

Party = Literal["first", "third"]


@functools.lru_cache(maxsize=2)
def _extractor(private_suffixes: bool) -> tldextract.TLDExtract:
    # suffix_list_urls=() : never fetch the Public Suffix List, use the bundled snapshot.
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=private_suffixes
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


@functools.lru_cache(maxsize=65536)
def registrable_domain(host: str, private_suffixes: bool = True) -> str:
    """eTLD+1 of a host ('www.google-analytics.com' → 'google-analytics.com').

    IP addresses, 'localhost' and hosts under no known suffix are returned whole.
    With private_suffixes, 'x.github.io' is a site of its own; without, it is 'github.io'.
    """
    h = host.strip().strip(".").lower()
    if not h or _is_ip(h):
        return h
    ext = _extractor(private_suffixes)(h)
    if ext.suffix and ext.domain:
        return f"{ext.domain}.{ext.suffix}"
    return h


def host_of(url: str) -> str:
    """Lower-case host of a URL, '' when there is none (data:, about:blank)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class PartyRules:
    """Decides first vs third party for one property."""

    def __init__(self, first_party_domains: Iterable[str], private_suffixes: bool = True) -> None:
        self.private_suffixes = private_suffixes
        self.first = frozenset(
            registrable_domain(d, private_suffixes) for d in first_party_domains if d
        )

    @classmethod
    def for_property(cls, start_urls: Iterable[str], owned_domains: Iterable[str],
                     private_suffixes: bool = True) -> PartyRules:
        domains = [host_of(u) for u in start_urls] + list(owned_domains)
        return cls(domains, private_suffixes)

    @classmethod
    def for_targets(cls, targets: Any, prop: Any) -> PartyRules:
        """The rules of one property of a targets.yaml: its start URLs, the company's owned
        domains and the scan's private-suffix setting."""
        return cls.for_property(prop.urls, targets.company.owned_domains,
                                targets.scan.private_suffixes)

    def domain(self, host: str) -> str:
        return registrable_domain(host, self.private_suffixes)

    def party_of_host(self, host: str) -> Party:
        return "first" if self.domain(host) in self.first else "third"

    def party_of_url(self, url: str) -> Party:
        return self.party_of_host(host_of(url))

    def party_of_cookie_domain(self, cookie_domain: str) -> Party:
        return self.party_of_host(cookie_domain.lstrip("."))
