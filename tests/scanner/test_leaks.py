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
