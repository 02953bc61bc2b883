"""Captures what one browser context sends and stores while it shows a page.

Listeners on the context see every request of the page, its iframes, workers, service workers and
popups; cookies come from the context's jar (what was stored, not what was offered); storage keys
are read in every frame, third-party iframes included.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, replace
from typing import Any

from playwright.async_api import BrowserContext, Page, Request, Response, WebSocket

from scanner.aggregate import body_param_names, origin_of, strip_query
from scanner.leaks import LeakDetector
from scanner.observations import CookieRecord, Phase, RequestRecord, StorageRecord
from scanner.party import host_of
from scanner.setcookie import parse_set_cookie

SCROLL_JS = """async ([maxSteps, pause]) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const height = () => Math.max(document.body ? document.body.scrollHeight : 0,
                                document.documentElement ? document.documentElement.scrollHeight : 0);
  let y = 0;
  for (let i = 0; i < maxSteps; i++) {
    y += Math.max(200, window.innerHeight);
    window.scrollTo(0, y);
    await sleep(pause);
    if (y >= height()) break;
  }
  window.scrollTo(0, height());
  return height();
}"""

STORAGE_JS = """() => {
  const out = {origin: location.origin, local: [], session: []};
  try { for (let i = 0; i < localStorage.length; i++) out.local.push(localStorage.key(i)); } catch (e) {}
  try { for (let i = 0; i < sessionStorage.length; i++) out.session.push(sessionStorage.key(i)); } catch (e) {}
  return out;
}"""


def _first_line(msg: str) -> str:
    return (msg or "").strip().splitlines()[0][:500] if msg else ""


def classify_error(msg: str) -> str:
    """Short error kind from a Playwright/Chromium error message."""
    m = msg or ""
    table = (
        ("ERR_NAME_NOT_RESOLVED", "dns"), ("ERR_NAME_RESOLUTION_FAILED", "dns"),
        ("ERR_TOO_MANY_REDIRECTS", "redirect_loop"), ("Download is starting", "download"),
        ("ERR_CERT", "tls"), ("ERR_SSL", "tls"), ("ERR_CONNECTION_REFUSED", "connection"),
        ("ERR_CONNECTION_RESET", "connection"), ("ERR_CONNECTION_CLOSED", "connection"),
        ("ERR_EMPTY_RESPONSE", "connection"), ("ERR_INTERNET_DISCONNECTED", "connection"),
        ("ERR_ADDRESS_UNREACHABLE", "connection"), ("ERR_TIMED_OUT", "timeout"),
        ("crash", "crash"), ("Crash", "crash"),
        ("Target page, context or browser has been closed", "browser_crash"),
        ("Browser has been closed", "browser_crash"), ("Connection closed", "browser_crash"),
        ("browser has disconnected", "browser_crash"),
        ("Timeout", "timeout"), ("ERR_ABORTED", "aborted"), ("ERR_BLOCKED", "blocked"),
    )
    for needle, kind in table:
        if needle in m:
            return kind
    return "error"


@dataclass
class _SetCookieSeen:
    name: str
    host: str
    domain_attr: str | None
    url: str


class PageCapture:
    """Records for one page visit; fed by ContextCapture's listeners."""

    def __init__(self, page_url: str, device: str, phase: Phase) -> None:
        self.page_url = page_url
        self.device = device
        self.phase: Phase = phase
        self._raw: list[tuple[Request | None, RequestRecord]] = []
        self._pending: set[Request] = set()
        self._status: dict[Request, int] = {}
        self.last_activity = time.monotonic()

    @property
    def inflight(self) -> int:
        return len(self._pending)

    def records(self) -> list[RequestRecord]:
        """The page's requests, each with the HTTP status of its response when one came."""
        out = []
        for req, rec in self._raw:
            status = self._status.get(req) if req is not None else None
            if status is not None:
                rec = replace(rec, status=status)
            out.append(rec)
        return out


