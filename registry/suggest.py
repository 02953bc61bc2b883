"""Suggestions for unknown domains from the third-party-web dataset (MIT, npm `third-party-web`).

A suggestion only helps a reviewer (company, category, homepage); it never lists a service.
The dataset is fetched at set-up (`make third-party-web`) into registry/data/third-party-web/;
GAIBU_THIRD_PARTY_WEB points at another entities.json.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Any

from registry.matcher import Matcher, Rule

DEFAULT_PATH = Path(__file__).parent / "data" / "third-party-web" / "entities.json"
ENV_VAR = "GAIBU_THIRD_PARTY_WEB"

# third-party-web categories → gaibu category slugs (registry/categories.py)
CATEGORY_MAP = {
    "ad": "advertising", "analytics": "analytics", "social": "social", "video": "embedded_content",
    "utility": "infrastructure", "hosting": "infrastructure", "marketing": "marketing",
    "customer-success": "customer_support", "content": "embedded_content", "cdn": "infrastructure",
    "tag-manager": "tag_management", "consent-provider": "consent", "other": "other",
}


# third-party-web entities whose company is known wrong today (an old name, a former parent, or
# a company that never owned it): entity name → (the company the dataset gives, the company to
# suggest, why). A correction applies only while the dataset still gives that company, so a
# fixed dataset is not overridden. Checked against the companies' own announcements; the
# naming-quality test (tests/registry/test_naming_quality.py) measures the effect.
CORRECTIONS: dict[str, tuple[str, str, str]] = {
    "Facebook": ("Facebook", "Meta Platforms, Inc.",
                 "Facebook, Inc. renamed Meta Platforms, Inc. (2021)"),
    "LiveRail": ("Facebook", "Meta Platforms, Inc.", "acquired by Facebook (2014), closed 2016"),
    "Twitter": ("Twitter", "X Corp.", "Twitter, Inc. merged into X Corp. (2023)"),
    "Twitter Online Conversion Tracking": ("Twitter", "X Corp.",
                                           "Twitter, Inc. merged into X Corp. (2023)"),
    "Twitter Short URL": ("Twitter", "X Corp.", "Twitter, Inc. merged into X Corp. (2023)"),
    "LINE Corporation": ("LINE Corporation", "LY Corporation",
                         "LINE and Yahoo Japan merged as LY Corporation (2023)"),
    "Yahoo! JAPAN Ads": ("Yahoo! JAPAN", "LY Corporation",
                         "Yahoo Japan merged into LY Corporation (2023)"),
    "Yahoo! Tag Manager": ("Yahoo! JAPAN", "LY Corporation",
                           "Yahoo Japan merged into LY Corporation (2023)"),
    "AppNexus": ("AppNexus", "Microsoft Corporation",
                 "AppNexus → Xandr (AT&T), acquired by Microsoft (2022)"),
    "One by AOL": ("AOL", "Yahoo Inc.",
                   "AOL → Oath → Verizon Media, sold to Apollo as Yahoo Inc. (2021)"),
    "AOL / Oath / Verizon Media": ("AOL / Oath / Verizon Media", "Yahoo Inc.",
                                   "Verizon Media sold to Apollo as Yahoo Inc. (2021)"),
    "Adap.tv": ("Adap.tv", "Yahoo Inc.",
                "acquired by AOL (2013); AOL's ad business is Yahoo Inc.'s since 2021"),
    "Index Exchange": ("WPP", "Index Exchange Inc.", "an independent company, not part of WPP"),
    "Burst Media": ("Burst Media", "Nexxen International Ltd.",
                    "Burst Media → RhythmOne → Tremor International, renamed Nexxen (2023)"),
    "Turn": ("Turn", "Nexxen International Ltd.",
             "Turn → Amobee (2017) → Tremor International (2022), renamed Nexxen (2023)"),
    "Ghostery Enterprise": ("Ghostery", "Crownpeak Technology, Inc.",
                            "Evidon (Ghostery Enterprise) acquired by Crownpeak (2018)"),
    "Symantec": ("Symantec", "DigiCert, Inc.",
                 "Symantec's certificate business acquired by DigiCert (2017)"),
    "Neustar AdAdvisor": ("Neustar", "TransUnion", "Neustar acquired by TransUnion (2021)"),
    "Aggregate Knowledge": ("Neustar", "TransUnion", "Neustar acquired by TransUnion (2021)"),
    "eXelate": ("eXelate", "Nielsen", "acquired by Nielsen (2015)"),
    "Dataxu": ("Dataxu", "Roku, Inc.", "acquired by Roku (2019)"),
    "Tapad": ("Tapad", "Experian", "acquired by Experian (2020)"),
    "mPulse": ("mPulse", "Akamai Technologies, Inc.", "SOASTA (mPulse) acquired by Akamai (2017)"),
    "AppDynamics": ("AppDynamics", "Cisco Systems, Inc.", "acquired by Cisco (2017)"),
    "Decibel Insight": ("Decibel Insight", "Medallia, Inc.", "acquired by Medallia (2021)"),
    "Kampyle": ("Kampyle", "Medallia, Inc.", "acquired by Medallia (2016)"),
    "Dynamic Yield": ("Dynamic Yield", "Mastercard",
                      "acquired by Mastercard from McDonald's (2022)"),
    "Bidswitch": ("Bidswitch", "Criteo S.A.", "IPONWEB (Bidswitch) acquired by Criteo (2022)"),
    "Maxymiser": ("Maxymiser", "Oracle Corporation", "acquired by Oracle (2015)"),
    "Moat": ("Moat", "Oracle Corporation", "acquired by Oracle (2017), closed 2024"),
    "Grapeshot": ("Grapeshot", "Oracle Corporation", "acquired by Oracle (2018)"),
    "Infoline": ("Infoline", "INFOnline GmbH", "ioam.de is INFOnline's measurement system"),
}


def dataset_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


class Suggester:
    """Domain → {company, category, source, …} from third-party-web entities."""

    def __init__(self, entities: list[dict[str, Any]], version: str | None = None) -> None:
        self.entities: dict[str, dict[str, Any]] = {}
        rules: list[Rule] = []
        for e in entities:
            name = e.get("name")
            if not name:
                continue
            self.entities[name] = e
            for d in e.get("domains", []):
                d = str(d).lower().strip()
                if d.startswith("*."):
                    rules.append(Rule("domain", d[2:], name, "suggestion"))
                elif d:
                    rules.append(Rule("host", d, name, "suggestion"))
                    # an exact domain in the dataset also stands for its subdomains
                    rules.append(Rule("domain", d, name, "suggestion"))
        self.matcher = Matcher(rules)
        self.rules = rules
        self.version = version

    @classmethod
    def load(cls, path: Path | None = None) -> Suggester:
        p = path or dataset_path()
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls([], None)
        version_file = p.parent / "VERSION"
        version = version_file.read_text().strip() if version_file.exists() else None
        if not isinstance(data, list):
            return cls([], version)
        return cls(data, version)

    def __len__(self) -> int:
        return len(self.entities)

    def suggest(self, host_or_domain: str) -> dict[str, Any] | None:
        m = self.matcher.match_host(host_or_domain)
        if m is None:
            return None
        e = self.entities[m.target]
        out = {
            "company": e.get("company") or e.get("name"),
            "name": e.get("name"),
            "category": CATEGORY_MAP.get(str(e.get("category")), "other"),
            "homepage": e.get("homepage"),
            "source": "third-party-web",
        }
        fix = CORRECTIONS.get(str(e.get("name")))
        if fix is not None and fix[0] == out["company"]:
            out["company"], out["corrected"] = fix[1], fix[2]
        return out


@functools.lru_cache(maxsize=4)
def default_suggester(path: str | None = None) -> Suggester:
    return Suggester.load(Path(path) if path else None)
