"""Facts from the company's own crawl on each row, through `gaibu scan` (real Chromium on the
fixture shop) and `gaibu build`: cookie names observed, sent only after consent, sent only on
some page groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_gaibu

pytestmark = pytest.mark.browser

SERVICES = """providers:
  - id: fixture-ads
    name_ja: フィクスチャ広告株式会社
    name_en: Fixture Ads Inc.
    country: JP
services:
  - id: deep-tag
    provider: fixture-ads
    name_ja: ディープタグ
    name_en: Deep tag
    category: advertising
    information_ja: [Cookie に保存された識別子]
    information_en: [Identifier stored in a cookie]
    purpose_ja: 商品ページを見た方に広告を表示するため。
    purpose_en: To show ads to people who viewed product pages.
    recipient_use_ja: フィクスチャ広告株式会社は、受け取った情報を広告の配信に利用します。
    recipient_use_en: Fixture Ads Inc. uses it to serve ads.
    stop: {kind: limit, url: "https://www.fixture-ads.jp/optout/"}
    match: {domains: [deep-tag.jp], cookies: [deep_uid]}
  - id: gated-tag
    provider: fixture-ads
    name_ja: 同意後タグ
    name_en: Gated tag
    category: analytics
    information_ja: [閲覧したページのURL]
    information_en: [URL of the page viewed]
    purpose_ja: 当社サイトの利用状況を把握するため。
    purpose_en: To understand how our site is used.
    recipient_use_ja: フィクスチャ広告株式会社は、受け取った情報を集計に利用します。
    recipient_use_en: Fixture Ads Inc. uses it for statistics.
    stop: {kind: company_setting}
    match: {domains: [gated-tag.jp]}
"""


def test_rows_carry_cookies_consent_and_page_groups_from_the_crawl(tmp_path: Path) -> None:
    from tests.fixtures.web import SHOP, make_net, write_targets
    reg = tmp_path / "registry-local"
    reg.mkdir()
    (reg / "fixture.yaml").write_text(SERVICES, encoding="utf-8")
    net = make_net()
    net.start()
    try:
        t = write_targets(tmp_path / "targets.yaml", net, f"""registry_dir: registry-local/
site:
  removal_after_scans: 3
properties:
  - name: shop
    kind: web
    title_ja: ショップ
    start_urls: [https://{SHOP}/]
    max_depth: 2
    consent: {{accept: ["#consent-accept"]}}
""")
        text = t.read_text(encoding="utf-8").replace(
            "  owned_domains: [fixture-cdn.jp]\n",
            "  owned_domains: [fixture-cdn.jp]\n"
            "  consent_settings_url: https://www.fixture-shop.jp/consent/\n")
        t.write_text(text, encoding="utf-8")
        r = run_gaibu("scan", "--targets", str(t), "--no-fail-on-new")
        assert r.returncode == 0, r.stderr
    finally:
        net.stop()
    site = tmp_path / "site"
    r = run_gaibu("build", "--out", str(site), "--targets", str(t), "--allow-pending")
    assert r.returncode == 0, r.stderr
    rows = {s["service_id"]: s for s in
            json.loads((site / "web.json").read_text(encoding="utf-8"))["properties"][0]["services"]}
    # deep-tag loads only on /item/1 and /item/2
    assert rows["deep-tag"]["page_groups"] == ["/item/"]
    assert rows["deep-tag"]["cookies"] == ["deep_uid"]
    assert rows["deep-tag"]["after_consent_only"] is False
    # gated-tag loads only after the consent button is clicked
    assert rows["gated-tag"]["after_consent_only"] is True
    assert rows["gated-tag"]["page_groups"] == []
    # GA: first-party cookies set by its script are the service's cookies; sent on every page
    ga = rows["google-analytics"]
    assert {"_ga", "_ga_FIXTURE"} <= set(ga["cookies"]) and ga["page_groups"] == []
    html = (site / "web.html").read_text(encoding="utf-8")
    deep = html.split('id="p-shop--deep-tag"')[1].split("</article>")[0]
    assert "次のページでだけ送信されます：" in deep and "<code>/item/</code>" in deep
    assert "日本" in deep
    gated = html.split('id="p-shop--gated-tag"')[1].split("</article>")[0]
    assert "利用者が同意した後にだけ送信されます。" in gated
    assert 'href="https://www.fixture-shop.jp/consent/"' in gated
    # named page groups from targets.yaml replace the path labels (no new crawl needed)
    named = t.read_text(encoding="utf-8").replace(
        "    consent: {accept: [\"#consent-accept\"]}\n",
        "    consent: {accept: [\"#consent-accept\"]}\n"
        "    page_groups:\n"
        "      - {name_ja: 商品詳細, name_en: Product details, path: '^/item/\\d+'}\n")
    assert named != t.read_text(encoding="utf-8")
    t.write_text(named, encoding="utf-8")
    r = run_gaibu("build", "--out", str(site), "--targets", str(t), "--allow-pending")
    assert r.returncode == 0, r.stderr
    rows = {s["service_id"]: s for s in
            json.loads((site / "web.json").read_text(encoding="utf-8"))["properties"][0]["services"]}
    assert rows["deep-tag"]["page_groups"] == ["商品詳細"]
    assert rows["deep-tag"]["page_groups_en"] == ["Product details"]
    deep = (site / "web.html").read_text(encoding="utf-8").split('id="p-shop--deep-tag"')[1]
    assert "次のページでだけ送信されます：商品詳細" in deep.split("</article>")[0]
    en = (site / "en" / "web.html").read_text(encoding="utf-8").split('id="p-shop--deep-tag"')[1]
    assert "Only on these pages: Product details" in en.split("</article>")[0]
    bad = named.replace("path: '^/item/\\d+'", "path: '(unclosed'")
    t.write_text(bad, encoding="utf-8")
    r = run_gaibu("build", "--out", str(site), "--targets", str(t), "--allow-pending")
    assert r.returncode == 1 and "page_groups" in r.stderr and "regular expression" in r.stderr