class ContextCapture:
    """Attaches to one BrowserContext for the lifetime of the context and routes events to the
    current PageCapture. Keeps the context's consent state and what its jar held before."""

    def __init__(self, context: BrowserContext, device: str, consent_configured: bool,
                 leaks: LeakDetector | None = None) -> None:
        self.leaks = leaks if leaks is not None and leaks.active else None
        self.context = context
        self.device = device
        self.consent_configured = consent_configured
        self.consented = False
        self.consent_searched = False
        self.current: PageCapture | None = None
        self.pages_done = 0
        self.set_cookies: list[_SetCookieSeen] = []
        self._header_tasks: set[asyncio.Task[None]] = set()
        self.cookie_phase: dict[tuple[str, str, str], Phase] = {}
        self.storage_phase: dict[tuple[str, str, str], Phase] = {}
        self.popups: list[Page] = []
        self.dialogs: list[str] = []
        context.on("request", self._on_request)
        context.on("requestfinished", self._on_done)
        context.on("requestfailed", self._on_done)
        context.on("response", self._on_response)
        context.on("page", self._on_page)

    # -- state ---------------------------------------------------------------------------------
    @property
    def phase(self) -> Phase:
        if not self.consent_configured:
            return "none"
        return "post" if self.consented else "pre"

    def begin(self, url: str) -> PageCapture:
        self.current = PageCapture(url, self.device, self.phase)
        return self.current

    def attach_page(self, page: Page) -> None:
        page.on("websocket", self._on_websocket)
        page.on("dialog", self._on_dialog)

    # -- listeners -----------------------------------------------------------------------------
    def _on_request(self, request: Request) -> None:
        cap = self.current
        if cap is None:
            return
        url = request.url
        if not url.startswith(("http:", "https:", "ws:", "wss:")):
            return
        try:
            frame = request.frame
            # an iframe's own document is requested by the frame that holds it
            if request.is_navigation_request() and frame.parent_frame is not None:
                frame = frame.parent_frame
            frame_url = frame.url or None
        except Exception:  # service worker requests have no frame
            frame_url = None
        initiator = "page"
        try:
            if request.service_worker is not None:
                initiator = "service_worker"
        except Exception:
            pass
        prev = request.redirected_from
        if prev is not None:
            cap._pending.discard(prev)
        cap._pending.add(request)
        body: tuple[str, ...] = ()
        if request.method != "GET":
            try:
                body = body_param_names(request.post_data, request.headers.get("content-type"))
            except Exception:  # binary or undecodable bodies carry no names we can read
                body = ()
        leaks: tuple[str, ...] = ()
        if self.leaks is not None:
            try:
                raw = request.post_data_buffer if request.method != "GET" else None
            except Exception:
                raw = None
            leaks = tuple(sorted(f"{x.kind}:{x.encoding}:{x.location}"
                                 for x in self.leaks.scan(url, raw)))
        cap._raw.append((request, RequestRecord(
            url=url, method=request.method, resource_type=request.resource_type,
            frame_url=frame_url, page_url=cap.page_url, device=self.device, phase=cap.phase,
            initiator=initiator, body_params=body, leaks=leaks)))
        cap.last_activity = time.monotonic()

    def _on_done(self, request: Request) -> None:
        cap = self.current
        if cap is None:
            return
        cap._pending.discard(request)
        cap.last_activity = time.monotonic()

    def _on_response(self, response: Response) -> None:
        cap = self.current
        if cap is not None:
            cap._status[response.request] = response.status
        task = asyncio.ensure_future(self._read_set_cookie(response))
        self._header_tasks.add(task)
        task.add_done_callback(self._header_tasks.discard)

    async def _read_set_cookie(self, response: Response) -> None:
        try:
            values = await response.header_values("set-cookie")
        except Exception:
            return
        host = host_of(response.url)
        for v in values:
            for line in v.split("\n"):
                parsed = parse_set_cookie(line)
                if parsed:
                    self.set_cookies.append(_SetCookieSeen(parsed.name, host, parsed.domain,
                                                           strip_query(response.url)))

    def _on_page(self, page: Page) -> None:
        # every page of the context, ours included; popups are closed after the visit
        self.attach_page(page)
        self.popups.append(page)

    def _on_websocket(self, ws: WebSocket) -> None:
        cap = self.current
        if cap is None:
            return
        cap._raw.append((None, RequestRecord(url=ws.url, method="GET", resource_type="websocket",
                                             page_url=cap.page_url, device=self.device,
                                             phase=cap.phase)))

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"dialog: {dialog.type}")
        # accept beforeunload so navigation goes on; dismiss alert/confirm/prompt
        coro = dialog.accept() if dialog.type == "beforeunload" else dialog.dismiss()
        task = asyncio.ensure_future(coro)
        task.add_done_callback(lambda t: t.exception() if not t.cancelled() else None)

    # -- waiting -------------------------------------------------------------------------------
    async def wait_quiet(self, idle_time: float, timeout: float) -> bool:
        """Until no request has started or ended for `idle_time` s with none in flight, at most `timeout` s."""
        cap = self.current
        if cap is None or timeout <= 0:
            return True
        deadline = time.monotonic() + timeout
        while True:
            now = time.monotonic()
            if cap.inflight == 0 and now - cap.last_activity >= idle_time:
                return True
            if now >= deadline:
                return False
            await asyncio.sleep(0.05)

    async def settle_headers(self, timeout: float = 2.0) -> None:
        if self._header_tasks:
            await asyncio.wait(list(self._header_tasks), timeout=timeout)

    # -- collection ----------------------------------------------------------------------------
    def _set_by(self, name: str, domain: str) -> tuple[str, str | None]:
        d = domain.lstrip(".")
        for s in reversed(self.set_cookies):
            if s.name != name:
                continue
            if s.domain_attr is not None:
                if s.domain_attr.lstrip(".") == d:
                    return "header", s.url
            elif s.host == d:
                return "header", s.url
        return "script", None

    async def cookies(self, page_url: str) -> list[CookieRecord]:
        await self.settle_headers()
        jar = await self.context.cookies()
        out = []
        phase = self.phase
        for c in jar:
            key = (c["name"], c["domain"], c.get("path", "/"))
            first_phase = self.cookie_phase.setdefault(key, phase)
            set_by, setter = self._set_by(c["name"], c["domain"])
            expires = c.get("expires", -1)
            leaks: tuple[str, ...] = ()
            if self.leaks is not None:  # the value is searched here and then dropped
                leaks = tuple(sorted(f"{x.kind}:{x.encoding}:{x.location}" for x in
                                     self.leaks.scan(cookie_header=f"{c['name']}={c.get('value', '')}")))
            out.append(CookieRecord(
                name=c["name"], domain=c["domain"], path=c.get("path", "/"),
                expires=None if expires is None or expires < 0 else float(expires),
                http_only=bool(c.get("httpOnly")), secure=bool(c.get("secure")),
                same_site=c.get("sameSite"), set_by=set_by,  # type: ignore[arg-type]
                setter_url=setter, page_url=page_url, device=self.device, phase=first_phase,
                leaks=leaks))
        return out

    async def storage(self, page: Page, page_url: str, per_frame_timeout: float = 2.0
                      ) -> list[StorageRecord]:
        out: list[StorageRecord] = []
        phase = self.phase
        seen: set[tuple[str, str, str]] = set()
        for frame in list(page.frames):
            if frame.is_detached() or not frame.url.startswith(("http:", "https:")):
                continue
            try:
                res = await asyncio.wait_for(frame.evaluate(STORAGE_JS), per_frame_timeout)
            except Exception:
                continue
            origin = res.get("origin") or origin_of(frame.url)
            if not origin or origin == "null":
                continue
            for kind, keys in (("localStorage", res.get("local") or []),
                               ("sessionStorage", res.get("session") or [])):
                for k in keys:
                    if not isinstance(k, str):
                        continue
                    key = (origin, kind, k)
                    if key in seen:
                        continue
                    seen.add(key)
                    first_phase = self.storage_phase.setdefault(key, phase)
                    out.append(StorageRecord(origin=origin, kind=kind,  # type: ignore[arg-type]
                                             key=k, page_url=page_url, device=self.device,
                                             phase=first_phase))
        return out

    async def close_popups(self, keep: Page | None) -> None:
        for p in self.popups:
            if p is not keep and not p.is_closed():
                try:
                    await asyncio.wait_for(p.close(), 5)
                except Exception:
                    pass
        self.popups = [p for p in self.popups if not p.is_closed()]
