"""Checks of the curated seed registry (registry/seed/*.yaml).

The files are read with yaml.safe_load and validated with the RegistryFile model; then the texts
the public reads are linted, and hand-written expectations check that well-known hosts, cookies
and SDK ids land on the right service under "most specific rule wins" matching.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from registry.categories import CATEGORIES
from registry.schema import RegistryFile, ServiceSpec

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "registry" / "seed"
MANIFESTS = Path("/work/shared/data/manifests")

# Shared domains that must never be given wholesale to one service.
DENY_DOMAINS = {
    "google.com", "google.co.jp", "yahoo.co.jp", "yimg.jp", "facebook.com", "microsoft.com",
    "amazon.com", "amazon.co.jp", "apple.com", "line.me", "line-scdn.net", "gstatic.com",
    "googleapis.com", "cloudfront.net", "akamaized.net", "akamaihd.net", "amazonaws.com",
    "azureedge.net", "cloudflare.com", "fastly.net", "github.io", "bing.com", "msn.com",
    "twitter.com", "x.com", "linkedin.com", "tiktok.com", "rakuten.co.jp", "salesforce.com",
}
# Words that make a disclosure vague (guideline 解説 §7-3-1). Proper names containing them may be
# listed here; none do today.
VAGUE = ("等", "など", "その他")
PROPER_NAMES_WITH_VAGUE_WORDS: tuple[str, ...] = ()


def _load() -> list[tuple[Path, RegistryFile]]:
    files = sorted(SEED.glob("*.yaml"))
    assert files, "no seed files"
    return [(f, RegistryFile.model_validate(yaml.safe_load(f.read_text(encoding="utf-8"))))
            for f in files]


FILES = _load()
PROVIDERS = [p for _, rf in FILES for p in rf.providers]
SERVICES = [s for _, rf in FILES for s in rf.services]
BY_ID = {s.id: s for s in SERVICES}

KINDS = ("domains", "hosts", "url_prefixes", "cookies", "storage", "sdks")


def _rules() -> list[tuple[str, str, str]]:
    """(kind, pattern, service id) for every rule in every seed file."""
    out = []
    for s in SERVICES:
        for kind in KINDS:
            for pat in getattr(s.match, kind):
                out.append((kind, pat, s.id))
    return out


RULES = _rules()


# ------------------------------------------------------------------------ a tiny reference matcher
def match_url(url: str) -> str | None:
    """url_prefix (longest) > exact host > longest domain suffix — gaibu's documented order."""
    p = urlsplit(url)
    host, path = (p.hostname or "").lower(), p.path or "/"
    best: tuple[tuple[int, int], str] | None = None
    for kind, pat, sid in RULES:
        score = None
        if kind == "url_prefixes":
            pp = urlsplit(pat)
            if (pp.hostname or "").lower() == host and path.startswith(pp.path or "/"):
                score = (3, len(pp.path or "/"))
        elif kind == "hosts" and pat == host:
            score = (2, len(pat))
        elif kind == "domains" and (host == pat or host.endswith("." + pat)):
            score = (1, len(pat))
        if score is not None and (best is None or score > best[0]):
            best = (score, sid)
    return best[1] if best else None


def match_name(kind: str, name: str) -> str | None:
    """Exact name beats any prefix; a longer prefix beats a shorter one."""
    best: tuple[int, str] | None = None
    for k, pat, sid in RULES:
        if k != kind:
            continue
        if pat.endswith("*"):
            if name.startswith(pat[:-1]):
                score = len(pat) - 1
            else:
                continue
        elif pat == name:
            score = 10_000
        else:
            continue
        if best is None or score > best[0]:
            best = (score, sid)
    return best[1] if best else None


# ------------------------------------------------------------------------ structure
def test_every_file_validates_and_is_not_empty():
    for f, rf in FILES:
        assert rf.services or rf.providers, f"{f.name} is empty"


def test_enough_services():
    assert len(SERVICES) >= 80, len(SERVICES)


def test_unique_ids():
    dup_p = [k for k, n in Counter(p.id for p in PROVIDERS).items() if n > 1]
    dup_s = [k for k, n in Counter(s.id for s in SERVICES).items() if n > 1]
    assert not dup_p, dup_p
    assert not dup_s, dup_s


def test_every_service_has_a_known_provider():
    known = {p.id for p in PROVIDERS}
    missing = [(s.id, s.provider) for s in SERVICES if s.provider not in known]
    assert not missing, missing


def test_every_provider_is_used():
    used = {s.provider for s in SERVICES}
    # a provider with no service yet is still used when its shared domains name it
    unused = [p.id for p in PROVIDERS if p.id not in used and not p.domains]
    assert not unused, unused


def test_every_service_has_a_rule():
    empty = [s.id for s in SERVICES if s.match.is_empty()]
    assert not empty, empty


def test_categories_and_platforms_valid():
    for s in SERVICES:
        assert s.category in CATEGORIES, (s.id, s.category)
        assert s.platforms and len(set(s.platforms)) == len(s.platforms), s.id


