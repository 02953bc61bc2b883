"""The value model rejects what would make a broken or non-compliant page, and stays hashable."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import date
from typing import Any

import pytest

from site_generator.model import ChangeEvent, Disclosure, PropertyList
from tests.site_generator.fixtures import COMPANY, GA, sample_disclosure


def test_sample_is_hashable_and_frozen() -> None:
    d = sample_disclosure()
    assert hash(d) == hash(sample_disclosure())
    with pytest.raises(FrozenInstanceError):
        d.removal_after_scans = 1  # type: ignore[misc]


def test_lists_become_tuples() -> None:
    r = replace(GA, information_ja=["a", "b"], destinations=["x.example"])  # type: ignore[arg-type]
    assert r.information_ja == ("a", "b") and r.destinations == ("x.example",)
    hash(r)


@pytest.mark.parametrize("field, value, message", [
    ("service_id", "Bad Id", "slug"),
    ("service_id", "", "slug"),
    ("purpose_ja", "  ", "non-empty"),
    ("recipient_use_en", "", "non-empty"),
    ("provider_ja", "", "non-empty"),
    ("information_ja", (), "at least one"),
    ("information_en", ("ok", " "), "at least one"),
])
def test_row_rejects_incomplete_rows(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(GA, **{field: value})


def _prop(**kw: object) -> PropertyList:
    values: dict[str, object] = dict(name="site", kind="web", platform=None, title_ja="サイト",
                                     title_en=None, urls=(), rows=(), last_changed=None,
                                     last_checked=None)
    values.update(kw)
    return PropertyList(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("kw, message", [
    ({"kind": "desktop"}, "kind"),
    ({"platform": "ios"}, "platform"),
    ({"kind": "app", "platform": None}, "platform"),
    ({"kind": "app", "platform": "windows"}, "platform"),
    ({"name": "p<script>"}, "slug"),
    ({"rows": (GA, GA)}, "twice"),
    ({"title_ja": ""}, "non-empty"),
])
def test_property_checks(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _prop(**kw)


def test_disclosure_checks() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        Disclosure(company=COMPANY, properties=(_prop(), _prop()))
    with pytest.raises(ValueError, match="positive"):
        Disclosure(company=COMPANY, properties=(), removal_after_scans=0)


def test_change_checks() -> None:
    base = dict(on=date(2026, 1, 1), property="site", property_title_ja="サイト",
                property_title_en=None, service_name_ja="A", service_name_en="A",
                provider_ja="P", provider_en="P", action="added")
    ChangeEvent(**base)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="action"):
        ChangeEvent(**{**base, "action": "changed"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="slug"):
        ChangeEvent(**{**base, "service_id": "x y"})  # type: ignore[arg-type]
