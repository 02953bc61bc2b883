"""Streaming HAR 1.2 importer: requests and cookies of a captured session as observation records.

Reads HAR files as written by Chrome/Firefox DevTools, Charles, Proxyman, mitmproxy, WebPageTest
and Playwright without loading them whole (ijson, two passes):

1. a scan of the JSON event stream collects ``log.creator``/``log.browser``, ``log.pages``
   (wherever they are in the file), counts entries, finds each page's first document request and
   validates the JSON syntax — so a truncated or broken file fails before any record is produced;
2. ``log.entries.item`` objects are then built one at a time and turned into
   :class:`RequestRecord` and :class:`CookieRecord` values.

Only names and attributes of cookies are kept, never their values; response bodies (base64 or
not) are never decoded. Every malformed input raises :class:`InputError` with the file, a JSON
path such as ``log.entries[17].request.url`` (plus the byte offset for syntax errors) and what
was expected.
"""

from __future__ import annotations

import codecs
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

import ijson

from scanner.aggregate import MAX_BODY_NAMES, body_param_names
from scanner.errors import InputError, clip
from scanner.importers import check_input_file
from scanner.leaks import LeakDetector
from scanner.observations import CookieRecord, RequestRecord
from scanner.party import registrable_domain
from scanner.setcookie import (
    SetCookie,
    cookie_names,
    default_path,
    domain_matches,
    normalise_same_site,
    parse_iso_time,
    parse_set_cookie,
)

__all__ = ["HarSummary", "HarReader", "read_har", "iter_har", "infer_resource_type"]

#: URL schemes that are network transmissions; data:, blob:, about:, chrome-extension: … are not.
NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})

# Limits (README "Limits on input files"). A HAR is streamed, so its size is not bounded; its
# nesting is: the parser keeps the JSON path of every open array/object, so memory grows with
# the square of the depth (20,000 levels took 1 GB). Real HARs nest about 10 levels deep
# (Chrome's `_initiator.stack.parent…` chains somewhat more).
#: arrays/objects open at once, anywhere in the file
MAX_HAR_DEPTH = 1000
#: length of the JSON path of one open array/object (keys included), in characters
MAX_HAR_PATH_CHARS = 10_000
#: bytes handed to the parser at a time: it turns a whole chunk into events (each with its path)
#: before the depth check sees the first one, so the chunk bounds the memory a bomb can take
#: first (about chunk × longest path); small chunks are no slower with the C backend
READ_CHUNK = 1024


@dataclass(frozen=True)
class HarSummary:
    """What the file says about itself: creator ('chrome-har 0.2.3'), browser, page/entry counts."""

    file: str
    creator: str | None
    browser: str | None
    pages: int
    entries: int


# --------------------------------------------------------------------------- resource types

_DEST_TYPES = {
    "document": "document", "iframe": "document", "frame": "document",
    "script": "script", "worker": "script", "sharedworker": "script", "serviceworker": "script",
    "audioworklet": "script", "paintworklet": "script", "xslt": "script",
    "style": "stylesheet", "image": "image", "font": "font",
    "audio": "media", "video": "media", "track": "media",
    "report": "ping", "embed": "other", "object": "other", "manifest": "other",
}
_EXT_TYPES = {
    "js": "script", "mjs": "script", "css": "stylesheet",
    "png": "image", "jpg": "image", "jpeg": "image", "gif": "image", "webp": "image",
    "svg": "image", "ico": "image", "avif": "image", "bmp": "image",
    "woff": "font", "woff2": "font", "ttf": "font", "otf": "font", "eot": "font",
    "mp4": "media", "webm": "media", "mp3": "media", "m3u8": "media", "m4a": "media",
    "ogg": "media", "html": "document", "htm": "document",
}
_NO_BODY = frozenset({204, 301, 302, 303, 307, 308})


