"""Checks of the jp-cx-*.yaml seed files (Japanese CX, support, analytics, content, identity,
payments, security, consent and app SDK services): the stop methods and per-platform texts the
public reads, exemption candidates, and hand-written expectations that real hosts, cookies and SDK
ids land on the right service (using the reference matcher of test_seed_files)."""

from __future__ import annotations

import re

import pytest

from tests.registry.test_seed_files import FILES, SEED, VAGUE, match_name, match_url

JP_CX = [(f, rf) for f, rf in FILES if f.name.startswith("jp-cx-")]
SERVICES = [s for _, rf in JP_CX for s in rf.services]
POLITE = ("ます。", "です。", "ません。", "ください。")


def test_files_present_and_large_enough():
    names = {f.name for f, _ in JP_CX}
    assert {"jp-cx-marketing.yaml", "jp-cx-support.yaml", "jp-cx-analytics.yaml", "jp-cx-content.yaml",
            "jp-cx-identity-payments.yaml", "jp-cx-security.yaml", "jp-cx-app-sdks.yaml"} <= names
    assert len(SERVICES) >= 90, len(SERVICES)


def test_every_service_has_a_stop_method_with_a_reason_where_needed():
    for s in SERVICES:
        assert s.stop is not None, s.id
        if s.stop.kind in ("stop", "limit", "unavailable"):
            assert s.stop.text_ja and s.stop.text_en, s.id
        for block in (s.web, s.app, s.webview):
            if block and block.stop and block.stop.kind != "company_setting":
                assert block.stop.text_ja, s.id


def _public_ja(s):
    out = []
    if s.stop and s.stop.text_ja:
        out.append(("stop", s.stop.text_ja))
    for name, block in (("web", s.web), ("app", s.app), ("webview", s.webview)):
        if not block:
            continue
        out += [(f"{name}.information_ja", t) for t in block.information_ja or []]
        for f in ("purpose_ja", "recipient_use_ja"):
            if getattr(block, f):
                out.append((f"{name}.{f}", getattr(block, f)))
        if block.stop and block.stop.text_ja:
            out.append((f"{name}.stop", block.stop.text_ja))
    return out


def test_stop_and_platform_texts_are_concrete_polite_and_bilingual():
    for s in SERVICES:
        for field, text in _public_ja(s):
            assert not any(w in text for w in VAGUE), (s.id, field, text)
            if field.endswith("stop") or field.endswith("recipient_use_ja"):
                assert text.rstrip().endswith(POLITE), (s.id, field, text)
            if field.endswith("purpose_ja"):
                assert text.endswith("ため。"), (s.id, field, text)
            assert not re.search(r"[。、）」] |[ぁ-ん] [ぁ-ん一-龠]", text), (s.id, field, text)
        for block in (s.web, s.app, s.webview):
            if block and block.information_ja is not None:
                assert block.information_en and len(block.information_ja) == len(block.information_en), s.id


def test_exemption_candidates_are_security_or_identity_and_explain_why():
    flagged = [s for s in SERVICES if s.exemption_candidate]
    assert len(flagged) >= 10
    for s in flagged:
        assert s.category in ("security", "identity"), s.id
        assert s.notes and "真に必要" in s.notes and "legal review" in s.notes, s.id
    for s in SERVICES:
        if s.category == "security":
            assert s.exemption_candidate and s.stop.kind == "unavailable", s.id


def test_app_services_say_how_the_app_differs_or_are_app_only():
    # A service on both platforms whose default list mentions web-only items must give app wording.
    for s in SERVICES:
        if set(s.platforms) == {"web", "app"}:
            web_only = any(t.startswith("Cookie") or "ページのURL" in t for t in s.information_ja)
            app_only = any(t.startswith(("アプリのインストールごとに割り当てられる識別子", "広告識別子"))
                           for t in s.information_ja)
            if web_only and not app_only:
                assert s.app is not None or "アプリ" in s.purpose_ja or "サイト・アプリ" in s.purpose_ja, s.id
            if app_only and not web_only:
                assert s.web is not None, s.id


