/* すみか日和 サイト共通スクリプト（static.biyori-cdn.jp）
   ・自社のアクセスログ（/api/pv）とサイト内の閲覧・検索履歴（localStorage / sessionStorage）
   ・Cookie 同意バナー：同意いただいた場合のみ Microsoft Clarity を読み込みます
   ・スマートフォンでのみ TikTok ピクセルを読み込みます
   ・ページ下部のおすすめ記事（popIn）は、フッター付近までスクロールしたときに読み込みます */
(function () {
  "use strict";
  var d = document, w = window;
  var isApp = d.body.getAttribute("data-layout") === "app";

  function getCookie(name) {
    var parts = d.cookie ? d.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var k = parts[i].split("=")[0];
      if (k === name) return decodeURIComponent(parts[i].slice(k.length + 1));
    }
    return null;
  }
  function readList(store, key) {
    try { return JSON.parse(store.getItem(key) || "[]"); } catch (e) { return []; }
  }

  // 1. 自社アクセスログ（ファーストパーティ）
  try {
    navigator.sendBeacon("/api/pv", JSON.stringify({
      path: location.pathname, ref: d.referrer, app: isApp, ts: Date.now() }));
  } catch (e) {}

  // 2. 閲覧・検索履歴（この端末の中だけに保存します）
  try {
    if (!sessionStorage.getItem("sb_entry_page")) sessionStorage.setItem("sb_entry_page", location.pathname);
    var cond = d.querySelector("[data-search-condition]");
    if (cond) {
      var q = cond.getAttribute("data-search-condition");
      var searches = readList(localStorage, "recent_searches").filter(function (s) { return s.q !== q; });
      searches.unshift({ q: q, at: Date.now() });
      localStorage.setItem("recent_searches", JSON.stringify(searches.slice(0, 5)));
    }
    var bukken = d.body.getAttribute("data-bukken-id");
    if (bukken) {
      var viewed = readList(localStorage, "recently_viewed").filter(function (b) { return b !== bukken; });
      viewed.unshift(bukken);
      localStorage.setItem("recently_viewed", JSON.stringify(viewed.slice(0, 10)));
    }
  } catch (e) {}

  // 3. Cookie 同意バナーと Microsoft Clarity
  function loadClarity() {
    if (w.clarity) return;
    (function (c, l, a, r, i, t, y) {
      c[a] = c[a] || function () { (c[a].q = c[a].q || []).push(arguments); };
      t = l.createElement(r); t.async = 1; t.src = "https://www.clarity.ms/tag/" + i;
      y = l.getElementsByTagName(r)[0]; y.parentNode.insertBefore(t, y);
    })(w, d, "clarity", "script", "sbdemo7clr");
  }
  function remember(value) {
    d.cookie = "sb_consent=" + value + "; path=/; max-age=15552000; SameSite=Lax; Secure";
  }
  var consent = getCookie("sb_consent");
  var banner = d.getElementById("consent-banner");
  if (consent === "accepted") {
    loadClarity();
  } else if (banner && !consent) {
    banner.hidden = false;
    d.getElementById("consent-accept").addEventListener("click", function () {
      remember("accepted"); banner.hidden = true; loadClarity();
    });
    d.getElementById("consent-reject").addEventListener("click", function () {
      remember("rejected"); banner.hidden = true;
    });
  }

  // 4. スマートフォンのみ：TikTok ピクセル
  var mobile = w.matchMedia("(max-width: 600px)").matches || navigator.maxTouchPoints > 0;
  if (mobile && !isApp) {
    !function (w, d, t) {
      w.TiktokAnalyticsObject = t; var ttq = w[t] = w[t] || [];
      ttq.methods = ["page", "track", "identify", "instances", "debug", "on", "off", "once", "ready", "alias", "group", "enableCookie", "disableCookie"];
      ttq.setAndDefer = function (t, e) { t[e] = function () { t.push([e].concat(Array.prototype.slice.call(arguments, 0))); }; };
      for (var i = 0; i < ttq.methods.length; i++) ttq.setAndDefer(ttq, ttq.methods[i]);
      ttq.load = function (e, n) {
        var r = "https://analytics.tiktok.com/i18n/pixel/events.js";
        ttq._i = ttq._i || {}; ttq._i[e] = []; ttq._i[e]._u = r; ttq._t = ttq._t || {}; ttq._t[e] = +new Date;
        ttq._o = ttq._o || {}; ttq._o[e] = n || {};
        var s = d.createElement("script"); s.type = "text/javascript"; s.async = !0; s.src = r + "?sdkid=" + e + "&lib=" + t;
        var f = d.getElementsByTagName("script")[0]; f.parentNode.insertBefore(s, f);
      };
      ttq.load("CDEMO00TIKTOK0000000");
      ttq.page();
    }(w, d, "ttq");
  }

  // 5. おすすめ記事（popIn）：フッター付近が見えたときに読み込み
  var box = d.getElementById("_popIn_recommend"), footer = d.getElementById("site-footer");
  if (box && footer && "IntersectionObserver" in w) {
    var io = new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].isIntersecting) {
          io.disconnect();
          var s = d.createElement("script");
          s.async = true; s.charset = "utf-8";
          s.src = "https://api.popin.cc/searchbox/sumikabiyori.js";
          d.head.appendChild(s);
          return;
        }
      }
    }, { rootMargin: "0px 0px 120px 0px" });
    io.observe(footer);
  }
})();