def _type_from_extension(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    last = path.rsplit("/", 1)[-1]
    if "." not in last:
        return None
    return _EXT_TYPES.get(last.rsplit(".", 1)[-1].lower())


def _type_from_mime(mime: str) -> str | None:
    m = mime.split(";", 1)[0].strip().lower()
    if not m or m == "x-unknown":
        return None
    if m in ("text/html", "application/xhtml+xml"):
        return "document"
    if "javascript" in m or "ecmascript" in m:
        return "script"
    if m == "text/css":
        return "stylesheet"
    if m.startswith("image/"):
        return "image"
    if m.startswith("font/") or "font" in m or m == "application/vnd.ms-fontobject":
        return "font"
    if m.startswith(("audio/", "video/")) or "mpegurl" in m or m == "application/dash+xml":
        return "media"
    if m == "text/ping":
        return "ping"
    if ("json" in m or "xml" in m or m in ("text/plain", "text/event-stream")
            or m.startswith("application/x-protobuf")):
        return "xhr"
    return None


def infer_resource_type(url: str, declared: str | None = None, mime: str | None = None,
                        status: int | None = None, fetch_dest: str | None = None,
                        websocket: bool = False, requested_with: str | None = None,
                        request_content_type: str | None = None) -> str:
    """The request's type: document/script/image/stylesheet/font/xhr/fetch/media/ping/websocket/other.

    ``declared`` (Chrome's ``_resourceType``) wins; else the Sec-Fetch-Dest request header; else
    the response MIME type (not for redirects and 204s, whose body says nothing about the
    request); else
    the URL's file extension.
    """
    if websocket or url[:3].lower() == "ws:" or url[:4].lower() == "wss:":
        return "websocket"
    if declared:
        return declared.strip().lower()
    if fetch_dest:
        dest = fetch_dest.strip().lower()
        if dest == "empty":
            if request_content_type and request_content_type.lower().startswith("text/ping"):
                return "ping"
            if requested_with and requested_with.lower() == "xmlhttprequest":
                return "xhr"
            return "fetch"
        if dest in _DEST_TYPES:
            return _DEST_TYPES[dest]
    if status in _NO_BODY:  # the MIME type of a redirect or 204 says nothing about the request
        return _type_from_extension(url) or "other"
    if request_content_type and request_content_type.lower().startswith("text/ping"):
        return "ping"
    if mime:
        t = _type_from_mime(mime)
        if t:
            return t
    return _type_from_extension(url) or "other"


# --------------------------------------------------------------------------- file plumbing

class _CountingReader:
    """Binary file wrapper that counts bytes handed to ijson and keeps the last chunk.

    The count and the chunk let a syntax error be located at a byte offset.
    """

    def __init__(self, raw: IO[bytes], start: int) -> None:
        self._raw = raw
        self.consumed = start
        self.chunk_start = start
        self.chunk = b""

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        if data:
            self.chunk_start = self.consumed
            self.chunk = data
            self.consumed += len(data)
        return data


def _open(path: Path, file: str) -> tuple[IO[bytes], int]:
    """Open for reading, skip a UTF-8 byte order mark, refuse UTF-16/32 and empty files."""
    check_input_file(path, "a HAR file")
    raw = path.open("rb")
    head = raw.read(4)
    if not head.strip():
        rest = raw.read(4096)
        if not (head + rest).strip():
            raw.close()
            raise InputError(file, None, "not JSON: the file is empty; expected a HAR 1.2 "
                             "object {\"log\": {\"entries\": [...]}}")
    if head.startswith(codecs.BOM_UTF8):
        raw.seek(3)
        return raw, 3
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(head) >= 2 and 0 in head[:2]):
        raw.close()
        raise InputError(file, None, "not JSON in UTF-8: the file looks UTF-16 encoded; "
                         "re-save the HAR as UTF-8")
    raw.seek(0)
    return raw, 0


def _json_path(prefix: str, entry: int, page: int) -> str:
    """ijson prefix 'log.entries.item.request.headers.item' → 'log.entries[3].request.headers[]'."""
    if not prefix:
        return "(top level)"
    if prefix.startswith("log.entries.item"):
        rest = prefix[len("log.entries.item"):]
        return f"log.entries[{entry}]" + rest.replace(".item", "[]")
    if prefix.startswith("log.pages.item"):
        rest = prefix[len("log.pages.item"):]
        return f"log.pages[{page}]" + rest.replace(".item", "[]")
    return prefix.replace(".item", "[]")