def test_app_services_have_sdk_rules_and_web_services_have_web_rules():
    for s in SERVICES:
        m = s.match
        web_rules = m.domains or m.hosts or m.url_prefixes or m.cookies or m.storage
        if s.platforms == ["app"]:
            assert m.sdks or m.hosts or m.domains or m.url_prefixes, s.id
        if s.platforms == ["web"]:
            assert web_rules, s.id


def test_texts_present_in_both_languages():
    for s in SERVICES:
        assert len(s.information_ja) == len(s.information_en), s.id
        for f in ("name_ja", "name_en", "purpose_ja", "purpose_en", "recipient_use_ja",
                  "recipient_use_en"):
            assert getattr(s, f).strip(), (s.id, f)
        assert (s.opt_out_ja is None) == (s.opt_out_en is None), s.id
        assert s.sources, f"{s.id} has no sources"


# ------------------------------------------------------------------------ public texts
def _ja_texts(s: ServiceSpec) -> list[tuple[str, str]]:
    out = [("name_ja", s.name_ja), ("purpose_ja", s.purpose_ja),
           ("recipient_use_ja", s.recipient_use_ja)]
    out += [("information_ja", t) for t in s.information_ja]
    if s.opt_out_ja:
        out.append(("opt_out_ja", s.opt_out_ja))
    return out


def test_no_vague_words_in_japanese_texts():
    bad = []
    for s in SERVICES:
        for field, text in _ja_texts(s):
            t = text
            for name in PROPER_NAMES_WITH_VAGUE_WORDS:
                t = t.replace(name, "")
            if any(w in t for w in VAGUE):
                bad.append((s.id, field, text))
    assert not bad, bad


def test_information_items_are_concrete():
    for s in SERVICES:
        for item in s.information_ja:
            t = item.strip()
            assert t not in VAGUE, (s.id, item)
            assert not t.endswith(("等", "など", "その他", "…", "...")), (s.id, item)
            assert len(t) >= 4, (s.id, item)
        assert len(set(s.information_ja)) == len(s.information_ja), s.id


def test_japanese_sentences_are_polite_and_purposes_are_the_operators():
    for s in SERVICES:
        assert s.purpose_ja.endswith("ため。"), (s.id, s.purpose_ja)
        assert s.recipient_use_ja.rstrip().endswith(("ます。", "です。", "ません。", "ください。")), s.id
        if s.opt_out_ja:
            assert s.opt_out_ja.rstrip().endswith(("ます。", "です。", "ません。", "ください。")), s.id
        for f in ("purpose_ja", "recipient_use_ja"):
            assert re.search(r"[ぁ-んァ-ヶ一-龠]", getattr(s, f)), (s.id, f)


def test_no_stray_spaces_between_japanese_characters():
    # A folded YAML scalar (>-) joins lines with a space, which reads badly in Japanese.
    # (Spaces inside katakana product names such as 「オプトアウト アドオン」 are allowed.)
    stray = re.compile(r"[。、）」] |[ぁ-ん] [ぁ-ん一-龠]|[一-龠] [ぁ-ん一-龠]")
    for s in SERVICES:
        for field, text in _ja_texts(s):
            assert not stray.search(text), (s.id, field, text)


def test_urls_are_https():
    for p in PROVIDERS:
        if p.privacy_policy_url:
            assert p.privacy_policy_url.startswith("https://"), p.id
    for s in SERVICES:
        for u in (s.privacy_policy_url, s.opt_out_url):
            if u:
                assert u.startswith("https://"), (s.id, u)
        for u in s.match.url_prefixes:
            assert u.startswith("https://"), (s.id, u)


# ------------------------------------------------------------------------ match rules
def test_no_rule_is_shared_between_services_or_repeated():
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for kind, pat, sid in RULES:
        key = (kind, pat.lower() if kind in ("domains", "hosts", "url_prefixes") else pat)
        if key in seen:
            clashes.append((key, seen[key], sid))
        seen[key] = sid
    assert not clashes, clashes


def test_no_shared_domain_is_claimed_wholesale():
    bad = [(sid, pat) for kind, pat, sid in RULES if kind == "domains" and pat in DENY_DOMAINS]
    assert not bad, bad


def test_host_rules_are_not_redundant_with_own_domain_rules():
    for s in SERVICES:
        for h in s.match.hosts:
            assert not any(h == d or h.endswith("." + d) for d in s.match.domains), (s.id, h)


def test_sdk_ids_use_gaibu_forms():
    ok = re.compile(r"^((cocoapods|spm|pub|npm|nuget):.+|[A-Za-z0-9_.-]+:[A-Za-z0-9_.*-]+)$")
    for kind, pat, sid in RULES:
        if kind == "sdks":
            assert ok.match(pat), (sid, pat)
            if pat.startswith("spm:"):
                assert pat == pat.lower() and pat.startswith("spm:github.com/"), (sid, pat)


def test_cookie_rules_are_not_generic_names():
    generic = {"id", "uid", "uuid", "sid", "session", "sessionid", "user", "user_id", "token",
               "lang", "consent", "JSESSIONID", "PHPSESSID", "ID", "NID", "PREF", "SID"}
    bad = [(sid, pat) for kind, pat, sid in RULES
           if kind in ("cookies", "storage") and (pat in generic or len(pat.rstrip("*")) < 3)]
    assert not bad, bad


