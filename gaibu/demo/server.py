"""The demo's simulated internet: the fictional company's site, its CDN and the vendors, on one LocalNet.

    with build_net() as net:
        targets = demo_targets(net, Path("demo-out"))

`build_net` registers every host but does not start the net; `demo_targets` needs a started net
(its Chromium args carry the net's ports).
"""

from __future__ import annotations

import html
import json
import re
import secrets
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from gaibu.demo import vendors
from gaibu.localnet import Handler, LocalNet, Request, Response, router, static_site

PACKAGE_DIR = Path(str(resources.files("gaibu.demo")))
SITE_DIR = PACKAGE_DIR / "site"
APP_DIR = PACKAGE_DIR / "app"

COMPANY_NAME_JA = "株式会社すみか日和"
COMPANY_NAME_EN = "Sumika Biyori Co., Ltd."
SITE_HOST = "www.sumika-biyori.co.jp"
CDN_HOST = "static.biyori-cdn.jp"
OWNED_DOMAINS = ("sumika-biyori.co.jp", "biyori-cdn.jp")
SITE_URL = f"https://{SITE_HOST}/"
TRANSMISSION_PATH = "/privacy/transmission/"  # where `gaibu build` output is published
APP_HELP_URL = f"https://{SITE_HOST}/app/help/"
TARGETS_HEADER = "# gaibu demo targets"  # first line of every targets.yaml the demo writes

_META = re.compile(r"\A<!--page\s+(\{.*?\})\s*-->\s*", re.S)
_VAR = re.compile(r"\{\{(\w+)\}\}")


def _fill(template: str, values: dict[str, str]) -> str:
    return _VAR.sub(lambda m: values.get(m.group(1), ""), template)


