"""Stand-ins for real third parties, served under their real hostnames on the demo's LocalNet.

Each vendor imitates what its real tag does from a browser's point of view: the same hosts and
paths, the same query-parameter names, the same cookie names, set the same way (by script on the
site's own domain, or by a Set-Cookie header from the vendor's host). The JavaScript lives in
`tags/`; every file is wrapped in an IIFE together with `tags/_prelude.js`. None of it is the
vendors' code, and none of it does anything beyond what the demo needs to be observed.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from gaibu.localnet import PIXEL_GIF, Handler, LocalNet, Request, Response, router

TAGS = Path(str(resources.files("gaibu.demo") / "tags"))
JS = "application/javascript; charset=utf-8"
ONE_YEAR = 365 * 86400

# Identifiers that the demo site's snippets use (all made up).
GA4_ID = "G-DEMO123"
ADS_ID = "AW-123456789"
ADS_CONVERSION = "AW-123456789/DemoContactLead"
META_PIXEL_ID = "1234567890123456"
YAHOO_SS_ID = "1001234567"
YAHOO_RT_ID = "DEMO0YJAD1"
LINE_TAG_ID = "a1b2c3d4-0000-4000-8000-5e4d3c2b1a00"
CLARITY_ID = "sbdemo7clr"
TIKTOK_ID = "CDEMO00TIKTOK0000000"
CRITEO_ACCOUNT = "98765"
YOUTUBE_ID = "Sb0DemoTour"
MOUSEFLOW_ID = "4d1c7e0a-7b2f-4a8e-9c51-3f6b2d0e8a17"
POPIN_MEDIA = "sumikabiyori"
KUMO_SITE = "sb-0001"


@dataclass(frozen=True)
class Vendor:
    """One simulated third party: what the demo expects it to do (used by the tests and docs)."""

    key: str
    name: str
    hosts: tuple[str, ...]
    first_party_cookies: tuple[str, ...] = ()  # set by script on the site's registrable domain
    third_party_cookies: tuple[tuple[str, str], ...] = ()  # (name, domain) set by Set-Cookie
    storage: tuple[tuple[str, str, str], ...] = ()  # (origin, kind, key)
    when: str = "every page"


VENDORS: tuple[Vendor, ...] = (
    Vendor("ga4", "Google Analytics 4 (gtag.js)",
           ("www.googletagmanager.com", "region1.google-analytics.com"),
           first_party_cookies=("_ga", "_ga_DEMO123")),
    Vendor("meta-pixel", "Meta Pixel", ("connect.facebook.net", "www.facebook.com"),
           first_party_cookies=("_fbp",)),
    Vendor("yahoo-ads", "Yahoo!広告 サイトジェネラルタグ",
           ("s.yimg.jp", "b92.yahoo.co.jp", "b97.yahoo.co.jp"),
           first_party_cookies=("_yjsu_yjad",)),
    Vendor("line-tag", "LINE Tag", ("d.line-scdn.net", "tr.line.me"),
           first_party_cookies=("__lt__cid", "__lt__sid"),
           third_party_cookies=(("lt_uid", ".line.me"),)),
    Vendor("kumo", "くもアナリティクス (unknown vendor)",
           ("cdn.kumo-analytics.jp", "log.kumo-analytics.jp"),
           first_party_cookies=("_kumo_uid",),
           third_party_cookies=(("kumo_id", ".kumo-analytics.jp"),),
           storage=(("https://www.sumika-biyori.co.jp", "localStorage", "kumo:last_visit"),)),
    Vendor("clarity", "Microsoft Clarity",
           ("www.clarity.ms", "scripts.clarity.ms", "k.clarity.ms", "c.clarity.ms"),
           first_party_cookies=("_clck", "_clsk"),
           third_party_cookies=(("CLID", "www.clarity.ms"), ("MUID", ".clarity.ms")),
           when="after 「同意する」 is clicked, and on later pages while the sb_consent cookie says accepted"),
    Vendor("tiktok", "TikTok Pixel", ("analytics.tiktok.com",),
           first_party_cookies=("_ttp",),
           when="mobile only: matchMedia('(max-width: 600px)') or a touch screen"),
    Vendor("popin", "popIn Discovery", ("api.popin.cc", "popin.cc"),
           when="lazy: when the footer comes within 120 px of the viewport (IntersectionObserver)"),
    Vendor("criteo", "Criteo OneTag", ("static.criteo.net", "sslwidget.criteo.com"),
           first_party_cookies=("cto_bundle",),
           third_party_cookies=(("uid", ".criteo.com"),),
           storage=(("https://www.sumika-biyori.co.jp", "localStorage", "cto_bundle"),),
           when="property detail pages only (/bukken/NNNN.html, depth 2)"),
    Vendor("youtube", "YouTube embed",
           ("www.youtube.com", "i.ytimg.com", "googleads.g.doubleclick.net",
            "static.doubleclick.net"),
           third_party_cookies=(("YSC", ".youtube.com"), ("VISITOR_INFO1_LIVE", ".youtube.com"),
                                ("VISITOR_PRIVACY_METADATA", ".youtube.com")),
           storage=(("https://www.youtube.com", "localStorage", "yt-remote-device-id"),
                    ("https://www.youtube.com", "localStorage", "yt-remote-connected-devices"),
                    ("https://www.youtube.com", "sessionStorage", "yt-remote-session-app")),
           when="iframe on /about/ (会社案内)"),
    Vendor("mouseflow", "Mouseflow (known to third-party-web, not to the Japan seed registry)",
           ("cdn.mouseflow.com", "o2.mouseflow.com"),
           first_party_cookies=("mf_user", f"mf_{MOUSEFLOW_ID}"),
           when="contact form page only (/contact/)"),
    Vendor("google-ads", "Google 広告 リマーケティング (gtag.js)",
           ("googleads.g.doubleclick.net", "www.google.com"),
           first_party_cookies=("_gcl_au",),
           when="campaign landing page only (/campaign/2026-spring/, listed only in sitemap.xml)"),
)


@functools.cache
def _source(name: str) -> str:
    return (TAGS / name).read_text(encoding="utf-8")


def script(name: str, **subs: str) -> bytes:
    """A tag file wrapped with the prelude in one IIFE; `__KEY__` placeholders replaced."""
    body = _source(name)
    for k, v in subs.items():
        body = body.replace(f"__{k.upper()}__", v)
    return f"(function () {{\n{_source('_prelude.js')}\n{body}\n}})();\n".encode()


def js(name: str, **subs: str) -> Handler:
    def handle(req: Request) -> Response:
        return Response(200, script(name, **subs), JS, [("Cache-Control", "public, max-age=900")])
    return handle


def set_cookie(name: str, value: str, domain: str | None, max_age: int | None = ONE_YEAR,
               http_only: bool = False, same_site: str = "None") -> tuple[str, str]:
    """A Set-Cookie header as third parties send it (cross-site cookies need SameSite=None; Secure)."""
    parts = [f"{name}={value}", "Path=/"]
    if domain:
        parts.append(f"Domain={domain}")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
        parts.append("Expires=" + time.strftime("%a, %d %b %Y %H:%M:%S GMT",
                                                time.gmtime(time.time() + max_age)))
    parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    parts.append(f"SameSite={same_site}")
    return ("Set-Cookie", "; ".join(parts))


def _gif(*cookies: tuple[str, str]) -> Response:
    return Response(200, PIXEL_GIF, "image/gif",
                    [("Cache-Control", "no-cache, no-store, must-revalidate"), *cookies])


def gif(*cookies: tuple[str, str]) -> Handler:
    def handle(req: Request) -> Response:
        return _gif(*cookies)
    return handle


def gif_with_id_cookie(name: str, domain: str, max_age: int = ONE_YEAR,
                       http_only: bool = False) -> Handler:
    """A tracking pixel that gives the browser an id cookie unless it already sent one."""
    def handle(req: Request) -> Response:
        value = req.cookie(name) or secrets.token_urlsafe(18)
        return _gif(set_cookie(name, value, domain, max_age, http_only))
    return handle


def no_content(req: Request) -> Response:
    return Response(204, b"", None, [("Access-Control-Allow-Origin", "*")])


def text(body: str, ctype: str = "text/plain; charset=utf-8") -> Handler:
    def handle(req: Request) -> Response:
        return Response(200, body, ctype, [("Access-Control-Allow-Origin", "*")])
    return handle


# -- YouTube -------------------------------------------------------------------------------------
_YT_PLAYER = "/s/player/6e1dd460/www-embed-player.vflset/www-embed-player.js"


def _youtube_embed(req: Request) -> Response:
    video = req.path.split("?", 1)[0].rsplit("/", 1)[-1]
    if not re.fullmatch(r"[A-Za-z0-9_-]{11}", video):
        return Response(404, b"not found", "text/plain")
    cookies = [
        set_cookie("YSC", req.cookie("YSC") or secrets.token_urlsafe(8), ".youtube.com", None,
                   http_only=True),
        set_cookie("VISITOR_INFO1_LIVE", req.cookie("VISITOR_INFO1_LIVE") or secrets.token_urlsafe(8),
                   ".youtube.com", 180 * 86400, http_only=True),
        set_cookie("VISITOR_PRIVACY_METADATA", quote("CgJKUBIEGgAgXQ==", safe=""), ".youtube.com",
                   180 * 86400, http_only=True),
    ]
    html = f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>すみか日和 ルームツアー - YouTube</title>
<style>html,body{{margin:0;height:100%;background:#000;overflow:hidden}}
.thumb{{width:100%;height:100%;object-fit:cover;display:block}}
.title{{position:absolute;top:0;left:0;right:0;padding:10px 14px;color:#fff;font:14px sans-serif;
background:linear-gradient(#000a,#0000)}}</style></head>
<body data-video-id="{video}">
<div class="title">すみか日和 ルームツアー（デモ動画）</div>
<img class="thumb" src="https://i.ytimg.com/vi/{video}/hqdefault.jpg" alt="">
<script src="https://www.youtube.com{_YT_PLAYER}" async></script>
</body></html>"""
    return Response(200, html, "text/html; charset=utf-8", cookies)