URL_EXPECTATIONS = {
    # Google
    "https://www.google-analytics.com/g/collect?v=2": "google-analytics",
    "https://region1.google-analytics.com/g/collect?v=2": "google-analytics",
    "https://analytics.google.com/g/collect?v=2": "google-analytics",
    "https://stats.g.doubleclick.net/r/collect?v=1": "google-analytics",
    "https://www.google.com/ads/ga-audiences?v=1": "google-analytics",
    "https://www.google.co.jp/ads/ga-audiences?v=1": "google-analytics",
    "https://www.googletagmanager.com/gtm.js?id=GTM-XXXX": "google-tag-manager",
    "https://www.googletagmanager.com/ns.html?id=GTM-XXXX": "google-tag-manager",
    "https://www.googletagmanager.com/gtag/js?id=G-XXXX": "google-tag",
    "https://www.googleadservices.com/pagead/conversion/123/": "google-ads-conversion",
    "https://www.google.com/pagead/1p-conversion/123/": "google-ads-conversion",
    "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123/": "google-ads-remarketing",
    "https://www.google.com/pagead/1p-user-list/123/": "google-ads-remarketing",
    "https://ad.doubleclick.net/ddm/activity/src=1": "google-marketing-platform",
    "https://123.fls.doubleclick.net/activityi;src=1": "google-marketing-platform",
    "https://s0.2mdn.net/879366/dfa7banner_html_inpage_rendering_lib_200_127.js": "google-marketing-platform",
    "https://adservice.google.com/ddm/fls/z/src=1": "google-marketing-platform",
    "https://securepubads.g.doubleclick.net/tag/js/gpt.js": "google-publisher-ads",
    "https://pubads.g.doubleclick.net/gampad/ads?iu=1": "google-publisher-ads",
    "https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js": "google-publisher-ads",
    "https://tpc.googlesyndication.com/safeframe/1-0-14/html/container.html": "google-publisher-ads",
    "https://googleads.g.doubleclick.net/pagead/ads?client=ca-pub-1": "google-publisher-ads",
    "https://adservice.google.com/adsid/integrator.js?domain=x": "google-publisher-ads",
    "https://s0.2mdn.net/dfp/383301/1/980x240/main.js": "google-publisher-ads",
    "https://www.googletagservices.com/tag/js/gpt.js": "google-publisher-ads",
    "https://googleads.g.doubleclick.net/mads/gma?x=1": "google-mobile-ads",
    "https://imasdk.googleapis.com/js/sdkloader/ima3.js": "google-ima",
    "https://www.youtube.com/embed/abc": "youtube-embed",
    "https://www.youtube-nocookie.com/embed/abc": "youtube-embed",
    "https://i.ytimg.com/vi/abc/hqdefault.jpg": "youtube-embed",
    "https://rr1---sn-x.googlevideo.com/videoplayback": "youtube-embed",
    "https://static.doubleclick.net/instream/ad_status.js": "youtube-embed",
    "https://googleads.g.doubleclick.net/pagead/id": "youtube-embed",
    "https://www.google.com/recaptcha/api.js": "google-recaptcha",
    "https://www.gstatic.com/recaptcha/releases/abc/recaptcha__ja.js": "google-recaptcha",
    "https://www.recaptcha.net/recaptcha/api.js": "google-recaptcha",
    "https://www.google.com/maps/embed?pb=1": "google-maps",
    "https://maps.googleapis.com/maps/api/js?key=x": "google-maps",
    "https://fonts.googleapis.com/css2?family=Noto+Sans+JP": "google-fonts",
    "https://fonts.gstatic.com/s/notosansjp/v1/a.woff2": "google-fonts",
    "https://ajax.googleapis.com/ajax/libs/jquery/1.12.2/jquery.min.js": "google-hosted-libraries",
    "https://accounts.google.com/gsi/client": "google-sign-in",
    "https://fundingchoicesmessages.google.com/i/pub-1": "google-privacy-messaging",
    "https://app-measurement.com/a": "firebase-analytics",
    # shared by every Firebase SDK: they name the provider only (providers: google, domains)
    "https://firebaseinstallations.googleapis.com/v1/projects/x/installations": None,
    "https://crashlyticsreports-pa.googleapis.com/v1/firelog/legacy/batchlog": "firebase-crashlytics",
    "https://firebase-settings.crashlytics.com/spi/v2/platforms": "firebase-crashlytics",
    "https://firebaselogging-pa.googleapis.com/v1/firelog/legacy/batchlog": None,
    "https://fcmregistrations.googleapis.com/v1/projects/x/registrations": "firebase-cloud-messaging",
    "https://firebaseremoteconfig.googleapis.com/v1/projects/x/namespaces/firebase:fetch": "firebase-remote-config",
    "https://example.page.link/abc": "firebase-dynamic-links",
    "https://firebaseinappmessaging.googleapis.com/v1/sdkServing/projects/1/eligibleCampaigns:fetch": "firebase-in-app-messaging",
    # Meta
    "https://connect.facebook.net/en_US/fbevents.js": "meta-pixel",
    "https://connect.facebook.net/signals/config/1234?v=2.9": "meta-pixel",
    "https://www.facebook.com/tr/?id=810947455647573&ev=PageView": "meta-pixel",
    "https://www.facebook.com/tr?id=1&ev=PageView&noscript=1": "meta-pixel",
    "https://connect.facebook.net/ja_JP/sdk.js": "facebook-social-plugins",
    "https://www.facebook.com/plugins/like.php?href=x": "facebook-social-plugins",
    "https://graph.facebook.com/v16.0/1/activities": "facebook-sdk",
    "https://www.instagram.com/embed.js": "instagram-embed",
    "https://scontent-nrt1-1.cdninstagram.com/v/t51/a.jpg": "instagram-embed",
    # LINEヤフー
    "https://s.yimg.jp/images/listing/tool/cv/ytag.js": "yahoo-ads-conversion",
    "https://s.yimg.jp/images/listing/tool/cv/conversion.js": "yahoo-ads-conversion",
    "https://b91.yahoo.co.jp/pagead/conversion/1000240003/?value=0": "yahoo-ads-conversion",
    "https://b90.yahoo.co.jp/conv.js": "yahoo-ads-conversion",
    "https://b92.yahoo.co.jp/js/s_retargeting.js": "yahoo-ads-retargeting",
    "https://b92.yahoo.co.jp/search/?p=QM0HYALPLQ": "yahoo-ads-retargeting",
    "https://b97.yahoo.co.jp/pagead/conversion/1001234567/?guid=ON": "yahoo-ads-retargeting",
    "https://s.yjtag.jp/tag.js": "yahoo-tag-manager",
    "https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js": "line-tag",
    "https://tr.line.me/tag.gif?c_t=lap": "line-tag",
    "https://static.line-scdn.net/liff/edge/2/sdk.js": "line-login",
    "https://access.line.me/oauth2/v2.1/authorize": "line-login",
    "https://www.line-website.com/social-plugins/js/thirdparty/loader.min.js": "line-social-plugins",
    # X / TikTok / Pinterest
    "https://static.ads-twitter.com/uwt.js": "x-ads",
    "https://analytics.twitter.com/i/adsct?txn_id=x": "x-ads",
    "https://t.co/i/adsct?txn_id=x": "x-ads",
    "https://platform.twitter.com/widgets.js": "x-embed",
    "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=x": "tiktok-pixel",
    "https://analytics.tiktok.com/api/v2/pixel": "tiktok-pixel",
    "https://business-api.tiktok.com/open_api/v1.3/app/track/": "tiktok-business-sdk",
    "https://ct.pinterest.com/v3/?tid=1": "pinterest-tag",
    "https://s.pinimg.com/ct/core.js": "pinterest-tag",
    # Microsoft / LinkedIn
    "https://www.clarity.ms/tag/abc": "microsoft-clarity",
    "https://k.clarity.ms/collect": "microsoft-clarity",
    "https://bat.bing.com/bat.js": "microsoft-advertising-uet",
    "https://bat.bing.com/action/0?ti=1": "microsoft-advertising-uet",
    "https://snap.licdn.com/li.lms-analytics/insight.min.js": "linkedin-insight",
    "https://px.ads.linkedin.com/collect/?pid=1": "linkedin-insight",
    "https://platform.linkedin.com/in.js": "linkedin-plugins",
    "https://in.appcenter.ms/logs?api-version=1.0.0": "app-center-analytics",
    "https://ib.adnxs.com/ut/v3/prebid": "xandr",
    # Ad tech (global)
    "https://static.criteo.net/js/ld/ld.js": "criteo",
    "https://bidder.criteo.com/cdb?ptv=1": "criteo",
    "https://gum.criteo.com/sync?c=1": "criteo",
    "https://sslwidget.criteo.com/event?a=1": "criteo",
    "https://c.amazon-adsystem.com/aax2/apstag.js": "amazon-publisher-services",
    "https://s.amazon-adsystem.com/iu3?pid=x": "amazon-ads",
    "https://fastlane.rubiconproject.com/a/api/fastlane.json": "magnite",
    "https://ads.pubmatic.com/AdServer/js/pwt/1/pwt.js": "pubmatic",
    "https://match.adsrvr.org/track/cmf/generic": "the-trade-desk",
    "https://id.rlcdn.com/464526.gif": "liveramp",
    "https://sb.scorecardresearch.com/b?c1=2": "comscore",
    "https://de.ioam.de/tx.io?st=x": "infonline",
    "https://script.ioam.de/iam.js": "infonline",
    "https://pixel.adsafeprotected.com/services/pub?anId=1": "integral-ad-science",
    "https://cdn.doubleverify.com/dvtp_src.js": "doubleverify",
    # Adobe / Salesforce / HubSpot
    "https://assets.adobedtm.com/launch-EN123.min.js": "adobe-experience-platform-tags",
    "https://example.sc.omtrdc.net/b/ss/rsid/1/JS-2.22.0/s1234": "adobe-analytics",
    "https://edge.adobedc.net/ee/v1/interact?configId=x": "adobe-analytics",
    "https://example.tt.omtrdc.net/rest/v1/delivery?client=x": "adobe-target",
    "https://dpm.demdex.net/id?d_visid_ver=5": "adobe-audience-manager",
    "https://munchkin.marketo.net/munchkin.js": "marketo",
    "https://use.typekit.net/abc1234.css": "adobe-fonts",
    "https://pi.pardot.com/analytics?ver=3": "salesforce-account-engagement",
    "https://cdn.pardot.com/x.js": "salesforce-account-engagement",
    "https://js.hs-scripts.com/1234.js": "hubspot",
    "https://track.hubspot.com/__ptq.gif?a=1": "hubspot",
    "https://js.hs-analytics.net/analytics/1/1234.js": "hubspot",
    # Japan
    "https://static.karte.io/libs/tracker.js": "karte-web",
    "https://in.treasuredata.com/js/v3/event/db/table": "treasure-data-web",
    "https://cdn.treasuredata.com/sdk/2.5/td.min.js": "treasure-data-web",
    "https://ac.ebis.ne.jp/tr_set.php?argument=x": "ad-ebis",
    "https://js.rtoaster.jp/Rtoaster.js": "rtoaster",
    "https://js.ptengine.jp/pta.js": "ptengine",
    "https://api.smartnews-ads.com/assets/conv.js": "smartnews-ads",
    "https://popin.cc/popin_discovery/recommend?mode=new": "popin",
    "https://api.popin.cc/searchbox/x.js": "popin",
    "https://cdn.microad.jp/js/track.js": "microad",
    "https://js.fout.jp/segmentation.js": "freakout",
    "https://sync.im-apps.net/imid/segment": "intimate-merger",
    "https://h.accesstrade.net/js/nct/cc.min.js": "accesstrade",
    "https://statics.a8.net/a8sales/a8sales.js": "a8net",
    "https://ad.jp.ap.valuecommerce.com/servlet/referral": "valuecommerce",
    "https://sitest.jp/tracking/sitest_js?p=1": "sitest",
    "https://b.nakanohito.jp/b3/?x=1": "user-insight",
    "https://i.socdm.com/sdk/js/adg-script-loader.js": "supership",
    "https://sh.adingo.jp/?G=1": "fluct",
    "https://www.i-mobile.co.jp/script/ads.js": "i-mobile",
    "https://cdn.logly.co.jp/lift_widget.js": "logly",
    "https://jscdn.appier.net/aa.js": "appier",
    "https://j.amoad.com/js/a.js": "amoad",
    "https://satori.segs.jp/s.js": "satori",
    "https://www.sprocket.bz/x.js": "sprocket",
    "https://tags.usergram.info/js/1.js": "usergram",
    "https://gate.rakuten.co.jp/x": None,
    "https://rmp.rakuten.com/a.js": "rakuten-advertising",
    # Analytics / monitoring / support / infra
    "https://static.hotjar.com/c/hotjar-1.js": "hotjar",
    "https://t.contentsquare.net/uxa/abc.js": "contentsquare",
    "https://api-js.mixpanel.com/track/": "mixpanel",
    "https://api2.amplitude.com/2/httpapi": "amplitude",
    "https://cdn.segment.com/analytics.js/v1/x/analytics.min.js": "segment",
    "https://api.segment.io/v1/t": "segment",
    "https://js-agent.newrelic.com/nr-1234.min.js": "new-relic",
    "https://bam.nr-data.net/1/abc": "new-relic",
    "https://browser-intake-datadoghq.com/api/v2/rum": "datadog",
    "https://browser-intake-ap1-datadoghq.com/api/v2/rum": "datadog",
    "https://o123.ingest.sentry.io/api/1/envelope/": "sentry",
    "https://js.sentry-cdn.com/abc.min.js": "sentry",
    "https://cdn.optimizely.com/js/123.js": "optimizely",
    "https://static.zdassets.com/ekr/snippet.js?key=x": "zendesk",
    "https://widget.intercom.io/widget/abc": "intercom",
    "https://js.appboycdn.com/web-sdk/4.0/braze.min.js": "braze",
    "https://sdk.iad-01.braze.com/api/v3/data": "braze",
    "https://static.cloudflareinsights.com/beacon.min.js": "cloudflare-web-analytics",
    "https://challenges.cloudflare.com/turnstile/v0/api.js": "cloudflare-bot-management",
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js": "cdnjs",
    "https://static.addtoany.com/menu/page.js": "addtoany",
    "https://player.vimeo.com/video/1": "vimeo",
    "https://js.stripe.com/v3/": "stripe",
    "https://m.stripe.network/inner.html": "stripe",
    "https://cdn.cookielaw.org/scripttemplates/otSDKStub.js": "onetrust",
    "https://onesignal.com/api/v1/players": "onesignal",
    "https://app.adjust.com/abc": "adjust",
    "https://inapps.appsflyersdk.com/api/v6.3/androidevent": "appsflyer",
    "https://api2.branch.io/v1/open": "branch",
    "https://control.kochava.com/track/json": "kochava",
    "https://ms.applovin.com/1.0/mediate": "applovin",
    "https://auction.unityads.unity3d.com/v6/games/1/requests": "unity-ads",
    # Shared domains stay unmatched unless a specific rule says otherwise
    "https://www.google.com/search?q=x": None,
    "https://www.gstatic.com/images/branding/x.png": None,
    "https://www.googleapis.com/youtube/v3/videos": None,
    "https://www.yahoo.co.jp/": None,
    "https://s.yimg.jp/images/top/sp2/x.png": None,
    "https://d.line-scdn.net/stf/line-lp/x.png": None,
    "https://line.me/R/ti/p/@x": None,
    "https://www.bing.com/search?q=x": None,
    "https://d111111abcdef8.cloudfront.net/x.js": None,
    "https://www.amazon.co.jp/dp/x": None,
    "https://cdn.mouseflow.com/projects/x.js": None,  # known to third-party-web, not to this seed
}


