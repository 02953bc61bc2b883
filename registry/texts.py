"""The wording a service's row shows on one platform, and why a row cannot be published.

A service has default texts (true on every platform in ``platforms``) and optional per-platform
blocks (``web:``, ``app:``, ``webview:``) that replace single fields. :func:`resolve` picks the
wording for one platform:

- ``web``: the defaults, then the ``web`` block;
- ``app``: the defaults, then the ``app`` block;
- ``webview`` (a service seen in an app only inside an in-app web view): the ``web`` wording,
  then the ``webview`` block. Web wording is true in a web view (a web view keeps cookies and
  shows the company's web pages), **except** a stop method that needs a browser (an add-on, the
  browser's cookie settings): a web view has neither, so a ``stop`` of kind ``stop`` that is not
  overridden by ``webview.stop`` is not used there; the row is published only if the ``webview``
  block says what applies.

A platform has wording when it is in ``platforms`` (the defaults are written for it) or its
block gives every field (information, both purposes, both languages). ``webview`` has wording
when ``web`` has.

Legacy fields ``opt_out_url`` / ``opt_out_ja`` / ``opt_out_en`` are not read any more: they did
not say whether the method stops the transmission or only limits its use. A service that still
has them and no ``stop:`` is reported (``gaibu registry check`` and ``gaibu build``) with the
fix, see :data:`LEGACY_STOP_MESSAGE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PLATFORMS = ("web", "app", "webview")
TEXT_FIELDS = ("information_ja", "information_en", "purpose_ja", "purpose_en",
               "recipient_use_ja", "recipient_use_en")
LEGACY_STOP_MESSAGE = ("has only the legacy opt_out_url/opt_out_ja/opt_out_en, which do not say "
                       "whether the transmission stops; replace them with stop: {kind: stop|limit|"
                       "company_setting|unavailable, url: ..., text_ja: ..., text_en: ...}")

# Words that are false on the other platform (checked by `gaibu registry check`).
WEB_ONLY_WORDS = ("当社サイト", "Cookie", "ブラウザ", "アドオン")
APP_ONLY_WORDS = ("広告識別子", "広告ID", "IDFA", "AAID")


@dataclass(frozen=True)
class Stop:
    kind: str  # stop | limit | company_setting | unavailable
    url: str | None
    text_ja: str | None
    text_en: str | None


@dataclass(frozen=True)
class Texts:
    information_ja: tuple[str, ...]
    information_en: tuple[str, ...]
    purpose_ja: str
    purpose_en: str
    recipient_use_ja: str
    recipient_use_en: str
    stop: Stop | None


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _block(service: Any, platform: str) -> dict[str, Any]:
    """One per-platform block as a dict (from a Service row's ``texts`` or a ServiceSpec)."""
    texts = _get(service, "texts")
    if isinstance(texts, dict):
        b = texts.get(platform)
    else:
        b = _get(service, platform)
        if b is not None and not isinstance(b, dict):
            b = b.model_dump(exclude_none=True)
    return dict(b or {})


def _stop(value: Any) -> Stop | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        value = value.model_dump(exclude_none=True)
    return Stop(kind=value["kind"], url=value.get("url"), text_ja=value.get("text_ja"),
                text_en=value.get("text_en"))


def has_wording(service: Any, platform: str) -> bool:
    """Whether the service says something true for ``platform`` (web | app | webview)."""
    if platform == "webview":
        return has_wording(service, "web")
    if platform in (_get(service, "platforms") or ["web"]):
        return True
    b = _block(service, platform)
    return all(b.get(f) for f in TEXT_FIELDS)


def needs_webview_stop(service: Any) -> bool:
    """The web stop method needs a browser (kind ``stop``) and no ``webview.stop`` replaces it."""
    if _block(service, "webview").get("stop"):
        return False
    web = _block(service, "web").get("stop") or _get(service, "stop")
    s = _stop(web)
    return s is not None and s.kind == "stop"


def resolve(service: Any, platform: str) -> Texts | None:
    """The texts for ``platform``, or None when the service has no wording for it."""
    if platform not in PLATFORMS:
        raise ValueError(f"platform: expected one of {PLATFORMS}, got {platform!r}")
    if not has_wording(service, platform):
        return None
    values: dict[str, Any] = {f: _get(service, f) for f in TEXT_FIELDS}
    values["stop"] = _get(service, "stop")
    layers = ["web", "webview"] if platform == "webview" else [platform]
    for layer in layers:
        b = _block(service, layer)
        for f in (*TEXT_FIELDS, "stop"):
            if b.get(f) is not None:
                values[f] = b[f]
    stop = _stop(values["stop"])
    if platform == "webview" and needs_webview_stop(service):
        stop = None
    return Texts(information_ja=tuple(values["information_ja"] or ()),
                 information_en=tuple(values["information_en"] or ()),
                 purpose_ja=values["purpose_ja"], purpose_en=values["purpose_en"],
                 recipient_use_ja=values["recipient_use_ja"],
                 recipient_use_en=values["recipient_use_en"], stop=stop)


def row_problem(service: Any, platform: str) -> str | None:
    """Why a row of this service on ``platform`` cannot be published, or None."""
    label = {"web": "a web site", "app": "an app", "webview": "an app's in-app web view"}[platform]
    if not has_wording(service, platform):
        block = "web" if platform == "webview" else platform
        return (f"has no wording for {label}: add {block} to platforms (if the default texts are "
                f"true there) or a {block}: block with information_ja/en, purpose_ja/en and "
                "recipient_use_ja/en")
    t = resolve(service, platform)
    assert t is not None
    if t.stop is None:
        if platform == "webview" and needs_webview_stop(service):
            return ("its stop method needs a browser, which an in-app web view does not have: "
                    "add webview: {stop: {kind: ...}} saying what applies there")
        if _get(service, "opt_out_url") or _get(service, "opt_out_ja"):
            return LEGACY_STOP_MESSAGE
        return ("has no stop method: add stop: {kind: stop|limit|company_setting|unavailable, "
                "...} (送信の停止・制限の方法)")
    return None


def wrong_words(service: Any) -> list[tuple[str, str, str]]:
    """(platform, field, word) for wording that is false on a platform the service has wording
    for (in ``platforms``, or a complete per-platform block)."""
    out = []
    checks = [("app", WEB_ONLY_WORDS)] if has_wording(service, "app") else []
    if has_wording(service, "web"):
        checks.append(("web", APP_ONLY_WORDS))
    for platform, words in checks:
        t = resolve(service, platform)
        if t is None:
            continue
        fields: list[tuple[str, str]] = [("information_ja", i) for i in t.information_ja]
        fields += [("purpose_ja", t.purpose_ja), ("recipient_use_ja", t.recipient_use_ja)]
        if t.stop and t.stop.text_ja:
            fields.append(("stop.text_ja", t.stop.text_ja))
        for name, text in fields:
            for w in words:
                if w in text:
                    out.append((platform, name, w))
    return out
