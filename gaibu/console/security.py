"""HTTP hardening of the console: Host header check, security headers, CSRF and origin checks.

- Host: only the names the console was started for are accepted (loopback names when bound to
  loopback, plus ``allowed_hosts``): a page on another site that rebinds its DNS name to
  127.0.0.1 cannot reach the console.
- Every response: a strict Content-Security-Policy (no script at all, styles and images only
  from the console itself, no framing, forms only to the console), nosniff, no referrer, no
  caching of pages that show evidence.
- Every state-changing request (POST): the form's ``csrf`` field must equal the token of the
  signed-in session (or, single-user on loopback, of the double-submit cookie), and a browser's
  ``Origin`` / ``Sec-Fetch-Site`` must say same-origin.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
# The public pages as built (preview): still no script; their inline "data:," favicon is allowed.
PREVIEW_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; "
               "frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # no-referrer would make browsers send Origin: null
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cache-control": "no-store",
}
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


def is_loopback(host: str) -> bool:
    h = host.strip("[]")
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def host_name(host_header: str) -> str:
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[: h.find("]") + 1] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class HardeningMiddleware:
    """Refuses unexpected Host headers and adds the security headers to every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = host_name(Headers(scope=scope).get("host", ""))
        if host not in self.allowed:
            body = b"unexpected Host header\n"
            await send({"type": "http.response.start", "status": 400, "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode())]
                + [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.decode().lower() for k, _ in headers}
                # a route may narrow or adapt a header (the preview's CSP); all others are added
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()
                            if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def same_origin(headers: Headers, scheme: str) -> bool:
    """False when a browser says the request comes from another site (or hides where from)."""
    site = headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-origin request (the CSRF token still has to match)
    host = headers.get("host", "")
    return origin.lower() in (f"{scheme}://{host}".lower(), f"https://{host}".lower())
