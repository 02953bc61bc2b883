"""Text from outside (crawled pages, HAR files, user files) made safe to print on a terminal.

``printable(s)`` escapes every control character — C0 (ESC, BEL, CR, backspace …), DEL, C1
(including the 8-bit CSI/OSC introducers U+009B/U+009D) and the invisible bidirectional
overrides (U+202A–U+202E, U+2066–U+2069) — as a visible ``\\x1b`` / ``\\u202e`` so that a
localStorage key, cookie name, URL or error message cannot move the cursor, retitle the window,
write to the clipboard (OSC 52) or reorder the line it is printed in. Newlines and tabs are
escaped too unless ``keep_newlines`` is set (for multi-line blocks gaibu itself assembles).

``markup_safe(s)`` is ``printable`` plus Rich markup escaping, for the few places where a string
goes into text that Rich interprets (``[bold]…[/]``); everywhere else gaibu prints with
``markup=False`` or through ``rich.text.Text``.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape as _markup_escape

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_UNSAFE_KEEP_NL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _esc(m: re.Match[str]) -> str:
    c = m.group(0)
    if c in _NAMED:
        return _NAMED[c]
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def printable(value: Any, keep_newlines: bool = False) -> str:
    """``str(value)`` with control and bidi-override characters shown as escapes."""
    s = value if isinstance(value, str) else str(value)
    return (_UNSAFE_KEEP_NL if keep_newlines else _UNSAFE).sub(_esc, s)


def markup_safe(value: Any, keep_newlines: bool = False) -> str:
    """``printable`` and escaped for Rich markup (``[bold]`` stays literal text)."""
    return _markup_escape(printable(value, keep_newlines))


def printable_data(value: Any) -> Any:
    """``printable`` applied to every string in nested lists/dicts (for tables of evidence)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [printable_data(v) for v in value]
    if isinstance(value, tuple):
        return tuple(printable_data(v) for v in value)
    if isinstance(value, dict):
        return {printable_data(k): printable_data(v) for k, v in value.items()}
    return value