_CONTEXT_COL = 40  # yajl renders the failing byte at this column of its context line


def _error_offset(message: str, reader: _CountingReader) -> int | None:
    """Locate a yajl error: find its context snippet inside the chunk being parsed."""
    lines = message.split("\n")
    if len(lines) < 3 or "^" not in lines[2]:
        return None
    context = lines[1]
    caret = lines[2].index("^")
    left = len(context) - len(context.lstrip(" "))
    snippet = context.strip(" ")
    if not snippet or caret < left:
        return None
    chunk = reader.chunk.replace(b"\r", b" ").replace(b"\n", b" ").decode("utf-8", "replace")
    pos = chunk.find(snippet)
    if pos < 0 or chunk.find(snippet, pos + 1) >= 0:
        return None
    char_pos = pos + (caret - left)
    return reader.chunk_start + len(chunk[:char_pos].encode("utf-8"))


# --------------------------------------------------------------------------- the reader

(_W_TOP, _W_LOG, _W_ENTRIES, _W_PAGES, _W_CREATOR, _W_BROWSER, _W_PAGE, _W_PAGE_ID,
 _W_PAGE_TITLE, _W_ENTRY, _W_PAGEREF, _W_URL, _W_RTYPE, _W_STATUS, _W_MIME, _W_WS,
 _W_HEADER_NAME, _W_HEADER_VALUE) = range(18)
_E = "log.entries.item"
_OPEN = frozenset({"start_map", "start_array"})
_CLOSE = frozenset({"end_map", "end_array"})
#: the only ijson prefixes the first pass looks at; every other event is skipped by one dict miss
_WATCH: dict[str | None, int] = {
    "": _W_TOP, "log": _W_LOG, "log.entries": _W_ENTRIES, "log.pages": _W_PAGES,
    "log.creator.name": _W_CREATOR, "log.creator.version": _W_CREATOR,
    "log.browser.name": _W_BROWSER, "log.browser.version": _W_BROWSER,
    "log.pages.item": _W_PAGE, "log.pages.item.id": _W_PAGE_ID,
    "log.pages.item.title": _W_PAGE_TITLE,
    _E: _W_ENTRY, f"{_E}.pageref": _W_PAGEREF, f"{_E}.request.url": _W_URL,
    f"{_E}._resourceType": _W_RTYPE, f"{_E}.response.status": _W_STATUS,
    f"{_E}.response.content.mimeType": _W_MIME, f"{_E}._webSocketMessages": _W_WS,
    f"{_E}.request.headers.item.name": _W_HEADER_NAME,
    f"{_E}.request.headers.item.value": _W_HEADER_VALUE,
}


@dataclass
class _EntryScan:
    pageref: str | None = None
    url: str | None = None
    declared: str | None = None
    mime: str | None = None
    status: int | None = None
    dest: str | None = None
    websocket: bool = False
    header_name: str | None = None


