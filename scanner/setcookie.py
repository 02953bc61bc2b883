"""Set-Cookie and Cookie header parsing per RFC 6265 (names and attributes only; values are dropped).

Used by the HAR importer and by the crawler (which cookies a response tried to set). Nothing here
ever returns or keeps a cookie value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

__all__ = [
    "SetCookie", "parse_set_cookie", "cookie_names", "parse_cookie_date", "parse_iso_time",
    "default_path", "domain_matches",
]


@dataclass(frozen=True, slots=True)
class SetCookie:
    """The attributes of one Set-Cookie line (never the value)."""

    name: str
    domain: str | None = None  # Domain attribute, lower-case, leading dot removed; None = host-only
    path: str | None = None  # Path attribute when it starts with '/'
    expires: float | None = None  # Expires attribute, epoch seconds
    max_age: int | None = None  # Max-Age attribute, seconds (precedes Expires, RFC 6265 §5.3)
    http_only: bool = False
    secure: bool = False
    same_site: str | None = None


_SAME_SITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


def normalise_same_site(value: object) -> str | None:
    """'lax' → 'Lax'; unknown spellings are kept as written; empty → None."""
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip()
    return _SAME_SITE.get(v.lower(), v)


def parse_set_cookie(line: str) -> SetCookie | None:
    """One Set-Cookie header line → its name and attributes; None when it names no cookie."""
    parts = line.split(";")
    pair = parts[0]
    if "=" not in pair:
        return None  # RFC 6265 §5.2 step 2 (a nameless cookie is not worth recording)
    name = pair.split("=", 1)[0].strip()
    if not name:
        return None
    domain: str | None = None
    path: str | None = None
    expires: float | None = None
    max_age: int | None = None
    http_only = secure = False
    same_site: str | None = None
    for attr in parts[1:]:
        key, _, val = attr.partition("=")
        key = key.strip().lower()
        val = val.strip()
        if key == "domain":
            d = val.lstrip(".").lower()
            if d:
                domain = d
        elif key == "path":
            path = val if val.startswith("/") else None
        elif key == "expires":
            t = parse_cookie_date(val)
            if t is not None:
                expires = t
        elif key == "max-age":
            if re.fullmatch(r"-?\d+", val):
                max_age = int(val)
        elif key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = normalise_same_site(val)
    return SetCookie(name, domain, path, expires, max_age, http_only, secure, same_site)


def cookie_names(header: str) -> list[str]:
    """Names in a Cookie request header ('a=1; b=2' → ['a', 'b'])."""
    out = []
    for part in header.split(";"):
        name = part.split("=", 1)[0].strip() if "=" in part else ""
        if name:
            out.append(name)
    return out


_DELIM = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_TIME = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D.*)?$")


def parse_cookie_date(text: str) -> float | None:
    """Cookie date (RFC 6265 §5.1.1, the lenient browser algorithm) → epoch seconds, else None.

    Accepts 'Tue, 13 Feb 2018 07:52:29 GMT', 'Mon, 14-Jan-19 07:52:29 GMT',
    'Saturday, 14-Apr-2018 07:52:29 GMT' and the other shapes servers send.
    """
    hour = minute = second = day = month = year = None
    for tok in _DELIM.split(text):
        if not tok:
            continue
        if hour is None:
            m = _TIME.match(tok)
            if m:
                hour, minute, second = (int(g) for g in m.groups())
                continue
        if day is None and re.fullmatch(r"\d{1,2}(?:\D.*)?", tok):
            day = int(re.match(r"\d+", tok).group())  # type: ignore[union-attr]
            continue
        if month is None and tok[:3].lower() in _MONTHS:
            month = _MONTHS[tok[:3].lower()]
            continue
        if year is None and re.fullmatch(r"\d{2,4}(?:\D.*)?", tok):
            year = int(re.match(r"\d+", tok).group())  # type: ignore[union-attr]
            continue
    if None in (hour, minute, second, day, month, year):
        return None
    assert year is not None and day is not None and month is not None
    if 70 <= year <= 99:
        year += 1900
    elif 0 <= year <= 69:
        year += 2000
    if year < 1601 or not 1 <= day <= 31 or hour > 23 or minute > 59 or second > 59:  # type: ignore[operator]
        return None
    try:
        return float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0)))  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        return None


def parse_iso_time(value: object) -> float | None:
    """A HAR time ('2018-01-14T07:52:24.656+00:00', '…Z'), epoch number or cookie date → epoch s."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        v = float(value)
        return v / 1000.0 if v > 1e11 else v  # milliseconds from some exporters
    if not isinstance(value, str) or not value.strip():
        return None
    s = value.strip()
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s)
    except ValueError:
        return parse_cookie_date(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def default_path(url: str) -> str:
    """RFC 6265 §5.1.4 default-path of a request URL: its directory, or '/'."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return "/"
    if not path.startswith("/") or path.count("/") <= 1:
        return "/"
    return path[: path.rfind("/")]


def domain_matches(host: str, domain: str) -> bool:
    """RFC 6265 §5.1.3: host equals domain or ends with '.' + domain (domain without leading dot)."""
    return host == domain or host.endswith("." + domain)
