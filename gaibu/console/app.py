"""The review console: a server-rendered web application over the same use cases as the CLI.

Screens (stable URLs): ``/`` dashboard, ``/findings`` queue, ``/findings/{id}`` evidence and
actions, ``/findings/{id}/new-service`` form, ``/registry`` services, ``/registry/{id}`` one
service (edit its public texts), ``/listings``, ``/scans``, ``/scans/{id}``, ``/publish``
(preview under ``/publish/preview/…``, publish by POST), ``/users`` (admin), ``/login``.

No JavaScript: every action is an HTML form (POST + redirect), so it works in any browser and
under a CSP that allows no script at all. Japanese first; ``?lang=en`` switches (kept in a
cookie). Everything shown that came from a crawled page is escaped by Jinja's autoescape.

Who acts: with accounts (``gaibu user add``), a signed-in user; with
``trusted_proxy_header``, the user an authenticating reverse proxy names (who must exist as an
account, for the role); with neither, the OS user, single-user, and only on loopback.
"""

from __future__ import annotations

import getpass
import mimetypes
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from gaibu.console import accounts as acc
from gaibu.console.i18n import STRINGS
from gaibu.console.security import (
    LOOPBACK_NAMES,
    PREVIEW_CSP,
    HardeningMiddleware,
    is_loopback,
    same_origin,
)
from scanner.errors import GaibuError

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "gaibu_session"
CSRF_COOKIE = "gaibu_csrf"
LANG_COOKIE = "gaibu_lang"
MAX_FORM_BYTES = 256 * 1024


@dataclass
class ConsoleConfig:
    engine: Engine
    targets: Any  # scanner.config.Targets or None (no targets file: no publication)
    host: str = "127.0.0.1"
    port: int = 8470
    trusted_proxy_header: str | None = None
    allowed_hosts: list[str] = field(default_factory=list)
    secure_cookies: bool = False  # behind an HTTPS proxy


@dataclass
class Actor:
    name: str
    role: str
    csrf: str
    mode: str  # account | proxy | local


class ConsoleError(GaibuError):
    pass


def check_bind(host: str, has_accounts: bool, trusted_proxy_header: str | None) -> None:
    """A console reachable from other machines needs accounts or an authenticating proxy."""
    if not is_loopback(host) and not has_accounts and not trusted_proxy_header:
        raise ConsoleError(
            f"refusing to listen on {host}: without accounts anyone who can reach it could "
            "decide findings. Add a user first (gaibu user add NAME --role admin) or set "
            "console.trusted_proxy_header behind an authenticating proxy, or bind 127.0.0.1")


