"""Every text colour of style.css against its background meets WCAG AA (4.5:1; focus ring 3:1)."""

from __future__ import annotations

import re

import pytest

from site_generator.build import PACKAGED_TEMPLATES

# (foreground, background, minimum): the pairs the stylesheet actually uses.
PAIRS = [
    ("text", "bg", 4.5), ("text", "surface", 4.5), ("text", "code-bg", 4.5),
    ("muted", "bg", 4.5), ("muted", "surface", 4.5),
    ("link", "bg", 4.5), ("link", "surface", 4.5),
    ("link-visited", "bg", 4.5), ("link-visited", "surface", 4.5),
    ("badge-text", "badge-bg", 4.5), ("added-text", "added-bg", 4.5),
    ("removed-text", "removed-bg", 4.5),
    ("focus", "bg", 3.0), ("focus", "surface", 3.0),
]


def _colours() -> dict[str, str]:
    css = (PACKAGED_TEMPLATES / "style.css").read_text(encoding="utf-8")
    root = re.search(r":root\s*\{(.*?)\}", css, re.S)
    assert root
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root.group(1)))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("fg, bg, minimum", PAIRS)
def test_pair_meets_aa(fg: str, bg: str, minimum: float) -> None:
    colours = _colours()
    assert contrast(colours[fg], colours[bg]) >= minimum, (fg, bg)
