"""Matching the real captures under ../shared/data/har, imported through the CLI.

Expectations are written by hand: which registry service each third-party host of these real
pages is, and which hosts stay unknown (pending review, with a third-party-web suggestion where
the dataset knows the company).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_gaibu

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "har"
if not DATA.is_dir():  # the shared data next to the checkout
    DATA = Path("/work/shared/data/har")


def import_har(tmp_path: Path, har: str, start: str, owned: list[str]) -> dict:
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト, owned_domains: {json.dumps(owned)}}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: site, kind: web, title_ja: サイト, start_urls: ["{start}"]}}
""", encoding="utf-8")
    out = tmp_path / "r.json"
    r = run_gaibu("import", "har", str(DATA / har), "--property", "site", "--targets",
                  str(targets), "--json", str(out))
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text(encoding="utf-8"))["properties"][0]


def host_services(prop: dict) -> dict[str, set[str | None]]:
    out: dict[str, set[str | None]] = {}
    for tp in prop["third_parties"]:
        for h in tp["hosts"]:
            out.setdefault(h, set()).add(tp["service"])
    return out


def test_assa_se(tmp_path):
    prop = import_har(tmp_path, "pagexray__assa.har", "https://www.assa.se/", ["assaabloy.com"])
    assert host_services(prop) == {
        "www.google-analytics.com": {"google-analytics"},
        "stats.g.doubleclick.net": {"google-analytics"},  # GA's advertising features
        "www.googletagmanager.com": {"google-tag-manager"},
        "ajax.googleapis.com": {"google-hosted-libraries"},
        "resources.mynewsdesk.com": {None},
        "ds-aksb-a.akamaihd.net": {None},
        "i55e5cb00-ds-aksb-a.akamaihd.net": {None},
    }
    status = {t["domain"]: t for t in prop["third_parties"]}
    assert status["mynewsdesk.com"]["status"] == "pending"
    assert status["mynewsdesk.com"]["suggestion"]["company"] == "Mynewsdesk"
    # akamaihd.net is a private public suffix: each customer host is a site of its own
    assert status["ds-aksb-a.akamaihd.net"]["suggestion"]["company"] == "Akamai"
    assert "i55e5cb00-ds-aksb-a.akamaihd.net" in status
    # the parent company's domain is declared as owned: first party, not listed
    assert "assaabloy.com" not in status


def test_linkedin_firefox_export(tmp_path):
    prop = import_har(tmp_path, "pagexray__linkedin.har", "https://www.linkedin.com/",
                      ["licdn.com"])
    hs = host_services(prop)
    assert hs["www.google-analytics.com"] == {"google-analytics"}
    assert hs["sb.scorecardresearch.com"] == {"comscore"}
    assert hs["www.google.se"] == {None}
    assert "static.licdn.com" not in hs and "www.linkedin.com" not in hs  # first party
    cookies = {(c["name"], c["domain"]) for c in prop["cookies"]}
    assert cookies  # Firefox's request/response cookie arrays are read


def test_enorm_magazin_chrome_export(tmp_path):
    prop = import_har(tmp_path, "perfcascade__chrome_enorm-magazin.de.har",
                      "https://enorm-magazin.de/", [])
    assert host_services(prop) == {
        "www.google-analytics.com": {"google-analytics"},
        "www.googletagmanager.com": {"google-tag-manager"},
        "de.ioam.de": {"infonline"},
        "script.ioam.de": {"infonline"},
        "static.addtoany.com": {"addtoany"},
        "fonts.googleapis.com": {"google-fonts"},
        "fonts.gstatic.com": {"google-fonts"},
    }
    assert all(t["status"] == "listed" for t in prop["third_parties"])


def test_expressen_header_bidding(tmp_path):
    prop = import_har(tmp_path, "pagexray__expressen.har", "https://www.expressen.se/",
                      ["cdn-expressen.se"])
    hs = host_services(prop)
    expected = {
        "securepubads.g.doubleclick.net": "google-publisher-ads",
        "tpc.googlesyndication.com": "google-publisher-ads",
        "pagead2.googlesyndication.com": "google-publisher-ads",
        "fastlane.rubiconproject.com": "magnite",
        "ads.pubmatic.com": "pubmatic",
        "ib.adnxs.com": "xandr",
        "bidder.criteo.com": "criteo",
        "static.criteo.net": "criteo",
        "match.adsrvr.org": "the-trade-desk",
        "id.rlcdn.com": "liveramp",
        "www.facebook.com": "meta-pixel",
        "www.google-analytics.com": "google-analytics",
        "cdnjs.cloudflare.com": "cdnjs",
        "pixel.tapad.com": "tapad",  # jp-ads-retargeting.yaml
        "pixel.quantserve.com": "quantcast",  # jp-ads-retargeting.yaml
    }
    for host, service in expected.items():
        assert hs[host] == {service}, host
    for host in ("sync.richmetrics.com", "trafficgateway.research-int.se"):
        assert hs[host] == {None}, host
    assert not any(h.endswith("cdn-expressen.se") for h in hs)
    assert not any(h.endswith("expressen.se") for h in hs)  # the site itself
    pending = {t["domain"] for t in prop["third_parties"] if t["status"] == "pending"}
    assert {"richmetrics.com", "research-int.se"} <= pending
