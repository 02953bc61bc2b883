"""Exception hierarchy for user-facing errors (bad input, missing browser) raised by the scanner."""

from __future__ import annotations


class GaibuError(Exception):
    """Base of every error gaibu reports to the user without a traceback (exit code 1)."""


class InputError(GaibuError):
    """A user-supplied file is malformed: names the file, the place in it and what was expected."""

    def __init__(self, file: str, where: str | None, message: str) -> None:
        self.file = str(file)
        self.where = where
        self.message = message
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