URLS = {
    "https://cdn.activity.bdash-cloud.com/tracking-script/bd-x/tracking.js": "b-dash",
    "https://track.list-finder.jp/js/ja/track.js": "list-finder",
    "https://c.k3r.jp/": "kairos3",
    "https://contents.bownow.jp/js/UTC_x/trace.js": "bownow",
    "https://kitchen.juicer.cc/?color=abc": "juicer",
    "https://juicer.cc/": None,
    "https://chimpstatic.com/mcjs-connected/js/users/x.js": "mailchimp",
    "https://static.klaviyo.com/onsite/js/klaviyo.js": "klaviyo",
    "https://tags.tiqcdn.com/utag/acme/main/prod/utag.js": "tealium-iq",
    "https://img.en25.com/i/elqCfg.min.js": "oracle-eloqua",
    "https://s1782160512.t.eloqua.com/visitor/v200/svrGP": "oracle-eloqua",
    "https://app.chatplus.jp/cp.js": "chatplus",
    "https://ws1.sinclo.jp/client/5e7812fdb5a66.js": "sinclo",
    "https://tag-v2.kuzen.io/?tracking_code=KT_x": "kuzen",
    "https://secure.okbiz.jp/faq-jasrac/faq/show/389": "okbiz",
    "https://rarejob.karakuri.ai/api/chats": "karakuri",
    "https://checkout.rakuten.co.jp/p/common/img/btn_check_01.gif": "rakuten-pay",
    "https://my.checkout.rakuten.co.jp/myc/cdodl": "rakuten-pay",
    "https://www.rakuten.co.jp/": None,
    "https://cdn.channel.io/plugin/ch-plugin-web.js": "channel-talk",
    "https://embed.tawk.to/abc/default": "tawk-to",
    "https://js.driftt.com/include/1/x.js": "drift",
    "https://widget.freshworks.com/widgets/1.js": "freshdesk-widget",
    "https://salesiq.zohopublic.com/widget": "zoho-salesiq",
    "https://zn1abc-acme.siteintercept.qualtrics.com/SIE/?Q_ZID=ZN_1": "qualtrics-site-intercept",
    "https://www.qualtrics.com/": None,
    "https://hm.mieru-ca.com/service/js/mieruca-hm.js": "mieruca-heatmap",
    "https://app.mieru-ca.com/faber-extract/": None,
    "https://v1.userdive.com/collect": "userdive",
    "https://edge.fullstory.com/s/fs.js": "fullstory",
    "https://cdn.heapanalytics.com/js/heap-1.js": "heap",
    "https://dev.visualwebsiteoptimizer.com/j.php?a=1": "vwo",
    "https://try.abtasty.com/x.js": "ab-tasty",
    "https://trck.dlpo.jp/lpo/core.js": "dlpo",
    "https://cdn.dynamicyield.com/api/1/api_dynamic.js": "dynamic-yield",
    "https://s.go-mpulse.net/boomerang/KEY": "akamai-mpulse",
    "https://acme.matomo.cloud/matomo.php": "matomo-cloud",
    "https://plausible.io/js/script.js": "plausible",
    "https://players.brightcove.net/1/default_default/index.min.js": "brightcove",
    "https://api01-platform.stream.co.jp/apiservice/getMediaByParam/": "j-stream",
    "https://fast.wistia.com/embed/medias/x.jsonp": "wistia",
    "https://embedwistia-a.akamaihd.net/deliveries/x.bin": "wistia",
    "https://other.akamaihd.net/x.js": None,
    "https://api.mapbox.com/styles/v1/x": "mapbox",
    "https://typesquare.com/3/tsst/script/ja/typesquare.js?x": "typesquare",
    "https://webfont.fontplus.jp/accessor/script/fontplus.js?x": "fontplus",
    "https://cdn.jsdelivr.net/npm/swiper@11/swiper-bundle.min.js": "jsdelivr",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-cdn",
    "https://kit.fontawesome.com/abc.js": "font-awesome",
    "https://secure.gravatar.com/avatar/abc": "gravatar",
    "https://stats.wp.com/e-202449.js": "jetpack-stats",
    "https://s0.wp.com/wp-content/js/x.js": None,
    "https://b.st-hatena.com/js/bookmark_button.js": "hatena-bookmark",
    "https://embed.nicovideo.jp/watch/sm9": "niconico-embed",
    "https://open.spotify.com/embed/track/x": "spotify-embed",
    "https://open.spotify.com/track/x": None,
    "https://w.soundcloud.com/player/?url=x": "soundcloud-embed",
    "https://auth.login.yahoo.co.jp/yconnect/v2/authorization": "yahoo-japan-id-login",
    "https://appleid.cdn-apple.com/appleauth/static/jsapi/appleid/1/ja_JP/appleid.auth.js": "sign-in-with-apple",
    "https://www.apple.com/jp/": None,
    "https://identitytoolkit.googleapis.com/v1/accounts:signInWithPassword": "firebase-authentication",
    "https://acme.jp.auth0.com/authorize": "auth0",
    "https://acme.auth.ap-northeast-1.amazoncognito.com/login": "amazon-cognito",
    "https://cognito-idp.ap-northeast-1.amazonaws.com/": "amazon-cognito",
    "https://s3.ap-northeast-1.amazonaws.com/x": None,
    "https://login.microsoftonline.com/common/oauth2/v2.0/authorize": "microsoft-entra-id",
    "https://js.pay.jp/v2/pay.js": "pay-jp",
    "https://pay.jp/": None,
    "https://static.mul-pay.jp/ext/js/token.js": "gmo-payment-gateway",
    "https://stbfep.sps-system.com/f01/FepBuyInfoReceive.do": "sb-payment-service",
    "https://www.paypal.com/sdk/js?client-id=x": "paypal",
    "https://static-fe.payments-amazon.com/checkout.js": "amazon-pay",
    "https://www.amazon.co.jp/": None,
    "https://pay.google.com/gp/p/js/pay.js": "google-pay",
    "https://js.hcaptcha.com/1/api.js": "hcaptcha",
    "https://js.datadome.co/tags.js": "datadome",
    "https://client.px-cloud.net/PXabc/main.min.js": "human-bot-defender",
    "https://client-api.arkoselabs.com/v2/KEY/api.js": "arkose-labs",
    "https://mpsnare.iesnare.com/snare.js": "iovation",
    "https://h.online-metrix.net/fp/tags.js": "threatmetrix",
    "https://consent.cookiebot.com/uc.js": "cookiebot",
    "https://app.usercentrics.eu/browser-ui/latest/loader.js": "usercentrics",
    "https://sdk.privacy-center.org/loader.js": "didomi",
    "https://cdn-cookieyes.com/client_data/x/script.js": "cookieyes",
    "https://cdn.iubenda.com/cs/iubenda_cs.js": "iubenda",
    "https://sdk-api-v1.singular.net/api/v1/launch": "singular",
    "https://go.urbanairship.com/api/channels": "airship",
    "https://jp1.clevertap-prod.com/a1": "clevertap",
    "https://sdk-03.moengage.com/v2/sdkconfig": "moengage",
    "https://notify.bugsnag.com/": "bugsnag",
    "https://api-x.sendbird.com/v3/users": "sendbird",
}


