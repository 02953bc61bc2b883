"""Benchmark: `gaibu scan` against a bare Playwright loop on the same local pages, same run.

    .venv/bin/python bench/crawl.py [--pages 150] [--concurrency 2] [--memory-pages 500]

Both crawl the same local site (each page: 6 third-party resources on 6 hosts, a first-party
stylesheet, links to the next pages) served by gaibu's LocalNet, in Debian's Chromium, at the
same concurrency. The bare loop knows the URLs in advance and only does goto + wait for network
idle (no capture). gaibu runs its real CLI with the same waiting (network quiet 0.5 s, no scroll,
no dwell), discovering the pages by their links and capturing everything. A third run shows
gaibu with its default per-page behaviour (scroll to the bottom, dwell 1 s) for reference.
Then a --memory-pages crawl samples the resident memory of gaibu's whole process tree (Python,
the Playwright driver, Chromium) as pages complete, to show whether it stays flat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gaibu.localnet import PIXEL_GIF, LocalNet, Request, Response  # noqa: E402
from scanner.browser import DEVICES, find_chromium  # noqa: E402

SITE = "www.bench-site.jp"
VENDORS = ["www.googletagmanager.com", "region1.google-analytics.com", "connect.facebook.net",
           "www.facebook.com", "s.yimg.jp", "tr.line.me"]


def make_net(pages: int) -> LocalNet:
    net = LocalNet()

    def site(req: Request) -> Response | None:
        path = req.path.split("?", 1)[0]
        if path == "/style.css":
            return Response(200, "body{font-family:sans-serif}", "text/css")
        if path == "/" or path.startswith("/p/"):
            n = 0 if path == "/" else int(path.rsplit("/", 1)[1])
            links = "".join(f'<a href="/p/{i}">item {i}</a> ' for i in range(n + 1, min(n + 4, pages)))
            res = "".join(
                f'<script src="https://{h}/t.js?id={n}"></script>' if i % 2 == 0 else
                f'<img src="https://{h}/p.gif?ev=pv&page={n}" alt="">'
                for i, h in enumerate(VENDORS))
            return Response(200, f"""<!doctype html><html lang="ja"><head><meta charset="utf-8">
<title>page {n}</title><link rel="stylesheet" href="/style.css"></head><body>
<h1>ページ {n}</h1><p>{'本文 ' * 200}</p>{links}{res}
<script>document.cookie = "fp=1; path=/"; localStorage.setItem("seen", "1");</script>
</body></html>""")
        return None

    net.add(SITE, site)
    for h in VENDORS:
        net.add(h, lambda r: Response(200, "var x=1;", "application/javascript")
                if r.path.startswith("/t.js") else
                Response(200, PIXEL_GIF, "image/gif",
                         [("Set-Cookie", "vid=1; Path=/; Max-Age=3600; SameSite=None; Secure")]))
    return net


async def bare_loop(net: LocalNet, pages: int, concurrency: int) -> float:
    from playwright.async_api import async_playwright

    urls = [f"https://{SITE}/"] + [f"https://{SITE}/p/{i}" for i in range(1, pages)]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    t0 = time.perf_counter()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=find_chromium(),
                                           args=net.chromium_args + ["--ignore-certificate-errors"])

        async def worker() -> None:
            ctx = await browser.new_context(**DEVICES["desktop"].context_options(),
                                            ignore_https_errors=True)
            while not queue.empty():
                url = queue.get_nowait()
                page = await ctx.new_page()
                await page.goto(url, wait_until="load")
                await page.wait_for_load_state("networkidle")
                await page.close()
            await ctx.close()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        await browser.close()
    return time.perf_counter() - t0


def targets_file(d: Path, net: LocalNet, pages: int, settings: str) -> Path:
    p = d / "targets.yaml"
    p.write_text(f"""company: {{name_ja: ベンチ株式会社}}
browser: {{args: {json.dumps(net.chromium_args)}, ignore_https_errors: true}}
scan: {settings}
database: sqlite:///{d / 'bench.db'}
properties:
  - name: bench
    kind: web
    title_ja: ベンチ
    start_urls: ["https://{SITE}/"]
    max_pages: {pages}
    max_depth: {pages}
