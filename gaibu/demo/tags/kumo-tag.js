/* くもアナリティクス (kumo-analytics.jp) — a made-up vendor that no registry knows.
   First-party cookie _kumo_uid and localStorage 'kumo:last_visit' by script; hit to
   log.kumo-analytics.jp, which answers with the third-party cookie kumo_id. */
var el = d.currentScript || d.querySelector("script[src*='kumo-analytics.jp/tag.js']");
var site = (el && el.getAttribute("data-site")) || "unknown";
var uid = getCookie("_kumo_uid") || ("k1." + now() + "." + rnd(1e9));
setCookie("_kumo_uid", uid, 730);
var last = null;
try { last = localStorage.getItem("kumo:last_visit"); localStorage.setItem("kumo:last_visit", String(Date.now())); } catch (e) {}
pixel("https://log.kumo-analytics.jp/v1/hit?" + qs({
  sid: site, uid: uid, url: location.href, ref: d.referrer, title: d.title,
  sw: screen.width, sh: screen.height, lang: navigator.language, lv: last || "", ts: Date.now() }));
