"""A local 'internet' for the offline demo and tests: many hostnames served from loopback.

Chromium is pointed at it with --host-resolver-rules (see `LocalNet.chromium_args`), so pages can
use production-looking URLs such as https://www.google-analytics.com/g/collect while no packet
leaves 127.0.0.1. HTTPS uses a self-signed certificate made at start.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    scheme: str
    host: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.path}"

    def cookie(self, name: str) -> str | None:
        for part in self.headers.get("cookie", "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == name:
                return v
        return None


@dataclass
class Response:
    status: int = 200
    body: bytes | str = b""
    content_type: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to wait before answering
    hang: bool = False  # never answer (until the server stops)


Handler = Callable[[Request], "Response | None"]

PIXEL_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
             b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")


def static_site(root: str | Path, routes: dict[str, Handler] | None = None,
                headers: dict[str, list[tuple[str, str]]] | None = None) -> Handler:
    """Serve files under `root`; `routes` (exact path → handler) take precedence."""
    base = Path(root).resolve()
    routes = routes or {}
    extra = headers or {}

    def handle(req: Request) -> Response | None:
        path = req.path.split("?", 1)[0]
        if path in routes:
            return routes[path](req)
        target = (base / path.lstrip("/")).resolve()
        if not str(target).startswith(str(base)):
            return Response(403, b"forbidden")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return None
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return Response(200, target.read_bytes(), ctype, list(extra.get(path, [])))

    return handle


def router(routes: dict[str, Handler], fallback: Handler | None = None) -> Handler:
    """Dispatch on the request path (query ignored): exact keys, or prefixes ending in '*'.

    The longest matching prefix wins; an exact key beats any prefix. Unmatched paths go to
    `fallback` (404 when there is none).
    """
    exact = {k: h for k, h in routes.items() if not k.endswith("*")}
    prefixes = sorted(((k[:-1], h) for k, h in routes.items() if k.endswith("*")),
                      key=lambda kv: len(kv[0]), reverse=True)

    def handle(req: Request) -> Response | None:
        path = req.path.split("?", 1)[0]
        if path in exact:
            return exact[path](req)
        for prefix, h in prefixes:
            if path.startswith(prefix):
                return h(req)
        return fallback(req) if fallback else None

    return handle


def _make_cert(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gaibu local net")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class _Server(ThreadingHTTPServer):
    """Threading server that does the TLS handshake in the connection's thread, not the accept loop."""

    ssl_context: ssl.SSLContext | None = None

    def finish_request(self, request, client_address):  # type: ignore[no-untyped-def]
        if self.ssl_context is not None:
            try:
                request.settimeout(30)
                request = self.ssl_context.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        pass  # clients that hang up early are normal for a browser


class LocalNet:
    """Virtual hosts on one HTTP and one HTTPS port on 127.0.0.1."""

    def __init__(self) -> None:
        self.hosts: dict[str, Handler] = {}
        self.log: list[tuple[str, str, str]] = []  # (method, host, path) of every request
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._servers: list[ThreadingHTTPServer] = []
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.http_port = 0
        self.https_port = 0

    # -- configuration -------------------------------------------------------------------------
    def add(self, host: str, handler: Handler) -> None:
        """Route `host` ('www.example.com' or '*.example.com') to `handler`."""
        self.hosts[host.lower()] = handler

    def handler_for(self, host: str) -> Handler | None:
        host = host.lower()
        if host in self.hosts:
            return self.hosts[host]
        labels = host.split(".")
        for i in range(1, len(labels)):
            h = self.hosts.get("*." + ".".join(labels[i:]))
            if h:
                return h
        return self.hosts.get("*")

    def requests_to(self, host: str) -> list[tuple[str, str, str]]:
        with self._lock:
            return [r for r in self.log if r[1] == host]

    def hosts_seen(self) -> set[str]:
        """Every Host header this net has answered (registered or not)."""
        with self._lock:
            return {r[1] for r in self.log}

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> LocalNet:
        self._tmp = tempfile.TemporaryDirectory(prefix="gaibu-localnet-")
        cert, key = _make_cert(Path(self._tmp.name))
        http = self._server("http")
        https = self._server("https")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        https.ssl_context = ctx  # type: ignore[attr-defined]
        self.http_port = http.server_address[1]
        self.https_port = https.server_address[1]
        for srv in (http, https):
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                             daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        self._servers.clear()
        if self._tmp:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> LocalNet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def resolver_rules(self) -> str:
        return (f"MAP *:80 127.0.0.1:{self.http_port}, MAP *:443 127.0.0.1:{self.https_port}, "
                "EXCLUDE localhost")

    @property
    def chromium_args(self) -> list[str]:
        """Browser args that send every hostname to this server (and nowhere else)."""
        return [f"--host-resolver-rules={self.resolver_rules}"]

    # -- internals -----------------------------------------------------------------------------
    def _server(self, scheme: str) -> ThreadingHTTPServer:
        net = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "gaibu-localnet"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(self.command, scheme, host, self.path, parse_qs(parts.query),
                              {k.lower(): v for k, v in self.headers.items()}, body)
                with net._lock:
                    net.log.append((self.command, host, parts.path))
                handler = net.handler_for(host)
                try:
                    resp = handler(req) if handler else None
                except Exception as e:  # a fixture bug should show, not hang the browser
                    resp = Response(500, f"handler error: {e!r}".encode())
                if resp is None:
                    resp = Response(404, b"not found", "text/plain")
                if resp.hang:
                    net._stopped.wait()
                    return
                if resp.delay:
                    net._stopped.wait(resp.delay)
                body_b = resp.body.encode() if isinstance(resp.body, str) else resp.body
                try:
                    self.send_response(resp.status)
                    ctype = resp.content_type or "text/html; charset=utf-8"
                    if resp.status not in (204, 304):
                        self.send_header("Content-Type", ctype)
                        self.send_header("Content-Length", str(len(body_b)))
                    for k, v in resp.headers:
                        self.send_header(k, v)
                    self.end_headers()
                    if self.command != "HEAD" and resp.status not in (204, 304):
                        self.wfile.write(body_b)
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
                    pass

            do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = _handle

        srv = _Server(("127.0.0.1", 0), _H, bind_and_activate=False)
        srv.daemon_threads = True
        srv.request_queue_size = 256
        srv.allow_reuse_address = True
        srv.server_bind()
        srv.server_activate()
        self._servers.append(srv)
        return srv