@pytest.mark.parametrize("url,expected", sorted(URLS.items()))
def test_jp_cx_urls_identify_the_right_service(url, expected):
    assert match_url(url) == expected


COOKIES = {
    "__kla_id": "klaviyo", "utag_main": "tealium-iq", "ELOQUA": "oracle-eloqua",
    "ch-veil-id": "channel-talk", "ch-session-123": "channel-talk", "__tawkuuid": "tawk-to",
    "driftt_aid": "drift", "LPVID": "liveperson", "liveagent_sid": "salesforce-embedded-chat",
    "QSI_SI_x_intercept": "qualtrics-site-intercept", "_ud2": "userdive",
    "fs_uid": "fullstory", "_hp2_id.123": "heap", "QuantumMetricUserID": "quantum-metric",
    "_vwo_uuid_v2": "vwo", "_vis_opt_s": "vwo", "ABTasty": "ab-tasty", "_dyid": "dynamic-yield",
    "kameleoonVisitorCode": "kameleoon", "_abck": "akamai-bot-manager", "bm_sz": "akamai-bot-manager",
    "datadome": "datadome", "_px3": "human-bot-defender", "_pxvid": "human-bot-defender",
    "visid_incap_123": "imperva-bot-protection", "incap_ses_1_2": "imperva-bot-protection",
    "didomi_token": "didomi", "notice_preferences": "trustarc", "cookieyes-consent": "cookieyes",
    "osano_consentmanager": "osano", "_iub_cs-123": "iubenda", "WZRK_G": "clevertap",
    # self-hosted or shared names stay unmatched
    "_pk_id.1.abcd": None, "mf_user": None, "CookieConsent": None, "RT": None,
}


