"""CNAME chains of first-party hosts: how a vendor collects on a company's own subdomain.

AD EBiS, Adobe Analytics, Salesforce Account Engagement (Pardot), Treasure Data and others offer
"first-party" collection: the company points ``metrics.example.jp`` at the vendor with a DNS
CNAME record, so the browser sends to what looks like the company's own host. A scan that only
compares registrable domains calls that first party. Resolving the CNAME chain of every
first-party host that received requests shows where the data really goes; the registry then
decides whether the end of the chain is a vendor (see ``registry.identify``).

``CnameResolver`` wraps dnspython with the scan's settings (``scan.nameservers``: "IP" or
"IP:PORT", default the system's resolvers; ``scan.dns_timeout``), follows the chain through the
A query (the resolver returns every CNAME it followed) and caches per instance, which is per
scan. Failures (NXDOMAIN, no answer, timeouts, refused) give an empty chain and are remembered
as such: DNS trouble never fails a scan. Nothing here runs when ``scan.resolve_cnames`` is off.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import dns.exception
import dns.nameserver
import dns.resolver

from scanner.errors import GaibuError
from scanner.party import _is_ip

MAX_CHAIN = 16  # CNAME hops kept; DNS resolvers stop far earlier (loops are refused upstream)


@dataclass(frozen=True)
class CnameResult:
    host: str
    chain: tuple[str, ...] = ()  # each CNAME target in order, without trailing dots
    error: str | None = None  # "nxdomain", "timeout", "no-nameservers", "no-answer", …

    @property
    def target(self) -> str | None:
        """The last name of the chain (the canonical name), or None when there is no CNAME."""
        return self.chain[-1] if self.chain else None


def parse_nameserver(spec: str) -> tuple[str, int]:
    """'192.0.2.53' or '192.0.2.53:5353' or '[2001:db8::1]:53' → (address, port)."""
    s = spec.strip()
    host, port = s, 53
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ValueError(f"expected [IPv6]:PORT, got {spec!r}")
            port = int(rest[1:])
    elif s.count(":") == 1:
        host, _, p = s.partition(":")
        if not p.isdigit():
            raise ValueError(f"expected IP:PORT, got {spec!r}")
        port = int(p)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"expected an IP address (optionally :PORT), got {spec!r}") from None
    if not 0 < port < 65536:
        raise ValueError(f"port out of range in {spec!r}")
    return host, port


@dataclass
class CnameResolver:
    nameservers: list[str] = field(default_factory=list)  # [] = the system's resolvers
    timeout: float = 2.0  # seconds per query and server
    lifetime: float = 5.0  # seconds per name, all retries together
    _cache: dict[str, CnameResult] = field(default_factory=dict, init=False, repr=False)
    _resolver: dns.resolver.Resolver | None = field(default=None, init=False, repr=False)
    queries: int = field(default=0, init=False)  # names actually sent to DNS (cache misses)

    def _get_resolver(self) -> dns.resolver.Resolver:
        if self._resolver is None:
            if self.nameservers:
                r = dns.resolver.Resolver(configure=False)
                servers = []
                for spec in self.nameservers:
                    try:
                        addr, port = parse_nameserver(spec)
                    except ValueError as e:
                        raise GaibuError(f"scan.nameservers: {e}") from None
                    servers.append(dns.nameserver.Do53Nameserver(addr, port))
                r.nameservers = servers
            else:
                try:
                    r = dns.resolver.Resolver()
                except dns.resolver.NoResolverConfiguration:
                    r = dns.resolver.Resolver(configure=False)
                    r.nameservers = []
            r.timeout = self.timeout
            r.lifetime = self.lifetime
            r.cache = None  # our own cache is per scan
            self._resolver = r
        return self._resolver

    def resolve(self, host: str) -> CnameResult:
        host = host.strip().rstrip(".").lower()
        hit = self._cache.get(host)
        if hit is not None:
            return hit
        result = self._lookup(host)
        self._cache[host] = result
        return result

    def _lookup(self, host: str) -> CnameResult:
        if not host or _is_ip(host) or host == "localhost":
            return CnameResult(host)
        r = self._get_resolver()
        if not r.nameservers:
            return CnameResult(host, error="no-nameservers")
        self.queries += 1
        try:
            answer = r.resolve(host, "A", raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN:
            return CnameResult(host, error="nxdomain")
        except dns.resolver.NoNameservers:
            return CnameResult(host, error="no-nameservers")
        except dns.exception.Timeout:
            return CnameResult(host, error="timeout")
        except dns.exception.DNSException as e:
            return CnameResult(host, error=type(e).__name__.lower())
        chain: list[str] = []
        for rrset in answer.chaining_result.cnames:
            for rr in rrset:
                chain.append(str(rr.target).rstrip(".").lower())
                break
            if len(chain) >= MAX_CHAIN:
                break
        return CnameResult(host, tuple(chain))

