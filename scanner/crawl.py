"""The crawl: one Chromium, N isolated contexts, breadth-first over each web property's pages.

Per page: load (bounded), wait for network quiet (bounded), accept consent when configured,
scroll to the bottom so lazy tags fire, dwell, then read cookies, storage and links. A page that
answers with an HTTP error status (404, 500…) and renders is a page users see and tags fire on:
it is a visited page with its status. Crawl faults (timeouts, redirect loops, downloads, renderer
or browser crashes, unresolvable hosts, aborted loads) become failed pages; the crawl goes on and
a dead browser is relaunched.

Coverage is the share of attempted page loads (URL × device) that loaded. A property's crawl is
`complete` when every start URL loaded and coverage ≥ its min_coverage, `failed` when nothing
loaded, else `partial` (see `crawl_status`).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from scanner.browser import DEVICES, find_chromium, make_profile_dir
from scanner.capture import SCROLL_JS, ContextCapture, _first_line, classify_error
from scanner.config import BrowserSettings, Property, ScanSettings
from scanner.discovery import extract_links, parse_sitemap, robots_sitemaps
from scanner.errors import GaibuError
from scanner.leaks import LeakDetector
from scanner.observations import PageResult
from scanner.party import registrable_domain
from scanner.urls import UrlFilter, canonicalize

log = logging.getLogger("gaibu.crawl")

RETRYABLE = frozenset({"browser_crash", "connection"})
MAX_SITEMAP_FILES = 5


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class CrawlListener(Protocol):
    """Receives progress; the CLI shows it with rich, tests ignore it."""

    def property_started(self, prop: str, known: int) -> None: ...
    def page_done(self, prop: str, page: PageResult, done: int, known: int, failed: int) -> None: ...
    def property_finished(self, prop: str, status: str) -> None: ...


class NullListener:
    def property_started(self, prop: str, known: int) -> None:
        pass

    def page_done(self, prop: str, page: PageResult, done: int, known: int, failed: int) -> None:
        pass

    def property_finished(self, prop: str, status: str) -> None:
        pass


PageSink = Callable[[Property, PageResult], None]

DEFAULT_MIN_COVERAGE = 0.95


def coverage(attempted: int, failed: int) -> float | None:
    """Share of attempted page loads that loaded (None when nothing was attempted)."""
    if attempted <= 0:
        return None
    return (attempted - failed) / attempted


def crawl_status(attempted: int, failed: int, start_failed: bool, min_coverage: float) -> str:
    """complete | partial | failed for one property's crawl."""
    if attempted == 0 or failed >= attempted:
        return "failed"
    cov = coverage(attempted, failed)
    if start_failed or cov is None or cov < min_coverage:
        return "partial"
    return "complete"