def _ytimg(req: Request) -> Response | None:
    if not req.path.endswith(".jpg"):
        return None
    return Response(200, (TAGS / "hqdefault.jpg").read_bytes(), "image/jpeg",
                    [("Cache-Control", "public, max-age=7200")])


# -- popIn ---------------------------------------------------------------------------------------
_POPIN_ITEMS = [
    {"url": "https://www.sumika-biyori.co.jp/column/first-home.html",
     "title": "はじめての住まい探し　押さえておきたい5つのポイント", "sponsor": ""},
    {"url": "https://www.sumika-biyori.co.jp/column/moving-checklist.html",
     "title": "引っ越し前後の「やることリスト」決定版", "sponsor": ""},
    {"url": "https://www.sumika-biyori.co.jp/bukken/",
     "title": "今週の新着物件をチェック", "sponsor": ""},
]


def _popin_recommend(req: Request) -> Response:
    cb = (req.query.get("callback") or ["_p6_jsonp"])[0]
    if not re.fullmatch(r"[A-Za-z_$][\w$]{0,40}", cb):
        cb = "_p6_jsonp"
    body = f"{cb}({json.dumps({'items': _POPIN_ITEMS}, ensure_ascii=False)});"
    return Response(200, body, JS)


# -- registration --------------------------------------------------------------------------------
def register(net: LocalNet) -> None:
    """Add every simulated third party to `net`."""
    # Google: gtag.js (GA4 + Google Ads), collection endpoints, YouTube and its ad checks.
    net.add("www.googletagmanager.com", router({"/gtag/js": js("gtag.js")}))
    net.add("region1.google-analytics.com", router({"/g/collect": no_content}))
    net.add("googleads.g.doubleclick.net", router({
        "/pagead/viewthroughconversion/*": gif(),
        "/pagead/id": text('{"id": "0"}', "application/json; charset=utf-8"),
    }))
    net.add("www.google.com", router({"/pagead/1p-user-list/*": gif()}))
    net.add("www.googleadservices.com", router({"/pagead/conversion/*": gif()}))
    net.add("static.doubleclick.net", router({
        "/instream/ad_status.js": text("window.google_ad_status = 1;\n", JS)}))
    net.add("www.youtube.com", router({
        "/embed/*": _youtube_embed,
        _YT_PLAYER: js("yt-embed-player.js"),
        "/youtubei/v1/log_event": text("{}", "application/json; charset=utf-8"),
    }))
    net.add("i.ytimg.com", router({"/vi/*": _ytimg}))

    # Meta
    net.add("connect.facebook.net", router({
        "/en_US/fbevents.js": js("fbevents.js"),
        "/signals/config/*": js("fb-signals-config.js"),
    }))
    net.add("www.facebook.com", router({"/tr": gif(), "/tr/": gif()}))

    # LINEヤフー: Yahoo!広告 and LINE Tag
    net.add("s.yimg.jp", router({"/images/listing/tool/cv/ytag.js": js("ytag.js")}))
    net.add("b92.yahoo.co.jp", router({"/search/*": gif()}))
    net.add("b97.yahoo.co.jp", router({"/pagead/conversion/*": gif()}))
    net.add("b91.yahoo.co.jp", router({"/pagead/conversion/*": gif()}))
    net.add("d.line-scdn.net", router({"/n/line_tag/public/release/v1/lt.js": js("lt.js")}))
    net.add("tr.line.me", router({"/tag.gif": gif_with_id_cookie("lt_uid", ".line.me")}))

    # Microsoft Clarity (consent-gated on the demo site)
    def clarity_tag(req: Request) -> Response:
        project = req.path.rstrip("/").rsplit("/", 1)[-1]
        if not re.fullmatch(r"[a-z0-9]{6,16}", project):
            return Response(404, b"unknown project", "text/plain")
        clid = req.cookie("CLID") or secrets.token_hex(16)
        return Response(200, script("clarity-tag.js", project=project), JS,
                        [set_cookie("CLID", clid, None, ONE_YEAR)])

    net.add("www.clarity.ms", router({"/tag/*": clarity_tag}))
    net.add("scripts.clarity.ms", router({"/0.8.9/clarity.js": js("clarity.js")}))
    net.add("k.clarity.ms", router({"/collect": no_content}))
    net.add("c.clarity.ms", router({"/c.gif": gif_with_id_cookie("MUID", ".clarity.ms")}))

    # TikTok (mobile only), popIn (lazy), Criteo (detail pages), Mouseflow (contact page)
    net.add("analytics.tiktok.com", router({
        "/i18n/pixel/events.js": js("tiktok-events.js"),
        "/api/v2/pixel": text('{"code":0,"message":"OK"}', "application/json; charset=utf-8"),
    }))
    net.add("api.popin.cc", router({f"/searchbox/{POPIN_MEDIA}.js": js("popin.js")}))
    net.add("popin.cc", router({"/popin_discovery/recommend": _popin_recommend}))
    net.add("static.criteo.net", router({"/js/ld/ld.js": js("criteo-ld.js")}))
    net.add("sslwidget.criteo.com", router({
        "/event": gif_with_id_cookie("uid", ".criteo.com", 395 * 86400)}))
    net.add("cdn.mouseflow.com", router({
        f"/projects/{MOUSEFLOW_ID}.js": js("mouseflow.js", website=MOUSEFLOW_ID)}))
    net.add("o2.mouseflow.com", router({"/websites/*": no_content}))

    # くもアナリティクス: the vendor nobody's registry knows.
    net.add("cdn.kumo-analytics.jp", router({"/tag.js": js("kumo-tag.js")}))
    net.add("log.kumo-analytics.jp", router({
        "/v1/hit": gif_with_id_cookie("kumo_id", ".kumo-analytics.jp")}))


def vendor_hosts() -> set[str]:
    return {h for v in VENDORS for h in v.hosts}