class HarReader:
    """Iterator over the records of one HAR file; ``summary`` is known once iteration has begun.

    Usage::

        reader = iter_har("session.har")
        for record in reader:
            ...
        reader.summary.entries
    """

    def __init__(self, path: str | Path, device: str = "mobile",
                 leaks: LeakDetector | None = None) -> None:
        self.leaks = leaks if leaks is not None and leaks.active else None
        self.path = Path(path)
        self.file = str(path)
        self.device = device
        self._summary: HarSummary | None = None
        self._page_urls: dict[str, str] = {}
        self._gen: Iterator[RequestRecord | CookieRecord] | None = None

    # -- public
    @property
    def summary(self) -> HarSummary:
        """Creator, browser and counts (runs the cheap first pass if iteration has not)."""
        if self._summary is None:
            self._scan()
        assert self._summary is not None
        return self._summary

    def __iter__(self) -> HarReader:
        return self

    def __next__(self) -> RequestRecord | CookieRecord:
        if self._gen is None:
            self._gen = self._records()
        return next(self._gen)

    # -- pass 1: metadata, pages, first documents, syntax
    def _scan(self) -> None:
        raw, start = _open(self.path, self.file)
        reader = _CountingReader(raw, start)
        watch = _WATCH
        creator: dict[str, str] = {}
        browser: dict[str, str] = {}
        titles: dict[str, str] = {}
        first_doc: dict[str, str] = {}
        n_entries = n_pages = 0
        page: dict[str, str] = {}
        cur = _EntryScan()
        has_log = has_entries = False
        prefix: str | None = None
        event: str = ""
        value: Any = None
        depth = 0
        try:
            with raw:
                for prefix, event, value in ijson.parse(reader, buf_size=READ_CHUNK, use_float=True):
                    if event in _OPEN:
                        depth += 1
                        if depth > MAX_HAR_DEPTH or len(prefix) > MAX_HAR_PATH_CHARS:
                            raise self._too_deep(prefix, depth, n_entries, n_pages)
                    elif event in _CLOSE:
                        depth -= 1
                    code = watch.get(prefix)
                    if code is None:
                        continue
                    if code == _W_HEADER_NAME:
                        cur.header_name = value.lower() if isinstance(value, str) else None
                    elif code == _W_HEADER_VALUE:
                        if cur.header_name == "sec-fetch-dest" and isinstance(value, str):
                            cur.dest = value
                    elif code == _W_ENTRY:
                        if event == "start_map":
                            n_entries += 1
                            cur = _EntryScan()
                        elif event == "end_map":
                            self._note_document(cur, first_doc)
                        elif event != "map_key":
                            raise InputError(self.file, f"log.entries[{n_entries}]",
                                             f"expected an entry object, got {_kind(event)}")
                    elif code == _W_PAGEREF:
                        cur.pageref = _as_key(value)
                    elif code == _W_URL:
                        cur.url = value if isinstance(value, str) else None
                    elif code == _W_RTYPE:
                        cur.declared = value if isinstance(value, str) else None
                    elif code == _W_STATUS:
                        cur.status = _as_status(value)
                    elif code == _W_MIME:
                        cur.mime = value if isinstance(value, str) else None
                    elif code == _W_WS:
                        if event == "start_array":
                            cur.websocket = True
                    elif code == _W_PAGE:
                        if event == "start_map":
                            page = {}
                            n_pages += 1
                        elif event == "end_map":
                            if "id" in page and "title" in page:
                                titles[page["id"]] = page["title"]
                        elif event != "map_key":
                            raise InputError(self.file, f"log.pages[{n_pages}]",
                                             f"expected a page object, got {_kind(event)}")
                    elif code == _W_PAGE_ID:
                        key = _as_key(value)
                        if key is not None:
                            page["id"] = key
                    elif code == _W_PAGE_TITLE:
                        if isinstance(value, str):
                            page["title"] = value
                    elif code == _W_TOP:
                        if event in ("start_array", "string", "number", "boolean", "null"):
                            raise InputError(self.file, "(top level)", (
                                f"not a HAR file: the top-level JSON value is {_kind(event)}; "
                                "expected an object {\"log\": {\"entries\": [...]}}"))
                        if event == "map_key" and value == "log":
                            has_log = True
                    elif code == _W_LOG:
                        if event == "map_key":
                            if value == "entries":
                                has_entries = True
                        elif event not in ("start_map", "end_map"):
                            raise InputError(self.file, "log",
                                             f"expected an object, got {_kind(event)}")
                    elif code == _W_ENTRIES:
                        if event not in ("start_array", "end_array"):
                            raise InputError(self.file, "log.entries",
                                             f"expected an array of entries, got {_kind(event)}")
                    elif code == _W_PAGES:
                        if event not in ("start_array", "end_array"):
                            raise InputError(self.file, "log.pages",
                                             f"expected an array of pages, got {_kind(event)}")
                    elif code == _W_CREATOR:
                        if isinstance(value, str | int | float):
                            creator[prefix[12:]] = str(value)
                    elif code == _W_BROWSER:
                        if isinstance(value, str | int | float):
                            browser[prefix[12:]] = str(value)
        except ijson.JSONError as e:
            if prefix is not None and event == "map_key" and isinstance(value, str):
                prefix = f"{prefix}.{value}" if prefix else value  # inside that member
            raise self._syntax_error(e, reader, prefix, n_entries, n_pages) from None
        if not has_log:
            raise InputError(self.file, "log", "not a HAR file: no \"log\" object at the top level")
        if not has_entries:
            raise InputError(self.file, "log.entries", "not a HAR file: no log.entries array")
        for pid, title in titles.items():
            if _is_page_url(title):
                self._page_urls[pid] = title
        for pid, url in first_doc.items():
            self._page_urls.setdefault(pid, url)
        self._summary = HarSummary(
            file=self.file, creator=_join(creator), browser=_join(browser),
            pages=n_pages, entries=n_entries)

    def _too_deep(self, prefix: str, depth: int, n_entries: int, n_pages: int) -> InputError:
        where = clip(_json_path(prefix, max(n_entries - 1, 0), max(n_pages - 1, 0)), 160)
        if depth > MAX_HAR_DEPTH:
            return InputError(self.file, where, (
                f"arrays/objects nested more than {MAX_HAR_DEPTH} levels deep (the limit); "
                "expected a HAR file (they nest about 10 levels)"))
        return InputError(self.file, where, (
            f"JSON path longer than {MAX_HAR_PATH_CHARS} characters (the limit: keys nested too "
            "deep or too long); expected a HAR file"))

    @staticmethod
    def _note_document(cur: _EntryScan, first_doc: dict[str, str]) -> None:
        if cur.pageref is None or cur.url is None or cur.pageref in first_doc:
            return
        t = infer_resource_type(cur.url, cur.declared, cur.mime, cur.status, cur.dest,
                                cur.websocket)
        if t == "document" and _scheme(cur.url) in ("http", "https"):
            first_doc[cur.pageref] = cur.url

    def _syntax_error(self, e: Exception, reader: _CountingReader, prefix: str | None,
                      n_entries: int, n_pages: int) -> InputError:
        msg = str(e)
        first = msg.split("\n", 1)[0].strip()
        no_value = prefix is None  # not even one JSON event was parsed
        where = _json_path(prefix or "", max(n_entries - 1, 0), max(n_pages - 1, 0))
        if "premature EOF" in first or "Incomplete JSON" in first:
            if no_value:
                return InputError(self.file, "(byte 0)", "not JSON: the file has no JSON value")
            inside = where
            m = re.match(r"log\.(entries|pages)\[\d+\]", where)
            if m:
                inside = m.group(0)
            return InputError(self.file, f"{where} (byte {reader.consumed})",
                              f"truncated JSON: the file ends inside {inside}")
        offset = _error_offset(msg, reader)
        at = f"byte {offset}" if offset is not None else (
            f"bytes {reader.chunk_start}-{reader.consumed}")
        if no_value:
            return InputError(self.file, f"({at})",
                              f"not JSON ({first}); expected a HAR 1.2 object")
        return InputError(self.file, f"{where} ({at})", f"invalid JSON: {first}")

    # -- pass 2: records
    def _records(self) -> Iterator[RequestRecord | CookieRecord]:
        if self._summary is None:
            self._scan()
        set_seen: set[tuple[str, str, str]] = set()
        set_domains: dict[str, set[str]] = {}
        sent: dict[tuple[str, str], str] = {}
        raw, start = _open(self.path, self.file)
        reader = _CountingReader(raw, start)
        index = -1
        try:
            with raw:
                for index, entry in enumerate(
                        ijson.items(reader, "log.entries.item", buf_size=READ_CHUNK,
                                    use_float=True)):
                    yield from self._entry(entry, index, set_seen, set_domains, sent)
        except ijson.JSONError as e:  # the file changed since the first pass
            where = f"log.entries[{index + 1}]"
            raise InputError(self.file, f"{where} (byte {reader.consumed})",
                             f"invalid JSON: {str(e).splitlines()[0]}") from None
        for (name, host), page_url in sent.items():
            if any(domain_matches(host, d.lstrip(".")) for d in set_domains.get(name, ())):
                continue
            yield CookieRecord(name=name, domain=host, path="/", set_by="unknown",
                               page_url=page_url, device=self.device)

    def _entry(self, entry: Any, i: int, set_seen: set[tuple[str, str, str]],
               set_domains: dict[str, set[str]], sent: dict[tuple[str, str], str],
               ) -> Iterator[RequestRecord | CookieRecord]:
        at = f"log.entries[{i}]"
        if not isinstance(entry, dict):
            raise InputError(self.file, at, f"expected an entry object, got {_pytype(entry)}")
        req = entry.get("request")
        if not isinstance(req, dict):
            raise InputError(self.file, f"{at}.request",
                             "expected a request object with method and url"
                             + ("" if req is None else f", got {_pytype(req)}"))
        if "url" not in req:
            raise InputError(self.file, f"{at}.request.url", "missing: expected a string URL")
        url = req["url"]
        if not isinstance(url, str):
            raise InputError(self.file, f"{at}.request.url",
                             f"expected a string URL, got {_pytype(url)}")
        scheme, host = self._check_url(url, f"{at}.request.url")
        if scheme not in NETWORK_SCHEMES:
            return
        method = req.get("method", "GET")
        if method is None:
            method = "GET"
        if not isinstance(method, str):
            raise InputError(self.file, f"{at}.request.method",
                             f"expected a string method, got {_pytype(method)}")
        resp = entry.get("response")
        if resp is None:
            resp = {}
        if not isinstance(resp, dict):
            raise InputError(self.file, f"{at}.response",
                             f"expected a response object, got {_pytype(resp)}")
        status_raw = resp.get("status")
        status = _as_status(status_raw)
        if not _is_status_like(status_raw):
            raise InputError(self.file, f"{at}.response.status",
                             f"expected an HTTP status number, got {_pytype(status_raw)}")
        req_headers = self._headers(req.get("headers"), f"{at}.request.headers")
        resp_headers = self._headers(resp.get("headers"), f"{at}.response.headers")
        content = resp.get("content")
        mime = None
        if isinstance(content, dict) and isinstance(content.get("mimeType"), str):
            mime = content["mimeType"]
        if mime is None:
            mime = _first(resp_headers, "content-type")
        declared = entry.get("_resourceType")
        if declared is not None and not isinstance(declared, str):
            raise InputError(self.file, f"{at}._resourceType",
                             f"expected a string, got {_pytype(declared)}")
        websocket = "_webSocketMessages" in entry
        rtype = infer_resource_type(
            url, declared, mime, status, _first(req_headers, "sec-fetch-dest"), websocket,
            _first(req_headers, "x-requested-with"), _first(req_headers, "content-type"))
        initiator = None
        init = entry.get("_initiator")
        if isinstance(init, dict) and isinstance(init.get("type"), str):
            initiator = init["type"]
        pageref = _as_key(entry.get("pageref"))
        page_url = self._page_urls.get(pageref, "") if pageref is not None else ""
        # read everything before yielding anything: a bad entry adds no record at all
        header_cookies: list[SetCookie] = []
        for value in _all(resp_headers, "set-cookie"):
            for line in value.split("\n"):
                sc = parse_set_cookie(line)
                if sc is not None:
                    header_cookies.append(sc)
        names_in_headers = {c.name for c in header_cookies}
        array_cookies = [c for c in self._cookie_array(resp.get("cookies"), f"{at}.response.cookies")
                         if c.name not in names_in_headers]
        sent_names = [c.name for c in self._cookie_array(req.get("cookies"), f"{at}.request.cookies")]
        for value in _all(req_headers, "cookie"):
            sent_names.extend(cookie_names(value))
        started = parse_iso_time(entry.get("startedDateTime"))

        yield RequestRecord(url=url, method=method.upper(), resource_type=rtype, status=status,
                            page_url=page_url, device=self.device, phase="none",
                            initiator=initiator,
                            body_params=_body_names(req.get("postData"),
                                                    _first(req_headers, "content-type")),
                            leaks=self._leaks(url, req, req_headers))
        for sc in header_cookies + array_cookies:  # cookies set by this response
            rec = self._cookie_record(sc, url, host, started, page_url)
            if rec is None:
                continue
            key = (rec.name, rec.domain, rec.path)
            set_domains.setdefault(rec.name, set()).add(rec.domain)
            if key in set_seen:
                continue
            set_seen.add(key)
            yield rec
        for name in sent_names:  # cookies sent with the request: decided at the end of the file
            sent.setdefault((name, host), page_url)

    def _check_url(self, url: str, where: str) -> tuple[str, str]:
        try:
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").lower()
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as e:
            raise InputError(self.file, where, f"unparseable URL {url[:200]!r}: {e}") from None
        scheme = parts.scheme.lower()
        if not scheme:
            raise InputError(self.file, where,
                             f"expected an absolute URL with a scheme, got {url[:200]!r}")
        if scheme in NETWORK_SCHEMES and not host:
            raise InputError(self.file, where, f"expected a URL with a host, got {url[:200]!r}")
        return scheme, host

    def _leaks(self, url: str, req: dict[str, Any], headers: Any) -> tuple[str, ...]:
        """The test identity in this request's URL, body and Cookie header (never kept)."""
        if self.leaks is None:
            return ()
        post = req.get("postData")
        text = None
        if isinstance(post, dict):
            if isinstance(post.get("text"), str):
                text = post["text"]
            elif isinstance(post.get("params"), list):
                text = "&".join(f"{p.get('name')}={p.get('value')}" for p in post["params"]
                                if isinstance(p, dict))
        cookie = "; ".join(_all(headers, "cookie"))
        cookies = req.get("cookies")
        if isinstance(cookies, list):
            cookie += "; " + "; ".join(f"{c.get('name')}={c.get('value')}" for c in cookies
                                       if isinstance(c, dict))
        return tuple(sorted(f"{x.kind}:{x.encoding}:{x.location}"
                            for x in self.leaks.scan(url, text, cookie.strip("; ") or None)))

    def _headers(self, headers: Any, where: str) -> list[tuple[str, str]]:
        if headers is None:
            return []
        if not isinstance(headers, list):
            raise InputError(self.file, where,
                             f"expected an array of {{name, value}} objects, got {_pytype(headers)}")
        out = []
        for k, h in enumerate(headers):
            if not isinstance(h, dict) or not isinstance(h.get("name"), str):
                raise InputError(self.file, f"{where}[{k}]",
                                 "expected a header object with a string name")
            v = h.get("value")
            out.append((h["name"].lower(), v if isinstance(v, str) else "" if v is None else str(v)))
        return out

    def _cookie_array(self, cookies: Any, where: str) -> list[SetCookie]:
        if cookies is None:
            return []
        if not isinstance(cookies, list):
            raise InputError(self.file, where,
                             f"expected an array of cookie objects, got {_pytype(cookies)}")
        out = []
        for k, c in enumerate(cookies):
            if not isinstance(c, dict) or not isinstance(c.get("name"), str):
                raise InputError(self.file, f"{where}[{k}]",
                                 "expected a cookie object with a string name")
            name = c["name"].strip()
            if not name:
                continue
            domain = c.get("domain")
            domain = domain.strip().lstrip(".").lower() if isinstance(domain, str) else ""
            path = c.get("path")
            out.append(SetCookie(
                name=name, domain=domain or None,
                path=path if isinstance(path, str) and path.startswith("/") else None,
                expires=parse_iso_time(c.get("expires")),
                http_only=c.get("httpOnly") is True, secure=c.get("secure") is True,
                same_site=normalise_same_site(c.get("sameSite"))))
        return out

    def _cookie_record(self, sc: SetCookie, url: str, host: str, started: float | None,
                       page_url: str) -> CookieRecord | None:
        if sc.domain is not None:
            if not domain_matches(host, sc.domain):
                return None  # a browser rejects a Domain the request host is not inside
            if _is_public_suffix(sc.domain):
                if host != sc.domain:
                    return None  # Domain=co.jp: rejected (RFC 6265 §5.3 step 5)
                domain = host
            else:
                domain = "." + sc.domain
        else:
            domain = host
        expires = sc.expires
        if sc.max_age is not None:  # Max-Age wins over Expires; it counts from the response
            base = started if started is not None else time.time()
            expires = base + sc.max_age if sc.max_age > 0 else base
        return CookieRecord(
            name=sc.name, domain=domain, path=sc.path or default_path(url), expires=expires,
            http_only=sc.http_only, secure=sc.secure, same_site=sc.same_site, set_by="header",
            setter_url=url, page_url=page_url, device=self.device, phase="none")


