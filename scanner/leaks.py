"""Personal data leaving in third-party requests: find a test account's identity in what is sent.

With ``test_identity:`` in targets.yaml (the e-mail address, phone number and member id of a test
account, each read from an environment variable), every third-party request's URL, body and
Cookie header is searched for each value in the forms trackers use: as typed, URL-encoded,
base64, and hashed with MD5, SHA-1 or SHA-256 after the normalisation vendors document (e-mail:
trimmed, lower case; phone: digits only, also with the Japanese country code 81 instead of the
leading 0). This is the method of Englehardt et al. ("I never signed up for this!", PETS 2018)
and of the Leaky Forms study.

Only *that* a value was found, which kind, in which encoding and where (url / body / cookie) is
kept. The value itself, its encodings and the matching request text are never stored, logged or
returned: ``LeakDetector`` holds the needles in memory for one scan and ``Leak`` has no field that
could carry them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus, unquote_plus

KINDS = ("email", "phone", "member_id")
ENCODINGS = ("plain", "urlencoded", "base64", "md5", "sha1", "sha256")
MAX_HAYSTACK = 512 * 1024  # bytes of a request body searched; larger bodies are searched in part
MIN_VALUE_LEN = 4  # shorter values would match by chance


@dataclass(frozen=True, order=True)
class Leak:
    kind: str  # email | phone | member_id
    encoding: str  # plain | urlencoded | base64 | md5 | sha1 | sha256
    location: str  # url | body | cookie


def normalise(kind: str, value: str) -> list[str]:
    """The forms of one value a vendor would hash or send (see the module docstring)."""
    v = value.strip()
    if kind == "email":
        return [v.lower()]
    if kind == "phone":
        digits = re.sub(r"\D", "", v)
        forms = [digits]
        if digits.startswith("0") and len(digits) >= 10:
            forms.append("81" + digits[1:])
        elif digits.startswith("81"):
            forms.append("0" + digits[2:])
        return forms
    return [v]


def _encodings(form: str) -> list[tuple[str, str]]:
    raw = form.encode("utf-8")
    out = [("plain", form)]
    for enc in {quote(form, safe=""), quote_plus(form, safe="")}:
        if enc != form:
            out.append(("urlencoded", enc))
    b64 = base64.b64encode(raw).decode()
    out.append(("base64", b64.rstrip("=")))
    url_b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    if url_b64 != b64.rstrip("="):
        out.append(("base64", url_b64))
    out.append(("md5", hashlib.md5(raw).hexdigest()))  # noqa: S324 - matching, not security
    out.append(("sha1", hashlib.sha1(raw).hexdigest()))  # noqa: S324
    out.append(("sha256", hashlib.sha256(raw).hexdigest()))
    return out


class LeakDetector:
    """Searches request parts for one test identity; keeps the needles in memory only."""

    def __init__(self, identity: dict[str, str | None]) -> None:
        self._needles: list[tuple[str, str, str]] = []  # (kind, encoding, needle lower-case)
        for kind in KINDS:
            value = identity.get(kind)
            if not value or len(value.strip()) < MIN_VALUE_LEN:
                continue
            for form in normalise(kind, value):
                for enc, needle in _encodings(form):
                    if len(needle) >= MIN_VALUE_LEN:
                        self._needles.append((kind, enc, needle.lower()))

    def __repr__(self) -> str:  # never show the needles
        return f"LeakDetector({len(self._needles)} patterns)"

    @property
    def active(self) -> bool:
        return bool(self._needles)

    def scan(self, url: str = "", body: bytes | str | None = None,
             cookie_header: str | None = None) -> set[Leak]:
        found: set[Leak] = set()
        if not self._needles:
            return found
        parts = [("url", url)]
        if body:
            text = body[:MAX_HAYSTACK].decode("utf-8", "replace") if isinstance(body, bytes) \
                else body[:MAX_HAYSTACK]
            parts.append(("body", text))
        if cookie_header:
            parts.append(("cookie", cookie_header))
        for location, text in parts:
            if not text:
                continue
            hay = text.lower()
            decoded = unquote_plus(hay) if "%" in hay or "+" in hay else hay
            for kind, enc, needle in self._needles:
                if needle in hay:
                    found.add(Leak(kind, enc, location))
                elif decoded is not hay and needle in decoded:
                    # e.g. taro%40example.jp: the typed value, sent URL-encoded
                    found.add(Leak(kind, "urlencoded" if enc == "plain" else enc, location))
        return found
