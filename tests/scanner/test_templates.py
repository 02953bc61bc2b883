"""URL templates and spread-out sampling (scanner/templates.py)."""

from __future__ import annotations

import pytest

from scanner.templates import SLUG_SIBLINGS, TemplateSampler, _spread, template_key


@pytest.mark.parametrize("url,key", [
    ("https://jobs.example.jp/job/12345/?ref=top", "jobs.example.jp/job/{n}/?ref"),
    ("https://jobs.example.jp/job/sales-tokyo-0012/", "jobs.example.jp/job/sales-tokyo-{n}/"),
    ("https://example.jp/news/2026-12-01/", "example.jp/news/{date}/"),
    ("https://example.jp/news/20261201.html", "example.jp/news/{date}.html"),
    ("https://example.jp/a/3f2a9c1e4b5d6a7f/", "example.jp/a/{hash}/"),
    ("https://example.jp/i/123e4567-e89b-12d3-a456-426614174000",
     "example.jp/i/{uuid}"),
    ("https://example.jp/bukken/1001.html", "example.jp/bukken/{n}.html"),
    ("https://example.jp/", "example.jp/"),
    ("https://example.jp/about/", "example.jp/about/"),
    ("https://example.jp/search?q=a&page=2", "example.jp/search?page&q"),
    ("https://example.jp:8443/x/1", "example.jp:8443/x/{n}"),
    ("https://example.jp/facade/", "example.jp/facade/"),  # hex letters only: not a hash
])
def test_template_key(url: str, key: str) -> None:
    assert template_key(url) == key


def test_first_of_each_template_is_visited_at_once_the_rest_is_counted() -> None:
    s = TemplateSampler(max_per_template=3)
    assert s.offer("https://x.jp/", force=True)
    assert s.offer("https://x.jp/job/1/")
    assert not s.offer("https://x.jp/job/2/")
    assert s.offer("https://x.jp/company/7/")  # another template
    assert s.offer("https://x.jp/about/")
    for i in range(3, 1001):
        assert not s.offer(f"https://x.jp/job/{i}/")
    more = s.drain()
    assert len(more) == 2 and all("/job/" in u for u in more)
    assert "https://x.jp/job/1000/" in more  # spread out to the end of what was discovered
    assert s.drain() == []  # budget used
    rows = {r["template"]: r for r in s.summary()}
    job = rows["x.jp/job/{n}/"]
    assert job["discovered"] == 1000 and len(job["visited"]) == 3 and job["skipped"] == 997


def test_top_level_pages_are_never_merged_but_slug_children_are() -> None:
    s = TemplateSampler(max_per_template=2)
    tops = [f"https://x.jp/section-{c}/" for c in "abcdefghijklmnopqrstuvwxyz"]
    assert all(s.offer(u) for u in tops)  # each its own template: all visited
    visits = 0
    for i in range(200):
        visits += s.offer(f"https://x.jp/column/how-to-{chr(97 + i % 26)}{chr(97 + i // 26)}-flat/")
    visits += len(s.drain())
    # until the parent had enough slug children each was its own template; then one template
    assert visits <= SLUG_SIBLINGS + 2
    assert any(r["template"] == "x.jp/column/{slug}/" for r in s.summary())


def test_zero_disables_sampling() -> None:
    s = TemplateSampler(max_per_template=0)
    assert all(s.offer(f"https://x.jp/job/{i}/") for i in range(50))
    assert s.drain() == []


@pytest.mark.parametrize("n,k,expected", [(10, 3, [0, 4, 9]), (2, 3, [0, 1]), (5, 1, [4]),
                                          (100, 2, [0, 99])])
def test_spread(n: int, k: int, expected: list[int]) -> None:
    assert _spread(n, k) == expected
