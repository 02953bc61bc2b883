"""Benchmark: the indexed matcher against a naive loop over all rules, in the same run.

    .venv/bin/python bench/match.py [--observations 1000000] [--naive-sample 20000]

Rules: the whole seed registry plus every third-party-web domain (the suggestion source), as
one rule set. Observations: request URLs (hosts from the rules, their subdomains, and unknown
hosts, with paths), cookie names and SDK ids, generated with a fixed seed. The indexed matcher
runs all observations; the naive loop, which is thousands of times slower, runs a random sample
of the same observations (all of them with --naive-sample 0) and must give identical answers.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from registry.loader import read_registry, registry_dirs, spec_rules  # noqa: E402
from registry.matcher import Matcher, NaiveMatcher, Rule  # noqa: E402
from registry.suggest import Suggester, dataset_path  # noqa: E402


def all_rules() -> tuple[list[Rule], int, int]:
    reg = read_registry(registry_dirs(None))
    seed = [Rule(k, p, sid, "seed") for sid, s in reg.services.items() for k, p in spec_rules(s.match)]
    sug = Suggester.load(dataset_path())
    return seed + sug.rules, len(seed), len(sug.rules)


def observations(rules: list[Rule], n: int, seed: int = 42) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    hosts = [r.pattern for r in rules if r.kind in ("domain", "host")]
    prefixes = [r.pattern for r in rules if r.kind == "url_prefix"]
    cookies = [r.pattern.rstrip("*") for r in rules if r.kind == "cookie"]
    sdks = [r.pattern.rstrip("*") for r in rules if r.kind == "sdk"]
    words = ["www", "cdn", "px", "api", "t", "collect", "static", "img", "ads", "log", "sync"]
    paths = ["/", "/g/collect", "/tr/", "/pixel.gif", "/js/tag.js", "/v1/event", "/embed/x",
             "/pagead/conversion/1/", "/recaptcha/api2/anchor", "/maps/embed/v1/place"]
    out: list[tuple[str, str]] = []
    for _ in range(n):
        x = rng.random()
        if x < 0.55:
            h = rng.choice(hosts)
            if rng.random() < 0.5:
                h = f"{rng.choice(words)}.{h}"
            out.append(("url", f"https://{h}{rng.choice(paths)}?v=1"))
        elif x < 0.62 and prefixes:
            out.append(("url", rng.choice(prefixes) + rng.choice(["", "a/b", "x?y=1"])))
        elif x < 0.80:
            out.append(("url", f"https://{rng.choice(words)}.unknown{rng.randint(0, 99999)}."
                               f"{rng.choice(['jp', 'co.jp', 'com', 'net'])}{rng.choice(paths)}"))
        elif x < 0.95:
            c = rng.choice(cookies) if rng.random() < 0.6 else f"session_{rng.randint(0, 999)}"
            out.append(("cookie", c + rng.choice(["", "_1A2B3C"])))
        else:
            out.append(("sdk", rng.choice(sdks) if rng.random() < 0.7 else
                        f"com.example{rng.randint(0, 999)}:lib"))
    return out


def run(m: Matcher | NaiveMatcher, obs: list[tuple[str, str]]) -> tuple[float, list[str | None]]:
    fns = {"url": m.match_url, "cookie": m.match_cookie, "sdk": m.match_sdk}
    out: list[str | None] = []
    append = out.append
    t0 = time.perf_counter()
    for kind, value in obs:
        r = fns[kind](value)
        append(r.target if r else None)
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observations", type=int, default=1_000_000)
    ap.add_argument("--naive-sample", type=int, default=20_000,
                    help="observations for the naive loop (0 = all of them; very slow)")
    args = ap.parse_args()
    rules, n_seed, n_sug = all_rules()
    t0 = time.perf_counter()
    fast = Matcher(rules)
    build = time.perf_counter() - t0
    naive = NaiveMatcher(rules)
    obs = observations(rules, args.observations)
    t_fast, res_fast = run(fast, obs)
    rng = random.Random(1)
    idx = list(range(len(obs))) if args.naive_sample <= 0 else \
        sorted(rng.sample(range(len(obs)), min(args.naive_sample, len(obs))))
    t_naive, res_naive = run(naive, [obs[i] for i in idx])
    mismatches = sum(1 for j, i in enumerate(idx) if res_fast[i] != res_naive[j])
    matched = sum(r is not None for r in res_fast)
    fast_rate = len(obs) / t_fast
    naive_rate = len(idx) / t_naive
    print(f"rules: {len(rules)} ({n_seed} seed + {n_sug} third-party-web suggestion rules); "
          f"index built in {build * 1000:.0f} ms")
    print(f"observations: {len(obs):,} ({matched:,} matched)")
    print(f"indexed matcher : {len(obs):>9,} obs in {t_fast:7.2f} s = {fast_rate:12,.0f} obs/s")
    print(f"naive loop      : {len(idx):>9,} obs in {t_naive:7.2f} s = {naive_rate:12,.0f} obs/s")
    print(f"ratio (indexed / naive): {fast_rate / naive_rate:,.0f}x  (target >= 50x); "
          f"answers identical on the naive sample: {mismatches == 0}")
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
