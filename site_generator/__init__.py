"""Public 外部送信一覧 pages (web and app, Japanese and English) plus JSON/CSV, from a Disclosure value."""

from site_generator.build import BuildError, build_site, render_site
from site_generator.model import ChangeEvent, Company, Disclosure, PropertyList, ServiceRow

__all__ = ["BuildError", "ChangeEvent", "Company", "Disclosure", "PropertyList", "ServiceRow",
           "build_site", "render_site"]
