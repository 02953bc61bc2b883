"""Builds the matcher from the registry tables (and the suggestion source) for one database.

Two matchers: ``matcher`` maps observations to services (the specific evidence a public row
rests on); ``provider_matcher`` maps hosts to providers from ``Provider.domains`` — shared
beacon, CDN, transport or regional domains that identify the company but not which of its
services sent the request. The service matcher is always asked first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from registry.matcher import Matcher, Rule
from registry.models import MatchRule, Provider, Service
from registry.suggest import Suggester, default_suggester


@dataclass
class RegistryIndex:
    """Matcher plus the service and provider rows it points at."""

    matcher: Matcher
    services: dict[str, Service]
    providers: dict[str, Provider]
    suggester: Suggester
    provider_matcher: Matcher = field(default_factory=lambda: Matcher([]))
    # service id → the hosts (and domains) its host/domain/url_prefix rules point at
    service_hosts: dict[str, set[str]] = field(default_factory=dict)

    def provider_name(self, service_id: str | None, lang: str = "en") -> str | None:
        if not service_id or service_id not in self.services:
            return None
        return self.provider_label(self.services[service_id].provider_id, lang)

    def provider_label(self, provider_id: str | None, lang: str = "en") -> str | None:
        p = self.providers.get(provider_id or "")
        if p is None:
            return None
        return p.name_ja if lang == "ja" else p.name_en

    def provider_of_host(self, host: str) -> str | None:
        """The provider whose shared domains include host (None when no provider claims it)."""
        m = self.provider_matcher.match_host(host)
        return m.target if m else None

    def provider_of_service(self, service_id: str | None) -> str | None:
        s = self.services.get(service_id or "")
        return s.provider_id if s is not None else None

    def candidates(self, provider_id: str, host: str | None = None,
                   platform: str | None = None) -> list[str]:
        """The provider's services a request to its shared domain at ``host`` may come from.

        Services of the provider for the platform (web/app) whose own host rules lie under the
        same shared domain, or that have no host rules at all (known only by their SDK); when
        there are none, every service of the provider for the platform.
        """
        own = [s for s in self.services.values() if s.provider_id == provider_id
               and (platform is None or platform in (s.platforms or ["web"]))]
        p = self.providers.get(provider_id)
        if host and p is not None:
            covering = [d for d in (p.domains or []) if host == d or host.endswith("." + d)]
            # services with host rules under the same shared domain, and services known only
            # by their SDK (their traffic could go anywhere of the provider's)
            near = [s for s in own if not self.service_hosts.get(s.id)
                    or any(h == c or h.endswith("." + c)
                           for h in self.service_hosts.get(s.id, ()) for c in covering)]
            if near:
                own = near
        return sorted(s.id for s in own)


def rules_from_db(session: Session) -> list[Rule]:
    return [Rule(r.kind, r.pattern, r.service_id, r.source, r.id)
            for r in session.exec(select(MatchRule)).all()]


def provider_rules(providers: dict[str, Provider]) -> list[Rule]:
    return [Rule("domain", d.lower().strip("."), p.id, p.source)
            for p in providers.values() for d in (p.domains or [])]


def _service_hosts(rules: list[Rule]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in rules:
        if r.kind in ("domain", "host"):
            host = r.pattern
        elif r.kind == "url_prefix":
            host = r.pattern.split("://", 1)[-1].split("/", 1)[0]
        else:
            continue
        out.setdefault(r.target, set()).add(host.lower().strip("."))
    return out


def build_index(session: Session, suggester: Suggester | None = None) -> RegistryIndex:
    services = {s.id: s for s in session.exec(select(Service)).all()}
    providers = {p.id: p for p in session.exec(select(Provider)).all()}
    rules = rules_from_db(session)
    return RegistryIndex(Matcher(rules), services, providers,
                         suggester if suggester is not None else default_suggester(),
                         Matcher(provider_rules(providers)), _service_hosts(rules))
