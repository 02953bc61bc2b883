"""Benchmark: peak memory of the streaming HAR importer against json.load on a generated ~200 MB HAR.

One command: ``.venv/bin/python bench/har_memory.py [--size-mb 200] [--keep DIR]``.
It writes a realistic Chrome-DevTools-style HAR (headers, cookies, base64 bodies, ``_initiator``
stacks, ``log.pages`` *after* ``log.entries``) into a temporary directory, then measures in
separate subprocesses, side by side in the same run:

* baseline — ``json.load`` of the file (what a naive importer would do),
* ``iter_har`` — streaming, records consumed and dropped (how the scan pipeline uses it),
* ``read_har`` — streaming parse, but all records kept in lists.

and prints file size, entries, seconds and peak RSS (``ru_maxrss``) with the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HOSTS = [
    "www.example.co.jp", "static.example.co.jp", "www.google-analytics.com",
    "www.googletagmanager.com", "stats.g.doubleclick.net", "connect.facebook.net",
    "www.facebook.com", "bat.bing.com", "s.yimg.jp", "b92.yahoo.co.jp", "cdn.treasuredata.com",
    "in.treasuredata.com", "static.criteo.net", "ads.pubmatic.com", "fonts.gstatic.com",
]
KINDS = [
    ("script", "application/javascript", ".js"), ("image", "image/png", ".png"),
    ("stylesheet", "text/css", ".css"), ("xhr", "application/json", ""),
    ("font", "font/woff2", ".woff2"), ("image", "image/gif", ".gif"), ("fetch", "text/plain", ""),
]


def _entry(rng: random.Random, i: int, page: str) -> dict[str, object]:
    host = rng.choice(HOSTS)
    rtype, mime, ext = rng.choice(KINDS)
    url = f"https://{host}/assets/{i:08d}/file{ext}?v={rng.getrandbits(48):x}&cb={i}"
    req_headers = [{"name": f"x-header-{k}", "value": "v" * rng.randint(10, 80)} for k in range(12)]
    req_headers += [
        {"name": "User-Agent", "value": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/126 Mobile"},
        {"name": "Cookie", "value": f"_ga=GA1.2.{rng.getrandbits(40)}; sid={rng.getrandbits(64):x}"},
        {"name": "sec-fetch-dest", "value": "script" if rtype == "script" else "empty"},
    ]
    resp_headers = [{"name": f"x-resp-{k}", "value": "w" * rng.randint(10, 60)} for k in range(10)]
    if i % 7 == 0:
        resp_headers.append({"name": "set-cookie", "value": f"c{i % 50}={rng.getrandbits(64):x}; Domain=.{host.split('.', 1)[-1]}; Path=/; Max-Age=3600; Secure; SameSite=None"})
    body = base64.b64encode(rng.randbytes(rng.randint(1000, 5000))).decode()
    return {
        "_initiator": {"type": "script", "stack": {"callFrames": [
            {"functionName": f"f{k}", "url": f"https://{host}/a.js", "lineNumber": k, "columnNumber": 3}
            for k in range(rng.randint(0, 6))]}},
        "_priority": "High", "_resourceType": rtype, "cache": {}, "connection": "443",
        "pageref": page,
        "request": {"method": "GET", "url": url, "httpVersion": "h2", "headers": req_headers,
                    "queryString": [{"name": "v", "value": "x"}],
                    "cookies": [{"name": "_ga", "value": "GA1.2.1"}], "headersSize": -1, "bodySize": 0},
        "response": {"status": 200, "statusText": "", "httpVersion": "h2", "headers": resp_headers,
                     "cookies": [], "content": {"size": len(body), "mimeType": mime, "text": body,
                                                "encoding": "base64"},
                     "redirectURL": "", "headersSize": -1, "bodySize": len(body), "_transferSize": len(body)},
        "serverIPAddress": "203.0.113.7", "startedDateTime": "2024-05-01T00:00:00.000Z", "time": 12.5,
        "timings": {"blocked": 1, "dns": -1, "ssl": -1, "connect": -1, "send": 0.1, "wait": 10, "receive": 1.4},
    }


def generate(path: Path, size_mb: int, seed: int = 7) -> int:
    """Write a HAR of about size_mb MB to path (entries streamed, pages last); return entry count."""
    rng = random.Random(seed)
    target = size_mb * 1024 * 1024
    n = 0
    with path.open("w", encoding="utf-8") as f:
        f.write('{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"},\n'
                ' "browser": {"name": "Chrome", "version": "126"},\n "entries": [\n')
        while True:
            page = f"page_{n // 500 + 1}"
            if n:
                f.write(",\n")
            f.write(json.dumps(_entry(rng, n, page)))
            n += 1
            if n % 256 == 0 and f.tell() >= target:
                break
        pages = [{"id": f"page_{k + 1}", "title": f"https://www.example.co.jp/p/{k}",
                  "startedDateTime": "2024-05-01T00:00:00.000Z", "pageTimings": {}}
                 for k in range(n // 500 + 1)]
        f.write("\n ],\n \"pages\": " + json.dumps(pages) + "\n}}\n")
    return n


CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "json.load":
    with open(path, "rb") as f:
        data = json.load(f)
    n = len(data["log"]["entries"])
elif mode == "iter_har":
    from scanner.importers.har import iter_har
    it = iter_har(path)
    n = sum(1 for _ in it)
    n = it.summary.entries
elif mode == "read_har":
    from scanner.importers.har import read_har
    summary, reqs, cookies = read_har(path)
    n = summary.entries
else:
    raise SystemExit(mode)
dt = time.perf_counter() - t0
print(json.dumps({"entries": n, "seconds": dt,
                  "rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def measure(mode: str, path: Path) -> dict[str, float]:
    repo = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(repo))
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], check=True,
                         capture_output=True, text=True, env=env, cwd=repo)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--keep", type=Path, help="write the HAR into this directory and keep it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        path = where / "bench.har"
        t0 = time.perf_counter()
        n = generate(path, args.size_mb)
        print(f"generated {path.name}: {path.stat().st_size / 1e6:.1f} MB, {n} entries "
              f"in {time.perf_counter() - t0:.1f} s")
        rows = {mode: measure(mode, path) for mode in ("json.load", "iter_har", "read_har")}
        base = rows["json.load"]
        print(f"{'mode':<10} {'entries':>8} {'seconds':>8} {'time ratio':>11} "
              f"{'peak RSS MiB':>13} {'RSS ratio':>10}")
        for mode, r in rows.items():
            print(f"{mode:<10} {int(r['entries']):>8} {r['seconds']:>8.2f}"
                  f" {r['seconds'] / base['seconds']:>10.2f}x {r['rss_kib'] / 1024:>13.1f}"
                  f" {r['rss_kib'] / base['rss_kib']:>9.3f}x")
        print("ratios are against json.load of the same file in this run (peak RSS = ru_maxrss "
              "of a fresh subprocess, interpreter included)")


if __name__ == "__main__":
    main()