class BrowserManager:
    """Owns the one Chromium; relaunches it when it dies."""

    def __init__(self, pw: Playwright, settings: BrowserSettings) -> None:
        self.pw = pw
        self.settings = settings
        self.executable = find_chromium(settings.executable)
        self.generation = 0
        self._lock = asyncio.Lock()
        self._persistent: BrowserContext | None = None
        self.browser: Browser | None = None
        self._profile: Path | None = None
        self.version = ""
        self.relaunches = 0

    async def start(self) -> None:
        self._profile = make_profile_dir(self.settings.third_party_cookies)
        args = list(self.settings.args)
        if self.settings.ignore_https_errors and "--ignore-certificate-errors" not in args:
            # contexts ignore certificate errors for pages; workers and service workers need
            # the browser-wide switch to behave the same
            args.append("--ignore-certificate-errors")
        # A persistent context carries the profile preference (third-party cookies allowed or
        # blocked); the isolated contexts made from its browser inherit it.
        try:
            self._persistent = await self.pw.chromium.launch_persistent_context(
                str(self._profile), executable_path=self.executable,
                headless=self.settings.headless, args=args,
                ignore_https_errors=self.settings.ignore_https_errors, accept_downloads=False)
        except PlaywrightError as e:
            # Playwright's message carries the whole launch log (dozens of lines): one line here
            import re

            code = re.search(r"exitCode=(-?\d+)", str(e))
            raise GaibuError(
                f"browser {self.executable} did not start"
                + (f" (it exited with code {code.group(1)})" if code else "")
                + f": {_first_line(str(e))}; check browser.executable in targets.yaml "
                "(or GAIBU_CHROMIUM)") from None
        self.browser = self._persistent.browser
        if self.browser is None:  # pragma: no cover - Chromium always has one
            raise RuntimeError("persistent context without a browser")
        self.version = self.browser.version
        self.generation += 1

    def alive(self) -> bool:
        return self.browser is not None and self.browser.is_connected()

    async def relaunch(self, seen_generation: int) -> None:
        async with self._lock:
            if self.alive():
                return  # not dead, or someone else already relaunched it
            log.warning("browser died; relaunching")
            await self.close()
            self.relaunches += 1
            await self.start()

    def chrome_ua(self, mobile: bool) -> str:
        major = (self.version.split(".")[0] or "156") if self.version else "156"
        if mobile:
            return (f"Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
                    f"Chrome/{major}.0.0.0 Mobile Safari/537.36")
        return (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                f"Chrome/{major}.0.0.0 Safari/537.36")

    async def new_context(self, device: str, user_agent: str | None) -> BrowserContext:
        assert self.browser is not None
        profile = DEVICES[device]
        ua = user_agent or self.settings.user_agent or self.chrome_ua(profile.is_mobile)
        return await self.browser.new_context(
            **profile.context_options(ua), ignore_https_errors=self.settings.ignore_https_errors,
            accept_downloads=False, service_workers="allow")

    async def close(self) -> None:
        if self._persistent is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._persistent.close(), 10)
        self._persistent = None
        self.browser = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None


@dataclass
class _Slot:
    """A worker's context for one device."""

    capture: ContextCapture
    generation: int
    pages: int = 0
    last: PageResult | None = None  # the visit in progress or last finished (kept on a timeout)


@dataclass(order=True)
class _Task:
    depth: int
    seq: int
    url: str = field(compare=False)
    device: str = field(compare=False)
    attempt: int = field(default=0, compare=False)


