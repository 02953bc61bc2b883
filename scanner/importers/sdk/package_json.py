"""React Native ``package.json`` reader: ``dependencies`` (never devDependencies), ids
``npm:name``, version as written (a range such as ``^7.2.0``)."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import InputError
from scanner.importers.sdk.interface import ManifestReader, dedupe, json_load, sdk
from scanner.observations import SdkRecord

__all__ = ["PackageJsonReader"]


class PackageJsonReader(ManifestReader):
    name = "package-json"

    def matches(self, path: Path, head_text: str) -> bool:
        return path.name.endswith("package.json")

    def read(self, path: Path) -> list[SdkRecord]:
        file = str(path)
        data = json_load(path, "a package.json object")
        if not isinstance(data, dict):
            raise InputError(file, "(top level)", "expected a JSON object")
        deps = data.get("dependencies", {})
        if deps is None:
            deps = {}
        if not isinstance(deps, dict):
            raise InputError(file, "dependencies", "expected an object of name → version")
        out = []
        for name, spec in deps.items():
            if not isinstance(spec, str):
                raise InputError(file, f"dependencies.{name}", "expected a version string")
            out.append(sdk(f"npm:{name}", spec, "npm", file))
        return dedupe(out)
