"""web.json / app.json and web.csv / app.csv follow the documented schema."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from site_generator import render_site
from site_generator.export import CSV_COLUMNS, SCHEMA_VERSION, to_csv
from tests.site_generator.fixtures import GA, sample_disclosure

SERVICE_KEYS = ["service_id", "anchor", "name_ja", "name_en", "provider_ja", "provider_en",
                "category", "category_ja", "category_en", "information_ja", "information_en",
                "purpose_ja", "purpose_en", "recipient_use_ja", "recipient_use_en",
                "privacy_policy_url", "stop_kind", "stop_url", "stop_ja", "stop_en", "channel",
                "country", "after_consent_only", "page_groups", "page_groups_en", "cookies", "destinations",
                "first_listed"]


def test_json_schema() -> None:
    files = render_site(sample_disclosure())
    web = json.loads(files["web.json"])
    assert list(web) == ["schema_version", "list", "page", "company", "removal_after_scans",
                         "properties"]
    assert web["schema_version"] == SCHEMA_VERSION == 2
    assert web["company"]["established"] == "2026-06-01"
    assert web["company"]["consent_settings_url"] == "https://www.sample.co.jp/privacy/cookie-settings/"
    assert web["company"]["name_ja"] == "株式会社サンプル"
    assert [p["name"] for p in web["properties"]] == ["corp-web", "jobs-web"]
    jobs = web["properties"][1]
    assert list(jobs) == ["name", "kind", "platform", "title_ja", "title_en", "anchor", "urls",
                          "last_changed", "last_checked", "review_pending", "services"]
    assert jobs["last_checked"] == "2026-11-30" and jobs["anchor"] == "p-jobs-web"
    ga = jobs["services"][0]
    assert list(ga) == SERVICE_KEYS
    assert ga["service_id"] == "google-analytics" and ga["category_ja"] == "アクセス解析"
    assert ga["anchor"] == "p-jobs-web--google-analytics"
    assert ga["destinations"] == sorted(ga["destinations"])
    app = json.loads(files["app.json"])
    assert [(p["name"], p["platform"]) for p in app["properties"]] == [
        ("jobs-app-android", "android"), ("jobs-app-ios", "ios")]
    assert app["properties"][0]["last_checked"] is None
    assert "株式会社サンプル" in files["web.json"].decode("utf-8")  # not \\u-escaped


def test_csv_has_bom_fixed_columns_and_one_row_per_property_and_service() -> None:
    data = render_site(sample_disclosure())["web.csv"]
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows[1:]]
    assert len(body) == 2 + 7
    assert [(r["property"], r["service_id"]) for r in body][:2] == [
        ("corp-web", "google-analytics"), ("corp-web", "satori")]
    ga = body[0]
    assert ga["information_ja"].split("\n")[0] == "Cookie ID（クライアントID）"
    assert ga["category_ja"] == "アクセス解析" and ga["first_listed"] == "2026-06-01"
    assert body[1]["privacy_policy_url"] == ""


def test_csv_neutralises_spreadsheet_formulas() -> None:
    d = sample_disclosure()
    p = d.properties[0]
    evil = replace(GA, name_ja="=HYPERLINK(\"http://evil\")", purpose_ja="+1", provider_ja="@x",
                   recipient_use_ja="-2")
    text = to_csv(replace(d, properties=(replace(p, rows=(evil,)),)), p.kind)
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    rec = dict(zip(CSV_COLUMNS, row, strict=True))
    assert rec["name_ja"] == "'=HYPERLINK(\"http://evil\")"
    assert rec["purpose_ja"] == "'+1" and rec["provider_ja"] == "'@x"
    assert rec["recipient_use_ja"] == "'-2"