@pytest.mark.parametrize("url,expected", sorted(URL_EXPECTATIONS.items()))
def test_urls_identify_the_right_service(url, expected):
    assert match_url(url) == expected


COOKIE_EXPECTATIONS = {
    "_ga": "google-analytics", "_ga_DEMO123": "google-analytics", "_gid": "google-analytics",
    "_gat_UA-1-1": "google-analytics", "_gac_UA-1": "google-analytics",
    "__utma": "google-analytics", "_gcl_au": "google-ads-conversion",
    "_gcl_aw": "google-ads-conversion", "IDE": "google-marketing-platform",
    "__gads": "google-publisher-ads", "YSC": "youtube-embed", "_GRECAPTCHA": "google-recaptcha",
    "FCCDCF": "google-privacy-messaging",
    "_fbp": "meta-pixel", "_fbc": "meta-pixel",
    "_yjsu_yjad": "yahoo-ads-conversion", "_ycl_yjad": "yahoo-ads-conversion",
    "__lt__cid": "line-tag", "__lt__sid": "line-tag",
    "_twclid": "x-ads", "_ttp": "tiktok-pixel", "_pin_unauth": "pinterest-tag",
    "_clck": "microsoft-clarity", "_clsk": "microsoft-clarity",
    "_uetsid": "microsoft-advertising-uet", "_uetvid": "microsoft-advertising-uet",
    "li_sugr": "linkedin-insight", "UserMatchHistory": "linkedin-insight",
    "uuid2": "xandr", "cto_bundle": "criteo", "KADUSERCOOKIE": "pubmatic",
    "TDID": "the-trade-desk",
    "AMCV_ABC123%40AdobeOrg": "adobe-analytics", "s_ecid": "adobe-analytics",
    "kndctr_ABC_AdobeOrg_identity": "adobe-analytics", "demdex": "adobe-audience-manager",
    "mbox": "adobe-target", "_mkto_trk": "marketo",
    "pi_opt_in123": "salesforce-account-engagement",
    "hubspotutk": "hubspot", "__hstc": "hubspot", "__hssc": "hubspot",
    "krt.vis": "karte-web", "_td": "treasure-data-web", "_ebtd": "ad-ebis", "_ebcv": "ad-ebis",
    "_hjSessionUser_123": "hotjar", "_hjid": "hotjar", "_cs_id": "contentsquare",
    "amplitude_id_abc": "amplitude", "ajs_anonymous_id": "segment", "ajs_user_id": "segment",
    "_sp_id.1fff": "snowplow", "_dd_s": "datadog", "optimizelyEndUserId": "optimizely",
    "__zlcmid": "zendesk", "intercom-id-abc": "intercom", "ab.storage.deviceId.abc": "braze",
    "__cf_bm": "cloudflare-bot-management", "cf_clearance": "cloudflare-bot-management",
    "__stripe_mid": "stripe", "OptanonConsent": "onetrust", "vuid": "vimeo",
    # generic or unknown names stay unmatched
    "uid": None, "id": None, "session": None, "PHPSESSID": None, "_kumo_uid": None,
    "mf_user": None, "MUID": None,
}