@pytest.mark.parametrize("name,expected", sorted(COOKIES.items()))
def test_jp_cx_cookies_identify_the_right_service(name, expected):
    assert match_name("cookies", name) == expected


SDKS = {
    "com.zoyi.channel:plugin-android": "channel-talk", "cocoapods:ChannelIOSDK": "channel-talk",
    "com.github.freshworks:freshchat-android": "freshchat", "com.github.freshdesk:freshchat-android": "freshchat",
    "cocoapods:Airbridge": "airbridge", "com.usercentrics.sdk:usercentrics-tv": "usercentrics",
    "com.leanplum:leanplum-fcm": "leanplum", "co.datadome.sdk:sdk": "datadome", "com.perimeterx.sdk:msdk": "human-bot-defender",
    "com.helpshift:helpshift-sdkx": "helpshift", "com.fullstory:instrumentation-full": "fullstory",
    "com.launchdarkly:launchdarkly-android-client-sdk": "launchdarkly", "com.uxcam:uxcam": "uxcam",
    "com.mapbox.maps:android": "mapbox", "com.brightcove.player:exoplayer2": "brightcove",
    "com.google.firebase:firebase-auth": "firebase-authentication",
    "com.google.firebase:firebase-auth-ktx": "firebase-authentication", "pub:firebase_auth": "firebase-authentication",
    "com.google.firebase:firebase-auth-interop": None, "cocoapods:FirebaseAuthInterop": None,
    "com.auth0.android:auth0": "auth0", "npm:@okta/okta-auth-js": "okta",
    "com.microsoft.identity.client:msal": "microsoft-entra-id", "jp.pay:payjp-android": "pay-jp",
    "com.braintreepayments.api:drop-in": "paypal", "com.google.android.gms:play-services-wallet": "google-pay",
    "com.github.hcaptcha:hcaptcha-android-sdk": "hcaptcha", "io.didomi.sdk:android": "didomi",
    "com.singular.sdk:singular_sdk": "singular", "io.airbridge:sdk-android": "airbridge",
    "com.pushwoosh:pushwoosh": "pushwoosh", "com.urbanairship.android:urbanairship-fcm": "airship",
    "com.clevertap.android:clevertap-android-sdk": "clevertap", "com.leanplum:leanplum-core": "leanplum",
    "com.moengage:moe-android-sdk": "moengage", "com.bugsnag:bugsnag-android": "bugsnag",
    "com.bugsnag:bugsnag-android-ndk": "bugsnag", "com.instabug.library:instabug": "instabug",
    "io.embrace:embrace-android-sdk": "embrace", "com.flurry.android:analytics": "flurry",
    "cocoapods:Flurry-iOS-SDK/FlurrySDK": "flurry", "com.sendbird.sdk:sendbird-chat": "sendbird",
    "io.agora.rtc:full-sdk": "agora", "com.mparticle:android-core": "mparticle",
    # self-hostable SDKs and the Google Play services base stay unmatched
    "ly.count.android:sdk": None, "com.google.android.gms:play-services-base": None,
    # existing services are unaffected
    "com.onesignal:OneSignal": "onesignal", "io.branch.sdk.android:library": "branch",
}


@pytest.mark.parametrize("sdk,expected", sorted(SDKS.items()))
def test_jp_cx_sdk_ids_identify_the_right_service(sdk, expected):
    assert match_name("sdks", sdk) == expected


def test_seed_dir_is_the_one_checked():
    assert all(f.parent == SEED for f, _ in JP_CX)


def test_files_have_no_yaml_anchors_and_latin_names_are_spaced_before_wa():
    # Each service carries its own stop block (an alias would tie two services' texts together),
    # and 「Freshworks Inc. は、」 is written with a space, as in the other seed files.
    for f, _ in JP_CX:
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(^|\s)[&*]id\d+\b", text), f.name
    for s in SERVICES:
        assert not re.search(r"[A-Za-z0-9.!]は、", s.recipient_use_ja), (s.id, s.recipient_use_ja)
