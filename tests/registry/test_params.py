"""The parameter-meaning table (registry/params) and what it says about real requests.

Unit tests read recorded request URLs from the real captures in ../shared/data/har; the CLI tests
import a real HAR and a small hand-made one through `gaibu` and read the JSON report, `registry
check` and `build`.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from registry.observed import PARAMS_DIR, ParamTable, load_param_table, read_param_table
from scanner.capture import body_param_names
from scanner.errors import InputError
from tests.conftest import run_gaibu

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "har"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/har")
SEED = Path(__file__).resolve().parents[2] / "registry" / "seed"


@pytest.fixture(scope="module")
def table() -> ParamTable:
    return load_param_table()


def har_urls(name: str, host: str, path: str) -> list[str]:
    log = json.loads((DATA / name).read_text(encoding="utf-8"))["log"]
    out = []
    for e in log["entries"]:
        u = e["request"]["url"]
        p = urlsplit(u)
        if p.hostname == host and p.path.startswith(path):
            out.append(u)
    assert out, f"no {host}{path} request in {name}"
    return out


def kinds(observed) -> dict[str, tuple[str, ...]]:
    return {o.id: o.params for o in observed}


# -- the table itself ---------------------------------------------------------------------------
def test_every_endpoint_names_a_seed_service_and_cites_sources(table):
    seed_services = {s["id"] for f in SEED.glob("*.yaml")
                     for s in (yaml.safe_load(f.read_text(encoding="utf-8")) or {}).get("services", [])}
    assert len(table.endpoints) >= 14
    for e in table.endpoints:
        assert e.service in seed_services, e.id
        assert e.sources and all(s.startswith("https://") for s in e.sources), e.id
    covered = {e.service for e in table.endpoints}
    for sid in ("google-analytics", "google-ads-conversion", "google-ads-remarketing", "meta-pixel",
                "x-ads", "tiktok-pixel", "line-tag", "yahoo-ads-retargeting", "yahoo-ads-conversion",
                "microsoft-advertising-uet", "linkedin-insight", "pinterest-tag", "adobe-analytics",
                "treasure-data-web"):
        assert sid in covered, sid


def test_kind_labels_are_concrete_japanese(table):
    for k in table.kinds.values():
        for vague in ("等", "など", "その他"):
            assert vague not in k.ja, k.id
        assert k.keywords_ja and all(w.strip() for w in k.keywords_ja)


# -- recorded URLs of real pages ----------------------------------------------------------------
def test_meta_pixel_beacon_of_a_real_page(table):
    for url in har_urls("pagexray__expressen.har", "www.facebook.com", "/tr"):
        got = kinds(table.observe_url("meta-pixel", url))
        assert got["page_url"] == ("dl",) and got["referrer"] == ("rl",)
        assert got["event_name"] == ("ev",) and got["timestamp"] == ("ts",)
        assert "hashed_email" not in got  # this page did not use advanced matching
        # the same names mean nothing for another service's endpoints
        assert table.observe_url("google-analytics", url) == []


def test_universal_analytics_hits_of_a_real_page(table):
    urls = har_urls("pagexray__assa.har", "www.google-analytics.com", "/r/collect")
    got = kinds(table.observe_url("google-analytics", urls[0]))
    assert got["page_url"] == ("dl",)
    assert got["page_title"] == ("dt",)
    assert got["client_id"] == ("_gid", "cid")
    assert got["language"] == ("ul",)
    assert got["screen"] == ("sr", "vp")
    assert got["custom_data"] == ("cg2", "cg4", "cm1")
    # advertising-features hit on stats.g.doubleclick.net: only the client ID and hit type
    dc = har_urls("pagexray__assa.har", "stats.g.doubleclick.net", "/r/collect")[0]
    assert kinds(table.observe_url("google-analytics", dc)) == {"client_id": ("_gid", "cid"),
                                                                "event_name": ("t",)}
    # the script download has no parameters and an unrelated path
    js = har_urls("pagexray__assa.har", "www.google-analytics.com", "/analytics.js")[0]
    assert table.observe_url("google-analytics", js) == []


def test_an_unidentified_third_party_is_read_by_host_and_path(table):
    url = har_urls("pagexray__expressen.har", "www.facebook.com", "/tr")[0]
    assert kinds(table.observe_url(None, url))["page_url"] == ("dl",)
    # same host, another path: the pixel's table does not apply
    assert table.observe_url(None, "https://www.facebook.com/plugins/like.php?href=x&dl=y") == []


def test_exact_names_win_over_patterns(table):
    names = ["ud[em]", "ud[ph]", "ud[fn]", "ud[external_id]", "udff[em]", "cd[value]",
             "cd[content_ids]", "cd[colour]", "fbp", "fbc"]
    got = kinds(table.observe("meta-pixel", ["www.facebook.com"], names, ["/tr/"]))
    assert got["hashed_email"] == ("ud[em]", "udff[em]")
    assert got["hashed_phone"] == ("ud[ph]",)
    assert got["hashed_profile"] == ("ud[fn]",)
    assert got["user_id"] == ("ud[external_id]",)
    assert got["transaction_value"] == ("cd[value]",)
    assert got["product"] == ("cd[content_ids]",)
    assert got["custom_data"] == ("cd[colour]",)
    assert got["client_id"] == ("fbp",) and got["ad_click_id"] == ("fbc",)


def test_published_text_mentions_are_found_after_normalisation(table):
    assert table.mentioned("page_url", ["閲覧したページのＵＲＬ"])
    assert table.mentioned("hashed_email", ["当社が設定した場合は、メールアドレスのハッシュ値"])
    assert not table.mentioned("hashed_email", ["閲覧したページのURL", "IPアドレス"])


def test_body_parameter_names_never_values():
    ga4 = "v=2&tid=G-ABC&cid=123.456\nen=page_view&dl=https%3A%2F%2Fa.jp%2F\nen=scroll&ep.percent=90"
    assert body_param_names(ga4, "text/plain;charset=UTF-8") == (
        "v", "tid", "cid", "en", "dl", "ep.percent")
    tiktok = json.dumps({"event": "Pageview", "context": {"page": {"url": "https://a.jp/"},
                                                          "user": {"email": "f00d"}},
                         "taro@example.jp": 1, "list": [{"x": "secret"}]})
    names = body_param_names(tiktok, "application/json")
    assert "context.page.url" in names and "context.user.email" in names and "list.x" in names
    assert not any("@" in n or "secret" in n or "f00d" in n or "a.jp" in n for n in names)
    form = '--b\r\nContent-Disposition: form-data; name="ud[em]"\r\n\r\nf00d\r\n--b--'
    assert body_param_names(form, "multipart/form-data; boundary=b") == ("ud[em]",)
    assert body_param_names("{not json", "application/json") == ()
    assert body_param_names(None, None) == ()
    many = "&".join(f"p{i}=1" for i in range(500))
    assert len(body_param_names(many, "application/x-www-form-urlencoded")) == 100


# -- malformed files ----------------------------------------------------------------------------
def test_malformed_endpoint_files_name_file_and_line(tmp_path):
    f = tmp_path / "acme.yaml"
    f.write_text("""endpoints:
  - id: acme-beacon
    service: acme-tag
    hosts: [px.acme-ads.jp]
    params:
      dl: page_url
      em: hashed_mail
    sources: [https://acme-ads.jp/docs]
""", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_param_table([PARAMS_DIR, tmp_path])
    assert str(e.value) == (f"{f}:7: endpoints[0].params.em: unknown information kind "
                            f"'hashed_mail'; expected one of {', '.join(load_param_table().kinds)}")
    f.write_text("""endpoints:
  - id: acme-beacon
    service: acme-tag
    params: {dl: page_url}
    sources: [https://acme-ads.jp/docs]
    colour: blue
""", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_param_table([tmp_path])
    assert str(e.value) == f"{f}:6: endpoints[0].colour: unknown key 'colour'"


# -- through the CLI ----------------------------------------------------------------------------
def test_json_report_of_a_real_har_lists_information_observed(tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト, owned_domains: [cdn-expressen.se]}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: site, kind: web, title_ja: サイト, start_urls: ["https://www.expressen.se/"]}}
""", encoding="utf-8")
    out = tmp_path / "r.json"
    r = run_gaibu("import", "har", str(DATA / "pagexray__expressen.har"), "--property", "site",
                  "--targets", str(targets), "--json", str(out))
    assert r.returncode == 0, r.stderr
    tps = json.loads(out.read_text(encoding="utf-8"))["properties"][0]["third_parties"]
    pixel = next(t for t in tps if t["service"] == "meta-pixel")
    seen = {o["id"]: o for o in pixel["information_observed"]}
    assert seen["page_url"] == {"id": "page_url", "ja": "閲覧したページのURL",
                                "en": "URL of the page viewed", "params": ["dl"], "published": True}
    assert seen["referrer"]["params"] == ["rl"] and seen["referrer"]["published"] is True
    # Meta Pixel's seed text does not mention the date and time the pixel sends as ts
    assert seen["timestamp"]["published"] is False
    ga = next(t for t in tps if t["service"] == "google-analytics"
              and "www.google-analytics.com" in t["hosts"])
    assert {"page_url", "page_title", "client_id", "screen"} <= {
        o["id"] for o in ga["information_observed"]}
    # third parties the table knows nothing about still carry the field, empty
    assert all(isinstance(t["information_observed"], list) for t in tps)
    assert "meta-pixel received 閲覧したページのURL (dl)" in r.stdout


ACME = """providers:
  - id: acme
    name_ja: アクメ広告株式会社
    name_en: Acme Ads K.K.
services:
  - id: acme-pixel
    provider: acme
    name_ja: アクメ広告タグ
    name_en: Acme Ads tag
    category: advertising
    information_ja: [閲覧したページのURL, IPアドレス]
    information_en: [URL of the page viewed, IP address]
    purpose_ja: 当社の広告の効果を測定するため。
    purpose_en: To measure our ads.
    recipient_use_ja: アクメ広告株式会社は、受け取った情報を広告の効果測定に利用します。
    recipient_use_en: Acme Ads uses it to measure ads.
    stop: {kind: limit, url: "https://acme-ads.example.jp/optout/"}
    match:
      hosts: [px.acme-ads.jp]
"""

ACME_PARAMS = """endpoints:
  - id: acme-pixel-beacon
    service: acme-pixel
    hosts: [px.acme-ads.jp]
    paths: [/tr]
    params:
      dl: page_url
      ud[em]: hashed_email
    sources: [https://acme-ads.jp/docs/pixel]
"""


def _har(tmp_path: Path, urls: list[str], posts: dict[str, dict] | None = None) -> Path:
    posts = posts or {}
    entries = [{"startedDateTime": "2026-12-01T00:00:00.000Z", "time": 1,
                "request": {"method": "POST" if u in posts else "GET", "url": u,
                            "httpVersion": "HTTP/1.1", "headers": [],
                            **({"postData": posts[u]} if u in posts else {}),
                            "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1",
                             "headers": [], "cookies": [], "content": {"size": 0, "mimeType": "image/gif"},
                             "redirectURL": "", "headersSize": -1, "bodySize": 0},
                "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}} for u in urls]
    f = tmp_path / "acme.har"
    f.write_text(json.dumps({"log": {"version": "1.2", "creator": {"name": "t", "version": "1"},
                                     "entries": entries}}), encoding="utf-8")
    return f


def test_hashed_email_missing_from_the_published_text_warns(tmp_path):
    local = tmp_path / "registry-local"
    (local / "params").mkdir(parents=True)
    (local / "acme.yaml").write_text(ACME, encoding="utf-8")
    (local / "params" / "acme.yaml").write_text(ACME_PARAMS, encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: registry-local
database: sqlite:///{tmp_path / 'g.db'}
site: {{out: {tmp_path / 'site'}}}
properties:
  - {{name: shop, kind: web, title_ja: ショップ, start_urls: ["https://shop.test-company.jp/"]}}
""", encoding="utf-8")
    har = _har(tmp_path, ["https://shop.test-company.jp/",
                          "https://px.acme-ads.jp/tr?id=1&dl=https%3A%2F%2Fshop.test-company.jp%2F"
                          "&ud%5Bem%5D=8d0f1e2a"])
    out = tmp_path / "r.json"
    r = run_gaibu("import", "har", str(har), "--property", "shop", "--targets", str(targets),
                  "--json", str(out))
    assert r.returncode == 0, r.stderr
    tp = next(t for t in json.loads(out.read_text(encoding="utf-8"))["properties"][0]["third_parties"]
              if t["service"] == "acme-pixel")
    assert {o["id"]: o["published"] for o in tp["information_observed"]} == {
        "page_url": True, "hashed_email": False}
    assert ("shop: warning: acme-pixel received 「メールアドレスを復元できない形に変換した値（ハッシュ値）」 "
            "(ud[em]) but its published 送信される情報 does not mention it") in r.stdout

    r = run_gaibu("registry", "check", "--targets", str(targets))
    assert r.returncode == 0, r.stdout + r.stderr  # a warning, not an error
    line = next(x for x in r.stdout.splitlines() if "hashed_email" in x)
    assert f"{local / 'acme.yaml'}:6: service acme-pixel: warning: property shop: service " \
           "acme-pixel was seen receiving 「メールアドレスを復元できない形に変換した値（ハッシュ値）」 " \
           "(hashed_email; parameter ud[em]) but its information_ja mentions none of " \
           "メールアドレス" in line
    assert "page_url" not in r.stdout  # the page URL is in the text: no warning

    r = run_gaibu("build", "--targets", str(targets))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "warning: property shop: service acme-pixel was seen receiving" in r.stdout

    # the text corrected: no warning any more
    (local / "acme.yaml").write_text(ACME.replace(
        "[閲覧したページのURL, IPアドレス]",
        "[閲覧したページのURL, IPアドレス, 当社が設定した場合は、メールアドレスを復元できない形に変換した値（ハッシュ値）]"),
        encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(targets))
    assert r.returncode == 0 and "hashed_email" not in r.stdout, r.stdout


def test_endpoint_of_an_unknown_service_is_an_error(tmp_path):
    local = tmp_path / "reg"
    (local / "params").mkdir(parents=True)
    (local / "params" / "x.yaml").write_text(ACME_PARAMS, encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: reg
database: sqlite:///{tmp_path / 'g.db'}
properties: [{{name: w, kind: web, title_ja: ウェブ, start_urls: ["https://www.test-company.jp/"]}}]
""", encoding="utf-8")
    r = run_gaibu("registry", "check", "--targets", str(targets))
    assert r.returncode == 1
    assert (f"{local / 'params' / 'x.yaml'}:2: endpoint acme-pixel-beacon: error: service "
            "'acme-pixel' is not defined in any registry file") in r.stdout + r.stderr


def test_body_parameter_names_of_an_imported_har_reach_the_report(tmp_path):
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: shop, kind: web, title_ja: ショップ, start_urls: ["https://shop.test-company.jp/"]}}
""", encoding="utf-8")
    tiktok = "https://analytics.tiktok.com/api/v2/pixel"
    ga4 = "https://region1.google-analytics.com/g/collect?v=2&tid=G-X1"
    body = {"event": "CompletePayment", "context": {
        "page": {"url": "https://shop.test-company.jp/thanks", "referrer": "https://shop.test-company.jp/cart"},
        "user": {"email": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"}},
        "properties": {"value": 1200, "currency": "JPY"}}
    har = _har(tmp_path, ["https://shop.test-company.jp/", tiktok, ga4], posts={
        tiktok: {"mimeType": "application/json", "text": json.dumps(body)},
        ga4: {"mimeType": "text/plain;charset=UTF-8",
              "text": "en=page_view&cid=555.666&dl=https%3A%2F%2Fshop.test-company.jp%2F\n"
                      "en=purchase&cu=JPY&uid=member-42"}})
    out = tmp_path / "r.json"
    r = run_gaibu("import", "har", str(har), "--property", "shop", "--targets", str(targets),
                  "--json", str(out))
    assert r.returncode == 0, r.stderr
    tps = {t["service"]: t for t in json.loads(out.read_text(encoding="utf-8"))["properties"][0]
           ["third_parties"]}
    tt = {o["id"]: o["params"] for o in tps["tiktok-pixel"]["information_observed"]}
    assert tt["page_url"] == ["context.page.url"] and tt["referrer"] == ["context.page.referrer"]
    assert tt["hashed_email"] == ["context.user.email"]
    assert tt["transaction_value"] == ["properties.currency", "properties.value"]
    ga = {o["id"]: o["params"] for o in tps["google-analytics"]["information_observed"]}
    assert ga["client_id"] == ["cid"] and ga["user_id"] == ["uid"] and ga["page_url"] == ["dl"]
    # names only: no value of the bodies reached the database
    raw = (tmp_path / "g.db").read_bytes()
    for value in (b"5e884898da", b"member-42", b"555.666", b"thanks", b"CompletePayment"):
        assert value not in raw


def test_review_show_tells_what_an_unidentified_third_party_received(tmp_path):
    # the company's parameter table knows a beacon host that no match rule claims yet
    local = tmp_path / "registry-local"
    (local / "params").mkdir(parents=True)
    (local / "acme.yaml").write_text(ACME, encoding="utf-8")
    (local / "params" / "acme.yaml").write_text(
        ACME_PARAMS.replace("hosts: [px.acme-ads.jp]", "hosts: [px.acme-ads.jp, t.acme-beacon.jp]")
        .replace("      ud[em]: hashed_email\n", "      ud[em]: hashed_email\n      x[*]: custom_data\n"),
        encoding="utf-8")
    targets = tmp_path / "targets.yaml"
    targets.write_text(f"""company: {{name_ja: テスト}}
registry_dir: registry-local
database: sqlite:///{tmp_path / 'g.db'}
properties:
  - {{name: shop, kind: web, title_ja: ショップ, start_urls: ["https://shop.test-company.jp/"]}}
""", encoding="utf-8")
    har = _har(tmp_path, ["https://shop.test-company.jp/",
                          "https://t.acme-beacon.jp/tr?dl=https%3A%2F%2Fshop.test-company.jp%2F"
                          "&ud%5Bem%5D=8d0f1e2a&rnd=5&x%5B%3Cb%3Ex%3C%2Fb%3E%5D=1"])
    r = run_gaibu("import", "har", str(har), "--property", "shop", "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    r = run_gaibu("review", "show", "acme-beacon.jp", "--targets", str(targets))
    assert r.returncode == 0, r.stderr
    assert "parameters: dl, rnd, ud[em], x[<b>x</b>]" in r.stdout
    assert ("information observed:\n  閲覧したページのURL / URL of the page viewed (dl)\n"
            "  当社が操作やページに付けて送る追加の情報（カスタムパラメータ） / Additional details we "
            "attach to actions or pages (custom parameters) (x[<b>x</b>])\n"
            "  メールアドレスを復元できない形に変換した値（ハッシュ値） / E-mail address converted to a "
            "value it cannot be restored from (hash) (ud[em])\n") in r.stdout
    r = run_gaibu("review", "show", "acme-beacon.jp", "--json", "--targets", str(targets))
    shown = json.loads(r.stdout)["information_observed"]
    assert [(o["id"], o["params"]) for o in shown] == [("page_url", ["dl"]),
                                                        ("custom_data", ["x[<b>x</b>]"]),
                                                        ("hashed_email", ["ud[em]"])]

    # the review console's finding page shows the same, escaped
    from sqlmodel import Session, select

    from gaibu.db import get_engine, resolve_url
    from registry.models import Finding
    from tests.console.conftest import ConsoleDb, client_for

    cdb = ConsoleDb(tmp_path, targets, f"sqlite:///{tmp_path / 'g.db'}")
    with Session(get_engine(resolve_url(cdb.db))) as s:
        fid = s.exec(select(Finding).where(Finding.key == "acme-beacon.jp")).one().id
    page = client_for(cdb).get(f"/findings/{fid}").text
    assert "パラメーター名から分かる送信された情報" in page
    assert "<li>閲覧したページのURL (<code>dl</code>)</li>" in page
    assert "メールアドレスを復元できない形に変換した値（ハッシュ値） (<code>ud[em]</code>)" in page
    assert "<code>x[&lt;b&gt;x&lt;/b&gt;]</code>" in page and "<b>x</b>" not in page
