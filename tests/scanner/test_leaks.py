"""Test-identity leak detection (scanner/leaks.py) on request parts shaped like real tags'."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest

from scanner.leaks import Leak, LeakDetector

EMAIL = "Taro.Yamada@Example.JP "
NORM = "taro.yamada@example.jp"
PHONE = "090-1234-5678"
IDENT = {"email": EMAIL, "phone": PHONE, "member_id": "M0012345"}


def sha256(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()


@pytest.mark.parametrize("url,body,cookie,expected", [
    (f"https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]={sha256(NORM)}", None, None,
     Leak("email", "sha256", "url")),
    ("https://www.google-analytics.com/g/collect?v=2", f"em={sha256(NORM).upper()}", None,
     Leak("email", "sha256", "body")),
    (f"https://px.example.net/p?e={quote(NORM, safe='')}", None, None,
     Leak("email", "urlencoded", "url")),
    (f"https://px.example.net/p?e={NORM}", None, None, Leak("email", "plain", "url")),
    ("https://px.example.net/p", None, "uid=" + base64.b64encode(NORM.encode()).decode().rstrip("="),
     Leak("email", "base64", "cookie")),
    (f"https://px.example.net/p?h={hashlib.md5(NORM.encode()).hexdigest()}", None, None,
     Leak("email", "md5", "url")),
    (f"https://px.example.net/p?h={hashlib.sha1(NORM.encode()).hexdigest()}", None, None,
     Leak("email", "sha1", "url")),
    (f"https://analytics.tiktok.com/api/v2/pixel?ph={sha256('819012345678')}", None, None,
     Leak("phone", "sha256", "url")),
    ("https://px.example.net/p?tel=09012345678", None, None, Leak("phone", "plain", "url")),
    ("https://px.example.net/p", b'{"user":{"external_id":"M0012345"}}', None,
     Leak("member_id", "plain", "body")),
])
def test_finds_each_encoding_and_place(url: str, body: bytes | str | None, cookie: str | None,
                                       expected: Leak) -> None:
    found = LeakDetector(IDENT).scan(url, body, cookie)
    assert expected in found


def test_nothing_found_in_clean_requests_and_nothing_without_identity() -> None:
    d = LeakDetector(IDENT)
    assert d.scan("https://www.google-analytics.com/g/collect?v=2&cid=123.456&dl=https%3A%2F%2Fx.jp%2F",
                  b"en=page_view", "_ga=GA1.1.123.456") == set()
    none = LeakDetector({"email": None, "phone": "", "member_id": "ab"})
    assert not none.active
    assert none.scan(f"https://x.net/?e={NORM}") == set()


def test_the_value_never_appears_in_what_is_returned() -> None:
    d = LeakDetector(IDENT)
    found = d.scan(f"https://x.net/?e={NORM}&h={sha256(NORM)}")
    text = repr(found) + repr(d) + str([f.__dict__ for f in found])
    for secret in (NORM, "yamada", sha256(NORM), "12345678"):
        assert secret not in text.lower()


def test_har_import_flags_the_identity_and_keeps_no_value(tmp_path):
    """`gaibu import har` with test_identity: URL, body and Cookie header of app traffic."""
    import json

    from tests.conftest import load_json, run_gaibu
    from tests.fixtures.har import app_targets, make_har

    har = make_har(tmp_path / "app.har", [
        f"https://px.app-leak.jp/e?uid={sha256(NORM)}",
        "https://api.app-crm.jp/v1/events",
        "https://cdn.app-clean.jp/a.js"])
    doc = json.loads(har.read_text(encoding="utf-8"))
    crm = doc["log"]["entries"][1]["request"]
    crm["method"] = "POST"
    crm["postData"] = {"mimeType": "application/json", "text": json.dumps({"mail": NORM})}
    clean = doc["log"]["entries"][2]["request"]
    clean["headers"] = [{"name": "Cookie", "value": "sid=" + base64.b64encode(
        NORM.encode()).decode()}]
    har.write_text(json.dumps(doc), encoding="utf-8")
    targets = app_targets(tmp_path / "targets.yaml", ["app.har"],
                          extra="").read_text(encoding="utf-8")
    targets = targets.replace("properties:", "test_identity:\n  email_env: GAIBU_T_MAIL\n"
                              "properties:", 1)
    (tmp_path / "targets.yaml").write_text(targets, encoding="utf-8")
    out = tmp_path / "r.json"
    r = run_gaibu("import", "har", str(har), "--property", "app-ios", "--targets",
                  str(tmp_path / "targets.yaml"), "--json", str(out),
                  env={"GAIBU_T_MAIL": EMAIL})
    assert r.returncode == 0, r.stderr
    tps = {t["domain"]: t["personal_data"] for t in load_json(out)["properties"][0]["third_parties"]}
    assert tps["app-leak.jp"] == [{"kind": "email", "encoding": "sha256", "location": "url"}]
    assert tps["app-crm.jp"] == [{"kind": "email", "encoding": "plain", "location": "body"}]
    assert tps["app-clean.jp"] == [{"kind": "email", "encoding": "base64", "location": "cookie"}]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("gaibu.db*"))
    for secret in (NORM, sha256(NORM), base64.b64encode(NORM.encode()).decode().rstrip("=")):
        assert secret.encode() not in stored
        assert secret not in out.read_text(encoding="utf-8") + r.stdout + r.stderr
