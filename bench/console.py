"""Benchmark: the console's findings queue and a finding page on a large review database.

    .venv/bin/python bench/console.py [--findings 5000] [--observations 200000] [--requests 60]
                                      [--postgres URL]

Builds a database with the seed registry, N findings (each with evidence: hosts, pages, sample
URLs, parameter names, cookies) and M host observations spread over 20 scans, then requests
through the real ASGI application (Starlette's test client, no network): the queue (``/findings``,
all pending), a filtered queue, a finding page and the dashboard, each ``--requests`` times. The
baseline in the same run is the console's static stylesheet (the same middleware, no database):
the ratios say what the database work costs. Target: p95 under 300 ms for the queue and the
finding page. With ``--postgres`` (or GAIBU_TEST_POSTGRES_URL) the same runs on PostgreSQL in a
fresh database that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from gaibu.db import dispose_all, get_engine, normalize_url  # noqa: E402
from registry.loader import load_into  # noqa: E402
from registry.models import Finding, finding_summary  # noqa: E402
from scanner.models import HostObservation, Scan, ScanProperty  # noqa: E402
from scanner.store import utcnow  # noqa: E402

PROPS = [f"site-{i}" for i in range(10)]


def populate(url: str, n_findings: int, n_obs: int) -> None:
    engine = get_engine(url)
    load_into(engine, None)
    rng = random.Random(7)
    now = utcnow()
    with Session(engine) as s:
        scan_ids = []
        for i in range(20):
            sc = Scan(started_at=now - timedelta(days=20 - i), finished_at=now, status="complete")
            s.add(sc)
            s.flush()
            assert sc.id is not None
            scan_ids.append(sc.id)
            for p in PROPS:
                s.add(ScanProperty(scan_id=sc.id, property=p, status="complete",
                                   pages_visited=50, pages_failed=1))
        s.commit()
        rows = []
        for i in range(n_findings):
            dom = f"vendor{i}-{rng.choice(['ads', 'tag', 'log', 'px'])}.jp"
            props = rng.sample(PROPS, rng.randint(1, 3))
            ev = {"properties": props, "hosts": [f"{h}.{dom}" for h in ("px", "cdn")],
                  "pages": [f"https://www.{p}.jp/page/{j}" for p in props for j in range(5)],
                  "pages_count": rng.randint(1, 400),
                  "sample_urls": [f"https://px.{dom}/c?id={j}&u=x" for j in range(5)],
                  "param_names": ["id", "u", "ref", "ts"], "devices": ["desktop", "mobile"],
                  "cookies": [{"name": f"_v{i}", "domain": dom, "set_by": "header"}],
                  "after_consent_only": rng.random() < 0.3}
            sug = {"company": f"Vendor {i}", "category": "ad", "source": "x"}
            reach, summary = finding_summary(ev, sug)  # what the ORM's write hook computes
            rows.append({"key": dom, "kind": "domain", "status": "pending" if i % 3 else "ignored",
                         "first_seen": now, "last_seen": now, "evidence": ev, "suggestion": sug,
                         "version": 0, "reach": reach, "summary": summary})
        s.execute(insert(Finding), rows)
        s.commit()
        batch = []
        for i in range(n_obs):
            batch.append({"scan_id": scan_ids[i % 20], "property": PROPS[(i // 20) % 10],
                          "host": f"h{i}.vendor{i % n_findings}-x.jp",
                          "domain": f"vendor{i % n_findings}-x.jp", "party": "third",
                          "requests": 3, "sample_urls": [], "pages": [], "param_names": [],
                          "devices": [], "frames": [], "statuses": [], "resource_types": [],
                          "paths": {}})
            if len(batch) == 20000:
                s.execute(insert(HostObservation), batch)
                batch = []
        if batch:
            s.execute(insert(HostObservation), batch)
        s.commit()


def timed(client, path: str, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return out


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[18] if len(xs) >= 20 else max(xs)


def run(label: str, url: str, args: argparse.Namespace) -> None:
    from starlette.testclient import TestClient

    from gaibu.console.app import ConsoleConfig, create_app

    t0 = time.perf_counter()
    populate(url, args.findings, args.observations)
    print(f"[{label}] {args.findings} findings, {args.observations} host observations "
          f"written in {time.perf_counter() - t0:.1f} s")
    app = create_app(ConsoleConfig(engine=get_engine(url), targets=None))
    c = TestClient(app, base_url="http://127.0.0.1:8470", client=("127.0.0.1", 5000))
    with Session(get_engine(url)) as s:
        from sqlmodel import select
        fid = s.exec(select(Finding.id).where(Finding.status == "pending")).first()
    paths = {"baseline (static css)": "/static/console.css", "queue (all pending)": "/findings",
             "queue filtered": "/findings?property=site-3&phase=before",
             "finding page": f"/findings/{fid}", "dashboard": "/"}
    base = None
    for name, path in paths.items():
        timed(c, path, 3)  # warm up
        xs = timed(c, path, args.requests)
        p = p95(xs)
        base = base or p
        print(f"[{label}] {name:24s} median {statistics.median(xs):7.1f} ms  p95 {p:7.1f} ms  "
              f"({p / base:5.1f}x baseline){'  OVER 300 ms' if p > 300 and name != 'dashboard' else ''}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--findings", type=int, default=5000)
    ap.add_argument("--observations", type=int, default=200000)
    ap.add_argument("--requests", type=int, default=60)
    ap.add_argument("--postgres", default=os.environ.get("GAIBU_TEST_POSTGRES_URL"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", args)
    dispose_all()
    if args.postgres:
        import psycopg

        base = normalize_url(args.postgres).replace("postgresql+psycopg://", "postgresql://")
        name = f"gaibu_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # generated name, not input
        try:
            run("postgresql", normalize_url(base.rsplit("/", 1)[0] + "/" + name), args)
        finally:
            dispose_all()
            with psycopg.connect(base, autocommit=True) as con:
                con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        print("[postgresql] skipped: set --postgres URL or GAIBU_TEST_POSTGRES_URL (make bench does)")


if __name__ == "__main__":
    main()
