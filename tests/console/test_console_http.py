"""The console over HTTP (Starlette's test client, real SQLite made by the real CLI): security
checks that must hold for every request, roles, conflicts, forms and publication."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from gaibu.db import get_engine, resolve_url
from registry.models import Decision, Finding, Service, ServiceEdit
from tests.console.conftest import PASSWORD, XSS_COOKIE, XSS_PARAM, ConsoleDb, client_for

CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


def finding_id(cdb: ConsoleDb, key: str) -> int:
    with Session(get_engine(resolve_url(cdb.db))) as s:
        f = s.exec(select(Finding).where(Finding.key == key)).one()
        assert f.id is not None
        return f.id


def decisions(cdb: ConsoleDb) -> list[Decision]:
    with Session(get_engine(resolve_url(cdb.db))) as s:
        return list(s.exec(select(Decision)).all())


def csrf_of(client, url: str) -> str:  # type: ignore[no-untyped-def]
    r = client.get(url)
    assert r.status_code == 200, r.text
    m = CSRF_RE.search(r.text)
    assert m, "no CSRF token in the page"
    return m.group(1)


def add_user(cdb: ConsoleDb, name: str, role: str) -> None:
    r = cdb.gaibu("user", "add", name, "--role", role, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stdout + r.stderr


def login(client, name: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"name": name, "password": password})


def test_every_response_has_the_strict_headers_and_foreign_hosts_are_refused(review_db):
    c = client_for(review_db)
    for url in ("/", "/findings", "/nope", "/static/console.css"):
        r = c.get(url)
        assert "script-src" not in r.headers["content-security-policy"]  # default-src 'none'
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
    # DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host header
    r = c.get("/", headers={"host": "evil.example:8470"})
    assert r.status_code == 400 and "Host" in r.text


def test_local_mode_needs_csrf_and_same_origin(review_db):
    c = client_for(review_db)
    fid = finding_id(review_db, "nazo-ads.jp")
    url = f"/findings/{fid}/decide"
    form = {"action": "ignore", "reason": "test", "version": "0"}
    assert c.post(url, data=form).status_code == 403  # no token
    assert c.post(url, data={**form, "csrf": "forged"}).status_code == 403
    token = csrf_of(c, f"/findings/{fid}")
    r = c.post(url, data={**form, "csrf": token}, headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    r = c.post(url, data={**form, "csrf": token}, headers={"sec-fetch-site": "cross-site"})
    assert r.status_code == 403
    assert decisions(review_db) == []
    r = c.post(url, data={**form, "csrf": token}, headers={"origin": "http://127.0.0.1:8470"})
    assert r.status_code == 303
    (d,) = decisions(review_db)
    assert d.action == "ignore" and d.reason == "test" and d.by  # the OS user


def test_local_mode_refuses_other_machines(review_db):
    from starlette.testclient import TestClient

    c = client_for(review_db)
    remote = TestClient(c.app, base_url="http://127.0.0.1:8470", client=("192.0.2.10", 5000),
                        follow_redirects=False)
    r = remote.get("/findings")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_roles_sign_in_and_viewer_cannot_act(review_db):
    add_user(review_db, "vera", "viewer")
    add_user(review_db, "rei", "reviewer")
    c = client_for(review_db)
    assert c.get("/findings").headers["location"].startswith("/login")
    assert login(c, "vera", "wrong password!").status_code == 401
    r = login(c, "vera")
    assert r.status_code == 303 and "gaibu_session" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"] and "samesite=strict" in r.headers["set-cookie"].lower()
    fid = finding_id(review_db, "kumo-tracker.jp")
    page = c.get(f"/findings/{fid}").text
    assert 'action="/findings/' not in page  # no decision forms for a viewer
    token = CSRF_RE.search(c.get("/").text)
    assert token  # the sign-out form
    r = c.post(f"/findings/{fid}/decide", data={"action": "first_party", "csrf": token.group(1)})
    assert r.status_code == 403
    assert decisions(review_db) == []
    c2 = client_for(review_db)
    login(c2, "rei")
    token2 = csrf_of(c2, f"/findings/{fid}")
    assert token2 != token.group(1)  # one CSRF token per session
    r = c2.post(f"/findings/{fid}/decide", data={"action": "assign", "service": "google-analytics",
                                                 "rule": "host:px.kumo-tracker.jp",
                                                 "reason": "checked", "version": "0",
                                                 "csrf": token2})
    assert r.status_code == 303, r.text
    (d,) = decisions(review_db)
    assert (d.action, d.by, d.service_id) == ("assign", "rei", "google-analytics")
    # the viewer's token does not work in the reviewer's session
    r = c2.post(f"/findings/{fid}/decide", data={"action": "undo", "decision": str(d.id),
                                                 "csrf": token.group(1)})
    assert r.status_code == 403


def test_second_reviewer_gets_a_conflict_not_a_second_decision(review_db):
    add_user(review_db, "ann", "reviewer")
    add_user(review_db, "ben", "reviewer")
    a, b = client_for(review_db), client_for(review_db)
    login(a, "ann")
    login(b, "ben")
    fid = finding_id(review_db, "nazo-ads.jp")
    ta, tb = csrf_of(a, f"/findings/{fid}"), csrf_of(b, f"/findings/{fid}")  # both see version 0
    ra = a.post(f"/findings/{fid}/decide", data={"action": "ignore", "reason": "ann says",
                                                 "version": "0", "csrf": ta})
    rb = b.post(f"/findings/{fid}/decide", data={"action": "first_party", "reason": "ben says",
                                                 "version": "0", "csrf": tb})
    assert ra.status_code == rb.status_code == 303
    assert "err=" in rb.headers["location"] and "err=" not in ra.headers["location"]
    page = b.get(rb.headers["location"]).text
    assert "someone else" in page
    ds = decisions(review_db)
    assert [(d.action, d.by) for d in ds] == [("ignore", "ann")]


def test_login_rate_limit(review_db):
    add_user(review_db, "rei", "reviewer")
    c = client_for(review_db)
    for _ in range(5):
        assert login(c, "rei", "wrong password!").status_code == 401
    assert login(c, "rei").status_code == 429  # even the right password, for a while


def test_expired_session_is_signed_out(review_db):
    from datetime import timedelta

    from gaibu.console.accounts import ConsoleSession
    from scanner.store import utcnow

    add_user(review_db, "rei", "reviewer")
    c = client_for(review_db)
    login(c, "rei")
    assert c.get("/findings").status_code == 200
    with Session(get_engine(resolve_url(review_db.db))) as s:
        for row in s.exec(select(ConsoleSession)):
            row.expires_at = utcnow() - timedelta(minutes=1)
            s.add(row)
        s.commit()
    assert c.get("/findings").status_code == 303


def test_password_is_stored_only_as_argon2(review_db):
    add_user(review_db, "rei", "admin")
    raw = (review_db.dir / "gaibu.db").read_bytes()
    wal = review_db.dir / "gaibu.db-wal"
    if wal.exists():
        raw += wal.read_bytes()
    assert PASSWORD.encode() not in raw
    assert b"$argon2id$" in raw


def test_non_loopback_bind_without_accounts_is_refused(review_db):
    r = review_db.gaibu("console", "--host", "0.0.0.0", "--port", "1")
    assert r.returncode == 1
    assert "refusing to listen on 0.0.0.0" in r.stderr and "Traceback" not in r.stderr


def test_trusted_proxy_header(review_db):
    add_user(review_db, "sso-user@example.jp", "reviewer")
    c = client_for(review_db, trusted_proxy_header="X-Forwarded-User")
    assert c.get("/findings").status_code == 403
    assert c.get("/findings", headers={"x-forwarded-user": "stranger"}).status_code == 403
    r = c.get("/findings", headers={"x-forwarded-user": "sso-user@example.jp"})
    assert r.status_code == 200 and "sso-user@example.jp" in r.text


def test_hostile_strings_are_escaped(review_db):
    c = client_for(review_db)
    fid = finding_id(review_db, "kumo-tracker.jp")
    page = c.get(f"/findings/{fid}").text
    for raw in (XSS_PARAM, XSS_COOKIE, "<script>window.__xss=1</script>"):
        assert raw not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # the cookie name, as text
    assert "onerror" in page  # present, but only as escaped text
    assert "<img" not in page


def test_new_service_form_is_linted_then_creates_and_assigns(review_db):
    c = client_for(review_db)
    fid = finding_id(review_db, "nazo-ads.jp")
    token = csrf_of(c, f"/findings/{fid}/new-service")
    form = {"csrf": token, "version": "0", "id": "nazo-ads", "new_provider_id": "nazo",
            "new_provider_name_ja": "株式会社ナゾ", "new_provider_name_en": "Nazo Inc.",
            "new_provider_country": "JP", "name_ja": "ナゾ広告", "name_en": "Nazo Ads",
            "category": "advertising", "platform_app": "1",
            "information_ja": "広告ID\n閲覧したページのURL等", "information_en": "Ad ID\nPage URL",
            "purpose_ja": "広告を配信するため。", "purpose_en": "To show ads.",
            "recipient_use_ja": "ナゾ社は広告の配信に利用します。",
            "recipient_use_en": "Nazo uses it to deliver ads.",
            "privacy_policy_url": "javascript:alert(1)", "stop_kind": "limit",
            "stop_url": "https://nazo.example.jp/optout"}
    r = c.post(f"/findings/{fid}/new-service", data=form)
    assert r.status_code == 422
    assert "privacy_policy_url" in r.text
    form["privacy_policy_url"] = "https://nazo.example.jp/privacy"
    r = c.post(f"/findings/{fid}/new-service", data=form)
    assert r.status_code == 422 and "等" in r.text and "vague" in r.text
    form["information_ja"] = "広告ID\n閲覧したページのURL"
    r = c.post(f"/findings/{fid}/new-service", data=form)
    assert r.status_code == 303, r.text
    with Session(get_engine(resolve_url(review_db.db))) as s:
        sv = s.get(Service, "nazo-ads")
        assert sv is not None and sv.source == "review" and sv.stop == {
            "kind": "limit", "url": "https://nazo.example.jp/optout"}
        f = s.get(Finding, fid)
        assert f is not None and (f.status, f.service_id) == ("assigned", "nazo-ads")
    # the same decision path as the CLI: it shows in `review show`
    r = review_db.gaibu("review", "show", "nazo-ads.jp", "--json")
    assert '"new_service"' in r.stdout


def test_edit_service_texts_with_audit_trail_survives_registry_load(review_db):
    c = client_for(review_db)
    token = csrf_of(c, "/registry/google-analytics")
    with Session(get_engine(resolve_url(review_db.db))) as s:
        sv = s.get(Service, "google-analytics")
        assert sv is not None
        old_purpose = sv.purpose_ja
        info_ja = "\n".join(sv.information_ja)
    form = {"csrf": token, "version": "0", "purpose_ja": "当社サイトの利用状況を分析するためなど。"}
    r = c.post("/registry/google-analytics", data=form)
    assert r.status_code == 422 and "vague" in r.text
    form["purpose_ja"] = "当社サイトとアプリの利用状況を分析し、改善に役立てるため。"
    form["information_ja"] = info_ja
    assert c.post("/registry/google-analytics", data=form).status_code == 303
    stale = c.post("/registry/google-analytics", data={**form, "purpose_ja": "別の文章です。"})
    assert stale.status_code == 422 and "meantime" in stale.text  # version 0 is stale now
    with Session(get_engine(resolve_url(review_db.db))) as s:
        (e,) = s.exec(select(ServiceEdit)).all()
        assert (e.field, e.old, e.by) == ("purpose_ja", old_purpose, e.by)
    assert review_db.gaibu("registry", "load").returncode == 0
    with Session(get_engine(resolve_url(review_db.db))) as s:
        sv = s.get(Service, "google-analytics")
        assert sv is not None and sv.purpose_ja.startswith("当社サイトとアプリの利用状況")


def test_publish_is_refused_while_findings_are_pending_then_builds(review_db):
    c = client_for(review_db)
    page = c.get("/publish").text
    assert "disabled" in page and "kumo-tracker.jp" in page
    token = csrf_of(c, "/publish")
    r = c.post("/publish", data={"csrf": token})
    assert "err=" in r.headers["location"]
    assert not (review_db.dir / "public").exists()
    for key in ("kumo-tracker.jp", "nazo-ads.jp"):
        fid = finding_id(review_db, key)
        t = csrf_of(c, f"/findings/{fid}")
        c.post(f"/findings/{fid}/decide", data={"action": "ignore", "reason": "test", "csrf": t})
    preview = c.get("/publish/preview/app.html")
    if preview.status_code == 404:
        preview = c.get("/publish/preview/app/index.html")
    assert preview.status_code == 200 and "Google" in preview.text
    r = c.post("/publish", data={"csrf": csrf_of(c, "/publish")})
    assert "msg=" in r.headers["location"], r.headers["location"]
    assert (review_db.dir / "public" / "index.html").exists()
