"""Body parameter names in a real Chromium crawl reach the report's information_observed.

A one-page local site posts a GA4-style batched form body, a TikTok-style JSON body and a
multipart form to production-looking hosts served from loopback; the expectations are written by
hand from the page below. (Bodies passed to sendBeacon as a Blob are not exposed by Chromium
to Playwright's request event, so only string, FormData and URLSearchParams bodies are read.)
"""

from __future__ import annotations

import pytest

from gaibu.localnet import LocalNet, Response
from tests.conftest import load_json, run_gaibu
from tests.fixtures.web import write_targets

pytestmark = pytest.mark.browser

SITE = "www.param-shop.jp"
PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>注文完了</title></head>
<body><h1>ご注文ありがとうございました</h1>
<script>
navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-PARAM',
  'en=purchase&cid=777.888&uid=MEMBERVALUE&cu=JPY\\nen=scroll&epn.percent=90');
navigator.sendBeacon('https://analytics.tiktok.com/api/v2/pixel',
  JSON.stringify({event: 'CompletePayment', context: {
    page: {url: location.href, referrer: 'https://www.param-shop.jp/cart'},
    user: {email: 'HASHVALUE0123'}}, properties: {value: 4800, currency: 'JPY'}}));
var f = new FormData(); f.append('ud[em]', 'HASHVALUE4567'); f.append('ev', 'Purchase');
f.append('dl', location.href);
fetch('https://www.facebook.com/tr/', {method: 'POST', body: f, mode: 'no-cors'});
</script></body></html>"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    net = LocalNet()
    net.add(SITE, lambda r: Response(200, PAGE) if r.path.split("?")[0] == "/" else None)
    for host in ("region1.google-analytics.com", "analytics.tiktok.com", "www.facebook.com"):
        net.add(host, lambda r: Response(204))
    net.start()
    try:
        d = tmp_path_factory.mktemp("params")
        targets = write_targets(d / "targets.yaml", net, f"""properties:
  - name: shop
    kind: web
    title_ja: パラメータ商店
    start_urls: [https://{SITE}/]
    max_depth: 0
""")
        r = run_gaibu("scan", "--targets", str(targets), "--json", str(d / "r.json"),
                      "--no-fail-on-new")
        assert r.returncode == 0, r.stderr
        yield d, load_json(d / "r.json")["properties"][0]
    finally:
        net.stop()


def observed(prop, service):
    tp = next(t for t in prop["third_parties"] if t["service"] == service)
    return {o["id"]: o["params"] for o in tp["information_observed"]}


def test_form_json_and_multipart_body_names_are_read(report):
    _, prop = report
    ga = observed(prop, "google-analytics")
    assert ga["client_id"] == ["cid"] and ga["user_id"] == ["uid"]
    assert ga["transaction_value"] == ["cu"] and ga["custom_data"] == ["epn.percent"]
    tt = observed(prop, "tiktok-pixel")
    assert tt["page_url"] == ["context.page.url"] and tt["referrer"] == ["context.page.referrer"]
    assert tt["hashed_email"] == ["context.user.email"]
    meta = observed(prop, "meta-pixel")
    assert meta["hashed_email"] == ["ud[em]"] and meta["page_url"] == ["dl"]


def test_body_values_are_never_stored(report):
    d, _ = report
    raw = (d / "gaibu.db").read_bytes()
    for value in (b"MEMBERVALUE", b"777.888", b"HASHVALUE", b"CompletePayment", b"Purchase"):
        assert value not in raw
