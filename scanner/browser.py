"""Finding and launching Chromium: Debian's build, a profile that allows third-party cookies like Chrome."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import BrowserNotFound

ENV_VAR = "GAIBU_CHROMIUM"
# The real binary starts faster than Debian's /usr/bin/chromium shell wrapper.
CANDIDATES = (
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/snap/bin/chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
INSTALL_HINT = ("install it with: sudo apt-get install -y chromium  (or set browser.executable in "
                "targets.yaml, or the GAIBU_CHROMIUM environment variable, to a Chrome/Chromium binary)")

def find_chromium(configured: str | None = None) -> str:
    """Env GAIBU_CHROMIUM, else browser.executable, else the usual install paths."""
    for source, value in (("GAIBU_CHROMIUM", os.environ.get(ENV_VAR)),
                          ("browser.executable", configured)):
        if value:
            path = shutil.which(value) or value
            if Path(path).is_file() and os.access(path, os.X_OK):
                return str(path)
            raise BrowserNotFound(f"{source} is {value!r}, which is not an executable file; "
                                  + INSTALL_HINT)
    for c in CANDIDATES:
        if Path(c).is_file() and os.access(c, os.X_OK):
            return c
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserNotFound("no Chromium found; " + INSTALL_HINT)


@dataclass(frozen=True)
class DeviceProfile:
    """Viewport, user agent and touch settings for one emulated device."""

    name: str
    viewport: dict[str, int]
    user_agent: str | None
    device_scale_factor: float
    is_mobile: bool
    has_touch: bool

    def context_options(self, user_agent: str | None = None) -> dict[str, Any]:
        opts: dict[str, Any] = {
            "viewport": dict(self.viewport),
            "device_scale_factor": self.device_scale_factor,
            "is_mobile": self.is_mobile,
            "has_touch": self.has_touch,
            "locale": "ja-JP",
            "timezone_id": "Asia/Tokyo",
        }
        ua = user_agent or self.user_agent
        if ua:
            opts["user_agent"] = ua
        return opts


DEVICES: dict[str, DeviceProfile] = {
    "desktop": DeviceProfile("desktop", {"width": 1366, "height": 900}, None, 1, False, False),
    # Pixel 7-like Android phone (Playwright's descriptor, with Chrome's UA).
    "mobile": DeviceProfile(
        "mobile", {"width": 412, "height": 839},
        "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/156.0.0.0 Mobile Safari/537.36",
        2.625, True, True),
}


def make_profile_dir(third_party_cookies: str = "allow") -> Path:
    """A fresh profile whose Preferences allow (0) or block (1) third-party cookies.

    Debian's Chromium blocks third-party cookies unless told otherwise; a default Chrome profile
    of an ordinary user stores them, so 'allow' shows what users' browsers really store.
    """
    # GAIBU_PROFILE_DIR: where the temporary profile goes (keep it short: Chromium puts a UNIX
    # socket in it and aborts when the path is too long)
    d = Path(tempfile.mkdtemp(prefix="gaibu-profile-", dir=os.environ.get("GAIBU_PROFILE_DIR")))
    (d / "Default").mkdir()
    mode = 0 if third_party_cookies == "allow" else 1
    prefs = {"profile": {"cookie_controls_mode": mode,
                         "default_content_setting_values": {"cookies": 1}},
             "intl": {"accept_languages": "ja,en-US,en"}}
    (d / "Default" / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")
    return d
