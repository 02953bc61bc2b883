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
        return {
            "company": e.get("company") or e.get("name"),
            "name": e.get("name"),
            "category": CATEGORY_MAP.get(str(e.get("category")), "other"),
            "homepage": e.get("homepage"),
            "source": "third-party-web",
        }


@functools.lru_cache(maxsize=4)
def default_suggester(path: str | None = None) -> Suggester:
    return Suggester.load(Path(path) if path else None)
