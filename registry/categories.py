"""The purpose categories services are grouped by on the public pages, in display order."""

from __future__ import annotations

# slug → (Japanese heading, English heading). Order is the order of sections on the pages.
CATEGORIES: dict[str, tuple[str, str]] = {
    "analytics": ("アクセス解析", "Analytics"),
    "advertising": ("広告配信", "Advertising"),
    "ad_measurement": ("広告効果測定", "Advertising measurement"),
    "marketing": ("マーケティング支援", "Marketing automation"),
    "personalization": ("利便性向上・パーソナライズ", "Personalisation"),
    "social": ("SNS連携", "Social media"),
    "embedded_content": ("外部コンテンツの表示", "Embedded content"),
    "customer_support": ("お問い合わせ・チャット対応", "Customer support"),
    "tag_management": ("タグ管理", "Tag management"),
    "performance": ("品質改善・不具合検知", "Performance and error monitoring"),
    "identity": ("ログイン・会員認証", "Sign-in and identity"),
    "security": ("セキュリティ・不正防止", "Security and fraud prevention"),
    "consent": ("同意管理", "Consent management"),
    "push": ("プッシュ通知", "Push notifications"),
    "payment": ("決済", "Payments"),
    "infrastructure": ("コンテンツ配信基盤", "Content delivery"),
    "other": ("その他", "Other"),
}


def label(slug: str, lang: str = "ja") -> str:
    ja, en = CATEGORIES.get(slug, (slug, slug))
    return ja if lang == "ja" else en


def order(slug: str) -> int:
    keys = list(CATEGORIES)
    return keys.index(slug) if slug in keys else len(keys)