""", encoding="utf-8")
    return p


def _tree_rss_kb(root: int) -> int:
    """Resident memory (kB) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                ppid = kb = 0
                for line in f:
                    if line.startswith("PPid:"):
                        ppid = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
            children.setdefault(ppid, []).append(int(entry))
            rss[int(entry)] = kb
        except (OSError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def gaibu_scan(net: LocalNet, pages: int, concurrency: int, settings: str,
               sample: bool = False) -> tuple[float, int, list[tuple[int, int]]]:
    d = Path(tempfile.mkdtemp(prefix="gaibu-bench-"))
    t = targets_file(d, net, pages, settings)
    env = dict(os.environ)
    env.pop("CI", None)
    samples: list[tuple[int, int]] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "gaibu.cli", "scan", "--targets", str(t),
                             "--concurrency", str(concurrency), "--no-fail-on-new"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    stop = threading.Event()

    def sampler() -> None:
        while not stop.wait(0.5):
            try:
                con = sqlite3.connect(d / "bench.db")
                done = con.execute("select count(*) from pagevisit").fetchone()[0]
                con.close()
            except sqlite3.Error:
                done = 0
            samples.append((done, _tree_rss_kb(proc.pid)))

    th = threading.Thread(target=sampler, daemon=True)
    if sample:
        th.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - t0
    stop.set()
    if proc.returncode != 0:
        raise SystemExit(f"gaibu scan failed ({proc.returncode}): {err.decode()[-2000:]}")
    con = sqlite3.connect(d / "bench.db")
    visited = con.execute("select count(*) from pagevisit where error is null").fetchone()[0]
    return elapsed, visited, samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--concurrency", type=int, default=2)
    ap.add_argument("--memory-pages", type=int, default=500, help="0 to skip the memory run")
    args = ap.parse_args()
    net = make_net(max(args.pages, args.memory_pages))
    net.start()
    try:
        same = "{dwell: 0, scroll: false, idle_time: 0.5, idle_timeout: 5, sitemap: false}"
        t_bare = asyncio.run(bare_loop(net, args.pages, args.concurrency))
        t_same, n_same, _ = gaibu_scan(net, args.pages, args.concurrency, same)
        t_def, n_def, _ = gaibu_scan(net, args.pages, args.concurrency, "{sitemap: false}")
        bare_rate = args.pages / t_bare
        print(f"{args.pages} pages, concurrency {args.concurrency}, Chromium {find_chromium()}")
        print(f"bare Playwright loop (goto + network idle)    : {t_bare:6.1f} s  {bare_rate:5.2f} pages/s")
        print(f"gaibu scan, same waiting, full capture        : {t_same:6.1f} s  "
              f"{n_same / t_same:5.2f} pages/s  ratio {n_same / t_same / bare_rate:.2f}x (target >= 0.75x)")
        print(f"gaibu scan, defaults (scroll + dwell 1 s)     : {t_def:6.1f} s  "
              f"{n_def / t_def:5.2f} pages/s  ratio {n_def / t_def / bare_rate:.2f}x (reference)")
        if args.memory_pages:
            t_mem, n_mem, samples = gaibu_scan(net, args.memory_pages, args.concurrency, same,
                                               sample=True)
            print(f"\nmemory over a {args.memory_pages}-page crawl ({n_mem} pages in {t_mem:.0f} s): "
                  "peak RSS of gaibu's process tree per fifth of the crawl")
            fifth = max(1, args.memory_pages // 5)
            peaks = []
            for k in range(5):
                lo, hi = k * fifth, (k + 1) * fifth
                vals = [kb for done, kb in samples if lo <= done < hi or (k == 4 and done >= hi)]
                peaks.append(max(vals) if vals else 0)
                print(f"  pages {lo:4d}-{hi - 1:4d}: {peaks[-1] / 1024:7.0f} MB")
            if peaks[0] and peaks[-1]:
                print(f"  last fifth / first fifth: {peaks[-1] / peaks[0]:.2f}x")
    finally:
        net.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