def create_app(cfg: ConsoleConfig) -> Starlette:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    limiter = acc.RateLimiter()
    allowed = set(cfg.allowed_hosts)
    allowed.add(cfg.host.lower())
    if is_loopback(cfg.host) or cfg.host in ("0.0.0.0", "::"):
        allowed |= set(LOOPBACK_NAMES)

    # -- who is asking ------------------------------------------------------------------------
    def actor(request: Request) -> Actor | None:
        if cfg.trusted_proxy_header:
            name = request.headers.get(cfg.trusted_proxy_header)
            if not name:
                return None
            with Session(cfg.engine) as s:
                u = s.exec(select(acc.ConsoleUser).where(
                    acc.ConsoleUser.name == name.strip().lower())).first()
            if u is None or u.disabled:
                return None
            return Actor(u.name, u.role, request.cookies.get(CSRF_COOKIE) or "", "proxy")
        if acc.has_users(cfg.engine):
            found = acc.session_user(cfg.engine, request.cookies.get(SESSION_COOKIE))
            if found is None:
                return None
            u, sess = found
            return Actor(u.name, u.role, sess.csrf, "account")
        client = request.client.host if request.client else ""
        if not is_loopback(client):
            return None
        try:
            me = getpass.getuser()
        except Exception:  # pragma: no cover
            me = "local"
        return Actor(me, "admin", request.cookies.get(CSRF_COOKIE) or "", "local")

    def lang_of(request: Request) -> str:
        q = request.query_params.get("lang")
        if q in ("ja", "en"):
            return q
        c = request.cookies.get(LANG_COOKIE)
        return c if c in ("ja", "en") else "ja"

    def render(request: Request, name: str, who: Actor | None, status: int = 200,
               **ctx: Any) -> HTMLResponse:
        lang = lang_of(request)
        csrf = who.csrf if who else ""
        new_csrf = None
        if who and who.mode in ("local", "proxy") and not csrf:
            new_csrf = csrf = secrets.token_urlsafe(32)
            who.csrf = csrf
        html = env.get_template(name).render(
            t=STRINGS[lang], lang=lang, who=who, csrf=csrf, path=request.url.path,
            query=dict(request.query_params),
            can=lambda role: who is not None and acc.role_at_least(who.role, role),
            flash=request.query_params.get("msg"),
            error=request.query_params.get("err"), **ctx)
        resp = HTMLResponse(html, status_code=status)
        if request.query_params.get("lang") in ("ja", "en"):
            resp.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict",
                            secure=cfg.secure_cookies, max_age=365 * 86400)
        if new_csrf:
            resp.set_cookie(CSRF_COOKIE, new_csrf, httponly=True, samesite="strict",
                            secure=cfg.secure_cookies)
        return resp

    def need(request: Request, role: str = "viewer") -> Actor:
        who = actor(request)
        if who is None:
            raise HTTPException(303 if not cfg.trusted_proxy_header else 403,
                                headers={"location": "/login?" + urlencode(
                                    {"next": request.url.path})}
                                if not cfg.trusted_proxy_header else None)
        if not acc.role_at_least(who.role, role):
            raise HTTPException(403, f"your role ({who.role}) cannot do this; {role} needed")
        return who

    async def form_of(request: Request, who: Actor | None) -> FormData:
        """The POSTed form after the CSRF and origin checks."""
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            raise HTTPException(413, "form too large")
        if not same_origin(request.headers, request.url.scheme):
            raise HTTPException(403, "cross-site request refused")
        form = await request.form(max_files=0, max_fields=200)
        token = form.get("csrf")
        expected = who.csrf if who else request.cookies.get(CSRF_COOKIE)
        if not acc.same(str(token) if token else None, expected):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")
        return form

    def back(url: str, msg: str | None = None, err: str | None = None) -> RedirectResponse:
        params = {k: v for k, v in (("msg", msg), ("err", err)) if v}
        return RedirectResponse(url + ("?" + urlencode(params) if params else ""), status_code=303)

    # -- sign-in --------------------------------------------------------------------------------
    async def login(request: Request) -> Response:
        nxt = request.query_params.get("next") or "/"
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/"
        if request.method == "GET":
            return render(request, "login.html", None, next=nxt,
                          accounts=acc.has_users(cfg.engine))
        if not same_origin(request.headers, request.url.scheme):
            raise HTTPException(403, "cross-site request refused")
        form = await request.form(max_files=0, max_fields=10)
        name = str(form.get("name") or "")[:100].strip().lower()
        password = str(form.get("password") or "")[:1000]
        client = request.client.host if request.client else "?"
        keys = (f"user:{name}", f"ip:{client}")
        if limiter.blocked(*keys):
            return render(request, "login.html", None, status=429, next=nxt, accounts=True,
                          login_error=STRINGS[lang_of(request)]["login_blocked"])
        u = acc.authenticate(cfg.engine, name, password)
        if u is None:
            limiter.fail(*keys)
            return render(request, "login.html", None, status=401, next=nxt, accounts=True,
                          login_error=STRINGS[lang_of(request)]["login_failed"])
        limiter.reset(*keys)
        token, _ = acc.open_session(cfg.engine, u)
        resp = RedirectResponse(nxt, status_code=303)
        resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=cfg.secure_cookies, max_age=acc.SESSION_HOURS * 3600)
        return resp

    async def logout(request: Request) -> Response:
        who = actor(request)
        await form_of(request, who)
        acc.close_session(cfg.engine, request.cookies.get(SESSION_COOKIE))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    # -- screens --------------------------------------------------------------------------------
    async def dashboard(request: Request) -> Response:
        who = need(request)
        from gaibu.console import views
        return render(request, "dashboard.html", who, **views.dashboard(cfg.engine, cfg.targets))

    async def findings(request: Request) -> Response:
        who = need(request)
        from gaibu.commands.review import QueueFilter, queue
        qp = request.query_params
        flt = QueueFilter(status=qp.get("status") or "pending", property=qp.get("property") or None,
                          category=qp.get("category") or None, device=qp.get("device") or None,
                          phase=qp.get("phase") or None, q=(qp.get("q") or "")[:200] or None)
        try:
            q = queue(cfg.engine, flt, limit=200)
        except GaibuError as e:
            raise HTTPException(400, str(e)) from None
        props = [p.name for p in cfg.targets.properties] if cfg.targets else []
        return render(request, "findings.html", who, queue=q, flt=flt, properties=props)

    async def finding(request: Request) -> Response:
        who = need(request)
        from gaibu.commands.review import detail
        from registry.models import Service
        fid = request.path_params["fid"]
        try:
            d = detail(cfg.engine, str(fid))
        except GaibuError:
            raise HTTPException(404, "no such finding") from None
        with Session(cfg.engine) as s:
            services = [(sv.id, sv.name_ja, sv.name_en)
                        for sv in s.exec(select(Service).order_by(Service.id)).all()]
        return render(request, "finding.html", who, d=d, services=services)

    async def decide_route(request: Request) -> Response:
        who = need(request, "reviewer")
        form = await form_of(request, who)
        from gaibu.commands.review import Conflict, decide
        fid = request.path_params["fid"]
        action = str(form.get("action") or "")
        version = form.get("version")
        try:
            expected = int(str(version)) if version not in (None, "") else None
        except ValueError:
            expected = None
        dec_id = form.get("decision")
        try:
            res = decide(cfg.engine, action, str(fid), by=who.name,
                         reason=str(form.get("reason") or "").strip()[:2000] or None,
                         service_id=str(form.get("service") or "").strip() or None,
                         rule=str(form.get("rule") or "").strip() or None,
                         decision_id=int(str(dec_id)) if dec_id and str(dec_id).isdigit() else None,
                         expected_version=expected, removal_after=_removal_after())
        except Conflict as e:
            return back(f"/findings/{fid}", err=str(e))
        except GaibuError as e:
            return back(f"/findings/{fid}", err=str(e))
        return back(f"/findings/{fid}", msg=f"#{res.decision_id} {res.action}: "
                    f"{res.previous_status} → {res.new_status}")

    def _removal_after() -> int:
        t = cfg.targets
        return t.site.removal_after_scans if t else 3

    async def new_service_route(request: Request) -> Response:
        from gaibu.commands.review import detail
        from gaibu.console import views
        fid = request.path_params["fid"]
        if request.method == "GET":
            who = need(request, "reviewer")
            try:
                d = detail(cfg.engine, str(fid))
            except GaibuError:
                raise HTTPException(404, "no such finding") from None
            return render(request, "new_service.html", who, d=d, values=views.service_form_defaults(d),
                          problems=[], **views.form_choices(cfg.engine))
        who = need(request, "reviewer")
        form = await form_of(request, who)
        d = detail(cfg.engine, str(fid))
        values = {k: str(v) for k, v in form.items() if k != "csrf"}
        try:
            prov, spec = views.spec_from_form(values)
            problems = views.lint_service(spec)
        except ValidationError as e:
            problems = views.validation_problems(e)
            prov = spec = None  # type: ignore[assignment]
        except GaibuError as e:
            problems = [str(e)]
            prov = spec = None  # type: ignore[assignment]
        if problems or spec is None:
            return render(request, "new_service.html", who, status=422, d=d, values=values,
                          problems=problems, **views.form_choices(cfg.engine))
        from gaibu.commands.review import Conflict
        try:
            res = views.create_service(cfg.engine, d, prov, spec, who.name,
                                       values.get("reason") or None,
                                       int(values.get("version") or 0), _removal_after())
        except (Conflict, GaibuError) as e:
            return render(request, "new_service.html", who, status=409, d=d, values=values,
                          problems=[str(e)], **views.form_choices(cfg.engine))
        return back(f"/findings/{fid}", msg=f"#{res} new service {spec.id}")

    async def registry_list(request: Request) -> Response:
        who = need(request)
        from gaibu.console import views
        return render(request, "registry.html", who,
                      **views.registry_list(cfg.engine, (request.query_params.get("q") or "")[:200]))

    async def service_page(request: Request) -> Response:
        from gaibu.console import views
        sid = request.path_params["sid"]
        if request.method == "GET":
            who = need(request)
            data = views.service_detail(cfg.engine, sid)
            if data is None:
                raise HTTPException(404, "no such service")
            return render(request, "service.html", who, problems=[], **data)
        who = need(request, "reviewer")
        form = await form_of(request, who)
        values = {k: str(v) for k, v in form.items() if k != "csrf"}
        problems = views.edit_service(cfg.engine, sid, values, who.name)
        if problems:
            data = views.service_detail(cfg.engine, sid)
            if data is None:
                raise HTTPException(404, "no such service")
            return render(request, "service.html", who, status=422, problems=problems, **data)
        return back(f"/registry/{sid}", msg="saved")

    async def listings(request: Request) -> Response:
        who = need(request)
        from gaibu.console import views
        return render(request, "listings.html", who, **views.listings(cfg.engine))

    async def scans(request: Request) -> Response:
        who = need(request)
        from gaibu.console import views
        return render(request, "scans.html", who, **views.scans(cfg.engine))

    async def scan_page(request: Request) -> Response:
        who = need(request)
        from gaibu.console import views
        data = views.scan_detail(cfg.engine, request.path_params["sid"])
        if data is None:
            raise HTTPException(404, "no such scan")
        return render(request, "scan.html", who, **data)

    async def publish(request: Request) -> Response:
        from gaibu.console import views
        if request.method == "GET":
            who = need(request)
            return render(request, "publish.html", who, **views.publication(cfg.engine, cfg.targets))
        who = need(request, "publisher")
        await form_of(request, who)
        try:
            msg = views.publish(cfg.engine, cfg.targets, who.name)
        except GaibuError as e:
            return back("/publish", err=str(e))
        return back("/publish", msg=msg)

    async def preview(request: Request) -> Response:
        need(request)
        from gaibu.console import views
        rel = request.path_params.get("path") or "index.html"
        if rel.endswith("/"):
            rel += "index.html"
        files = views.preview_files(cfg.engine, cfg.targets)
        data = files.get(rel)
        if data is None:
            raise HTTPException(404, "not a page of the public site")
        ctype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/json",):
            ctype += "; charset=utf-8"
        return Response(data, media_type=ctype, headers={"content-security-policy": PREVIEW_CSP})

    async def users(request: Request) -> Response:
        who = need(request, "admin")
        if request.method == "POST":
            form = await form_of(request, who)
            try:
                acc.set_role(cfg.engine, str(form.get("name") or ""),
                             role=str(form.get("role")) if form.get("role") else None,
                             disabled={"1": True, "0": False}.get(str(form.get("disabled") or "")))
            except GaibuError as e:
                return back("/users", err=str(e))
            return back("/users", msg="saved")
        return render(request, "users.html", who, users=acc.list_users(cfg.engine),
                      roles=acc.ROLES)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        types = {"console.css": "text/css; charset=utf-8", "favicon.svg": "image/svg+xml"}
        if name not in types:
            raise HTTPException(404)
        return Response((HERE / "static" / name).read_bytes(), media_type=types[name])

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["location"], status_code=303)
        who = None
        try:
            who = actor(request)
        except Exception:  # pragma: no cover
            who = None
        detail = str(exc.detail)
        if request.url.path.startswith("/static/"):
            return PlainTextResponse(detail, status_code=exc.status_code)
        return render(request, "error.html", who, status=exc.status_code, code=exc.status_code,
                      detail=detail)

    routes = [
        Route("/", dashboard),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/findings", findings),
        Route("/findings/{fid:int}", finding),
        Route("/findings/{fid:int}/decide", decide_route, methods=["POST"]),
        Route("/findings/{fid:int}/new-service", new_service_route, methods=["GET", "POST"]),
        Route("/registry", registry_list),
        Route("/registry/{sid}", service_page, methods=["GET", "POST"]),
        Route("/listings", listings),
        Route("/scans", scans),
        Route("/scans/{sid:int}", scan_page),
        Route("/publish", publish, methods=["GET", "POST"]),
        Route("/publish/preview/{path:path}", preview),
        Route("/users", users, methods=["GET", "POST"]),
        Route("/static/{name}", static),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.add_middleware(HardeningMiddleware, allowed_hosts=allowed)
    return app