@pytest.mark.parametrize("name,expected", sorted(COOKIE_EXPECTATIONS.items()))
def test_cookies_identify_the_right_service(name, expected):
    assert match_name("cookies", name) == expected


STORAGE_EXPECTATIONS = {
    "_gcl_ls": "google-ads-conversion", "yt-remote-device-id": "youtube-embed",
    "yt-remote-connected-devices": "youtube-embed", "rc::a": "google-recaptcha",
    "cto_bundle": "criteo", "_uetsid": "microsoft-advertising-uet",
    "ajs_anonymous_id": "segment", "kumo:last_visit": None,
}


@pytest.mark.parametrize("key,expected", sorted(STORAGE_EXPECTATIONS.items()))
def test_storage_keys_identify_the_right_service(key, expected):
    assert match_name("storage", key) == expected


SDK_EXPECTATIONS = {
    # kickstarter app/build.gradle
    "com.google.firebase:firebase-crashlytics": "firebase-crashlytics",
    "com.google.firebase:firebase-crashlytics-gradle": "firebase-crashlytics",
    "com.google.firebase:firebase-analytics": "firebase-analytics",
    "com.google.firebase:firebase-messaging": "firebase-cloud-messaging",
    "com.google.firebase:firebase-inappmessaging-display": "firebase-in-app-messaging",
    "com.google.firebase:firebase-perf": "firebase-performance",
    "com.google.firebase:firebase-config": "firebase-remote-config",
    "com.facebook.android:facebook-android-sdk": "facebook-sdk",
    "com.segment.analytics.android:analytics": "segment",
    "com.appboy:appboy-segment-integration": "braze",
    "com.stripe:stripe-android": "stripe",
    "com.google.android.gms:play-services-base": None,
    "com.google.firebase:firebase-bom": None,
    # droidkaigi libs.versions.toml
    "com.google.firebase:firebase-crashlytics-ktx": "firebase-crashlytics",
    "dev.gitlive:firebase-config": "firebase-remote-config",
    "com.google.firebase:firebase-auth": "firebase-authentication",
    "com.google.firebase:firebase-dynamic-links": "firebase-dynamic-links",
    "cocoapods:FirebaseABTesting": "firebase-remote-config",
    "com.statsig:android-sdk": "statsig",
    "nuget:Prism.Plugin.Logging.AppCenter": "app-center-analytics",
    # godtools Podfile.lock
    "cocoapods:AppsFlyerFramework": "appsflyer",
    "cocoapods:AppsFlyerFramework/Main": "appsflyer",
    "cocoapods:FBSDKCoreKit": "facebook-sdk",
    "cocoapods:FBSDKCoreKit/Basics": "facebook-sdk",
    "cocoapods:FirebaseAnalytics": "firebase-analytics",
    "cocoapods:FirebaseAnalytics/AdIdSupport": "firebase-analytics",
    "cocoapods:GoogleAppMeasurement/AdIdSupport": "firebase-analytics",
    "cocoapods:FirebaseCrashlytics": "firebase-crashlytics",
    "cocoapods:FirebaseInAppMessaging": "firebase-in-app-messaging",
    "cocoapods:GoogleAnalytics": "google-analytics-mobile-sdk",
    "cocoapods:GoogleTagManager": "google-tag-manager",
    "cocoapods:GoogleConversionTracking": "google-ads-conversion",
    "cocoapods:SnowplowTracker": "snowplow",
    "cocoapods:youtube-ios-player-helper": "youtube-embed",
    "cocoapods:FirebaseCore": None, "cocoapods:Realm": None, "cocoapods:lottie-ios": None,
    # cocoa Covid19Radar.Android.csproj
    "nuget:Microsoft.AppCenter.Analytics": "app-center-analytics",
    "nuget:Microsoft.AppCenter.Crashes": "app-center-crashes",
    "nuget:Xamarin.GooglePlayServices.SafetyNet": "google-play-integrity",
    "nuget:Xamarin.Forms": None,
    # other common forms
    "com.google.firebase:firebase-analytics-ktx": "firebase-analytics",
    "com.google.android.gms:play-services-measurement-api": "firebase-analytics",
    "cocoapods:Firebase/Analytics": "firebase-analytics",
    "cocoapods:Firebase/Crashlytics": "firebase-crashlytics",
    "spm:github.com/firebase/firebase-ios-sdk": "firebase-analytics",
    "pub:firebase_analytics": "firebase-analytics",
    "pub:firebase_crashlytics": "firebase-crashlytics",
    "npm:@react-native-firebase/analytics": "firebase-analytics",
    "npm:@react-native-firebase/crashlytics": "firebase-crashlytics",
    "com.google.android.gms:play-services-ads": "google-mobile-ads",
    "com.google.android.gms:play-services-ads-identifier": None,
    "cocoapods:Google-Mobile-Ads-SDK": "google-mobile-ads",
    "spm:github.com/googleads/swift-package-manager-google-mobile-ads": "google-mobile-ads",
    "pub:google_mobile_ads": "google-mobile-ads",
    "npm:react-native-google-mobile-ads": "google-mobile-ads",
    "com.facebook.android:facebook-core": "facebook-sdk",
    "com.facebook.android:audience-network-sdk": "meta-audience-network",
    "spm:github.com/facebook/facebook-ios-sdk": "facebook-sdk",
    "npm:react-native-fbsdk-next": "facebook-sdk",
    "pub:facebook_app_events": "facebook-sdk",
    "com.adjust.sdk:adjust-android": "adjust", "cocoapods:Adjust": "adjust",
    "spm:github.com/adjust/ios_sdk": "adjust", "pub:adjust_sdk": "adjust",
    "npm:react-native-adjust": "adjust",
    "com.appsflyer:af-android-sdk": "appsflyer",
    "spm:github.com/appsflyersdk/appsflyerframework": "appsflyer",
    "pub:appsflyer_sdk": "appsflyer", "npm:react-native-appsflyer": "appsflyer",
    "com.braze:android-sdk-ui": "braze", "spm:github.com/braze-inc/braze-swift-sdk": "braze",
    "npm:@braze/react-native-sdk": "braze",
    "io.sentry:sentry-android": "sentry", "spm:github.com/getsentry/sentry-cocoa": "sentry",
    "pub:sentry_flutter": "sentry", "npm:@sentry/react-native": "sentry",
    "com.microsoft.appcenter:appcenter-analytics": "app-center-analytics",
    "com.microsoft.appcenter:appcenter-crashes": "app-center-crashes",
    "com.microsoft.clarity:clarity": "microsoft-clarity",
    "io.karte.android:core": "karte-app", "cocoapods:KarteCore": "karte-app",
    "pub:karte_core": "karte-app",
    "com.treasuredata:td-android-sdk": "treasure-data-app",
    "cocoapods:TreasureData-iOS-SDK": "treasure-data-app",
    "io.repro:repro-android-sdk": "repro", "cocoapods:Repro": "repro",
    "com.linecorp.linesdk:linesdk": "line-login", "cocoapods:LineSDKSwift": "line-login",
    "com.github.tiktok:tiktok-business-android-sdk": "tiktok-business-sdk",
    "com.mixpanel.android:mixpanel-android": "mixpanel", "com.amplitude:analytics-android": "amplitude",
    "com.snowplowanalytics:snowplow-android-tracker": "snowplow",
    "com.newrelic.agent.android:android-agent": "new-relic",
    "com.datadoghq:dd-sdk-android-rum": "datadog",
    "com.onesignal:OneSignal": "onesignal", "com.applovin:applovin-sdk": "applovin",
    "com.unity3d.ads:unity-ads": "unity-ads", "io.branch.sdk.android:library": "branch",
    "com.kochava.tracker:tracker": "kochava",
    "com.criteo.publisher:criteo-publisher-sdk": "criteo",
    "net.nend.android:nend-sdk": "nend", "com.maio:android-sdk": "maio",
    "com.salesforce.marketingcloud:marketingcloudsdk": "salesforce-marketing-cloud",
    "com.adobe.marketing.mobile:analytics": "adobe-analytics",
    "io.intercom.android:intercom-sdk": "intercom", "com.zendesk:support": "zendesk",
    "com.optimizely.ab:android-sdk": "optimizely",
    "com.google.android.gms:play-services-maps": "google-maps",
}


