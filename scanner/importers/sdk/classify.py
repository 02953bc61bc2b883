"""Heuristic category hints for SDK ids, so an UNKNOWN tracking SDK still becomes a finding.

``hint_for('com.example:ad-sdk')`` → ``'ads'``; ordinary libraries (UI, networking, DI, JSON,
image loading, AndroidX, Kotlin, Compose, OkHttp, Retrofit, Glide, Dagger/Hilt, Alamofire,
SnapKit, lottie, RxJava …) → ``None``.

Matching is token based, never raw substring based: an id is split on punctuation and on
camelCase humps ('AppsFlyerFramework' → apps, flyer, framework, appsflyerframework), so 'ads'
must be a whole token ('play-services-ads', 'GoogleMobileAdsSDK') and 'loads' or 'downloads' never
match. Vendor names are matched as tokens or, when they are unambiguous strings, inside the
id with its punctuation removed ('appsflyer', 'crashlytics'). Rules are data, checked in order;
the first rule that matches gives the hint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["hint_for", "tokens_of", "HINTS"]

#: every hint this module can return
HINTS = ("attribution", "ads", "crash", "push", "marketing", "analytics", "monitoring",
         "tracking")


@dataclass(frozen=True)
class _Rule:
    hint: str
    tokens: frozenset[str] = frozenset()  # any whole token
    compact: tuple[str, ...] = ()  # any of these inside the id lower-cased, punctuation removed
    seqs: tuple[tuple[str, ...], ...] = ()  # consecutive tokens


def _r(hint: str, tokens: str = "", compact: str = "", seqs: str = "") -> _Rule:
    return _Rule(hint, frozenset(tokens.split()), tuple(compact.split()),
                 tuple(tuple(s.split("+")) for s in seqs.split()))


# Ordered: specific vendors and product lines first, generic words last.
_RULES: tuple[_Rule, ...] = (
    # --- product lines of big platforms, which also ship ordinary libraries
    _r("marketing", compact="firebaseinappmessaging inappmessaging", seqs="in+app+messaging"),
    _r("push", seqs="firebase+messaging rnfirebase+messaging react+native+firebase+messaging "
       "firebase+iid"),
    _r("crash", seqs="firebase+crash firebase+crashlytics"),
    _r("analytics", compact="googlefirebasefirebasecore",  # firebase-core bundled Analytics
       seqs="firebase+analytics firebase+perf firebase+performance firebase+abt "
       "firebase+ab+testing"),
    _r("attribution", seqs="firebase+dynamic+links firebase+dynamiclinks"),
    _r("ads", compact="audiencenetwork fbaudiencenetwork fbads facebookads"),
    _r("tracking", compact="fbsdkcorekit fbsdkcore facebookandroidsdk facebookcore "
       "facebookappevents fbaemkit",
       seqs="facebook+android+sdk facebook+core facebook+app+events fbsdk+core+kit "
       "react+native+fbsdk react+native+fbsdk+next"),
    _r("ads", compact="googlemobileads playservicesads interactivemedia conversiontracking "
       "googleadsima",
       seqs="play+services+ads google+mobile+ads"),
    _r("analytics", compact="appmeasurement tagmanager playservicesanalytics "
       "playservicesmeasurement"),
    _r("analytics", seqs="microsoft+appcenter+analytics"),
    _r("crash", seqs="microsoft+appcenter+crashes"),
    # --- attribution / mobile measurement partners
    _r("attribution", tokens="adjust appsflyer kochava tenjin airbridge branch singular "
       "partytrack appadforce attribution",
       compact="appsflyer kochava"),
    # --- ad networks and mediation
    _r("ads", tokens="admob applovin ironsource unityads vungle liftoff chartboost inmobi mopub "
       "adcolony tapjoy fyber mintegral pangle smaato criteo nend maio fluct amoad geniee zucks "
       "adgeneration socdm adfurikun admolin imobile gnadsdk openadsdk adstir vamp tiktokads "
       "yieldmo pubmatic prebid appnexus adservices",
       compact="unityads ironsource applovin chartboost adcolony mintegral openadsdk "
       "adfurikun gnadsdk amazondeviceads"),
    # --- crash reporting
    _r("crash", tokens="crashlytics sentry bugsnag instabug raygun rollbar bugfender acra "
       "hockeyapp hockeysdk plcrashreporter kscrash embrace crashes crash crashreporter "
       "crashreporting crashreport bugreport bugreporting",
       compact="crashlytics bugsnag instabug plcrashreporter hockeysdk"),
    # --- push and in-app messaging
    _r("push", tokens="push onesignal pushwoosh urbanairship airship pushy fcm apns pushkit "
       "pushnotification pushnotifications",
       compact="onesignal pushwoosh urbanairship combatchandroid"),
    # --- marketing automation / CRM engagement
    _r("marketing", tokens="braze appboy clevertap moengage leanplum marketingcloud "
       "exacttarget marketo karte repro appier emarsys webengage iterableapi intercom "
       "customerio marketing engagement",
       compact="clevertap moengage leanplum marketingcloud exacttarget comiterable"),
    # --- product analytics, session replay, experimentation
    _r("analytics", tokens="analytics analytic amplitude mixpanel flurry countly matomo piwik "
       "snowplow tealium segment segmentio mparticle localytics posthog rudderstack "
       "rudder smartlook uxcam contentsquare hotjar fullstory logrocket clarity appmetrica "
       "metrica yssens treasuredata optimizely statsig launchdarkly measurement adobemobile "
       "aepanalytics aepcore adbmobile heap heapanalytics quantummetric glassbox decibel "
       "abtesting",
       compact="amplitude mixpanel flurry snowplow tealium mparticle localytics posthog "
       "rudderstack smartlook uxcam contentsquare fullstory logrocket appmetrica treasuredata "
       "optimizely statsig launchdarkly adobemarketingmobile"),
    # --- performance monitoring (sends device and usage data to the vendor)
    _r("monitoring", tokens="newrelic datadog dynatrace appdynamics instana apm rum",
       compact="newrelic datadoghq dynatrace appdynamics"),
    # --- generic advertising words
    _r("ads", tokens="ads ad adsdk advert adverts advertising advertisement adnetwork adserver "
       "adview adviews mediation admanager iad adid idfa aaid adsidentifier",
       seqs="advertising+id advertising+identifier"),
    # --- generic tracking words
    _r("tracking", tokens="tracker trackers tracking telemetry fingerprint fingerprinting"),
)

# Namespaces of ordinary libraries that must never be hinted, whatever their tokens say.
_NEVER = re.compile(
    r"^(androidx\.|android\.arch\.|org\.jetbrains\.kotlin|org\.jetbrains\.kotlinx|"
    r"com\.android\.support|com\.android\.tools|org\.jetbrains\.compose|"
    r"com\.squareup\.(okhttp3|retrofit2|okio|moshi|picasso|leakcanary)|com\.github\.bumptech|"
    r"com\.google\.dagger|com\.google\.code\.gson|io\.reactivex|com\.airbnb\.android:lottie|"
    r"cocoapods:(alamofire|snapkit|kingfisher|sdwebimage|lottie|rxswift|realm|moya|swiftyjson)|"
    r"spm:github\.com/(alamofire|snapkit|onevcat|sdwebimage|airbnb/lottie|reactivex|realm)/)"
)

_SPLIT = re.compile(r"[^A-Za-z0-9]+")
_HUMPS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_ECOSYSTEM = re.compile(r"^(cocoapods|spm|pub|npm|nuget|maven|unresolved):", re.I)


def tokens_of(sdk_id: str) -> list[str]:
    """Lower-case tokens of an id: punctuation-separated chunks and their camelCase humps."""
    body = _ECOSYSTEM.sub("", sdk_id)
    out: list[str] = []
    for chunk in _SPLIT.split(body):
        if not chunk:
            continue
        low = chunk.lower()
        out.append(low)
        humps = [h.lower() for h in _HUMPS.findall(chunk)]
        if len(humps) > 1:
            out.extend(humps)
    return out


def _ordered_tokens(sdk_id: str) -> list[str]:
    """Tokens in reading order with chunks split into humps (for consecutive-token rules)."""
    body = _ECOSYSTEM.sub("", sdk_id)
    out: list[str] = []
    for chunk in _SPLIT.split(body):
        out.extend(h.lower() for h in _HUMPS.findall(chunk))
    return out


def _has_seq(seq: list[str], pat: tuple[str, ...]) -> bool:
    n = len(pat)
    return any(tuple(seq[i:i + n]) == pat for i in range(len(seq) - n + 1))


@functools.lru_cache(maxsize=4096)
def hint_for(sdk_id: str) -> str | None:
    """A category hint ('analytics', 'ads', 'attribution', 'crash', 'push', 'marketing',
    'monitoring', 'tracking') when the id looks like a tracking SDK, else None."""
    low = sdk_id.lower()
    if _NEVER.match(low):
        return None
    toks = set(tokens_of(sdk_id))
    ordered = _ordered_tokens(sdk_id)
    # 'firebase-analytics' and 'FirebaseAnalytics' and 'firebase_analytics' alike
    compact = re.sub(r"[^a-z0-9]", "", _ECOSYSTEM.sub("", low))
    for rule in _RULES:
        if rule.tokens & toks:
            return rule.hint
        if any(c in compact for c in rule.compact):
            return rule.hint
        if any(_has_seq(ordered, s) for s in rule.seqs):
            return rule.hint
    return None