def _breadcrumb(items: list[list[Any]]) -> str:
    if not items:
        return ""
    lis = []
    for label, href in items:
        if href:
            lis.append(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>')
        else:
            lis.append(f'<li aria-current="page">{html.escape(label)}</li>')
    return '<ol class="breadcrumb">' + "".join(lis) + "</ol>"


def render_page(root: Path, fragment: Path, path: str) -> str:
    """A page fragment (`<!--page {json} -->` + body HTML) inside its layout with its tag snippets."""
    text = fragment.read_text(encoding="utf-8")
    m = _META.match(text)
    meta: dict[str, Any] = json.loads(m.group(1)) if m else {}
    content = text[m.end():] if m else text
    layout = meta.get("layout", "site")
    values = {"page_type": "", "yahoo_items": "", **meta.get("vars", {})}
    parts = ["app"] if layout == "app" else ["common"]
    parts += meta.get("parts", [])
    head = "\n".join(_fill((root / "parts" / f"head-{p}.html").read_text(encoding="utf-8"), values)
                     for p in parts)
    attrs = "".join(f' {k}="{html.escape(str(v))}"' for k, v in meta.get("body", {}).items())
    page = (root / ("layout-app.html" if layout == "app" else "layout.html")).read_text(encoding="utf-8")
    return _fill(page, {
        "title": html.escape(meta.get("title", "")),
        "description": html.escape(meta.get("description", "")),
        "path": path,
        "head": head,
        "body_attrs": attrs,
        "breadcrumb": _breadcrumb(meta.get("breadcrumb", [])),
        "content": content,
    })


_PLACEHOLDER = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>外部送信について｜すみか日和</title></head>
<body><main style="max-width:720px;margin:40px auto;padding:0 20px;font-family:sans-serif;line-height:1.8">
<h1>外部送信について</h1>
<p>このページ（送信先一覧）は <code>gaibu build</code> で生成され、ここに公開されます。デモを実行すると、
スキャンとレビューの結果から作られた一覧に置き換わります。</p>
<p><a href="/privacy/">プライバシーポリシーに戻る</a></p>
<p>このサイトは gaibu のデモ用の架空のサイトです。</p></main></body></html>"""

_NOT_FOUND = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>ページが見つかりません｜すみか日和</title></head>
<body><h1>ページが見つかりません</h1><p>お探しのページは移動または削除された可能性があります。
<a href="/">トップページ</a>からお探しください。</p></body></html>"""


def company_site(root: Path = SITE_DIR, published_dir: Path | None = None) -> Handler:
    """www.sumika-biyori.co.jp: rendered pages, robots.txt, sitemap.xml, /api/pv, the published list."""
    www = (root / "www").resolve()

    def page(req: Request) -> Response:
        path = req.path.split("?", 1)[0]
        if ".." in path:
            return Response(400, b"bad request", "text/plain")
        target = www / path.lstrip("/")
        if target.is_dir():
            if not path.endswith("/"):
                return Response(301, b"", "text/plain", [("Location", path + "/")])
            target = target / "index.html"
        if not target.is_file():
            return Response(404, _NOT_FOUND)
        if target.suffix != ".html":
            return static_site(www)(req) or Response(404, _NOT_FOUND)
        headers = [("Cache-Control", "no-cache")]
        if not req.cookie("SBSESSID"):
            headers.append(("Set-Cookie", f"SBSESSID={secrets.token_hex(16)}; Path=/; Secure; "
                                          "HttpOnly; SameSite=Lax"))
        return Response(200, render_page(root, target, path), "text/html; charset=utf-8", headers)

    def api_pv(req: Request) -> Response:
        return Response(204, b"")

    def transmission(req: Request) -> Response:
        if published_dir is not None and published_dir.is_dir():
            inner = Request(req.method, req.scheme, req.host,
                            "/" + req.path[len(TRANSMISSION_PATH):], req.query, req.headers, req.body)
            served = static_site(published_dir)(inner)
            if served is not None:
                return served
            return Response(404, _NOT_FOUND)
        return Response(200, _PLACEHOLDER)

    return router({"/api/pv": api_pv, TRANSMISSION_PATH + "*": transmission,
                   TRANSMISSION_PATH.rstrip("/"): lambda r: Response(301, b"", "text/plain",
                                                                    [("Location", TRANSMISSION_PATH)])},
                  fallback=page)


def cdn_site(root: Path = SITE_DIR) -> Handler:
    """static.biyori-cdn.jp: the company's own CDN on another registrable domain (first party)."""
    files = static_site(root / "cdn")

    def handle(req: Request) -> Response | None:
        resp = files(req)
        if resp is not None and resp.status == 200:
            resp.headers.append(("Cache-Control", "public, max-age=86400"))
            resp.headers.append(("Access-Control-Allow-Origin", "*"))
        return resp

    return handle


def build_net(root: Path | None = None, *, published_dir: Path | None = None) -> LocalNet:
    """A LocalNet (not started) with the company's site and CDN and every simulated vendor.

    `root` is the site directory (default: the bundled `gaibu/demo/site`: layouts, `parts/`,
    `www/`, `cdn/`). When `published_dir` exists, it is served at /privacy/transmission/, where the
    privacy policy links to the generated 外部送信一覧.
    """
    root = Path(root) if root is not None else SITE_DIR
    net = LocalNet()
    net.add(SITE_HOST, company_site(root, published_dir))
    net.add("sumika-biyori.co.jp", lambda r: Response(301, b"", "text/plain",
                                                      [("Location", f"https://{SITE_HOST}{r.path}")]))
    net.add(CDN_HOST, cdn_site(root))
    vendors.register(net)
    return net


def demo_targets(net: LocalNet, out_dir: Path) -> Path:
    """Write `out_dir/targets.yaml` for the demo (absolute paths; the net's Chromium args)."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    if not net.https_port:
        raise RuntimeError("start the LocalNet before writing targets (its ports go into browser.args)")
    consent = {"accept": ["#consent-accept", "text=同意する"]}
    data: dict[str, Any] = {
        "company": {"name_ja": COMPANY_NAME_JA, "name_en": COMPANY_NAME_EN,
                    "owned_domains": list(OWNED_DOMAINS)},
        "browser": {"args": list(net.chromium_args), "ignore_https_errors": True,
                    "third_party_cookies": "allow"},
        "scan": {"concurrency": 2, "dwell": 0.3, "idle_time": 0.3, "idle_timeout": 3.0,
                 "page_timeout": 15.0},
        "database": f"sqlite:///{out_dir / 'gaibu.db'}",
        "site": {"base_url": f"https://{SITE_HOST}{TRANSMISSION_PATH}",
                 "contact_url": f"https://{SITE_HOST}/contact/",
                 "policy_url": f"https://{SITE_HOST}/privacy/",
                 "removal_after_scans": 3},
        "properties": [
            {"name": "sumika-web", "kind": "web",
             "title_ja": "すみか日和（不動産情報サイト）", "title_en": "Sumika Biyori (property website)",
             "start_urls": [SITE_URL], "max_pages": 30, "max_depth": 3,
             "exclude": [re.escape(f"https://{SITE_HOST}{TRANSMISSION_PATH}")],
             "devices": ["desktop", "mobile"], "consent": consent},
            {"name": "sumika-app-ios", "kind": "app", "platform": "ios",
             "title_ja": "すみか日和アプリ（iOS）", "title_en": "Sumika Biyori app (iOS)",
             "har": [str(APP_DIR / "ios-session.har")],
             "manifests": [str(APP_DIR / "Podfile.lock")],
             "webviews": [APP_HELP_URL], "max_depth": 0, "devices": ["mobile"]},
            {"name": "sumika-app-android", "kind": "app", "platform": "android",
             "title_ja": "すみか日和アプリ（Android）", "title_en": "Sumika Biyori app (Android)",
             "manifests": [str(APP_DIR / "app-build.gradle")],
             "webviews": [APP_HELP_URL], "max_depth": 0, "devices": ["mobile"]},
        ],
    }
    header = (TARGETS_HEADER + " — written by `python -m gaibu.demo`; the browser args\n"
              "# point Chromium at the demo's local net (127.0.0.1), so they change on every run.\n"
              "# See gaibu/demo/targets.example.yaml for a commented version.\n")
    path = out_dir / "targets.yaml"
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100),
                    encoding="utf-8")
    return path
