"""Load YAML while remembering the line of every key, so config errors can point at it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scanner.errors import ConfigError

Path_ = tuple[str | int, ...]


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


def load_located(path: str | Path) -> LocatedYaml:
    """Parse a YAML file; syntax errors become ConfigError with the line."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(file, None, None, "file not found") from None
    except UnicodeDecodeError as e:
        raise ConfigError(file, None, None, f"not UTF-8 text ({e.reason})") from None
    return load_located_text(text, file)


# libyaml's parser when PyYAML was built with it (the wheels are): ~10x faster than pure Python
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_located_text(text: str, file: str) -> LocatedYaml:
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(file, line, None, f"invalid YAML: {e.problem or e}") from None
    except yaml.YAMLError as e:  # pragma: no cover - all PyYAML errors are marked in practice
        raise ConfigError(file, None, None, f"invalid YAML: {e}") from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines, file)
    return LocatedYaml(data, lines, file)
