"""Builds the matcher from the registry tables (and the suggestion source) for one database."""

from __future__ import annotations

from dataclasses import dataclass

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

    def provider_name(self, service_id: str | None, lang: str = "en") -> str | None:
        if not service_id or service_id not in self.services:
            return None
        p = self.providers.get(self.services[service_id].provider_id)
        if p is None:
            return None
        return p.name_ja if lang == "ja" else p.name_en


def rules_from_db(session: Session) -> list[Rule]:
    return [Rule(r.kind, r.pattern, r.service_id, r.source, r.id)
            for r in session.exec(select(MatchRule)).all()]


def build_index(session: Session, suggester: Suggester | None = None) -> RegistryIndex:
    services = {s.id: s for s in session.exec(select(Service)).all()}
    providers = {p.id: p for p in session.exec(select(Provider)).all()}
    return RegistryIndex(Matcher(rules_from_db(session)), services, providers,
                         suggester if suggester is not None else default_suggester())