class PropertyCrawl:
    """Breadth-first crawl of one property with a shared frontier and N workers."""

    def __init__(self, prop: Property, settings: ScanSettings, manager: BrowserManager,
                 sink: PageSink, listener: CrawlListener, concurrency: int,
                 min_coverage: float = DEFAULT_MIN_COVERAGE,
                 leaks: LeakDetector | None = None) -> None:
        self.prop = prop
        self.leaks = leaks
        self.min_coverage = min_coverage
        self.s = settings
        self.m = manager
        self.sink = sink
        self.listener = listener
        self.concurrency = concurrency
        self.filter = UrlFilter(prop.include, prop.exclude)
        self.devices = list(prop.devices) if prop.kind == "web" else ["mobile"]
        self.site_domains = {registrable_domain(_host(u), settings.private_suffixes)
                             for u in prop.urls}
        self.seen: set[str] = set()
        self.queue: asyncio.PriorityQueue[_Task] = asyncio.PriorityQueue()
        self._seq = itertools.count()
        self.done = 0
        self.failed = 0
        self.ok = 0
        self.start_failed = False  # a start URL (depth 0) failed to load on some device

    # -- frontier ------------------------------------------------------------------------------
    @property
    def known(self) -> int:
        return len(self.seen) * len(self.devices)

    def _admit(self, url: str, depth: int, force: bool = False) -> bool:
        if url in self.seen:
            return False
        if not force:
            if depth > self.prop.max_depth or len(self.seen) >= self.prop.max_pages:
                return False
            if registrable_domain(_host(url), self.s.private_suffixes) not in self.site_domains:
                return False
            if not self.filter.allows(url):
                return False
        elif len(self.seen) >= self.prop.max_pages:
            return False
        self.seen.add(url)
        for d in self.devices:
            self.queue.put_nowait(_Task(depth, next(self._seq), url, d))
        return True

    async def run(self) -> str:
        for u in self.prop.urls:
            c = canonicalize(u)
            if c:
                self._admit(c, 0, force=True)
        slots: list[dict[str, _Slot]] = [{} for _ in range(self.concurrency)]
        if self.s.sitemap and self.prop.kind == "web" and self.prop.max_depth >= 1:
            await self._sitemaps(slots[0])
        self.listener.property_started(self.prop.name, self.known)
        workers = [asyncio.create_task(self._worker(i, slots[i]))
                   for i in range(self.concurrency)]
        try:
            await self.queue.join()
        finally:
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            for slot_map in slots:
                for slot in slot_map.values():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(slot.capture.context.close(), 5)
        status = crawl_status(self.done, self.failed, self.start_failed, self.min_coverage)
        self.listener.property_finished(self.prop.name, status)
        return status

    # -- sitemap -------------------------------------------------------------------------------
    async def _sitemaps(self, slots: dict[str, _Slot]) -> None:
        """sitemap.xml (and robots.txt Sitemap: lines) of each start host, fetched by the browser
        so host mapping, proxies and certificates behave as for pages."""
        try:
            slot = await self._slot(slots, self.devices[0])
            page = await slot.capture.context.new_page()
        except Exception:
            return
        try:
            origins = []
            for u in self.prop.urls:
                parts = u.split("/")
                origins.append(f"{parts[0]}//{parts[2]}")
            todo: list[str] = []
            for origin in dict.fromkeys(origins):
                robots = await self._fetch_text(page, origin + "/robots.txt")
                listed = robots_sitemaps(robots.decode("utf-8", "replace"), origin + "/robots.txt") if robots else []
                todo.extend(listed or [origin + "/sitemap.xml"])
            fetched = 0
            while todo and fetched < MAX_SITEMAP_FILES:
                sm = todo.pop(0)
                fetched += 1
                body = await self._fetch_text(page, sm)
                if not body:
                    continue
                pages, nested = parse_sitemap(body, sm)
                todo.extend(nested)
                for p in pages:
                    self._admit(p, 1)
        finally:
            with contextlib.suppress(Exception):
                await page.close()

    async def _fetch_text(self, page: Page, url: str) -> bytes | None:
        try:
            resp = await page.goto(url, timeout=min(self.s.page_timeout, 15) * 1000,
                                   wait_until="domcontentloaded")
            if resp is None or resp.status >= 400:
                return None
            return await resp.body()
        except Exception:
            return None

    # -- workers -------------------------------------------------------------------------------
    async def _slot(self, slots: dict[str, _Slot], device: str) -> _Slot:
        slot = slots.get(device)
        if slot is not None and (slot.generation != self.m.generation
                                 or slot.pages >= self.s.recycle_after):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(slot.capture.context.close(), 5)
            slot = None
        if slot is None:
            if not self.m.alive():
                await self.m.relaunch(self.m.generation)
            ctx = await self.m.new_context(device, self.prop.user_agent)
            cap = ContextCapture(ctx, device, bool(self.prop.consent and self.prop.consent.accept),
                                 self.leaks)
            slot = slots[device] = _Slot(cap, self.m.generation)
        return slot

    async def _worker(self, wid: int, slots: dict[str, _Slot]) -> None:
        while True:
            task = await self.queue.get()
            try:
                await self._run_task(task, slots)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # never let one page end the crawl
                log.exception("internal error on %s", task.url)
                self._finish(PageResult(task.url, task.device, task.depth,
                                        error=f"internal error: {_first_line(str(e))}",
                                        error_kind="internal"), task)
            finally:
                self.queue.task_done()

    async def _run_task(self, task: _Task, slots: dict[str, _Slot]) -> None:
        gen = self.m.generation
        try:
            slot = await self._slot(slots, task.device)
        except Exception as e:
            result = PageResult(task.url, task.device, task.depth,
                                error=f"could not open a browser context: {_first_line(str(e))}",
                                error_kind="browser_crash")
        else:
            try:
                result = await asyncio.wait_for(self._visit(slot, task), self.s.page_budget)
            except TimeoutError:
                result = PageResult(task.url, task.device, task.depth,
                                    error=f"page took longer than {self.s.page_budget:g} s in all",
                                    error_kind="timeout")
                # what the page sent before the budget ran out is still evidence
                partial = slot.last
                if partial is not None and partial.url == task.url:
                    result.requests = partial.requests
                    result.final_url, result.status = partial.final_url, partial.status
                slots.pop(task.device, None)  # a stuck context is not reused
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(slot.capture.context.close(), 5)
            slot.pages += 1
        if result.error_kind == "browser_crash" or not self.m.alive():
            if not self.m.alive():
                await self.m.relaunch(gen)
            slots.clear()
        if result.failed and result.error_kind in RETRYABLE and task.attempt < self.s.retries:
            self.queue.put_nowait(_Task(task.depth, next(self._seq), task.url, task.device,
                                        task.attempt + 1))
            return
        self._finish(result, task)

    def _finish(self, result: PageResult, task: _Task) -> None:
        self.done += 1
        if result.failed:
            self.failed += 1
            if task.depth == 0:
                self.start_failed = True
        else:
            self.ok += 1
        if not result.failed and task.depth < self.prop.max_depth:
            for link in result.links:
                self._admit(link, task.depth + 1)
        self.sink(self.prop, result)
        self.listener.page_done(self.prop.name, result, self.done, self.known, self.failed)

    # -- one page ------------------------------------------------------------------------------
    async def _visit(self, slot: _Slot, task: _Task) -> PageResult:
        cc = slot.capture
        s = self.s
        result = PageResult(task.url, task.device, task.depth)
        slot.last = result
        started = time.monotonic()
        cc.begin(task.url)
        cc.dialogs.clear()
        marks: list[tuple[str, float]] = []

        def mark(label: str) -> None:
            marks.append((label, time.monotonic() - started))
        page: Page | None = None
        crashed = asyncio.Event()
        try:
            page = await cc.context.new_page()
            page.on("crash", lambda _p: crashed.set())
            try:
                resp = await page.goto(task.url, timeout=s.page_timeout * 1000,
                                       wait_until="domcontentloaded")
            except Exception as e:
                msg = _first_line(str(e))
                kind = "crash" if crashed.is_set() else classify_error(msg)
                if not self.m.alive():
                    kind = "browser_crash"
                elif kind == "browser_crash":
                    kind = "page_closed"
                result.error, result.error_kind = msg, kind
                return result
            if resp is not None:
                result.status = resp.status
                chain: list[str] = []
                r = resp.request.redirected_from
                while r is not None and len(chain) < 30:
                    chain.append(r.url)
                    r = r.redirected_from
                result.redirect_chain = list(reversed(chain))
                # an HTTP error status is not a crawl failure: the page rendered (error pages
                # carry the site's tags too); the status is kept with the visit
            mark("goto")
            result.final_url = page.url
            if task.depth == 0 and result.final_url:
                # a start URL that redirects to another site makes that site part of this property
                host = _host(result.final_url)
                if host:
                    self.site_domains.add(registrable_domain(host, s.private_suffixes))
            # the rest is bounded and best effort: a page that loaded is a visited page
            with contextlib.suppress(Exception):
                await page.wait_for_load_state("load", timeout=min(s.page_timeout, 10) * 1000)
            mark("load")
            await cc.wait_quiet(s.idle_time, s.idle_timeout)
            mark("quiet")
            if cc.consent_configured and not cc.consented and self.prop.consent:
                # what the jar and storage hold before consent (their phase is 'pre')
                result.storage = await cc.storage(page, task.url)
                result.cookies = await cc.cookies(task.url)
                result.consent_clicked = await self._consent(page, cc)
                if result.consent_clicked:
                    await cc.wait_quiet(s.idle_time, s.idle_timeout)
                mark("consent")
            if s.scroll and not crashed.is_set():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(page.evaluate(SCROLL_JS, [20, 80]), 8)
                mark("scroll")
                await cc.wait_quiet(s.idle_time, s.idle_timeout)
                mark("quiet2")
            if s.dwell:
                await asyncio.sleep(s.dwell)
                await cc.wait_quiet(s.idle_time, min(s.idle_timeout, 2))
                mark("dwell")
            if crashed.is_set():
                raise RuntimeError("renderer crashed (Target crashed)")
            result.storage += await cc.storage(page, task.url)
            mark("storage")
            result.cookies += await cc.cookies(task.url)
            mark("cookies")
            if not result.failed:
                html = await asyncio.wait_for(page.content(), 10)
                result.links = extract_links(html, result.final_url or task.url)
                mark("links")
        except Exception as e:
            msg = _first_line(str(e))
            if crashed.is_set():
                kind = "crash"
            elif not self.m.alive():
                kind = "browser_crash"
            else:
                kind = classify_error(msg)
                if kind == "browser_crash":  # the browser lives: the page closed itself
                    kind = "page_closed"
            if result.error is None:
                result.error, result.error_kind = msg or type(e).__name__, kind
            if kind == "crash" and not result.cookies:
                with contextlib.suppress(Exception):
                    result.cookies = await asyncio.wait_for(cc.cookies(task.url), 5)
        finally:
            result.notes.extend(cc.dialogs)
            result.notes.extend(f"popup: {p.url}" for p in cc.popups
                                if p is not page and not p.is_closed())
            if page is not None and not page.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(page.close(), 5)
            with contextlib.suppress(Exception):
                await cc.close_popups(None)
            if cc.current is not None:
                result.requests = cc.current.records()
            cc.current = None
            result.duration_ms = int((time.monotonic() - started) * 1000)
            mark("closed")
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s %s %s", task.device, task.url,
                          " ".join(f"{k}={v:.2f}" for k, v in marks))
        return result

    async def _consent(self, page: Page, cc: ContextCapture) -> bool:
        """Click the first visible accept control (main frame or an iframe)."""
        assert self.prop.consent is not None
        timeout = self.prop.consent.timeout if not cc.consent_searched else 0
        cc.consent_searched = True
        deadline = time.monotonic() + timeout
        while True:
            for frame in [page.main_frame, *[f for f in page.frames if f != page.main_frame]]:
                for sel in self.prop.consent.accept:
                    try:
                        loc = frame.locator(sel).first
                        if await loc.is_visible():
                            # requests the click itself triggers already count as after consent
                            cc.consented = True
                            if cc.current is not None:
                                cc.current.phase = "post"
                            await loc.click(timeout=3000)
                            return True
                    except Exception:
                        cc.consented = False
                        if cc.current is not None:
                            cc.current.phase = "pre"
                        continue
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)


async def crawl(props: list[Property], browser: BrowserSettings, settings: ScanSettings,
                sink: PageSink, on_property: Callable[[Property, str], None],
                listener: CrawlListener | None = None, concurrency: int | None = None,
                min_coverage: float | Callable[[Property], float] = DEFAULT_MIN_COVERAGE,
                leaks: LeakDetector | None = None) -> None:
    """Crawl the given web properties (and app webviews) one after another in one browser.

    `min_coverage`: the share of page loads that must succeed for a complete crawl, one value
    or per property (`Targets.min_coverage`)."""
    listener = listener or NullListener()
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    async with async_playwright() as pw:
        manager = BrowserManager(pw, browser)
        await manager.start()
        try:
            for prop in props:
                need = min_coverage(prop) if callable(min_coverage) else min_coverage
                pc = PropertyCrawl(prop, settings, manager, sink, listener,
                                   concurrency or settings.concurrency, need, leaks)
                status = await pc.run()
                on_property(prop, status)
        finally:
            await manager.close()
