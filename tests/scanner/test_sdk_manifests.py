"""Tests of the SDK manifest readers on real manifests, documented formats and broken files.

The expected SDK lists of the real files in /work/shared/data/manifests/ were written by hand
from reading each file, not produced by the readers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import InputError
from scanner.importers.sdk import read_manifest, reader_for
from scanner.importers.sdk.classify import hint_for
from scanner.importers.sdk.gradle import is_configuration, ships
from scanner.importers.sdk.package_resolved import normalise_location
from scanner.observations import SdkRecord

REAL = Path("/work/shared/data/manifests")
DATA = Path(__file__).parent / "data" / "manifests"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="shared sample data not present")


def by_id(records: list[SdkRecord]) -> dict[str, SdkRecord]:
    ids = [r.id for r in records]
    assert len(ids) == len(set(ids)), "an id is reported twice"
    return {r.id: r for r in records}


def versions(records: list[SdkRecord]) -> dict[str, str | None]:
    return {r.id: r.version for r in records}


# ------------------------------------------------------------------ real: kickstarter build.gradle

KICKSTARTER = {
    "androidx.core:core-ktx": "1.16.0",
    "androidx.annotation:annotation": "1.9.1",
    "androidx.appcompat:appcompat": "1.7.1",
    "androidx.cardview:cardview": "1.0.0",
    "androidx.preference:preference-ktx": "1.2.1",
    "androidx.recyclerview:recyclerview": "1.4.0",
    "androidx.multidex:multidex": "2.0.1",
    "androidx.work:work-runtime-ktx": "2.10.3",
    "androidx.browser:browser": "1.8.0",
    "androidx.compose:compose-bom": "2026.03.01",  # `Dependency composeBom = platform(…)`
    "androidx.compose.ui:ui-text-google-fonts": "bom:2026.03.01",
    "com.google.android.gms:play-services-base": "18.7.2",
    "androidx.navigation:navigation-compose": "2.9.6",
    "androidx.lifecycle:lifecycle-viewmodel": "2.2.0",  # def lifecycle_version
    "androidx.lifecycle:lifecycle-extensions": "2.2.0",
    "androidx.activity:activity-ktx": "1.5.1",  # def activity_fragment_version
    "androidx.fragment:fragment-ktx": "1.5.1",
    "com.android.support.constraint:constraint-layout": "2.0.4",
    "androidx.core:core-splashscreen": "1.2.0-rc01",
    "com.apollographql.apollo3:apollo-runtime": "3.8.6",  # ext.apollo_version in buildscript
    "com.apollographql.apollo3:apollo-adapters": "3.8.6",
    "com.apollographql.apollo3:apollo-normalized-cache": "3.8.6",
    "com.apollographql.apollo3:apollo-rx2-support": "3.8.6",
    "com.facebook.android:facebook-android-sdk": "16.0.0",
    "com.google.android.play:review-ktx": "2.0.2",
    "androidx.constraintlayout:constraintlayout": "2.2.1",
    "com.google.android.flexbox:flexbox": "3.0.0",
    "com.google.dagger:dagger": "2.57",  # final dagger_version
    "com.google.dagger:dagger-compiler": "2.57",  # kapt
    "com.jakewharton:process-phoenix": "3.0.0",
    "com.jakewharton.timber:timber": "5.0.1",
    "com.stripe:stripe-android": "20.47.3",
    "com.squareup.okhttp3:logging-interceptor": "5.1.0",
    "com.squareup.okhttp3:okhttp-urlconnection": "5.1.0",
    "com.squareup.retrofit2:retrofit": "3.0.0",
    "com.squareup.retrofit2:adapter-rxjava2": "3.0.0",
    "com.squareup.retrofit2:converter-gson": "3.0.0",
    "io.reactivex.rxjava2:rxandroid": "2.1.1",
    "net.danlew:android.joda": "2.13.1",
    "com.segment.analytics.android:analytics": "4.11.3",
    "com.appboy:appboy-segment-integration": "15.0.1",
    "org.jsoup:jsoup": "1.21.1",
    "com.github.zjupure:webpdecoder": "2.7.4.16.0",  # "2.7.$glide_version", as written
    "com.github.bumptech.glide:glide": "4.16.0",
    "com.github.bumptech.glide:compiler": "4.16.0",  # annotationProcessor and kapt
    "io.coil-kt:coil-compose": "2.7.0",
    "io.coil-kt:coil-gif": "2.7.0",
    "com.google.firebase:firebase-bom": "34.3.0",
    "com.google.firebase:firebase-crashlytics": "bom:34.3.0",
    "com.google.firebase:firebase-analytics": "bom:34.3.0",
    "com.google.firebase:firebase-messaging": "bom:34.3.0",
    "com.google.firebase:firebase-inappmessaging-display": "bom:34.3.0",
    "com.google.firebase:firebase-perf": "bom:34.3.0",
    "com.google.firebase:firebase-config": "bom:34.3.0",
    "androidx.compose.ui:ui": "bom:2026.03.01",
    "androidx.compose.ui:ui-tooling": "bom:2026.03.01",
    "androidx.compose.runtime:runtime-rxjava2": "bom:2026.03.01",
    "androidx.activity:activity-compose": "1.10.1",
    "androidx.constraintlayout:constraintlayout-compose": "1.1.1",
    "com.google.accompanist:accompanist-systemuicontroller": "0.36.0",
    "androidx.lifecycle:lifecycle-runtime-compose": "2.10.0",
    "androidx.compose.foundation:foundation": "bom:2026.03.01",
    "androidx.compose.ui:ui-util": "bom:2026.03.01",
    "dev.chrisbanes.haze:haze": "1.7.2",
    "androidx.media3:media3-ui": "1.8.0",
    "androidx.media3:media3-exoplayer-hls": "1.8.0",
    "androidx.media3:media3-datasource": "1.8.0",
    "org.jetbrains.kotlinx:kotlinx-coroutines-android": "1.10.2",
    "org.jetbrains.kotlinx:kotlinx-coroutines-rx2": "1.10.2",
    "androidx.paging:paging-compose": "3.3.6",
    "androidx.paging:paging-testing": "3.3.6",  # declared `implementation`: it ships
    "com.airbnb.android:lottie": "6.6.7",
    "com.airbnb.android:lottie-compose": "6.6.7",
    "com.google.android.material:material": "1.6.1",
    "androidx.compose.material:material-icons-core": "bom:2026.03.01",
    "androidx.compose.material3:material3": "bom:2026.03.01",
    "androidx.compose.ui:ui-test-manifest": "1.11.0-rc01",  # debugImplementation
    "com.android.tools:desugar_jdk_libs": "2.1.5",  # coreLibraryDesugaring
    "com.statsig:android-sdk": "5.1.3",
}


@needs_real
def test_kickstarter_build_gradle() -> None:
    path = str(REAL / "kickstarter_android-oss__app_build.gradle")
    records = read_manifest(path)
    assert versions(records) == KICKSTARTER
    sdks = by_id(records)
    assert {r.ecosystem for r in records} == {"maven"}
    assert {r.manifest for r in records} == {path}
    hinted = {i: r.hint for i, r in sdks.items() if r.hint}
    assert hinted == {
        "com.facebook.android:facebook-android-sdk": "tracking",
        "com.segment.analytics.android:analytics": "analytics",
        "com.appboy:appboy-segment-integration": "marketing",
        "com.google.firebase:firebase-crashlytics": "crash",
        "com.google.firebase:firebase-analytics": "analytics",
        "com.google.firebase:firebase-messaging": "push",
        "com.google.firebase:firebase-inappmessaging-display": "marketing",
        "com.google.firebase:firebase-perf": "analytics",
        "com.statsig:android-sdk": "analytics",
    }
    for ordinary in ("com.squareup.retrofit2:retrofit", "com.github.bumptech.glide:glide",
                     "com.google.dagger:dagger", "com.airbnb.android:lottie",
                     "androidx.compose.ui:ui", "io.reactivex.rxjava2:rxandroid",
                     "com.squareup.okhttp3:logging-interceptor", "com.stripe:stripe-android"):
        assert sdks[ordinary].hint is None
    # test-only and build-only configurations never ship
    for absent in ("junit:junit", "org.mockito:mockito-core", "org.robolectric:robolectric",
                   "androidx.test:core", "androidx.compose.ui:ui-test-junit4",
                   "io.mockk:mockk-android", "io.mockk:mockk-agent",
                   "com.squareup.okhttp3:mockwebserver", "io.coil-kt:coil-test",
                   "androidx.test.espresso:espresso-contrib", "androidx.test.espresso:espresso-core",
                   "androidx.test.ext:junit", "androidx.test:rules",
                   "org.jetbrains.kotlinx:kotlinx-coroutines-test",
                   "com.google.firebase:firebase-crashlytics-gradle",  # buildscript classpath
                   "com.apollographql.apollo3:apollo-gradle-plugin", "com.karumi:shot"):
        assert absent not in sdks


# ------------------------------------------------------------------ real: godtools Podfile.lock

GODTOOLS = {
    "AppAuth": "0.92.0", "AppsFlyerFramework": "6.3.5", "AppsFlyerFramework/Main": "6.3.5",
    "FBSDKCoreKit": "8.0.0", "FBSDKCoreKit/Basics": "8.0.0", "FBSDKCoreKit/Core": "8.0.0",
    "FirebaseABTesting": "7.11.0", "FirebaseAnalytics": "7.11.0",
    "FirebaseAnalytics/AdIdSupport": "7.11.0", "FirebaseAnalytics/Base": "7.11.0",
    "FirebaseCore": "7.11.0", "FirebaseCoreDiagnostics": "7.11.0",
    "FirebaseCrashlytics": "7.11.0", "FirebaseInAppMessaging": "7.11.0-beta",
    "FirebaseInstallations": "7.11.0", "FMDB": "2.7.5", "FMDB/standard": "2.7.5",
    "Fuzi": "3.1.3", "GodtoolsToolParser": "0.3.2", "GoogleAnalytics": "3.20.0",
    "GoogleAppMeasurement/AdIdSupport": "7.11.0", "GoogleConversionTracking": "3.4.0",
    "GoogleDataTransport": "8.4.0", "GoogleSymbolUtilities": "1.1.2",
    "GoogleTagManager": "7.2.0", "GoogleUtilities/AppDelegateSwizzler": "7.5.2",
    "GoogleUtilities/Environment": "7.5.2", "GoogleUtilities/Logger": "7.5.2",
    "GoogleUtilities/MethodSwizzler": "7.5.2", "GoogleUtilities/Network": "7.5.2",
    "GoogleUtilities/NSData+zlib": "7.5.2", "GoogleUtilities/Reachability": "7.5.2",
    "GoogleUtilities/UserDefaults": "7.5.2", "GoogleUtilitiesLegacy": "1.3.2",
    "GTMAppAuth": "0.7.0", "GTMSessionFetcher": "1.7.0", "GTMSessionFetcher/Core": "1.7.0",
    "GTMSessionFetcher/Full": "1.7.0", "lottie-ios": "3.1.9", "nanopb": "2.30908.0",
    "nanopb/decode": "2.30908.0", "nanopb/encode": "2.30908.0", "PromisesObjC": "1.2.12",
    "Realm": "10.7.7", "Realm/Headers": "10.7.7", "RealmSwift": "10.7.7", "Result": "5.0.0",
    "SnowplowTracker": "1.7.1", "SSZipArchive": "2.2.3", "Starscream": "4.0.4",
    "SWXMLHash": "5.0.1", "TheKeyOAuthSwift": "0.5.5", "TTTAttributedLabel": "2.0.0",
    "youtube-ios-player-helper": "1.0.3",
}


@needs_real
def test_godtools_podfile_lock() -> None:
    records = read_manifest(REAL / "godtools-swift__Podfile.lock")
    assert versions(records) == {f"cocoapods:{k}": v for k, v in GODTOOLS.items()}
    sdks = by_id(records)
    assert {r.ecosystem for r in records} == {"cocoapods"}
    hinted = {i.removeprefix("cocoapods:"): r.hint for i, r in sdks.items() if r.hint}
    assert hinted == {
        "AppsFlyerFramework": "attribution", "AppsFlyerFramework/Main": "attribution",
        "FBSDKCoreKit": "tracking", "FBSDKCoreKit/Basics": "tracking",
        "FBSDKCoreKit/Core": "tracking",
        "FirebaseABTesting": "analytics", "FirebaseAnalytics": "analytics",
        "FirebaseAnalytics/AdIdSupport": "analytics", "FirebaseAnalytics/Base": "analytics",
        "FirebaseCrashlytics": "crash", "FirebaseInAppMessaging": "marketing",
        "GoogleAnalytics": "analytics", "GoogleAppMeasurement/AdIdSupport": "analytics",
        "GoogleConversionTracking": "ads", "GoogleTagManager": "analytics",
        "SnowplowTracker": "analytics",
    }
    for ordinary in ("lottie-ios", "Realm", "RealmSwift", "Starscream", "GTMSessionFetcher",
                     "GTMSessionFetcher/Core", "nanopb", "PromisesObjC", "SWXMLHash", "FMDB"):
        assert sdks[f"cocoapods:{ordinary}"].hint is None


# ------------------------------------------------------------------ real: droidkaigi catalog

DROIDKAIGI = {
    "app.cash.molecule:molecule-runtime": "1.4.2",
    "com.android.tools:desugar_jdk_libs": "2.0.4",
    "com.google.dagger:hilt-android": "2.51.1",
    "com.google.dagger:hilt-android-compiler": "2.51.1",
    "androidx.lifecycle:lifecycle-process": "2.8.4",
    "io.insert-koin:koin-core": "3.4.3",
    "co.touchlab.skie:configuration-annotations": "0.8.4",
    "org.jetbrains.kotlinx:kotlinx-coroutines-core": "1.8.1",
    "co.touchlab:kermit": "1.2.2",
    "org.jetbrains.kotlinx:kotlinx-collections-immutable": "0.3.5",
    "org.jetbrains.kotlinx:kotlinx-datetime": "0.6.0",
    "org.jetbrains.kotlinx:atomicfu": "0.23.2",
    "androidx.compose:compose-bom": "2024.09.00",
    "androidx.compose.runtime:runtime": "bom:2024.09.00",
    "androidx.compose.ui:ui": "bom:2024.09.00",
    "androidx.compose.ui:ui-util": "bom:2024.09.00",
    "androidx.compose.ui:ui-tooling": "bom:2024.09.00",
    "androidx.compose.ui:ui-tooling-preview": "bom:2024.09.00",
    "androidx.compose.animation:animation": "bom:2024.09.00",
    "androidx.compose.animation:animation-graphics": "bom:2024.09.00",
    "androidx.compose.material:material": "bom:2024.09.00",
    "androidx.compose.material3:material3": "1.3.0",
    "androidx.compose.foundation:foundation": "1.8.0-alpha01",
    "dev.chrisbanes.material3:material3-window-size-class-multiplatform": "0.5.0",
    "androidx.compose.material:material-icons-extended": "bom:2024.09.00",
    "org.jetbrains.androidx.navigation:navigation-compose": "2.8.0-alpha09",
    "org.jetbrains.androidx.core:core-bundle": "1.0.0",
    "androidx.hilt:hilt-navigation-compose": "1.2.0",
    "io.coil-kt.coil3:coil-compose": "3.0.0-alpha10",
    "io.coil-kt.coil3:coil-network-ktor2": "3.0.0-alpha10",
    "com.valentinilk.shimmer:compose-shimmer": "1.0.5",
    "io.github.takahirom.rin:rin": "0.2.0",
    "com.airbnb.android:lottie-compose": "6.1.0",
    "androidx.compose.animation:animation-graphics-android": "1.6.8",
    "dev.chrisbanes.haze:haze": "0.7.2",
    "io.github.onseok:peekaboo-image-picker": "0.5.2",
    "io.github.g0dkar:qrcode-kotlin": "4.1.1",
    "androidx.fragment:fragment": "1.8.2",
    "androidx.core:core-ktx": "1.13.1",
    "androidx.appcompat:appcompat": "1.7.0",
    "androidx.lifecycle:lifecycle-runtime": "2.8.4",
    "org.jetbrains.androidx.lifecycle:lifecycle-runtime-compose": "2.8.0",
    "androidx.lifecycle:lifecycle-viewmodel": "2.8.4",
    "org.jetbrains.androidx.lifecycle:lifecycle-viewmodel-compose": "2.8.0",
    "androidx.lifecycle:lifecycle-common": "2.8.4",
    "androidx.activity:activity-compose": "1.9.1",
    "androidx.datastore:datastore-preferences-core": "1.1.1",
    "androidx.browser:browser": "1.8.0",
    "androidx.window:window": "1.3.0",
    "androidx.core:core-splashscreen": "1.0.1",
    "com.squareup:javapoet": "1.13.0",
    "org.jetbrains.kotlinx:kotlinx-serialization-json": "1.7.1",
    "io.ktor:ktor-client-core": "2.3.10",
    "io.ktor:ktor-client-logging": "2.3.10",
    "io.ktor:ktor-client-okhttp": "2.3.10",
    "io.ktor:ktor-client-darwin": "2.3.10",
    "io.ktor:ktor-serialization-kotlinx-json": "2.3.10",
    "io.ktor:ktor-client-content-negotiation": "2.3.10",
    "com.squareup.okhttp3:okhttp": "4.12.0",
    "com.squareup.okhttp3:logging-interceptor": "4.12.0",
    "com.squareup.okio:okio": "3.9.0",
    "com.google.firebase:firebase-bom": "33.1.2",
    "com.google.firebase:firebase-common": "bom:33.1.2",
    "com.google.firebase:firebase-auth": "bom:33.1.2",
    "com.google.firebase:firebase-dynamic-links": "bom:33.1.2",
    "dev.gitlive:firebase-auth": "1.8.1",
    "dev.gitlive:firebase-config": "1.8.1",
    "com.google.firebase:firebase-crashlytics-ktx": "19.0.3",
    "de.jensklingenberg.ktorfit:ktorfit-lib": "1.12.0",
    "de.jensklingenberg.ktorfit:ktorfit-ksp": "1.12.0",
    "com.google.android.gms:play-services-oss-licenses": "17.1.0",
}


@needs_real
def test_droidkaigi_version_catalog() -> None:
    records = read_manifest(REAL / "droidkaigi-2024__libs.versions.toml")
    assert versions(records) == DROIDKAIGI
    sdks = by_id(records)
    assert {i: r.hint for i, r in sdks.items() if r.hint} == {
        "com.google.firebase:firebase-crashlytics-ktx": "crash",
        "com.google.firebase:firebase-dynamic-links": "attribution",
    }
    for ordinary in ("com.squareup.okhttp3:okhttp", "io.ktor:ktor-client-core",
                     "com.google.dagger:hilt-android", "androidx.compose.ui:ui",
                     "io.coil-kt.coil3:coil-compose"):
        assert sdks[ordinary].hint is None
    for absent in (  # Gradle plugins, lint/detekt rules, test libraries
            "com.android.tools.build:gradle", "org.jetbrains.kotlin:kotlin-gradle-plugin",
            "com.google.gms:google-services", "com.google.firebase:firebase-crashlytics-gradle",
            "io.gitlab.arturbosch.detekt:detekt-formatting", "com.twitter.compose.rules:detekt",
            "com.slack.lint.compose:compose-lint-checks", "junit:junit", "androidx.test.ext:junit",
            "androidx.test.espresso:espresso-core", "org.robolectric:robolectric",
            "io.github.takahirom.roborazzi:roborazzi", "org.jetbrains.kotlin:kotlin-test",
            "com.google.dagger:hilt-android-testing", "androidx.compose.ui:ui-test-junit4",
            "androidx.compose.ui:ui-test-manifest", "io.coil-kt.coil3:coil-test"):
        assert absent not in sdks


# ------------------------------------------------------------------ real: cocoa csproj

COCOA = {
    "Acr.UserDialogs": "7.1.0.442", "Microsoft.AppCenter.Analytics": "3.2.2",
    "Microsoft.AppCenter.Crashes": "3.2.2", "Newtonsoft.Json": "12.0.3",
    "Plugin.LocalNotification": "5.0.4", "Prism.Core": "7.2.0.1422",
    "Prism.DryIoc.Forms": "7.2.0.1422", "Prism.Forms": "7.2.0.1422",
    "Prism.Plugin.Logging.AppCenter": "7.2.0.1114",
    "Xamarin.AndroidX.AppCompat.AppCompatResources": "1.1.0.1",
    "Xamarin.AndroidX.AppCompat.Resources": "1.1.0.1", "Xamarin.AndroidX.MediaRouter": "1.1.0.1",
    "Xamarin.AndroidX.Work.Runtime": "2.3.4.3", "Xamarin.Essentials": "1.5.3.2",
    "Xamarin.FFImageLoading": "2.4.11.982", "Xamarin.FFImageLoading.Forms": "2.4.11.982",
    "Xamarin.Forms": "4.7.0.968",  # Version= attribute
    "Xamarin.Android.Support.CustomTabs": "28.0.0.3", "Xamarin.Android.Support.Design": "28.0.0.3",
    "Xamarin.Android.Support.v4": "28.0.0.3", "Xamarin.Android.Support.v7.AppCompat": "28.0.0.3",
    "Xamarin.Android.Support.v7.CardView": "28.0.0.3",
    "Xamarin.Android.Support.v7.MediaRouter": "28.0.0.3",
    "Xamarin.Forms.Visual.Material": "4.7.0.968",
    "Xamarin.GooglePlayServices.Nearby.ExposureNotification": "18.0.2-eap.6",
    "Xamarin.GooglePlayServices.SafetyNet": "117.0.0-preview03",
}


@needs_real
def test_cocoa_csproj() -> None:
    records = read_manifest(REAL / "cocoa-mhlw__Covid19Radar.Android.csproj")
    assert versions(records) == {f"nuget:{k}": v for k, v in COCOA.items()}
    sdks = by_id(records)
    assert {i: r.hint for i, r in sdks.items() if r.hint} == {
        "nuget:Microsoft.AppCenter.Analytics": "analytics",
        "nuget:Microsoft.AppCenter.Crashes": "crash",
    }
    assert sdks["nuget:Plugin.LocalNotification"].hint is None  # local, not push
    assert {r.ecosystem for r in records} == {"nuget"}


# ------------------------------------------------------------------ synthetic formats

def test_build_gradle_kts_with_catalog() -> None:
    path = DATA / "kts-project" / "app" / "build.gradle.kts"
    sdks = by_id(read_manifest(path))
    assert {i: (r.version, r.hint) for i, r in sdks.items()} == {
        "com.google.firebase:firebase-bom": ("33.1.0", None),
        "com.google.firebase:firebase-analytics": ("bom:33.1.0", "analytics"),
        "com.google.firebase:firebase-crashlytics-ktx": ("bom:33.1.0", "crash"),
        "com.appsflyer:af-android-sdk": ("6.14.0", "attribution"),  # libs.appsflyer
        "com.squareup.okhttp3:okhttp": ("4.12.0", None),  # libs.bundles.networking
        "com.squareup.retrofit2:retrofit": ("2.11.0", None),  # { strictly = "2.11.0" }
        "com.braze:android-sdk-ui": ("30.4.0", "marketing"),  # libs.braze.android
        "com.squareup.okhttp3:logging-interceptor": ("4.12.0", None),  # $okhttpVersion
        "com.google.android.gms:play-services-ads": ("23.0.0", "ads"),  # by extra("23.0.0")
        "com.adjust.sdk:adjust-android": ("4.38.0", "attribution"),  # named arguments
        "org.jetbrains.kotlin:kotlin-stdlib": (None, None),  # kotlin("stdlib")
        "com.google.android.gms:play-services-location": ("21.0.1", None),  # "freeImplementation"
        "com.squareup.leakcanary:leakcanary-android": ("2.14", None),  # debugImplementation
        "com.google.dagger:hilt-compiler": ("2.51.1", None),  # ksp
        "io.karte.android:core": ("2.26.0", "marketing"),  # ${extra["karteVersion"]}
        "io.repro:repro-android-sdk": (None, "marketing"),  # unknown variable: no version
        "unresolved:libs.missing.alias": (None, None),
        "com.example:with-closure": ("1.0", None),
    }
    # test configurations, comments, constraints, project()/files() are not SDKs
    assert not any(i.startswith(("junit", "io.mockk", "androidx.compose.ui:ui-test", "com.commented",
                                 "com.google.guava", "androidx.compose:compose-bom"))
                   for i in sdks)


def test_build_gradle_groovy_without_catalog() -> None:
    sdks = by_id(read_manifest(DATA / "groovy" / "build.gradle"))
    assert {i: (r.version, r.hint) for i, r in sdks.items()} == {
        "org.jetbrains.kotlin:kotlin-stdlib": ("1.9.24", None),  # ext.kotlin_version
        "com.google.android.gms:play-services-analytics": ("18.0.0", "analytics"),  # 'a:' + v
        "com.tapjoy:tapjoy-android-sdk": ("13.4.1", "ads"),  # ${versions.tapjoy} (ext map)
        "com.airbnb.android:lottie": ("6.4.0", None),  # $versions.lottie
        "net.nend.android:nend-sdk": ("10.0.0", "ads"),  # group:/name:/version:
        "com.onesignal:OneSignal": ("[5.0.0, 5.99.99]", "push"),  # a version range, as written
        "io.sentry:sentry-android": ("7.10.0", "crash"),  # @aar
        "com.squareup.moshi:moshi": ("1.15.1", None),  # two in one statement
        "com.squareup.moshi:moshi-kotlin": ("1.15.1", None),
        "unresolved:libs.firebase.analytics": (None, "analytics"),  # no catalog found
        "unresolved:deps.glide": (None, None),  # a buildSrc/other-file constant
        "com.google.android.wearable:wearable": ("2.9.0", None),  # compileOnly
        "com.github.bumptech.glide:compiler": ("4.16.0", None),  # annotationProcessor
    }


def test_explicit_catalog_resolves_aliases(tmp_path: Path) -> None:
    build = tmp_path / "build.gradle"
    build.write_text("dependencies {\n  implementation libs.appsflyer\n"
                     "  implementation(libs.bundles.networking)\n}\n")
    cat = DATA / "kts-project" / "gradle" / "libs.versions.toml"
    assert versions(read_manifest(build, catalog=cat)) == {
        "com.appsflyer:af-android-sdk": "6.14.0", "com.squareup.okhttp3:okhttp": "4.12.0",
        "com.squareup.retrofit2:retrofit": "2.11.0"}
    assert versions(read_manifest(build)) == {
        "unresolved:libs.appsflyer": None, "unresolved:libs.bundles.networking": None}


def test_version_catalog_alone() -> None:
    records = read_manifest(DATA / "kts-project" / "gradle" / "libs.versions.toml")
    assert versions(records) == {
        "com.appsflyer:af-android-sdk": "6.14.0", "com.squareup.okhttp3:okhttp": "4.12.0",
        "com.squareup.retrofit2:retrofit": "2.11.0", "com.braze:android-sdk-ui": "30.4.0",
        "org.jetbrains.kotlin:kotlin-bom": "2.0.0"}  # no gradle plugin, no mockk


def test_package_resolved_v1_v2_v3() -> None:
    v1 = read_manifest(DATA / "spm-v1" / "Package.resolved")
    assert [(r.id, r.version, r.hint) for r in v1] == [
        ("spm:github.com/alamofire/alamofire", "5.9.1", None),
        ("spm:github.com/firebase/firebase-ios-sdk", "10.27.0", None),
        # a branch pin has no version: its revision
        ("spm:github.com/appsflyersdk/appsflyerframework",
         "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "attribution"),
    ]
    v2 = read_manifest(DATA / "spm-v2" / "Package.resolved")
    assert [(r.id, r.version, r.hint) for r in v2] == [
        ("spm:github.com/braze-inc/braze-swift-sdk", "9.2.0", "marketing"),
        ("spm:github.com/snapkit/snapkit", "5.7.1", None),
    ]
    v3 = read_manifest(DATA / "spm-v3" / "Package.resolved")
    assert [(r.id, r.version, r.hint) for r in v3] == [
        ("spm:github.com/googleads/google-ads-on-device-conversion-ios-sdk", "2.0.0", "ads"),
        ("spm:github.com/onevcat/kingfisher", "2ef543ee21d63734e1c004ad6c870255e8716c50", None),
    ]
    assert {r.ecosystem for r in v1 + v2 + v3} == {"spm"}


@pytest.mark.parametrize("location,expected", [
    ("https://github.com/Firebase/firebase-ios-sdk.git", "github.com/firebase/firebase-ios-sdk"),
    ("git@github.com:AppsFlyerSDK/AppsFlyerFramework.git", "github.com/appsflyersdk/appsflyerframework"),
    ("ssh://git@github.com/owner/Repo/", "github.com/owner/repo"),
    ("https://gitlab.example.co.jp/mobile/sdk", "gitlab.example.co.jp/mobile/sdk"),
])
def test_normalise_spm_location(location: str, expected: str) -> None:
    assert normalise_location(location) == expected


def test_pubspec_lock() -> None:
    records = read_manifest(DATA / "pubspec.lock")
    assert [(r.id, r.version, r.hint) for r in records] == [
        ("pub:appsflyer_sdk", "6.14.3", "attribution"),
        ("pub:firebase_analytics", "11.2.1", "analytics"),
        ("pub:firebase_core", "3.3.0", None),
        ("pub:flutter", "0.0.0", None),
        ("pub:http", "1.2.2", None),
        ("pub:google_mobile_ads", "5.1.0", "ads"),  # direct overridden
    ]  # flutter_lints and flutter_test are direct dev


def test_package_json() -> None:
    records = read_manifest(DATA / "package.json")
    assert [(r.id, r.version, r.hint) for r in records] == [
        ("npm:@react-native-firebase/analytics", "^20.1.0", "analytics"),
        ("npm:@react-native-firebase/app", "^20.1.0", None),
        ("npm:react", "18.2.0", None),
        ("npm:react-native", "0.74.2", None),
        ("npm:react-native-appsflyer", "~6.14.3", "attribution"),
        ("npm:react-native-google-mobile-ads", "13.6.0", "ads"),
        ("npm:react-native-reanimated", "^3.12.0", None),
    ]  # devDependencies (jest, react-native-flipper, @babel/core) are not reported


def test_csproj_forms_and_packages_config(tmp_path: Path) -> None:
    (tmp_path / "Directory.Packages.props").write_text(
        '<Project><ItemGroup><PackageVersion Include="Adjust.Xamarin" Version="4.29.0"/>'
        "</ItemGroup></Project>")
    proj = tmp_path / "App" / "App.csproj"
    proj.parent.mkdir()
    proj.write_text(
        '<Project Sdk="Microsoft.NET.Sdk">\n'
        "  <PropertyGroup><FirebaseVersion>121.1.0</FirebaseVersion></PropertyGroup>\n"
        "  <ItemGroup>\n"
        '    <PackageReference Include="Xamarin.Firebase.Analytics" Version="$(FirebaseVersion)" />\n'
        '    <PackageReference Include="Newtonsoft.Json"><Version>13.0.3</Version></PackageReference>\n'
        '    <PackageReference Update="Xamarin.Essentials" Version="1.8.1" />\n'
        '    <PackageReference Include="Adjust.Xamarin" />\n'
        "  </ItemGroup>\n</Project>\n")
    assert [(r.id, r.version, r.hint) for r in read_manifest(proj)] == [
        ("nuget:Xamarin.Firebase.Analytics", "121.1.0", "analytics"),
        ("nuget:Newtonsoft.Json", "13.0.3", None),
        ("nuget:Xamarin.Essentials", "1.8.1", None),
        ("nuget:Adjust.Xamarin", "4.29.0", "attribution"),  # central package management
    ]
    cfg = tmp_path / "packages.config"
    cfg.write_text('<?xml version="1.0" encoding="utf-8"?>\n<packages>\n'
                   '  <package id="Xamarin.GooglePlayServices.Ads" version="121.0.0" />\n'
                   '  <package id="StyleCop.Analyzers" version="1.1.118" developmentDependency="true" />\n'
                   "</packages>\n")
    assert [(r.id, r.version, r.hint) for r in read_manifest(cfg)] == [
        ("nuget:Xamarin.GooglePlayServices.Ads", "121.0.0", "ads")]


def test_reader_chosen_by_content_when_renamed(tmp_path: Path) -> None:
    p = tmp_path / "ios-lock.txt"
    p.write_text("PODS:\n  - Adjust (4.38.0)\n\nDEPENDENCIES:\n  - Adjust (~> 4.38)\n")
    assert [(r.id, r.version) for r in read_manifest(p)] == [("cocoapods:Adjust", "4.38.0")]
    q = tmp_path / "deps.json"
    q.write_text('{"pins": [{"identity": "a", "location": "https://github.com/a/b", '
                 '"state": {"version": "1.0.0"}}], "version": 2}')
    assert reader_for(q).name == "package-resolved"


# ------------------------------------------------------------------ classification

@pytest.mark.parametrize("sdk_id,hint", [
    ("com.google.android.gms:play-services-ads", "ads"),
    ("cocoapods:Google-Mobile-Ads-SDK", "ads"),
    ("com.unity3d.ads:unity-ads", "ads"),
    ("jp.co.imobile:imobile-sdk", "ads"),
    ("com.appsflyer:af-android-sdk", "attribution"),
    ("io.branch.sdk.android:library", "attribution"),
    ("com.mixpanel.android:mixpanel-android", "analytics"),
    ("com.amplitude:analytics-android", "analytics"),
    ("io.sentry:sentry-android", "crash"),
    ("com.bugsnag:bugsnag-android", "crash"),
    ("com.onesignal:OneSignal", "push"),
    ("pub:firebase_messaging", "push"),
    ("com.clevertap.android:clevertap-android-sdk", "marketing"),
    ("com.newrelic.agent.android:android-agent", "monitoring"),
    ("com.example.acme:acme-tracker", "tracking"),
    ("npm:@example/telemetry", "tracking"),
    # ordinary libraries
    ("com.squareup.okhttp3:okhttp", None), ("com.squareup.retrofit2:retrofit", None),
    ("com.github.bumptech.glide:glide", None), ("com.google.dagger:hilt-android", None),
    ("androidx.compose.ui:ui", None), ("org.jetbrains.kotlin:kotlin-stdlib", None),
    ("io.reactivex.rxjava3:rxjava", None), ("cocoapods:Alamofire", None),
    ("cocoapods:SnapKit", None), ("spm:github.com/airbnb/lottie-spm", None),
    ("com.google.code.gson:gson", None), ("npm:react-native-fs", None),
    # 'ads' must be a token
    ("com.example:image-loads", None), ("npm:react-native-downloads", None),
    ("com.example:threads-ktx", None), ("cocoapods:Uploads", None),
])
def test_hint_for(sdk_id: str, hint: str | None) -> None:
    assert hint_for(sdk_id) == hint


@pytest.mark.parametrize("conf,shipped", [
    ("implementation", True), ("api", True), ("kapt", True), ("ksp", True),
    ("debugImplementation", True), ("releaseApi", True), ("compileOnly", True),
    ("coreLibraryDesugaring", True), ("testImplementation", False),
    ("androidTestImplementation", False), ("testFixturesApi", False), ("kaptTest", False),
    ("kspAndroidTest", False), ("classpath", False), ("lintChecks", False),
    ("latestImplementation", True),  # a flavour called 'latest' is not a test
])
def test_configurations(conf: str, shipped: bool) -> None:
    assert is_configuration(conf)
    assert ships(conf) is shipped


# ------------------------------------------------------------------ malformed input

def error(path: Path) -> InputError:
    with pytest.raises(InputError) as ei:
        read_manifest(path)
    assert ei.value.file == str(path)
    assert str(path) in str(ei.value)
    return ei.value


def test_bad_toml_has_line(tmp_path: Path) -> None:
    p = tmp_path / "libs.versions.toml"
    p.write_text('[versions]\nfoo = "1.0"\n[libraries]\nbar = { module = "g:a", version.ref = "foo"\n')
    e = error(p)
    assert e.where == "4" and e.message.startswith("invalid TOML")


@pytest.mark.parametrize("body,line,message", [
    ('[libraries]\nbar = { module = "g:a", version.ref = "nope" }\n', "2",
     "libraries.bar: version.ref 'nope' is not declared in [versions]"),
    ('[libraries]\n\nbar = { version = "1" }\n', "3", "libraries.bar: expected"),
    ('[libraries]\nbar = "justonepart"\n', "2", "libraries.bar: expected"),
    ('[libraries]\na = "g:a:1"\n[bundles]\nb = ["a", "zzz"]\n', "4",
     "bundles.b: 'zzz' is not a library"),
    ("title = 'x'\n", None, "not a version catalog"),
])
def test_bad_catalog_semantics(tmp_path: Path, body: str, line: str | None, message: str) -> None:
    p = tmp_path / "libs.versions.toml"
    p.write_text(body)
    e = error(p)
    assert e.where == line and e.message.startswith(message), (e.where, e.message)


def test_truncated_json(tmp_path: Path) -> None:
    full = (DATA / "spm-v2" / "Package.resolved").read_text()
    p = tmp_path / "Package.resolved"
    p.write_text(full[:300])
    e = error(p)
    assert e.message.startswith("truncated JSON") and e.where == "13"
    q = tmp_path / "package.json"
    q.write_text((DATA / "package.json").read_text()[:200])
    assert error(q).message.startswith("truncated JSON")


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "Bomb.csproj"
    p.write_text('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                 ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
                 ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
                 '<Project><ItemGroup><PackageReference Include="&lol3;" Version="1"/>'
                 "</ItemGroup></Project>\n")
    e = error(p)
    assert e.where == "2" and "DOCTYPE" in e.message


def test_truncated_and_broken_xml(tmp_path: Path) -> None:
    p = tmp_path / "App.csproj"
    p.write_text('<Project>\n  <ItemGroup>\n    <PackageReference Include="A" Version="1"/>\n')
    e = error(p)
    assert e.where == "4" and e.message.startswith("truncated XML")
    q = tmp_path / "Other.csproj"
    q.write_text("<Project><ItemGroup></Project>")
    assert error(q).where == "1"


@pytest.mark.parametrize("name,body,line,message", [
    ("build.gradle.kts", 'dependencies {\n    implementation("a:b:1")\n'
     '    implementation(platform("com.google\n', "3", "'(' is never closed"),
    ("build.gradle", "dependencies {\n  implementation 'a:b:1'\n", "1", "'{' is never closed"),
    ("build.gradle", 'dependencies {\n  implementation "justaname"\n}\n', "2",
     "expected a dependency \"group:artifact:version\""),
    ("build.gradle", "/* a comment that never ends\ndependencies {}\n", "1",
     "unterminated /* comment"),
    ("Podfile.lock", "PODS:\n  - Foo (1.0)\n  - Bar\n", "3", "PODS: pod 'Bar' has no version"),
    ("Podfile.lock", "PODS:\n  - Foo (1.0\n  -: [\n", "3", "invalid YAML"),
    ("Podfile.lock", "COCOAPODS: 1.15.2\n", None, "not a Podfile.lock: no PODS section"),
    ("pubspec.lock", "packages:\n  foo: [1\n", "3", "invalid YAML"),
    ("pubspec.lock", "packages:\n  foo: 3\n", "2", "packages.foo: expected a mapping"),
    ("Package.resolved", '{"version": 4, "pins": []}', "version",
     "unsupported Package.resolved version 4"),
    ("Package.resolved", '{"version": 2, "pins": [{"identity": "x", "state": {}}]}',
     "pins[0].location", "expected a string URL"),
    ("package.json", '{"dependencies": ["react"]}', "dependencies",
     "expected an object of name"),
    ("package.json", "", None, "empty file"),
])
def test_malformed_manifests(tmp_path: Path, name: str, body: str, line: str | None,
                             message: str) -> None:
    p = tmp_path / name
    p.write_text(body)
    e = error(p)
    assert e.where == line, (e.where, e.message)
    assert e.message.startswith(message), e.message


def test_unknown_file_type(tmp_path: Path) -> None:
    p = tmp_path / "README.md"
    p.write_text("# hello\n")
    e = error(p)
    assert e.where is None and e.message.startswith("unknown manifest type")
    assert "Podfile.lock" in e.message
    e2 = error(tmp_path / "missing.gradle")
    assert e2.message.startswith("file not found; expected one of")


def test_kotlin_multiplatform_test_source_sets_are_dropped(tmp_path: Path) -> None:
    p = tmp_path / "build.gradle.kts"
    p.write_text(
        "kotlin {\n    sourceSets {\n"
        "        commonMain.dependencies {\n"
        '            implementation("io.ktor:ktor-client-core:2.3.10")\n        }\n'
        "        commonTest.dependencies {\n            implementation(kotlin(\"test\"))\n        }\n"
        "        val androidUnitTest by getting {\n            dependencies {\n"
        '                implementation("junit:junit:4.13.2")\n            }\n        }\n'
        "        androidMain {\n            dependencies { "
        'implementation("com.google.firebase:firebase-analytics-ktx:22.0.0") }\n        }\n'
        "    }\n}\n")
    assert versions(read_manifest(p)) == {
        "io.ktor:ktor-client-core": "2.3.10",
        "com.google.firebase:firebase-analytics-ktx": "22.0.0"}
