"""Exception hierarchy for user-facing errors (bad input, missing browser) raised by the scanner."""

from __future__ import annotations

#: the longest error text printed: a message never echoes a huge value from an input file
MAX_MESSAGE_CHARS = 2000


def clip(text: str, limit: int) -> str:
    """text cut in the middle to about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}…({len(text) - 2 * half:,} characters left out)…{text[-half:]}"


class GaibuError(Exception):
    """Base of every error gaibu reports to the user without a traceback (exit code 1)."""

    def __str__(self) -> str:
        return clip(super().__str__(), MAX_MESSAGE_CHARS)


class InputError(GaibuError):
    """A user-supplied file is malformed: names the file, the place in it and what was expected."""

    def __init__(self, file: str, where: str | None, message: str) -> None:
        self.file = str(file)
        self.where = clip(where, 200) if where else where
        self.message = clip(message, 1000)
        where, message = self.where, self.message
        loc = f"{self.file}:{where}" if where else self.file
        super().__init__(f"{loc}: {message}")


class ConfigError(InputError):
    """targets.yaml is malformed (file, line, field, what was expected)."""

    def __init__(self, file: str, line: int | None, field: str | None, message: str) -> None:
        self.line = line
        self.field = field
        where = str(line) if line else None
        msg = f"{field}: {message}" if field else message
        super().__init__(file, where, msg)


class BrowserNotFound(GaibuError):
    """No Chromium executable could be found."""
