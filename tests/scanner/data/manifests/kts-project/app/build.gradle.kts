// Kotlin DSL build file in the notations Android projects use.
plugins {
    id("com.android.application")
    alias(libs.plugins.kotlin.android)
}

val okhttpVersion = "4.12.0"
val adsVersion: String by extra("23.0.0")
extra["karteVersion"] = "2.26.0"

android {
    namespace = "jp.co.sample.jobs"
    compileSdk = 34
}

dependencies {
    implementation(platform("com.google.firebase:firebase-bom:33.1.0"))
    implementation("com.google.firebase:firebase-analytics")
    implementation("com.google.firebase:firebase-crashlytics-ktx")
    implementation(libs.appsflyer)            // catalog alias with version.ref
    implementation(libs.bundles.networking)   // okhttp + retrofit
    implementation(libs.braze.android)
    implementation("com.squareup.okhttp3:logging-interceptor:$okhttpVersion")
    implementation("com.google.android.gms:play-services-ads:${adsVersion}")
    implementation(group = "com.adjust.sdk", name = "adjust-android", version = "4.38.0")
    implementation(kotlin("stdlib"))
    implementation(project(":core:model"))
    implementation(files("libs/vendor.aar"))
    "freeImplementation"("com.google.android.gms:play-services-location:21.0.1")
    debugImplementation("com.squareup.leakcanary:leakcanary-android:2.14")
    ksp("com.google.dagger:hilt-compiler:2.51.1")
    implementation("io.karte.android:core:${extra["karteVersion"]}")
    implementation("io.repro:repro-android-sdk:$reproVersion")   // defined elsewhere: no version
    implementation(libs.missing.alias)        // not in the catalog: unresolved
    implementation("com.example:with-closure:1.0") {
        exclude(group = "com.google.guava")
    }
    testImplementation("junit:junit:4.13.2")
    testImplementation(libs.mockk)
    androidTestImplementation(platform("androidx.compose:compose-bom:2024.09.00"))
    androidTestImplementation("androidx.compose.ui:ui-test-junit4")
    kspAndroidTest("com.google.dagger:hilt-android-compiler:2.51.1")
    /* implementation("com.commented.out:sdk:1.0") */
    // implementation("com.commented.out:other:1.0")
    constraints {
        implementation("com.google.guava:guava:33.0.0-android")
    }
}
