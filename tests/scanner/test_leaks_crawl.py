"""A test account's identity leaving in third-party requests, found in real Chromium — and never
stored, reported or printed as a value (scanner/leaks.py through `gaibu scan`)."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from gaibu.localnet import PIXEL_GIF, LocalNet, Request, Response
from tests.conftest import load_json, run_gaibu
from tests.fixtures.web import write_targets

pytestmark = pytest.mark.browser

SITE = "www.member-site.jp"
EMAIL = "Taro.Test@Example.JP"
NORM = EMAIL.lower()
SHA = hashlib.sha256(NORM.encode()).hexdigest()
B64 = base64.b64encode(NORM.encode()).decode().rstrip("=")
SECRETS = [EMAIL, NORM, SHA, B64, hashlib.md5(NORM.encode()).hexdigest(), "taro.test"]
ENV = {"GAIBU_TEST_EMAIL": EMAIL, "GAIBU_TEST_PHONE": "090-1111-2222"}


def _pixel(cookie: str | None = None) -> Response:
    headers = [("Access-Control-Allow-Origin", "*")]
    if cookie:
        headers.append(("Set-Cookie", cookie))
    return Response(200, PIXEL_GIF, "image/gif", headers)


@pytest.fixture(scope="module")
def net():
    n = LocalNet()

    def site(req: Request) -> Response | None:
        if req.path.split("?", 1)[0] != "/mypage":
            return None
        # a logged-in page whose tags send the member's e-mail: hashed, plain in a beacon body,
        # base64 in a third-party cookie; and one clean tag
        return Response(200, f"""<!doctype html><title>マイページ</title><h1>マイページ</h1>
<img src="https://px.leaky-ads.jp/c?ev=view&em={SHA}">
<img src="https://px.clean-tag.jp/p.gif?ev=view">
<script>navigator.sendBeacon('https://api.leaky-crm.jp/v1/track',
  JSON.stringify({{user: {{email: '{EMAIL}'}}, ev: 'view'}}));</script>""")

    n.add(SITE, site)
    n.add("px.leaky-ads.jp", lambda r: _pixel(f"luid={B64}; Domain=leaky-ads.jp; Path=/; "
                                              "Secure; SameSite=None; Max-Age=3600"))
    n.add("px.clean-tag.jp", lambda r: _pixel())
    n.add("api.leaky-crm.jp", lambda r: Response(204, b"", None,
                                                 [("Access-Control-Allow-Origin", "*")]))
    n.start()
    yield n
    n.stop()


BODY = f"""test_identity:
  email_env: GAIBU_TEST_EMAIL
  phone_env: GAIBU_TEST_PHONE
properties:
  - name: members
    kind: web
    title_ja: 会員サイト
    start_urls: [https://{SITE}/mypage]
    max_depth: 0
"""
SCAN = "{dwell: 0.3, scroll: false, idle_time: 0.3, idle_timeout: 3, page_timeout: 20, sitemap: false}"


def test_identity_found_per_encoding_and_place_and_never_kept(net, tmp_path):
    targets = write_targets(tmp_path / "targets.yaml", net, BODY, scan=SCAN)
    out = tmp_path / "r.json"
    r = run_gaibu("scan", "--targets", str(targets), "--json", str(out), "--no-fail-on-new",
                  env=ENV)
    assert r.returncode == 0, r.stderr
    report = load_json(out)
    (prop,) = report["properties"]
    tps = {t["domain"]: t for t in prop["third_parties"]}
    assert {"kind": "email", "encoding": "sha256", "location": "url"} in \
        tps["leaky-ads.jp"]["personal_data"]
    assert {"kind": "email", "encoding": "plain", "location": "body"} in \
        tps["leaky-crm.jp"]["personal_data"]
    assert tps["clean-tag.jp"]["personal_data"] == []
    cookies = {c["name"]: c for c in prop["cookies"]}
    assert cookies["luid"]["personal_data"] == [
        {"kind": "email", "encoding": "base64", "location": "cookie"}]
    assert not any(x["kind"] == "phone" for t in tps.values() for x in t["personal_data"])
    assert "PERSONAL DATA: leaky-ads.jp received the test account's e-mail address (sha256" \
        in r.stdout
    # the finding for the unknown third party carries it as evidence too
    show = run_gaibu("review", "show", "leaky-crm.jp", "--json", "--targets", str(targets))
    assert "email:plain:body" in show.stdout
    # nowhere a value: database (+WAL), report, output
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("gaibu.db*"))
    text = out.read_text(encoding="utf-8") + r.stdout + r.stderr + show.stdout
    for secret in SECRETS:
        assert secret.encode() not in stored and secret.lower().encode() not in stored, secret
        assert secret not in text and secret.lower() not in text.lower(), secret


def test_an_unset_identity_variable_is_an_error_before_anything_is_stored(net, tmp_path):
    targets = write_targets(tmp_path / "targets.yaml", net, BODY, scan=SCAN)
    r = run_gaibu("scan", "--targets", str(targets), env={"GAIBU_TEST_EMAIL": EMAIL})
    assert r.returncode == 1
    assert "test_identity.phone_env: environment variable GAIBU_TEST_PHONE is not set" in r.stderr
    assert "Traceback" not in r.stderr and EMAIL not in r.stderr
    rows = run_gaibu("diff", "--json", "--targets", str(targets))
    assert "0" in rows.stderr or rows.returncode != 0  # no scan was recorded
    assert json.dumps(EMAIL) not in r.stdout
