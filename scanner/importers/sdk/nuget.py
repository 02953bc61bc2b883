"""Xamarin/.NET NuGet references: ``*.csproj`` (also ``.fsproj``/``.vbproj``), ``packages.config``
and ``Directory.Packages.props``; ids ``nuget:Name``.

``<PackageReference Include|Update="X" Version="Y"/>`` or with a ``<Version>`` child;
``$(Property)`` versions are resolved from the file's PropertyGroups; a reference without a
version takes it from a ``Directory.Packages.props`` (central package management) in the
project's directory or above. XML is parsed with defusedxml and any DOCTYPE is refused (no
MSBuild file needs one; it is how entity-expansion bombs arrive).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import defusedxml
import defusedxml.ElementTree as DET

from scanner.errors import InputError
from scanner.importers.sdk.interface import (
    MAX_NESTING,
    ManifestReader,
    dedupe,
    line_of,
    read_bytes,
    sdk,
)
from scanner.observations import SdkRecord

__all__ = ["NuGetReader"]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _parse(path: Path) -> ET.Element:
    file = str(path)
    data = read_bytes(path)
    if not data.strip():
        raise InputError(file, None, "empty file; expected an MSBuild/NuGet XML document")
    try:
        root = DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as e:
        text = data.decode("utf-8", "replace")
        raise InputError(file, line_of(text, r"<!DOCTYPE|<!ENTITY"),
                         f"XML with a DOCTYPE or entity declarations is refused ({type(e).__name__}); "
                         "a project file never needs one") from None
    except ET.ParseError as e:
        line, col = e.position
        msg = str(e).split(":")[0]
        if "no element found" in str(e):
            msg = "truncated XML: the file ends before the document is complete"
        raise InputError(file, str(line), f"{msg} (column {col + 1}); expected well-formed "
                         "MSBuild/NuGet XML") from None
    _check_depth(file, data, root)
    return root


def _check_depth(file: str, data: bytes, root: ET.Element) -> None:
    """InputError when elements nest more than MAX_NESTING deep (project files nest 3-4)."""
    stack = [(root, 1)]
    while stack:
        el, depth = stack.pop()
        if depth > MAX_NESTING:
            text = data.decode("utf-8", "replace")
            raise InputError(file, line_of(text, rf"<{re.escape(str(el.tag))}\b"),
                             f"elements nested more than {MAX_NESTING} levels deep (the limit; "
                             "project files nest a few levels)")
        stack.extend((child, depth + 1) for child in el)


def _properties(root: ET.Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for group in root.iter():
        if _local(group.tag) != "PropertyGroup":
            continue
        for child in group:
            if child.text and child.text.strip():
                props.setdefault(_local(child.tag), child.text.strip())
    return props


def _resolve(version: str | None, props: dict[str, str]) -> str | None:
    if version is None:
        return None
    v = version.strip()
    for _ in range(5):
        new = re.sub(r"\$\((\w+)\)", lambda m: props.get(m.group(1), m.group(0)), v)
        if new == v:
            break
        v = new
    return None if "$(" in v or not v else v


def _version_of(el: ET.Element) -> str | None:
    for attr in ("Version", "VersionOverride"):
        if el.get(attr):
            return el.get(attr)
    for child in el:
        if _local(child.tag) in ("Version", "VersionOverride") and child.text:
            return child.text.strip()
    return None


def _central_versions(project: Path) -> dict[str, str]:
    d = project.resolve().parent
    for _ in range(5):
        props = d / "Directory.Packages.props"
        if props.is_file() and props.resolve() != project.resolve():
            root = _parse(props)
            p = _properties(root)
            out = {}
            for el in root.iter():
                if _local(el.tag) == "PackageVersion" and el.get("Include"):
                    v = _resolve(_version_of(el), p)
                    if v:
                        out[el.get("Include", "").lower()] = v
            return out
        if d.parent == d:
            break
        d = d.parent
    return {}


class NuGetReader(ManifestReader):
    name = "nuget"

    def matches(self, path: Path, head_text: str) -> bool:
        n = path.name
        if n.endswith((".csproj", ".fsproj", ".vbproj")) or n in ("packages.config",
                                                                  "Directory.Packages.props"):
            return True
        return bool(head_text) and ("<PackageReference" in head_text or
                                    "<packages>" in head_text)

    def read(self, path: Path) -> list[SdkRecord]:
        file = str(path)
        root = _parse(path)
        props = _properties(root)
        out: list[SdkRecord] = []
        if _local(root.tag) == "packages":  # packages.config
            for el in root:
                if _local(el.tag) != "package":
                    continue
                name = el.get("id")
                if not name:
                    raise InputError(file, None, "<package> without an id attribute")
                if (el.get("developmentDependency") or "").lower() == "true":
                    continue
                out.append(sdk(f"nuget:{name}", el.get("version"), "nuget", file))
            return dedupe(out)
        if _local(root.tag) != "Project":
            raise InputError(file, "1", f"expected an MSBuild <Project> or <packages> document, "
                             f"got <{_local(root.tag)}>")
        central: dict[str, str] | None = None
        for el in root.iter():
            tag = _local(el.tag)
            if tag not in ("PackageReference", "PackageVersion"):
                continue
            name = el.get("Include") or el.get("Update")
            if not name:
                raise InputError(file, None, f"<{tag}> without an Include or Update attribute")
            version = _resolve(_version_of(el), props)
            if version is None and tag == "PackageReference":
                if central is None:
                    central = _central_versions(path)
                version = central.get(name.lower())
            out.append(sdk(f"nuget:{name}", version, "nuget", file))
        return dedupe(out)
