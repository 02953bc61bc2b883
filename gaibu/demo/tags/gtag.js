/* Stand-in for Google tag (gtag.js): GA4 page_view / scroll, Google Ads remarketing and conversions.
   Cookies set by script on the site's registrable domain: _ga, _ga_<container>, _gcl_au (Ads). */
var dl = w.dataLayer = w.dataLayer || [];
var started = now();
var cid = (getCookie("_ga") || "").split(".").slice(2).join(".") || (rnd(2147483647) + "." + started);
setCookie("_ga", "GA1.1." + cid, 400);
var streams = {};

function ga4(id, en, extra) {
  var s = streams[id], p = {
    v: 2, tid: id, gtm: "45je5ca0v9", _p: rnd(1e9), gcd: "13l3l3l3l1", npa: 0, dma: 0,
    cid: cid, ul: (navigator.language || "").toLowerCase(), sr: screen.width + "x" + screen.height,
    _s: ++s.hits, sid: s.sid, sct: s.sct, seg: 1, dl: location.href, dr: d.referrer, dt: d.title,
    en: en, _et: Date.now() - s.t0
  };
  for (var k in extra || {}) p[k] = extra[k];
  beacon("https://region1.google-analytics.com/g/collect?" + qs(p));
}
function configure(id, params) {
  if (/^G-/.test(id)) {
    var key = "_ga_" + id.slice(2), old = (getCookie(key) || "").split(".");
    var sid = old.length > 3 && started - (+old[5] || 0) < 1800 ? +old[2] : started;
    var sct = old.length > 3 ? (+old[3] || 1) + (sid === started ? 1 : 0) : 1;
    setCookie(key, ["GS1.1", sid, sct, 1, started, 0, 0, 0].join("."), 400);
    streams[id] = { sid: sid, sct: sct, hits: 0, t0: Date.now() };
    ga4(id, "page_view", { _ss: sid === started ? 1 : "" });
  } else if (/^AW-/.test(id)) {
    var gcl = getCookie("_gcl_au") || ("1.1." + rnd(2147483647) + "." + started);
    setCookie("_gcl_au", gcl, 90);
    var num = id.slice(3);
    pixel("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/" + num + "/?" + qs({
      random: rnd(1e9), cv: 11, fst: Date.now(), bg: "ffffff", guid: "ON", async: 1, gtm: "45be5ca0",
      gcd: "13l3l3l3l1", u_w: screen.width, u_h: screen.height, url: location.href,
      ref: d.referrer, label: "", hn: "www.googleadservices.com", frm: 0, tiba: d.title,
      auid: gcl.split(".").slice(2).join("."), rfmt: 3, fmt: 4 }));
    pixel("https://www.google.com/pagead/1p-user-list/" + num + "/?" + qs({
      random: rnd(1e9), cv: 11, fst: Date.now(), fmt: 3, url: location.href, tiba: d.title,
      auid: gcl.split(".").slice(2).join("."), is_vtc: 1, rfmt: 3 }));
  }
}
function event(name, params) {
  params = params || {};
  if (name === "conversion" && params.send_to) {
    var m = /^AW-(\d+)\/(.+)$/.exec(params.send_to);
    if (m) pixel("https://www.googleadservices.com/pagead/conversion/" + m[1] + "/?" + qs({
      label: m[2], guid: "ON", script: 0, gtm: "45be5ca0", url: location.href, ref: d.referrer,
      tiba: d.title, value: params.value || 0, currency_code: params.currency || "JPY" }));
    return;
  }
  for (var id in streams) ga4(id, name, {});
}
function handle(a) {
  if (!a || !a.length) return;
  if (a[0] === "config") configure(a[1], a[2]);
  else if (a[0] === "event") event(a[1], a[2]);
}
for (var i = 0; i < dl.length; i++) handle(dl[i]);
var push = dl.push;
dl.push = function (a) { handle(a); return push.apply(dl, arguments); };

// Enhanced measurement: one 'scroll' event when 90 % of the page has been seen.
var scrolled = false;
w.addEventListener("scroll", function () {
  if (scrolled) return;
  var seen = (w.scrollY + w.innerHeight) / Math.max(1, d.documentElement.scrollHeight);
  if (seen >= 0.9) { scrolled = true; event("scroll", { percent_scrolled: 90 }); }
}, { passive: true });
