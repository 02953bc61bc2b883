"""Fixed Disclosures for the site generator tests: a realistic sample and a hostile (XSS) one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from site_generator.model import ChangeEvent, Company, Disclosure, PropertyList, ServiceRow

WEB_INFO_JA = ("Cookie ID（クライアントID）", "閲覧したページのURLとタイトル", "リファラ（直前に閲覧したページのURL）",
               "閲覧日時", "IPアドレス", "ユーザーエージェント（ブラウザとOSの種類）")
WEB_INFO_EN = ("Cookie ID (client ID)", "URL and title of the pages viewed",
               "Referrer (the page viewed just before)", "Date and time of viewing", "IP address",
               "User agent (browser and operating system)")
APP_INFO_JA = ("アプリインスタンスID", "広告ID（IDFA／AAID）", "アプリ名とバージョン", "OSと端末の機種",
               "アプリ内のイベント（起動、画面表示、応募）")
APP_INFO_EN = ("App instance ID", "Advertising ID (IDFA/AAID)", "App name and version",
               "Operating system and device model", "In-app events (launch, screen view, application)")


def _row(service_id: str, name_ja: str, name_en: str, provider_ja: str, provider_en: str,
         category: str, *, app: bool = False, **kw: object) -> ServiceRow:
    values: dict[str, object] = dict(
        service_id=service_id, name_ja=name_ja, name_en=name_en, provider_ja=provider_ja,
        provider_en=provider_en, category=category,
        information_ja=APP_INFO_JA if app else WEB_INFO_JA,
        information_en=APP_INFO_EN if app else WEB_INFO_EN,
        purpose_ja="当社サイトの利用状況を分析し、使いやすさの改善に役立てるため。",
        purpose_en="To analyse how our site is used and make it easier to use.",
        recipient_use_ja="送信先の事業者が、当社への統計レポートの提供と、自社サービスの改善に利用します。",
        recipient_use_en="The recipient uses it to provide us with statistical reports and to improve its own services.",
        privacy_policy_url="https://policies.google.com/privacy?hl=ja", stop_kind="unavailable",
        stop_url=None, stop_ja="送信先の事業者は、利用者が送信を止める方法を提供していません。",
        stop_en="The recipient offers no way for users to stop the transmission.",
        destinations=(), first_listed=date(2026, 6, 1), channel="app" if app else "web",
        country="US")
    values.update(kw)
    return ServiceRow(**values)  # type: ignore[arg-type]


GA = _row("google-analytics", "Google アナリティクス", "Google Analytics", "Google LLC", "Google LLC",
          "analytics", stop_kind="stop", stop_url="https://tools.google.com/dlpage/gaoptout?hl=ja",
          stop_ja=None, stop_en=None, cookies=("_ga", "_ga_ABC123"), after_consent_only=True,
          destinations=("www.google-analytics.com", "region1.google-analytics.com",
                        "www.googletagmanager.com"))
GTM = _row("google-tag-manager", "Google タグマネージャー", "Google Tag Manager", "Google LLC",
           "Google LLC", "tag_management",
           information_ja=("閲覧したページのURL", "IPアドレス", "ユーザーエージェント（ブラウザとOSの種類）"),
           information_en=("URL of the page viewed", "IP address", "User agent (browser and operating system)"),
           purpose_ja="当社サイトに設置するタグ（外部送信プログラム）を一元的に管理するため。",
           purpose_en="To manage the tags (external transmission programs) on our site in one place.",
           recipient_use_ja="送信先の事業者が、タグの配信とサービスの提供、保守のために利用します。",
           recipient_use_en="The recipient uses it to deliver the tags, and to provide and maintain the service.",
           destinations=("www.googletagmanager.com",))
GADS = _row("google-ads", "Google 広告", "Google Ads", "Google LLC", "Google LLC", "advertising",
            purpose_ja="当社の求人広告を、当社サイトを訪れたことのある方に他社のサイトで表示するため。",
            purpose_en="To show our job advertisements on other sites to people who visited our site.",
            recipient_use_ja="送信先の事業者が、広告の配信、広告効果の測定、広告配信の最適化に利用します。",
            recipient_use_en="The recipient uses it to serve ads, measure their effect and optimise ad delivery.",
            privacy_policy_url="https://policies.google.com/technologies/ads?hl=ja",
            stop_kind="limit", stop_url="https://adssettings.google.com/",
            stop_ja="「広告設定」ページで、興味・関心に合わせた広告を無効にできます。",
            stop_en="You can turn off personalised ads on the Ad Settings page.",
            page_groups=("/apply/", "/jobs/"),
            destinations=("googleads.g.doubleclick.net", "www.googleadservices.com"),
            first_listed=date(2026, 9, 14))
META = _row("meta-pixel", "Meta ピクセル", "Meta Pixel", "Meta Platforms, Inc.",
            "Meta Platforms, Inc.", "ad_measurement",
            purpose_ja="Facebook・Instagramに掲載した当社の広告の効果を測定するため。",
            purpose_en="To measure the effect of our ads on Facebook and Instagram.",
            recipient_use_ja="送信先の事業者が、広告効果の測定、広告配信の最適化、自社サービスの改善に利用します。",
            recipient_use_en="The recipient uses it to measure ad effect, optimise ad delivery and improve its services.",
            privacy_policy_url="https://www.facebook.com/privacy/policy/",
            stop_kind="limit", stop_url="https://www.facebook.com/help/1075880512458213",
            stop_ja=None, stop_en=None,
            destinations=("connect.facebook.net", "www.facebook.com"),
            first_listed=date(2026, 11, 2))
YOUTUBE = _row("youtube", "YouTube 動画の埋め込み", "YouTube embedded videos", "Google LLC",
               "Google LLC", "embedded_content",
               purpose_ja="職場紹介の動画をページ内で再生できるようにするため。",
               purpose_en="To let you play workplace videos inside our pages.",
               recipient_use_ja="送信先の事業者が、動画の配信、視聴状況の分析、広告の配信に利用します。",
               recipient_use_en="The recipient uses it to deliver the videos, analyse viewing and serve ads.",
               destinations=("www.youtube-nocookie.com", "i.ytimg.com"),
               cookies=("VISITOR_INFO1_LIVE", "YSC"))
CHAT = _row("zendesk-chat", "Zendesk チャット", "Zendesk Chat", "Zendesk, Inc.", "Zendesk, Inc.",
            "customer_support",
            information_ja=("チャットに入力した内容", "閲覧したページのURL", "IPアドレス", "チャットの識別子（Cookie）"),
            information_en=("What you type in the chat", "URL of the page viewed", "IP address",
                            "Chat identifier (cookie)"),
            purpose_ja="お問い合わせにチャットで回答するため。",
            purpose_en="To answer your questions by chat.",
            recipient_use_ja="送信先の事業者が、チャット機能の提供と不正利用の防止に利用します。",
            recipient_use_en="The recipient uses it to provide the chat and to prevent abuse.",
            privacy_policy_url="https://www.zendesk.co.jp/company/agreements-and-terms/privacy-notice/",
            destinations=("static.zdassets.com", "widget-mediator.zopim.com"))
SITEST = _row("sitest", "SiTest", "SiTest", "株式会社グラッドキューブ", "Glad Cube Inc.", "analytics",
              information_ja=WEB_INFO_JA + ("ページ内のクリック位置とスクロール量",),
              information_en=WEB_INFO_EN + ("Click positions and scroll depth on the page",),
              purpose_ja="ページのどこが読まれているかを把握し、ページの構成を改善するため。",
              purpose_en="To see which parts of a page are read and improve the page layout.",
              recipient_use_ja="送信先の事業者が、ヒートマップの作成と当社への提供に利用します。",
              recipient_use_en="The recipient uses it to build heat maps for us.",
              privacy_policy_url="https://sitest.jp/privacy.html",
              stop_kind="stop", stop_url="https://sitest.jp/optout.html", stop_ja=None,
              stop_en=None, destinations=("sitest.jp",), country="JP")
SATORI = _row("satori", "SATORI", "SATORI", "SATORI株式会社", "SATORI Inc.", "marketing",
              information_ja=("Cookie ID", "閲覧したページのURL", "フォームに入力したメールアドレス"),
              information_en=("Cookie ID", "URL of the pages viewed", "E-mail address entered in forms"),
              purpose_ja="資料請求をいただいた企業のご担当者に、関心に合った情報をお送りするため。",
              purpose_en="To send companies that requested documents information that matches their interest.",
              recipient_use_ja="送信先の事業者が、当社へのマーケティング支援サービスの提供に利用します。",
              recipient_use_en="The recipient uses it to provide marketing automation services to us.",
              privacy_policy_url=None, destinations=("satori.segs.jp",), country="JP",
              stop_kind="company_setting", stop_ja=None, stop_en=None,
              first_listed=date(2026, 10, 5))

FIREBASE = _row("firebase-analytics", "Firebase アナリティクス", "Google Analytics for Firebase",
                "Google LLC", "Google LLC", "analytics", app=True,
                purpose_ja="アプリの利用状況を分析し、機能の改善に役立てるため。",
                purpose_en="To analyse how the app is used and improve its features.",
                stop_kind="company_setting",
                stop_ja="アプリの「設定」→「データの利用」で、利用状況の送信をオフにできます。",
                stop_en="In the app, turn off usage data under Settings → Data use.",
                destinations=("com.google.firebase:firebase-analytics", "app-measurement.com"))
CRASHLYTICS = _row("firebase-crashlytics", "Firebase Crashlytics", "Firebase Crashlytics",
                   "Google LLC", "Google LLC", "performance", app=True,
                   information_ja=("クラッシュ時の端末の状態（OS、機種、空きメモリ）", "クラッシュの発生箇所と発生日時",
                                   "Crashlytics インストールID"),
                   information_en=("Device state at the crash (OS, model, free memory)",
                                   "Where and when the crash happened", "Crashlytics installation ID"),
                   purpose_ja="アプリの不具合を検知し、修正するため。",
                   purpose_en="To detect and fix crashes of the app.",
                   recipient_use_ja="送信先の事業者が、クラッシュレポートの作成と当社への提供に利用します。",
                   recipient_use_en="The recipient uses it to build crash reports for us.",
                   privacy_policy_url="https://firebase.google.com/support/privacy?hl=ja",
                   destinations=("com.google.firebase:firebase-crashlytics",
                                 "crashlyticsreports-pa.googleapis.com"))
APPSFLYER = _row("appsflyer", "AppsFlyer", "AppsFlyer", "AppsFlyer Ltd.", "AppsFlyer Ltd.",
                 "ad_measurement", app=True,
                 purpose_ja="どの広告からアプリがインストールされたかを測定するため。",
                 purpose_en="To measure which ads led to installs of the app.",
                 recipient_use_ja="送信先の事業者が、広告効果の測定と不正なインストールの検知に利用します。",
                 recipient_use_en="The recipient uses it to measure ad effect and detect install fraud.",
                 privacy_policy_url="https://www.appsflyer.com/ja/legal/privacy-policy/",
                 stop_kind="stop", stop_url="https://www.appsflyer.com/optout", stop_ja=None,
                 stop_en=None, country="IL",
                 destinations=("com.appsflyer:af-android-sdk",), first_listed=date(2026, 8, 20))
FCM = _row("firebase-messaging", "Firebase Cloud Messaging", "Firebase Cloud Messaging",
           "Google LLC", "Google LLC", "push", app=True,
           information_ja=("プッシュ通知用の登録トークン", "アプリ名とバージョン"),
           information_en=("Registration token for push notifications", "App name and version"),
           purpose_ja="新着求人のお知らせをプッシュ通知でお送りするため。",
           purpose_en="To send you push notifications about new jobs.",
           recipient_use_ja="送信先の事業者が、プッシュ通知の配信に利用します。",
           recipient_use_en="The recipient uses it to deliver push notifications.",
           privacy_policy_url="https://firebase.google.com/support/privacy?hl=ja",
           stop_kind="limit",
           stop_ja="端末の「設定」でこのアプリの通知をオフにすると、通知は届かなくなります。",
           stop_en="Turn off notifications for this app in your device settings.",
           destinations=("com.google.firebase:firebase-messaging",))

COMPANY = Company(
    name_ja="株式会社サンプル", name_en="Sample Inc.",
    contact_url="https://www.sample.co.jp/contact/", contact_email="privacy@sample.co.jp",
    policy_url="https://www.sample.co.jp/privacy/",
    base_url="https://www.sample.co.jp/privacy/transmission/",
    consent_settings_url="https://www.sample.co.jp/privacy/cookie-settings/",
    lists_contact_ja="個人情報お問い合わせ窓口", lists_contact_en="Privacy enquiries",
    lists_contact_email="privacy@sample.co.jp", established=date(2026, 6, 1))


def sample_disclosure() -> Disclosure:
    """2 web properties, an iOS and an Android app, several categories and a history."""
    jobs = PropertyList(
        name="jobs-web", kind="web", platform=None, title_ja="求人サイト", title_en="Job site",
        urls=("https://jobs.sample.co.jp/",),
        rows=(GA, GTM, GADS, META, YOUTUBE, CHAT, SITEST),
        last_changed=date(2026, 11, 2), last_checked=date(2026, 11, 30))
    corp = PropertyList(
        name="corp-web", kind="web", platform=None, title_ja="コーポレートサイト", title_en=None,
        urls=("https://www.sample.co.jp/", "https://ir.sample.co.jp/"),
        rows=(replace(GA, purpose_ja="当社サイトの閲覧状況を分析し、掲載内容の改善に役立てるため。",
                      purpose_en="To analyse visits to our site and improve its content."),
              SATORI),
        last_changed=date(2026, 10, 5), last_checked=date(2026, 11, 29))
    ios = PropertyList(
        name="jobs-app-ios", kind="app", platform="ios", title_ja="サンプル求人アプリ",
        title_en="Sample Jobs app", urls=("https://apps.apple.com/jp/app/id0000000000",),
        rows=(FIREBASE, CRASHLYTICS, FCM, replace(APPSFLYER, destinations=("AppsFlyerLib",))),
        last_changed=date(2026, 8, 20), last_checked=date(2026, 11, 28))
    android = PropertyList(
        name="jobs-app-android", kind="app", platform="android", title_ja="サンプル求人アプリ",
        title_en="Sample Jobs app",
        urls=("https://play.google.com/store/apps/details?id=jp.co.sample.jobs",),
        rows=(FIREBASE, CRASHLYTICS, APPSFLYER, FCM),
        last_changed=date(2026, 8, 20), last_checked=None)

    def ev(on: date, prop: PropertyList, row: ServiceRow, action: str,
           reason_ja: str | None = None, reason_en: str | None = None) -> ChangeEvent:
        return ChangeEvent(on=on, property=prop.name, property_title_ja=prop.title_ja,
                           property_title_en=prop.title_en, service_name_ja=row.name_ja,
                           service_name_en=row.name_en, provider_ja=row.provider_ja,
                           provider_en=row.provider_en, action=action, reason_ja=reason_ja,
                           reason_en=reason_en, service_id=row.service_id)

    criteo = _row("criteo", "Criteo", "Criteo", "Criteo株式会社", "Criteo K.K.", "advertising")
    changes = (
        ev(date(2026, 6, 1), jobs, GA, "added", "初回の調査で送信を確認しました。",
           "Found in the first check."),
        ev(date(2026, 6, 1), jobs, criteo, "added"),
        ev(date(2026, 8, 20), ios, APPSFLYER, "added", "アプリのバージョン 3.2 で組み込みました。",
           "Added in app version 3.2."),
        ev(date(2026, 8, 20), android, APPSFLYER, "added", "アプリのバージョン 3.2 で組み込みました。",
           "Added in app version 3.2."),
        ev(date(2026, 9, 14), jobs, GADS, "added"),
        ev(date(2026, 10, 5), corp, SATORI, "added", "資料請求フォームに設置しました。",
           "Added to the document request form."),
        ev(date(2026, 10, 20), jobs, criteo, "removed",
           "3回続けて送信が確認されなかったため、一覧から削除しました。",
           "Not seen in 3 consecutive complete checks."),
        ev(date(2026, 11, 2), jobs, META, "added"),
        ChangeEvent(on=date(2026, 7, 1), property="campaign-web",
                    property_title_ja="2026年春の採用キャンペーンサイト",
                    property_title_en="Spring 2026 recruiting campaign site",
                    service_name_ja="Google アナリティクス", service_name_en="Google Analytics",
                    provider_ja="Google LLC", provider_en="Google LLC", action="removed",
                    reason_ja="キャンペーンサイトを閉鎖しました。", reason_en="The campaign site was closed.",
                    service_id="google-analytics"),
    )
    return Disclosure(company=COMPANY, properties=(jobs, corp, android, ios), changes=changes,
                      removal_after_scans=3)


XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_ATTR = '"><img src=x onerror="window.__xss=1">'
XSS_URL = "javascript:window.__xss=1"
XSS_TEXT = XSS_SCRIPT + XSS_ATTR


def hostile_disclosure() -> Disclosure:
    """Every free-text field and URL carries a payload."""
    row = ServiceRow(
        service_id="evil", name_ja="悪い" + XSS_TEXT, name_en="Evil" + XSS_TEXT,
        provider_ja=XSS_ATTR, provider_en=XSS_SCRIPT, category="analytics",
        information_ja=(XSS_SCRIPT, XSS_ATTR), information_en=(XSS_SCRIPT, XSS_ATTR),
        purpose_ja=XSS_TEXT + "\n2行目" + XSS_ATTR, purpose_en=XSS_TEXT,
        recipient_use_ja=XSS_ATTR, recipient_use_en=XSS_ATTR,
        privacy_policy_url=XSS_URL, stop_kind="limit",
        stop_url='https://ok.example/"onmouseover="window.__xss=1',
        stop_ja=XSS_TEXT, stop_en=XSS_TEXT, cookies=(XSS_SCRIPT, XSS_ATTR),
        page_groups=(XSS_ATTR,), country="US",
        destinations=(XSS_SCRIPT, "data:text/html,<script>window.__xss=1</script>"),
        first_listed=date(2026, 1, 1))
    row2 = replace(row, service_id="evil2", category=XSS_SCRIPT,
                   privacy_policy_url="data:text/html,<script>window.__xss=1</script>",
                   stop_url=" JaVaScRiPt:window.__xss=1", stop_ja=None, stop_en=None)
    web = PropertyList(name="evil-web", kind="web", platform=None, title_ja=XSS_TEXT,
                       title_en=XSS_ATTR, urls=(XSS_URL, "https://ok.example/<script>"),
                       rows=(row, row2), last_changed=date(2026, 1, 2), last_checked=None)
    app = PropertyList(name="evil-app", kind="app", platform="ios", title_ja=XSS_ATTR,
                       title_en=XSS_SCRIPT, urls=("vbscript:window.__xss=1",),
                       rows=(replace(row, channel="webview"),),
                       last_changed=None, last_checked=date(2026, 1, 3))
    company = Company(name_ja=XSS_TEXT, name_en=XSS_ATTR, contact_url=XSS_URL,
                      contact_email='a@b.example"><script>window.__xss=1</script>',
                      policy_url="javascript:alert(1)", base_url=XSS_URL,
                      consent_settings_url=XSS_URL, lists_contact_ja=XSS_TEXT,
                      lists_contact_en=XSS_ATTR, lists_contact_url=XSS_URL,
                      lists_contact_email=XSS_ATTR)
    change = ChangeEvent(on=date(2026, 1, 2), property="evil-web", property_title_ja=XSS_TEXT,
                         property_title_en=XSS_ATTR, service_name_ja=XSS_TEXT,
                         service_name_en=XSS_SCRIPT, provider_ja=XSS_ATTR, provider_en=XSS_ATTR,
                         action="added", reason_ja=XSS_TEXT, reason_en=XSS_ATTR, service_id="evil")
    return Disclosure(company=company, properties=(web, app), changes=(change,))
