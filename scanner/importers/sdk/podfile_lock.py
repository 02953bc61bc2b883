"""CocoaPods ``Podfile.lock`` reader: every pod of PODS (subspecs kept), ids ``cocoapods:Name``.

PODS is the resolved set (direct and transitive pods, each with its version). DEPENDENCIES
(the Podfile's requests) and SPEC REPOS are checked for consistency; a dependency missing from
PODS (never the case in a lock file CocoaPods wrote) is still reported, without a version.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from scanner.errors import InputError
from scanner.importers.sdk.interface import ManifestReader, dedupe, line_of, read_text, sdk
from scanner.observations import SdkRecord
from scanner.yamlloc import check_limits

__all__ = ["PodfileLockReader"]

_POD = re.compile(r"^(?P<name>[^\s()]+)(?:\s+\((?P<version>[^)]*)\))?$")


class PodfileLockReader(ManifestReader):
    name = "podfile-lock"

    def matches(self, path: Path, head_text: str) -> bool:
        if path.name.endswith("Podfile.lock"):
            return True
        return bool(head_text) and head_text.lstrip().startswith("PODS:")

    def read(self, path: Path) -> list[SdkRecord]:
        file = str(path)
        text = read_text(path)
        check_limits(text, file)  # nesting and alias bombs, before anything is built
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            line = str(mark.line + 1) if mark is not None else None
            problem = getattr(e, "problem", None) or str(e).splitlines()[0]
            raise InputError(file, line, f"invalid YAML: {problem}; expected a Podfile.lock") from None
        if not isinstance(data, dict) or "PODS" not in data:
            raise InputError(file, None, "not a Podfile.lock: no PODS section")
        pods = data["PODS"]
        if not isinstance(pods, list):
            raise InputError(file, line_of(text, r"^PODS:"), "PODS: expected a list of pods")
        out: list[SdkRecord] = []
        names: set[str] = set()
        for item in pods:
            entry: Any = item
            if isinstance(item, dict):
                if len(item) != 1:
                    raise InputError(file, line_of(text, r"^PODS:"),
                                     f"PODS: expected '- Name (version)', got {item!r}")
                entry = next(iter(item))
            name, version = self._parse(file, text, entry, "PODS", need_version=True)
            names.add(name)
            out.append(sdk(f"cocoapods:{name}", version, "cocoapods", file))
        deps = data.get("DEPENDENCIES") or []
        if not isinstance(deps, list):
            raise InputError(file, line_of(text, r"^DEPENDENCIES:"),
                             "DEPENDENCIES: expected a list")
        for d in deps:
            name, _ = self._parse(file, text, d, "DEPENDENCIES", need_version=False)
            if name not in names:
                names.add(name)
                out.append(sdk(f"cocoapods:{name}", None, "cocoapods", file))
        repos = data.get("SPEC REPOS")
        if repos is not None and not isinstance(repos, dict):
            raise InputError(file, line_of(text, r"^SPEC REPOS:"),
                             "SPEC REPOS: expected a mapping of repository → pods")
        return dedupe(out)

    @staticmethod
    def _parse(file: str, text: str, entry: object, section: str,
               need_version: bool) -> tuple[str, str | None]:
        if not isinstance(entry, str):
            raise InputError(file, line_of(text, rf"^{section}:"),
                             f"{section}: expected '- Name (version)', got {entry!r}")
        s = entry.strip()
        m = _POD.match(s)
        if not m:
            # "Foo (from `../Foo`)" and other source notes in DEPENDENCIES
            m2 = re.match(r"^(?P<name>[^\s()]+)\s+\(", s)
            if m2 and not need_version:
                return m2.group("name"), None
            raise InputError(file, line_of(text, re.escape(s)) or line_of(text, rf"^{section}:"),
                             f"{section}: expected '- Name (version)', got {s!r}")
        version = m.group("version")
        if need_version and not version:
            raise InputError(file, line_of(text, rf"-\s+\"?{re.escape(s)}"),
                             f"{section}: pod {s!r} has no version; expected 'Name (1.2.3)'")
        if version is not None and not need_version:
            version = None  # a constraint ('~> 6.3.0'), not a version
        return m.group("name"), version
