"""Importers: turn captured app traffic (HAR files) and app dependency manifests into observations.

``scanner.importers.har`` streams HAR 1.2 files into RequestRecord/CookieRecord;
``scanner.importers.sdk`` reads Gradle, CocoaPods, SwiftPM, pub, npm and NuGet manifests into
SdkRecord. Both raise :class:`scanner.errors.InputError` naming the file and the place in it.
"""

from __future__ import annotations

import stat
from pathlib import Path

from scanner.errors import InputError

__all__ = ["check_input_file"]


def check_input_file(path: str | Path, expected: str, max_bytes: int | None = None) -> None:
    """Refuse what cannot be an input file before anything reads it: a missing path, a directory,
    a device/pipe/socket (reading one may never end), a file over ``max_bytes``.

    ``expected`` names what the path should be ('a HAR file'); it ends the error message.
    """
    file = str(path)
    try:
        st = Path(path).stat()
    except FileNotFoundError:
        raise InputError(file, None, f"file not found; expected {expected}") from None
    except OSError as e:
        raise InputError(file, None, f"cannot read ({e.strerror}); expected {expected}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(file, None, f"is a directory; expected {expected}")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(file, None, f"not a regular file (a device, pipe or socket); "
                         f"expected {expected}")
    if max_bytes is not None and st.st_size > max_bytes:
        raise InputError(file, None, f"file is {st.st_size:,} bytes, over the limit of "
                         f"{max_bytes:,} bytes; expected {expected}")