@pytest.mark.parametrize("sdk,expected", sorted(SDK_EXPECTATIONS.items()))
def test_sdk_ids_identify_the_right_service(sdk, expected):
    assert match_name("sdks", sdk) == expected


# ------------------------------------------------------------------------ real manifests
TRACKING_GROUPS = ("com.google.firebase:", "com.facebook.", "com.segment.", "com.appboy:",
                   "com.braze:", "com.adjust.", "com.appsflyer:", "io.sentry:")


@pytest.mark.skipif(not MANIFESTS.is_dir(), reason="shared sample manifests not available")
def test_every_tracking_sdk_in_the_sample_manifests_is_identified():
    missing = []
    gradle = (MANIFESTS / "kickstarter_android-oss__app_build.gradle").read_text(encoding="utf-8")
    for g, a in re.findall(r"implementation\s*\(?\s*['\"]([\w.-]+):([\w.-]+)(?::[^'\"]*)?['\"]",
                           gradle):
        coord = f"{g}:{a}"
        if coord.startswith(TRACKING_GROUPS) and a != "firebase-bom" and not match_name("sdks", coord):
            missing.append(coord)
    toml = (MANIFESTS / "droidkaigi-2024__libs.versions.toml").read_text(encoding="utf-8")
    for coord in re.findall(r'module\s*=\s*"([\w.-]+:[\w.-]+)"', toml):
        tracking = ("firebase-crashlytics", "firebase-analytics", "firebase-config", "firebase-perf",
                    "firebase-messaging")
        if any(t in coord for t in tracking) and not match_name("sdks", coord):
            missing.append(coord)
    lock = (MANIFESTS / "godtools-swift__Podfile.lock").read_text(encoding="utf-8")
    deps = lock.split("DEPENDENCIES:")[1].split("SPEC REPOS:")[0]
    tracking_pods = {"AppsFlyerFramework", "FBSDKCoreKit", "FirebaseAnalytics", "FirebaseCrashlytics",
                     "FirebaseInAppMessaging", "GoogleConversionTracking", "GoogleTagManager",
                     "SnowplowTracker", "youtube-ios-player-helper"}
    for pod in re.findall(r"^\s*-\s*\"?([\w.+-]+(?:/[\w.+-]+)?)", deps, re.M):
        if pod.split("/")[0] in tracking_pods and not match_name("sdks", f"cocoapods:{pod}"):
            missing.append(f"cocoapods:{pod}")
    pods_section = lock.split("PODS:")[1].split("DEPENDENCIES:")[0]
    if "GoogleAnalytics (" in pods_section and not match_name("sdks", "cocoapods:GoogleAnalytics"):
        missing.append("cocoapods:GoogleAnalytics")
    csproj = (MANIFESTS / "cocoa-mhlw__Covid19Radar.Android.csproj").read_text(encoding="utf-8")
    for pkg in re.findall(r'PackageReference Include="([^"]+)"', csproj):
        if pkg.startswith("Microsoft.AppCenter.") and not match_name("sdks", f"nuget:{pkg}"):
            missing.append(f"nuget:{pkg}")
    assert not missing, missing


def test_sdks_hinted_as_tracking_by_gaibus_reader_are_identified():
    """Every dependency that gaibu's own manifest reader flags with a tracking hint is matched."""
    sdk_mod = pytest.importorskip("scanner.importers.sdk")
    if not MANIFESTS.is_dir():
        pytest.skip("shared sample manifests not available")
    missing = []
    for f in sorted(MANIFESTS.iterdir()):
        for rec in sdk_mod.read_manifest(f):
            if getattr(rec, "hint", None) and not match_name("sdks", rec.id):
                missing.append((f.name, rec.id, rec.hint))
    assert not missing, missing
