"""CNAME chains through a real DNS exchange with a local server (dnslib on loopback)."""

from __future__ import annotations

import pytest

from scanner.cname import CnameResolver, parse_nameserver
from scanner.errors import GaibuError
from tests.fixtures.dns import dns_server

CHAINS = {
    "metrics.example.jp": "example.jp.sc.omtrdc.net",
    "example.jp.sc.omtrdc.net": "edge.omtrdc.net",
    "ebis.example.jp": "example.cname.ebis.ne.jp",
}
HOSTS = {"edge.omtrdc.net", "example.cname.ebis.ne.jp", "www.example.jp"}


def test_follows_the_whole_chain_and_caches_per_scan() -> None:
    with dns_server(CHAINS, HOSTS) as (ns, server):
        r = CnameResolver(nameservers=[ns], timeout=1, lifetime=2)
        res = r.resolve("Metrics.Example.JP.")
        assert res.chain == ("example.jp.sc.omtrdc.net", "edge.omtrdc.net")
        assert res.target == "edge.omtrdc.net" and res.error is None
        assert r.resolve("ebis.example.jp").chain == ("example.cname.ebis.ne.jp",)
        plain = r.resolve("www.example.jp")
        assert plain.chain == () and plain.target is None and plain.error is None
        before = len(server.queries)
        r.resolve("metrics.example.jp")
        r.resolve("www.example.jp")
        assert len(server.queries) == before  # answered from the per-scan cache
        assert r.queries == 3


def test_failures_give_an_empty_chain_not_an_exception() -> None:
    with dns_server(CHAINS, HOSTS) as (ns, _):
        r = CnameResolver(nameservers=[ns], timeout=1, lifetime=2)
        assert r.resolve("nowhere.example.jp").error == "nxdomain"
    # nothing listens on this port any more: a timeout, bounded by lifetime
    r2 = CnameResolver(nameservers=[ns], timeout=0.2, lifetime=0.5)
    res = r2.resolve("metrics.example.jp")
    assert res.chain == () and res.error in ("timeout", "no-nameservers")


def test_ips_and_localhost_are_never_queried() -> None:
    r = CnameResolver(nameservers=["127.0.0.1:9"], timeout=0.2, lifetime=0.3)
    for h in ("127.0.0.1", "[::1]", "localhost", ""):
        assert r.resolve(h).chain == ()
    assert r.queries == 0


@pytest.mark.parametrize("spec,expected", [
    ("192.0.2.53", ("192.0.2.53", 53)),
    ("192.0.2.53:5353", ("192.0.2.53", 5353)),
    ("[2001:db8::1]:53", ("2001:db8::1", 53)),
    ("2001:db8::1", ("2001:db8::1", 53)),
])
def test_nameserver_specs(spec: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(spec) == expected


@pytest.mark.parametrize("spec", ["dns.google", "1.2.3.4:x", "1.2.3.4:0", "[::1]x", "1.2.3.4:70000"])
def test_bad_nameserver_specs(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_nameserver(spec)
    with pytest.raises(GaibuError, match="scan.nameservers"):
        CnameResolver(nameservers=[spec]).resolve("metrics.example.jp")