# --------------------------------------------------------------------------- helpers

def _kind(event: str) -> str:
    return {"start_array": "an array", "start_map": "an object", "string": "a string",
            "number": "a number", "boolean": "a boolean", "null": "null",
            "map_key": "a key"}.get(event, event)


def _pytype(v: object) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


def _as_key(v: object) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(int(v)) if float(v).is_integer() else str(v)
    return None


def _as_status(v: object) -> int | None:
    """HTTP status, None for 0/-1/missing (no response) or non-numbers."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        s = int(v)
    elif isinstance(v, str) and v.strip().lstrip("-").isdigit():
        s = int(v.strip())
    else:
        return None
    return s if s > 0 else None


def _is_status_like(v: object) -> bool:
    """None, a number or a numeric string ('' too): what a HAR writer may put in response.status."""
    if v is None:
        return True
    if isinstance(v, bool):
        return False
    if isinstance(v, int | float):
        return True
    return isinstance(v, str) and (not v.strip() or v.strip().lstrip("-").isdigit())


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    for k, v in headers:
        if k == name:
            return v
    return None


def _all(headers: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in headers if k == name]


def _join(d: dict[str, str]) -> str | None:
    s = " ".join(x for x in (d.get("name", "").strip(), d.get("version", "").strip()) if x)
    return s or None


def _is_public_suffix(domain: str) -> bool:
    """'co.jp', 'github.io' (the PSL with its private section, as browsers use it)."""
    probe = f"x.{domain}"
    return registrable_domain(probe, True) == probe


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].lower() if ":" in url else ""


_URL_TITLE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.I)


def _is_page_url(title: str) -> bool:
    return bool(_URL_TITLE.match(title.strip()))


# --------------------------------------------------------------------------- public API

def iter_har(path: str | Path, device: str = "mobile",
             leaks: LeakDetector | None = None) -> HarReader:
    """Stream the records of a HAR file: RequestRecord per entry, CookieRecord per cookie.

    Records are produced one entry at a time (the caller may drop them as it goes); cookies that
    were only *sent* (never seen set in this file) come last. ``.summary`` holds the
    :class:`HarSummary`. Raises :class:`InputError` during iteration for a malformed file —
    before the first record for syntax errors, truncation and a missing ``log.entries``.
    """
    return HarReader(path, device, leaks)


def read_har(path: str | Path, device: str = "mobile",
             ) -> tuple[HarSummary, list[RequestRecord], list[CookieRecord]]:
    """Read a whole HAR file: its summary, its requests and its cookies (see :func:`iter_har`)."""
    reader = iter_har(path, device)
    requests: list[RequestRecord] = []
    cookies: list[CookieRecord] = []
    for rec in reader:
        if isinstance(rec, RequestRecord):
            requests.append(rec)
        else:
            cookies.append(rec)
    return reader.summary, requests, cookies


def _body_names(post: Any, content_type: str | None) -> tuple[str, ...]:
    """Names (never values) of a HAR request body: its `params` list, else parsed from `text`."""
    if not isinstance(post, dict):
        return ()
    params = post.get("params")
    if isinstance(params, list) and params:
        names = [p["name"] for p in params
                 if isinstance(p, dict) and isinstance(p.get("name"), str)]
        return body_param_names("&".join(f"{quote(n, safe='[]')}=" for n in names[:MAX_BODY_NAMES]),
                                "application/x-www-form-urlencoded")
    text = post.get("text")
    mime = post.get("mimeType") if isinstance(post.get("mimeType"), str) else content_type
    return body_param_names(text, mime) if isinstance(text, str) else ()
