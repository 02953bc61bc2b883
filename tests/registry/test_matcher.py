"""The matcher: most specific rule wins, and the indexed walk agrees with the naive loop."""

from __future__ import annotations

import random

from registry.matcher import Matcher, NaiveMatcher, Rule
from registry.suggest import Suggester

RULES = [
    Rule("domain", "doubleclick.net", "dc"),
    Rule("domain", "g.doubleclick.net", "google-ads"),
    Rule("host", "stats.g.doubleclick.net", "ga"),
    Rule("url_prefix", "https://www.google.com/recaptcha/", "recaptcha"),
    Rule("url_prefix", "https://www.google.com/recaptcha/api2/", "recaptcha-v2"),
    Rule("url_prefix", "https://www.google.com/maps/embed", "maps"),
    Rule("cookie", "_ga", "ga"),
    Rule("cookie", "_ga_*", "ga4"),
    Rule("cookie", "_g*", "g-anything"),
    Rule("storage", "krt.*", "karte"),
    Rule("sdk", "com.google.firebase:firebase-analytics*", "firebase-analytics"),
    Rule("sdk", "cocoapods:FirebaseAnalytics", "firebase-analytics"),
]


def test_most_specific_rule_wins():
    m = Matcher(RULES)
    assert m.match_host("stats.g.doubleclick.net").target == "ga"  # host beats domains
    assert m.match_host("googleads.g.doubleclick.net").target == "google-ads"  # longer suffix
    assert m.match_host("ad.doubleclick.net").target == "dc"
    assert m.match_host("doubleclick.net").target == "dc"
    assert m.match_host("notdoubleclick.net") is None  # labels, not string suffix
    assert m.match_url("https://www.google.com/recaptcha/api2/anchor?k=1").target == "recaptcha-v2"
    assert m.match_url("https://www.google.com/recaptcha/enterprise.js").target == "recaptcha"
    assert m.match_url("https://www.google.com/search?q=x") is None
    assert m.match_cookie("_ga").target == "ga"  # exact beats prefix
    assert m.match_cookie("_ga_ABC123").target == "ga4"  # longer prefix wins
    assert m.match_cookie("_gid").target == "g-anything"
    assert m.match_cookie("ga") is None
    assert m.match_storage("krt.vis").target == "karte"
    assert m.match_sdk("com.google.firebase:firebase-analytics-ktx").target == "firebase-analytics"
    assert m.match_sdk("cocoapods:FirebaseAnalytics").target == "firebase-analytics"
    assert m.match_sdk("cocoapods:FirebaseAnalyticsX") is None
    r = m.match_host("stats.g.doubleclick.net").rule
    assert (r.kind, r.pattern) == ("host", "stats.g.doubleclick.net")


def test_conflicts_are_reported_and_the_higher_ranked_source_wins():
    m = Matcher([Rule("domain", "x.jp", "seed-svc", "seed"), Rule("domain", "x.jp", "mine", "review")])
    assert m.match_host("a.x.jp").target == "mine"
    assert len(m.conflicts) == 1


def test_indexed_matcher_agrees_with_the_naive_loop():
    rng = random.Random(7)
    labels = ["a", "b", "ads", "cdn", "x1", "track", "g", "stats"]
    tlds = ["com", "jp", "co.jp", "net"]
    rules = []
    for i in range(400):
        host = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 3))) + "." + rng.choice(tlds)
        kind = rng.choice(["domain", "host", "url_prefix", "cookie"])
        if kind == "url_prefix":
            rules.append(Rule(kind, f"https://{host}/{rng.choice(labels)}/", f"s{i}"))
        elif kind == "cookie":
            rules.append(Rule(kind, rng.choice(labels) + ("*" if rng.random() < .5 else ""), f"s{i}"))
        else:
            rules.append(Rule(kind, host, f"s{i}"))
    fast, slow = Matcher(rules), NaiveMatcher(rules)
    for _ in range(3000):
        host = ".".join(rng.choice(labels) for _ in range(rng.randint(1, 4))) + "." + rng.choice(tlds)
        url = f"https://{host}/{rng.choice(labels)}/{rng.choice(labels)}"
        a, b = fast.match_url(url), slow.match_url(url)
        assert (a.target if a else None) == (b.target if b else None), url
        name = rng.choice(labels) + rng.choice(["", "_1", "x"])
        a, b = fast.match_cookie(name), slow.match_cookie(name)
        assert (a.target if a else None) == (b.target if b else None), name


def test_suggestions_from_third_party_web_format():
    s = Suggester([
        {"name": "Tapad", "company": "Tapad", "category": "ad", "homepage": "https://www.tapad.com/",
         "domains": ["*.tapad.com"]},
        {"name": "Glimr", "category": "analytics", "domains": ["pixel.glimr.io"]},
    ])
    # Tapad's company is corrected (registry/suggest.py CORRECTIONS)
    assert s.suggest("pixel.tapad.com") == {"company": "Experian", "name": "Tapad",
                                            "category": "advertising",
                                            "homepage": "https://www.tapad.com/",
                                            "source": "third-party-web",
                                            "corrected": "acquired by Experian (2020)"}
    assert s.suggest("pixel.glimr.io")["company"] == "Glimr"
    assert "corrected" not in s.suggest("pixel.glimr.io")
    # a correction applies only while the dataset still gives the known-wrong company
    fixed = Suggester([{"name": "Tapad", "company": "Experian Marketing", "domains": ["*.tapad.com"]}])
    assert fixed.suggest("pixel.tapad.com")["company"] == "Experian Marketing"
    assert s.suggest("tapad.net") is None
