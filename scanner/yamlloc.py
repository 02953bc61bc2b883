"""Load YAML while remembering the line of every key, so config errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scanner.errors import ConfigError

Path_ = tuple[str | int, ...]

# Limits on YAML input files: targets.yaml, registry files, service files for `review
# new-service`, Podfile.lock and pubspec.lock (README "Limits on input files").
#: size of one file; the whole seed registry is about 320 KB
MAX_YAML_BYTES = 4 * 1024 * 1024
#: mappings/sequences open at once; real files nest under 10 levels
MAX_YAML_DEPTH = 64
#: values reached through aliases (*name, including `<<: *name` merges), counting everything
#: inside the anchored value (a string counts one value per 100 characters), for the whole
#: file: "billion laughs" anchors of anchors grow exponentially while the file stays small
MAX_YAML_ALIAS_NODES = 10_000


class LocatedYaml:
    """A parsed YAML document plus the 1-based line of every mapping key and sequence item."""

    def __init__(self, data: Any, lines: dict[Path_, int], file: str) -> None:
        self.data = data
        self.lines = lines
        self.file = file

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path` (a missing key points at its parent)."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> None:
    if len(path) >= MAX_YAML_DEPTH and isinstance(node, yaml.CollectionNode):
        raise _too_deep(file, node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                dotted = ".".join(str(p) for p in (*path, key))
                raise ConfigError(file, line, dotted,
                                  f"duplicate key (first defined on line {seen[key]}); "
                                  "expected each key once")
            seen[key] = line
            lines[(*path, key)] = line
            _walk(value_node, (*path, key), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, file)


def read_yaml_text(path: str | Path) -> str:
    """A YAML file's text: ConfigError when missing, a directory, over MAX_YAML_BYTES, not UTF-8."""
    file = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise ConfigError(file, None, None, "is a directory; expected a YAML file")
        with p.open("rb") as f:
            data = f.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(file, None, None, "file not found") from None
    except OSError as e:
        raise ConfigError(file, None, None, f"cannot read ({e.strerror})") from None
    if len(data) > MAX_YAML_BYTES:
        raise ConfigError(file, None, None, f"file is over the limit of {MAX_YAML_BYTES:,} bytes "
                          "for a YAML file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(file, None, None, f"not UTF-8 text ({e.reason})") from None


def load_located(path: str | Path) -> LocatedYaml:
    """Parse a YAML file; syntax errors become ConfigError with the line."""
    file = str(path)
    return load_located_text(read_yaml_text(path), file)


def check_limits(text: str, file: str) -> None:
    """ConfigError when the document nests deeper than MAX_YAML_DEPTH or its aliases expand to
    more than MAX_YAML_ALIAS_NODES values. Runs on the parser's events, before anything is built,
    so a bomb costs no memory; syntax errors are left to the loader that follows."""
    sizes: dict[str, int] = {}  # anchor → values in the anchored node, aliases expanded
    stack: list[list[Any]] = []  # open collections: [values so far, anchor]
    aliased = 0
    try:
        for ev in yaml.parse(text, Loader=_Loader):
            if isinstance(ev, yaml.ScalarEvent):
                n = 1 + len(ev.value) // 100
                if ev.anchor:
                    sizes[ev.anchor] = n
            elif isinstance(ev, yaml.AliasEvent):
                n = sizes.get(ev.anchor or "", 1)
                aliased += n
                if aliased > MAX_YAML_ALIAS_NODES:
                    raise ConfigError(file, ev.start_mark.line + 1, None, (
                        f"aliases expand to more than {MAX_YAML_ALIAS_NODES:,} values (the limit; "
                        f"*{_clip(ev.anchor or '')} and the aliases before it: anchors of anchors "
                        "grow exponentially)"))
            elif isinstance(ev, yaml.CollectionStartEvent):
                stack.append([1, ev.anchor])
                if len(stack) > MAX_YAML_DEPTH:
                    raise _too_deep(file, ev.start_mark.line + 1)
                continue
            elif isinstance(ev, yaml.CollectionEndEvent):
                n, anchor = stack.pop()
                if anchor:
                    sizes[anchor] = n
            else:
                continue
            if stack:
                stack[-1][0] += n
    except yaml.YAMLError as e:
        if "nesting depth" in str(e):  # libyaml's own limit (1000), met in flow collections
            mark = getattr(e, "problem_mark", None)
            raise _too_deep(file, mark.line + 1 if mark else None) from None
        return  # the loader reports it with its line


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# libyaml's parser when PyYAML was built with it (the wheels are): ~10x faster than pure Python
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_located_text(text: str, file: str) -> LocatedYaml:
    if "&" in text:  # an alias needs an anchor: without one nothing can expand
        check_limits(text, file)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            lines: dict[Path_, int] = {}
            if node is not None:
                _walk(node, (), lines, file)  # the nesting limit, before anything is built
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        if "nesting depth" in str(e):  # libyaml's own limit (1000), met in flow collections
            raise _too_deep(file, line) from None
        raise ConfigError(file, line, None, f"invalid YAML: {e.problem or e}") from None
    except yaml.YAMLError as e:  # pragma: no cover - all PyYAML errors are marked in practice
        raise ConfigError(file, None, None, f"invalid YAML: {e}") from None
    return LocatedYaml(data, lines, file)


def _too_deep(file: str, line: int | None) -> ConfigError:
    return ConfigError(file, line, None,
                       f"mappings/sequences nested more than {MAX_YAML_DEPTH} levels deep (the limit)")
