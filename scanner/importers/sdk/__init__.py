"""App SDK manifest readers: Gradle, version catalogs, CocoaPods, SwiftPM, pub, npm and NuGet.

``read_manifest(path)`` picks the reader by file name, then by content, and returns one
:class:`~scanner.observations.SdkRecord` per shipped dependency, each with a heuristic ``hint``
(:func:`scanner.importers.sdk.classify.hint_for`). Unknown or malformed files raise
:class:`~scanner.errors.InputError` naming the file, the line (or JSON path) and what was
expected.

Decisions, shared by all readers:

* only what ships is reported: Gradle test configurations and build tooling, ``direct dev``
  pub packages, npm ``devDependencies`` and NuGet ``developmentDependency`` packages are dropped;
* a Gradle library without a version managed by a declared BoM gets ``"bom:<BoM version>"``
  (the BoM itself is reported with its own version); without a matching BoM, None;
* a Gradle dependency that cannot be resolved to ``group:artifact`` (a catalog alias with no
  catalog next to the build file, a ``buildSrc`` constant) is reported as
  ``unresolved:<expression>`` (e.g. ``unresolved:libs.firebase.analytics``) so that it reaches
  review instead of vanishing; its hint is still computed from the alias;
* a version catalog read on its own reports all ``[libraries]`` but Gradle plugins, build
  tooling and well-known test libraries.
"""

from __future__ import annotations

from pathlib import Path

from scanner.errors import InputError
from scanner.importers import check_input_file
from scanner.importers.sdk.gradle import GradleReader
from scanner.importers.sdk.interface import KNOWN_MANIFESTS, MAX_MANIFEST_BYTES, ManifestReader
from scanner.importers.sdk.nuget import NuGetReader
from scanner.importers.sdk.package_json import PackageJsonReader
from scanner.importers.sdk.package_resolved import PackageResolvedReader
from scanner.importers.sdk.podfile_lock import PodfileLockReader
from scanner.importers.sdk.pubspec_lock import PubspecLockReader
from scanner.importers.sdk.version_catalog import Catalog, VersionCatalogReader, load_catalog
from scanner.observations import SdkRecord

__all__ = ["read_manifest", "reader_for", "READERS", "ManifestReader"]

#: the readers, in the order they are asked
READERS: tuple[ManifestReader, ...] = (
    PodfileLockReader(), PackageResolvedReader(), PubspecLockReader(), VersionCatalogReader(),
    GradleReader(), NuGetReader(), PackageJsonReader(),
)

_KNOWN = KNOWN_MANIFESTS


def reader_for(path: str | Path) -> ManifestReader:
    """The reader for a file: by its name first, then by its first 4 KiB."""
    p = Path(path)
    for reader in READERS:
        if reader.matches(p, ""):
            return reader
    try:
        with p.open("rb") as f:
            head = f.read(4096).decode("utf-8-sig", "replace")
    except IsADirectoryError:
        raise InputError(str(path), None, f"is a directory; expected one of {_KNOWN}") from None
    for reader in READERS:
        if reader.matches(p, head):
            return reader
    raise InputError(str(path), None, f"unknown manifest type; expected one of {_KNOWN}")


def read_manifest(path: str | Path, catalog: str | Path | None = None) -> list[SdkRecord]:
    """The SDKs an app manifest declares (see the module docstring for what is reported).

    ``catalog``: a version catalog for a Gradle build file's ``libs.…`` aliases; by default
    ``gradle/*.versions.toml`` next to the build file or in its parent directories is used.
    """
    p = Path(path)
    check_input_file(p, f"one of {_KNOWN}", MAX_MANIFEST_BYTES)
    reader = reader_for(p)
    if catalog is not None and isinstance(reader, GradleReader):
        cat: Catalog = load_catalog(catalog)
        reader = GradleReader({cat.name: cat})
    return reader.read(p)
