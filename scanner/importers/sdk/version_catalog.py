"""Gradle version catalogs (``gradle/libs.versions.toml``): a reader and the alias resolver.

The :class:`Catalog` resolves ``libs.firebase.analytics``-style accessors for the build.gradle
reader. Read on its own, a catalog only says what a project *may* use, not in which
configuration, so :class:`VersionCatalogReader` reports every ``[libraries]`` entry except Gradle
plugins/build tooling and well-known test libraries (see :func:`is_build_tool`,
:func:`is_test_library`). Libraries without a version that belong to a BoM declared in the same
catalog (same group, or a sub-group of it) get the version ``"bom:<BoM version>"``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.importers.sdk.interface import (
    ManifestReader,
    check_nesting,
    dedupe,
    line_of,
    read_text,
    sdk,
)
from scanner.observations import SdkRecord

__all__ = ["Catalog", "CatalogLibrary", "load_catalog", "VersionCatalogReader",
           "is_build_tool", "is_test_library", "bom_version_for", "normalise_alias"]


@dataclass(frozen=True)
class CatalogLibrary:
    """One ``[libraries]`` entry, its version resolved (None when the catalog gives none)."""

    alias: str
    group: str
    artifact: str
    version: str | None

    @property
    def id(self) -> str:
        return f"{self.group}:{self.artifact}"

    @property
    def is_bom(self) -> bool:
        return self.artifact.endswith("bom")


@dataclass
class Catalog:
    """A parsed version catalog, addressed the way build scripts address it (``libs.x.y``)."""

    name: str  # the accessor: 'libs' for libs.versions.toml
    path: Path
    versions: dict[str, str | None] = field(default_factory=dict)
    libraries: dict[str, CatalogLibrary] = field(default_factory=dict)  # by normalised alias
    bundles: dict[str, list[str]] = field(default_factory=dict)  # normalised → aliases
    plugins: set[str] = field(default_factory=set)

    def library(self, accessor: str) -> CatalogLibrary | None:
        """'firebase.analytics' (after 'libs.') → the library, if the catalog has it."""
        return self.libraries.get(normalise_alias(accessor))

    def bundle(self, accessor: str) -> list[CatalogLibrary] | None:
        members = self.bundles.get(normalise_alias(accessor))
        if members is None:
            return None
        return [self.libraries[m] for m in members if m in self.libraries]

    def version(self, accessor: str) -> str | None:
        key = normalise_alias(accessor)
        for name, v in self.versions.items():
            if normalise_alias(name) == key:
                return v
        return None

    def boms(self) -> list[CatalogLibrary]:
        return [lib for lib in self.libraries.values() if lib.is_bom and lib.version]


def normalise_alias(alias: str) -> str:
    """Gradle maps '-', '_' and '.' in aliases to '.' accessors; compare case-insensitively."""
    return re.sub(r"[-_.]", ".", alias).lower()


def bom_version_for(group: str, boms: list[tuple[str, str]]) -> str | None:
    """'bom:<version>' of the BoM (group, version) that manages a library of this group."""
    for bom_group, version in boms:
        if group == bom_group or group.startswith(bom_group + "."):
            return f"bom:{version}"
    return None


_BUILD_TOOL_IDS = frozenset({
    "com.google.gms:google-services", "org.jetbrains.kotlin:kotlin-serialization",
    "com.android.tools.build:gradle",
})
_BUILD_TOOL_GROUPS = ("io.gitlab.arturbosch.detekt", "com.pinterest.ktlint", "com.pinterest",
                      "com.twitter.compose.rules", "com.slack.lint", "com.android.tools.lint",
                      "com.android.tools.build")


def is_build_tool(group: str, artifact: str) -> bool:
    """Gradle plugins, lint and static-analysis rules: they run on the build machine only."""
    if f"{group}:{artifact}" in _BUILD_TOOL_IDS:
        return True
    if any(group == g or group.startswith(g + ".") for g in _BUILD_TOOL_GROUPS):
        return True
    return bool(re.search(r"(^|[-.])(gradle|plugin)([-.]|$)", artifact))


_TEST_GROUPS = ("junit", "org.junit", "androidx.test", "org.robolectric", "io.mockk",
                "org.mockito", "io.github.takahirom.roborazzi", "app.cash.turbine",
                "com.google.truth", "io.kotest", "org.hamcrest", "app.cash.paparazzi",
                "com.github.sergio-sastre.ComposablePreviewScanner")


def is_test_library(group: str, artifact: str) -> bool:
    """Well-known test frameworks and *-test/*-testing artifacts (catalog-only reading)."""
    if any(group == g or group.startswith(g + ".") for g in _TEST_GROUPS):
        return True
    if group == "org.jetbrains.kotlin" and artifact.startswith("kotlin-test"):
        return True
    if artifact in ("mockwebserver", "ui-test-junit4", "ui-test-manifest", "ui-test"):
        return True
    return bool(re.search(r"-(test|testing)(-|$)", artifact))


def _toml_error(file: str, e: tomllib.TOMLDecodeError) -> InputError:
    msg = str(e)
    m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
    line = m.group(1) if m else None
    text = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
    if m is None and "end of document" in msg:
        line = None
    return InputError(file, line, f"invalid TOML: {text}")


def _version_value(v: Any) -> str | None:
    """A [versions] value: "1.0" or {strictly|require|prefer = "1.0"}."""
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        for k in ("strictly", "require", "prefer"):
            if isinstance(v.get(k), str):
                return str(v[k])
    return None


def load_catalog(path: str | Path, name: str | None = None) -> Catalog:
    """Parse a version catalog; InputError (file, line, message) when it is malformed."""
    p = Path(path)
    file = str(path)
    text = read_text(p)
    check_nesting(file, text, "toml")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _toml_error(file, e) from None
    except RecursionError:  # dotted keys nested thousands deep
        raise InputError(file, None, "keys nested too deep for a version catalog") from None
    if name is None:
        base = p.name.split("__")[-1]  # sample files are named 'owner__libs.versions.toml'
        name = base[: -len(".versions.toml")] if base.endswith(".versions.toml") else "libs"
    cat = Catalog(name=name, path=p)
    for section in ("versions", "libraries", "bundles", "plugins"):
        if section in data and not isinstance(data[section], dict):
            raise InputError(file, line_of(text, rf"^[ \t]*\[?{section}"),
                             f"[{section}] must be a table")
    if not any(s in data for s in ("versions", "libraries", "bundles", "plugins")):
        raise InputError(file, None, "not a version catalog: expected [versions], [libraries], "
                         "[bundles] or [plugins] tables")

    def where(section: str, alias: str) -> str | None:
        start = re.search(rf"^\s*\[{section}\]", text, re.M)
        return line_of(text, rf"^[ \t]*[\"']?{re.escape(alias)}[\"']?[ \t]*[=.]",
                       start.end() if start else 0)

    for alias, v in data.get("versions", {}).items():
        value = _version_value(v)
        if value is None and not (isinstance(v, dict) and ("reject" in v or "rejectAll" in v)):
            raise InputError(file, where("versions", alias),
                             f"versions.{alias}: expected a version string or "
                             "{strictly|require|prefer = \"…\"}")
        cat.versions[alias] = value
    for alias, v in data.get("libraries", {}).items():
        cat.libraries[normalise_alias(alias)] = _library(file, alias, v, cat,
                                                         where("libraries", alias))
    for alias, members in data.get("bundles", {}).items():
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise InputError(file, where("bundles", alias),
                             f"bundles.{alias}: expected a list of library aliases")
        norm = []
        for m in members:
            if normalise_alias(m) not in cat.libraries:
                raise InputError(file, where("bundles", alias),
                                 f"bundles.{alias}: '{m}' is not a library of [libraries]")
            norm.append(normalise_alias(m))
        cat.bundles[normalise_alias(alias)] = norm
    cat.plugins = {normalise_alias(a) for a in data.get("plugins", {})}
    return cat


def _library(file: str, alias: str, v: Any, cat: Catalog, line: str | None) -> CatalogLibrary:
    expected = (f"libraries.{alias}: expected \"group:artifact:version\", "
                "{ module = \"group:artifact\", … } or { group = …, name = …, … }")
    if isinstance(v, str):
        parts = v.split(":")
        if len(parts) not in (2, 3) or not all(parts[:2]):
            raise InputError(file, line, expected)
        return CatalogLibrary(alias, parts[0], parts[1], parts[2] if len(parts) == 3 else None)
    if not isinstance(v, dict):
        raise InputError(file, line, expected)
    if isinstance(v.get("module"), str):
        parts = v["module"].split(":")
        if len(parts) != 2 or not all(parts):
            raise InputError(file, line, f"libraries.{alias}.module: expected \"group:artifact\"")
        group, artifact = parts
    elif isinstance(v.get("group"), str) and isinstance(v.get("name"), str):
        group, artifact = v["group"], v["name"]
    else:
        raise InputError(file, line, expected)
    version: str | None = None
    ver = v.get("version")
    if isinstance(ver, str):
        version = ver
    elif isinstance(ver, dict):
        if "ref" in ver:
            ref = ver["ref"]
            if not isinstance(ref, str) or ref not in cat.versions:
                raise InputError(file, line, f"libraries.{alias}: version.ref '{ref}' is not "
                                 "declared in [versions]")
            version = cat.versions[ref]
        else:
            version = _version_value(ver)
    elif ver is not None:
        raise InputError(file, line, f"libraries.{alias}.version: expected a string or a table")
    return CatalogLibrary(alias, group, artifact, version)


class VersionCatalogReader(ManifestReader):
    """``gradle/libs.versions.toml`` read on its own."""

    name = "version-catalog"

    def matches(self, path: Path, head_text: str) -> bool:
        if path.name.endswith(".versions.toml"):
            return True
        return bool(head_text) and bool(
            re.search(r"^\s*\[(libraries|versions)\]\s*$", head_text, re.M))

    def read(self, path: Path) -> list[SdkRecord]:
        cat = load_catalog(path)
        boms = [(b.group, b.version) for b in cat.boms() if b.version]
        out = []
        for lib in cat.libraries.values():
            if is_build_tool(lib.group, lib.artifact) or is_test_library(lib.group, lib.artifact):
                continue
            version = lib.version or bom_version_for(lib.group, boms)
            out.append(sdk(lib.id, version, "maven", path))
        return dedupe(out)
