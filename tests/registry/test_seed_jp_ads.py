"""The jp-ads-*.yaml seed files: well-known ad-tech hosts and SDK ids land on the intended service
through gaibu's real matcher (registry.matcher.Matcher) built from every seed file, so a new rule
that shadows or is shadowed by an older one shows up here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from registry.loader import spec_rules
from registry.matcher import Matcher, Rule
from registry.schema import RegistryFile

SEED = Path(__file__).resolve().parents[2] / "registry" / "seed"


def _files() -> dict[str, RegistryFile]:
    return {f.name: RegistryFile.model_validate(yaml.safe_load(f.read_text(encoding="utf-8")))
            for f in sorted(SEED.glob("*.yaml"))}


FILES = _files()
MATCHER = Matcher([Rule(kind, pattern, s.id) for rf in FILES.values() for s in rf.services
                   for kind, pattern in spec_rules(s.match)])

URLS = {
    # Japanese networks
    "https://js.gsspcln.jp/l/amp.js": "geniee-ssp",
    "https://j.zucks.net.zimg.jp/j?f=736747": "zucks-ad-network",
    "https://k.zucks.net/rd/?k=x": "zucks-ad-network",
    "https://ad.ad-stir.com/prebid": "adstir",
    "https://pb.ladsp.com/adrequest/prebid": "logicad",
    "https://ad.as.amanad.adtdp.com/v2/prebid": "aja-ssp",
    "https://y.one.impact-ad.jp/h_bid": "yield-one",
    "https://img.ak.impact-ad.jp/ic/pone/ivt/firstview/js/dac-video-prebid.min.js": "yield-one",
    "https://sp.gmossp-sp.jp/ads/fw.ad": "gmo-ssp",
    # exchanges, native, video
    "https://rtb.openx.net/openrtbb/prebidjs": "openx",
    "https://htlb.casalemedia.com/cygnus?v=7": "index-exchange",
    "https://a.teads.tv/page/1/tag": "teads",
    "https://ced.sascdn.com/tag/1/smart.js": "equativ",
    "https://tlx.3lift.com/header/auction": "triplelift",
    "https://cdn.taboola.com/libtrc/example-publisher/loader.js": "taboola",
    "https://widgets.outbrain.com/outbrain.js": "outbrain",
    "https://mssl.fwmrm.net/libs/adm/6.0/AdManager.js": "freewheel",
    "https://search.spotxchange.com/vast/2.0/1": "magnite-streaming",
    "https://fastlane.rubiconproject.com/a/api/fastlane.json": "magnite",
    # affiliate and recruiting
    "https://t.afi-b.com/visit.php?a=x": "afb",
    "https://af.moshimo.com/af/c/click?a_id=1": "moshimo-affiliate",
    "https://ec.j-a-net.jp/1/2/": "janet",
    "https://t.felmat.net/fmcl?ak=x": "felmat",
    "https://www.rentracks.jp/js/itp/rt.track.js": "rentracks",
    "https://ir-jp.amazon-adsystem.com/e/ir?t=x-22": "amazon-associates",
    "https://ws-fe.amazon-adsystem.com/widgets/q?MarketPlace=JP": "amazon-associates",
    "https://s.amazon-adsystem.com/iu3?pid=x": "amazon-ads",
    "https://c.amazon-adsystem.com/aax2/apstag.js": "amazon-publisher-services",
    "https://conv.indeed.com/pagead/conversion.js": "indeed-conversion",
    "https://us.conv.indeed.com/pagead/conv/1/?script=0": "indeed-conversion",
    "https://dubprod1.apply.indeed.com/indeedapply/x": "indeed-apply",
    # retargeting, pixels, identity, verification
    "https://insight.adsrvr.org/track/up?adv=x": "the-trade-desk-pixel",
    "https://match.adsrvr.org/track/cmf/generic": "the-trade-desk",
    "https://tr.snapchat.com/p": "snap-pixel",
    "https://sc-static.net/scevent.min.js": "snap-pixel",
    "https://www.redditstatic.com/ads/pixel.js": "reddit-pixel",
    "https://alb.reddit.com/rp.gif?id=x": "reddit-pixel",
    "https://a.quora.com/qevents.js": "quora-pixel",
    "https://cdn.taboola.com/libtrc/unip/123/tfa.js": "taboola-pixel",
    "https://amplify.outbrain.com/cp/obtp.js": "outbrain-pixel",
    "https://id5-sync.com/g/v2/1.json": "id5",
    "https://rp.liadm.com/j?x=1": "liveintent",
    "https://z.moatads.com/x/moatad.js": "moat",
    "https://static.criteo.net/js/ld/ld.js": "criteo",
    "https://x.bidswitch.net/sync?ssp=x": "bidswitch",
}

SDKS = {
    "com.pangle.global:ads-sdk": "pangle",
    "com.pangle.global:pag-sdk": "pangle",
    "com.ironsource.sdk:mediationsdk": "ironsource",
    "com.vungle:vungle-ads": "liftoff-vungle",
    "com.mbridge.msdk.oversea:mbridge_android_sdk": "mintegral",
    "com.moloco.sdk:moloco-sdk": "moloco",
    "com.fyber:fairbid-sdk": "dt-exchange",
    "com.inmobi.monetization:inmobi-ads-kotlin": "inmobi",
    "com.unity3d.ads:unity-ads": "unity-ads",
}


COOKIES = {
    "TapAd_DID": "tapad",  # seen on .tapad.com in shared/data/har pagexray__expressen.har
    "TapAd_TTD_SYNC": "tapad",
    "__qca": "quantcast",
    "_scid": "snap-pixel",
    "_rdt_uuid": "reddit-pixel",
    "cto_bundle": "criteo",
}


@pytest.mark.parametrize("url,service", sorted(URLS.items()))
def test_ad_tech_urls_identify_the_intended_service(url: str, service: str) -> None:
    hit = MATCHER.match_url(url)
    assert hit is not None and hit.target == service, (url, hit)


@pytest.mark.parametrize("sdk,service", sorted(SDKS.items()))
def test_ad_sdks_identify_the_intended_service(sdk: str, service: str) -> None:
    hit = MATCHER.match_sdk(sdk)
    assert hit is not None and hit.target == service, (sdk, hit)


@pytest.mark.parametrize("cookie,service", sorted(COOKIES.items()))
def test_ad_cookies_identify_the_intended_service(cookie: str, service: str) -> None:
    hit = MATCHER.match_cookie(cookie)
    assert hit is not None and hit.target == service, (cookie, hit)


def test_shared_hosts_are_not_claimed() -> None:
    # Big platforms' own sites and shared CDNs stay unidentified by the jp-ads rules.
    for url in ("https://www.reddit.com/r/japan/", "https://www.quora.com/", "https://www.snapchat.com/",
                "https://jp.indeed.com/", "https://www.amazon.co.jp/dp/B000", "https://zimg.jp/x.png",
                "https://content-click.amanad.adtdp.com/x"):
        assert MATCHER.match_url(url) is None, url


def test_jp_ads_files_add_at_least_90_services_with_stop_methods() -> None:
    services = [s for name, rf in FILES.items() if name.startswith("jp-ads-") for s in rf.services]
    assert len(services) >= 90, len(services)
    for s in services:
        assert s.stop is not None, s.id
        assert s.sources, s.id
        if "app" in s.platforms and "web" in s.platforms:
            assert s.app is not None and s.app.information_ja, s.id  # app wording differs from web
