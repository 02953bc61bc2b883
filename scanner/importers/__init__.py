"""Importers: turn captured app traffic (HAR files) and app dependency manifests into observations.

``scanner.importers.har`` streams HAR 1.2 files into RequestRecord/CookieRecord;
``scanner.importers.sdk`` reads Gradle, CocoaPods, SwiftPM, pub, npm and NuGet manifests into
SdkRecord. Both raise :class:`scanner.errors.InputError` naming the file and the place in it.
"""
