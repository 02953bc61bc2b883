"""`gaibu console` and `gaibu user …`: the review console's command-line face."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gaibu.cli import EXIT_USAGE, Ctx, DbOpt, TargetsOpt, app, fail, out

user_app = typer.Typer(help="Console accounts (roles: viewer, reviewer, publisher, admin).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command()
def console(
    targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None,
    host: Annotated[str, typer.Option("--host", help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8470,
    trusted_proxy_header: Annotated[str | None, typer.Option(
        "--trusted-proxy-header", help="take the user from this header of an authenticating "
        "reverse proxy (SSO); the user must exist (gaibu user add)")] = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="a Host name the console answers to besides the bind address "
        "(repeatable; e.g. the proxy's public name)")] = None,
    secure_cookies: Annotated[bool, typer.Option(
        "--secure-cookies", help="mark cookies Secure (served over HTTPS by a proxy)")] = False,
) -> None:
    """The review console in the browser: findings, evidence, decisions, registry, publication."""
    import uvicorn

    from gaibu.console.accounts import has_users
    from gaibu.console.app import ConsoleConfig, check_bind, create_app

    ctx = Ctx(targets, db, need_targets=False)
    t = ctx.maybe_targets()
    engine = ctx.engine
    header = trusted_proxy_header
    if header is None and t is not None:
        header = getattr(getattr(t, "console", None), "trusted_proxy_header", None)
    check_bind(host, has_users(engine), header)
    cfg = ConsoleConfig(engine=engine, targets=t, host=host, port=port,
                        trusted_proxy_header=header, allowed_hosts=list(allowed_host or []),
                        secure_cookies=secure_cookies)
    shown = f"[{host}]" if ":" in host else host
    out.print(f"gaibu console on http://{shown}:{port}/ (Ctrl-C to stop)", markup=False)
    uvicorn.run(create_app(cfg), host=host, port=port, log_level="warning",
                server_header=False, date_header=False, proxy_headers=False)


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    pw = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return str(pw)


@user_app.command("add")
def user_add(name: str,
             role: Annotated[str, typer.Option("--role", help="viewer | reviewer | publisher | admin")],
             targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Add a console user; the password is read from standard input (or prompted)."""
    from gaibu.console.accounts import add_user

    ctx = Ctx(targets, db, need_targets=False)
    password = _read_password()
    if not password:
        raise fail("no password given on standard input", EXIT_USAGE)
    u = add_user(ctx.engine, name, role, password)
    out.print(f"user {u.name} ({u.role}) added", markup=False)


@user_app.command("list")
def user_list(targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Console users and their roles."""
    from gaibu.console.accounts import list_users

    ctx = Ctx(targets, db, need_targets=False)
    for u in list_users(ctx.engine):
        state = "\tdisabled" if u.disabled else ""
        out.print(f"{u.name}\t{u.role}{state}", markup=False)


@user_app.command("set")
def user_set(name: str,
             role: Annotated[str | None, typer.Option("--role")] = None,
             disable: Annotated[bool | None, typer.Option("--disable/--enable")] = None,
             targets: TargetsOpt = Path("targets.yaml"), db: DbOpt = None) -> None:
    """Change a user's role, or disable (sign out everywhere) / enable them."""
    from gaibu.console.accounts import set_role

    ctx = Ctx(targets, db, need_targets=False)
    u = set_role(ctx.engine, name, role, disable)
    out.print(f"user {u.name}: {u.role}{', disabled' if u.disabled else ''}", markup=False)
