"""The interface every SDK manifest reader implements, and helpers they share.

One module per manifest format (gradle, version_catalog, podfile_lock, package_resolved,
pubspec_lock, package_json, nuget) subclasses :class:`ManifestReader`; ``scanner.importers.sdk``
picks one by file name (then by content) and calls :meth:`ManifestReader.read`.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from pathlib import Path

from scanner.errors import InputError
from scanner.importers.sdk.classify import hint_for
from scanner.observations import SdkRecord

__all__ = ["ManifestReader", "sdk", "read_text", "read_bytes", "line_of", "json_load", "dedupe",
           "check_nesting", "MAX_MANIFEST_BYTES", "MAX_NESTING", "KNOWN_MANIFESTS"]

# Limits on manifest files (README "Limits on input files"); the Gradle evaluator has its own
# in gradle.py and YAML lock files those of scanner.yamlloc.
#: size of one manifest file; real ones are a few KiB to a few hundred KiB
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
#: arrays/objects/tables (JSON, TOML) or brackets (Gradle) open at once; real ones nest < 10
MAX_NESTING = 100

KNOWN_MANIFESTS = ("build.gradle, build.gradle.kts, gradle/libs.versions.toml, Podfile.lock, "
                   "Package.resolved, pubspec.lock, package.json, *.csproj, packages.config")


class ManifestReader(ABC):
    """Reads one kind of app dependency manifest into SdkRecords."""

    #: short name of the format ('gradle', 'podfile-lock', …)
    name: str = ""

    @abstractmethod
    def matches(self, path: Path, head_text: str) -> bool:
        """Whether this reader handles the file: by its name, or (head_text non-empty) by content.

        ``read_manifest`` asks every reader first with ``head_text=""`` (file names only), then
        with the first 4 KiB of the file, so a renamed file is still recognised.
        """

    @abstractmethod
    def read(self, path: Path) -> list[SdkRecord]:
        """The SDKs the manifest declares; raises InputError(file, line, message) when malformed."""


def sdk(id: str, version: str | None, ecosystem: str, manifest: str | Path) -> SdkRecord:
    """An SdkRecord with its heuristic category hint (classify.hint_for)."""
    return SdkRecord(id=id, version=version, ecosystem=ecosystem, manifest=str(manifest),
                     hint=hint_for(id))


def read_bytes(path: Path) -> bytes:
    """The file's bytes: InputError for a directory, a device or pipe, or over MAX_MANIFEST_BYTES."""
    from scanner.importers import check_input_file

    check_input_file(path, f"one of {KNOWN_MANIFESTS}", MAX_MANIFEST_BYTES)
    with path.open("rb") as f:
        data = f.read(MAX_MANIFEST_BYTES + 1)  # the file may have grown since stat
    if len(data) > MAX_MANIFEST_BYTES:
        raise InputError(str(path), None, f"file is over the limit of {MAX_MANIFEST_BYTES:,} "
                         "bytes")
    return data


def read_text(path: Path) -> str:
    """The file as text (UTF-8, BOM tolerated); InputError when it is not text or too big."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise InputError(str(path), str(line), f"not UTF-8 text (byte {e.start})") from None


_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
_TOML_TOKENS = re.compile(r'"""[\s\S]*?(?:"""|$)|\'\'\'[\s\S]*?(?:\'\'\'|$)|"(?:[^"\\\n]|\\.)*"?'
                          r"|'[^'\n]*'?|#[^\n]*|[\[\]{}]")


def check_nesting(file: str, text: str, syntax: str) -> None:
    """InputError when arrays/objects (syntax 'json') or arrays/inline tables ('toml') nest more
    than MAX_NESTING deep: the parsers recurse once per level. Strings and comments are skipped.
    """
    tokens = _JSON_TOKENS if syntax == "json" else _TOML_TOKENS
    if syntax == "toml":  # dotted keys: tomllib keeps every prefix of one (square memory)
        for n, row in enumerate(text.splitlines(), 1):
            head = row.split("=", 1)[0] if "=" in row else row
            if head.count(".") >= MAX_NESTING:
                raise InputError(file, str(n), f"key of more than {MAX_NESTING} dotted parts "
                                 "(the limit; real catalogs use a few)")
    depth = 0
    for m in tokens.finditer(text):
        ch = m.group()
        if ch == "[" or ch == "{":
            depth += 1
            if depth > MAX_NESTING:
                line = text.count("\n", 0, m.start()) + 1
                raise InputError(file, str(line), f"arrays/objects nested more than {MAX_NESTING} "
                                 f"levels deep (the limit; real manifests nest a few levels)")
        elif ch == "]" or ch == "}":
            depth = max(depth - 1, 0)


def line_of(text: str, pattern: str, start: int = 0) -> str | None:
    """Line number (as a string) of the first match of a regex in text, for error locations."""
    m = re.search(pattern, text[start:], re.M)
    if not m:
        return None
    return str(text.count("\n", 0, start + m.start()) + 1)


def json_load(path: Path, what: str) -> object:
    """Parse a JSON manifest; syntax errors become InputError at the line JSON reports."""
    text = read_text(path)
    if not text.strip():
        raise InputError(str(path), None, f"empty file; expected {what}")
    check_nesting(str(path), text, "json")
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
            msg = f"truncated JSON: the file ends before the JSON value is complete; expected {what}"
        else:
            msg = f"invalid JSON: {e.msg}; expected {what}"
        raise InputError(str(path), f"{e.lineno}", f"{msg} (column {e.colno})") from None


def dedupe(records: list[SdkRecord]) -> list[SdkRecord]:
    """Drop repeated (id, version) pairs, keeping the first; order is kept."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for r in records:
        key = (r.id, r.version)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out
