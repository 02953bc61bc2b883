"""SwiftPM ``Package.resolved`` reader (format versions 1, 2 and 3).

v1: ``object.pins[].{package, repositoryURL, state.version|revision}``; v2/v3:
``pins[].{identity, kind, location, state.version|revision}``. The id is ``spm:`` plus the
location normalised to ``host/owner/repo`` (lower case, no scheme, user, ``.git`` or trailing
slash): ``https://github.com/Firebase/firebase-ios-sdk.git`` → ``spm:github.com/firebase/
firebase-ios-sdk``. A pin without a version (a branch or revision pin) gets its revision.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.errors import InputError
from scanner.importers.sdk.interface import ManifestReader, dedupe, json_load, sdk
from scanner.observations import SdkRecord

__all__ = ["PackageResolvedReader", "normalise_location"]


def normalise_location(location: str) -> str:
    """'https://github.com/Owner/Repo.git' / 'git@github.com:owner/repo' → 'github.com/owner/repo'."""
    loc = location.strip()
    m = re.match(r"^[\w.+-]+@([^:/]+):(.*)$", loc)  # scp-like git@host:path
    if m:
        loc = f"{m.group(1)}/{m.group(2)}"
    else:
        loc = re.sub(r"^[a-zA-Z][\w+.-]*://", "", loc)  # scheme
        loc = re.sub(r"^[^@/]+@", "", loc)  # user@
    loc = loc.rstrip("/")
    loc = re.sub(r"\.git$", "", loc)
    return loc.lower()


class PackageResolvedReader(ManifestReader):
    name = "package-resolved"

    def matches(self, path: Path, head_text: str) -> bool:
        if path.name.endswith("Package.resolved"):
            return True
        return bool(head_text) and '"pins"' in head_text and (
            '"repositoryURL"' in head_text or '"location"' in head_text or '"object"' in head_text)

    def read(self, path: Path) -> list[SdkRecord]:
        file = str(path)
        data = json_load(path, "a Package.resolved JSON object")
        if not isinstance(data, dict):
            raise InputError(file, "(top level)", "expected a JSON object with pins")
        version = data.get("version")
        if version == 1:
            obj = data.get("object")
            if not isinstance(obj, dict):
                raise InputError(file, "object", "version 1 file: expected an \"object\" with pins")
            pins, base = obj.get("pins"), "object.pins"
            url_key, name_key = "repositoryURL", "package"
        elif version in (2, 3):
            pins, base = data.get("pins"), "pins"
            url_key, name_key = "location", "identity"
        else:
            raise InputError(file, "version", f"unsupported Package.resolved version {version!r}; "
                             "expected 1, 2 or 3")
        if not isinstance(pins, list):
            raise InputError(file, base, "expected an array of pins")
        out = []
        for i, pin in enumerate(pins):
            at = f"{base}[{i}]"
            if not isinstance(pin, dict):
                raise InputError(file, at, "expected a pin object")
            loc = pin.get(url_key)
            if not isinstance(loc, str) or not loc.strip():
                ident = pin.get(name_key)
                if pin.get("kind") == "registry" and isinstance(ident, str):
                    loc = ident  # registry packages: 'scope.name'
                else:
                    raise InputError(file, f"{at}.{url_key}", "expected a string URL")
            state = pin.get("state", {})
            if not isinstance(state, dict):
                raise InputError(file, f"{at}.state", "expected an object with version/revision")
            ver = state.get("version") or state.get("revision")
            if ver is not None and not isinstance(ver, str):
                raise InputError(file, f"{at}.state.version", "expected a string")
            out.append(sdk(f"spm:{normalise_location(loc)}", ver, "spm", file))
        return dedupe(out)
