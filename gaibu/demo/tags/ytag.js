/* Stand-in for Yahoo!広告 サイトジェネラルタグ (ytag.js).
   ycl_cookie: first-party cookies _yjsu_yjad (always) and _ycl_yjad (when the URL has yclid).
   yss_retargeting → b97.yahoo.co.jp (検索広告), yjad_retargeting → b92.yahoo.co.jp (ディスプレイ広告). */
var dl = w.yjDataLayer = w.yjDataLayer || [];
function yjsu() { return getCookie("_yjsu_yjad") || ""; }
function handle(a) {
  var o = a && a[0]; if (!o || !o.type) return;
  var c = o.config || {};
  if (o.type === "ycl_cookie") {
    if (!getCookie("_yjsu_yjad")) setCookie("_yjsu_yjad", now() + "." + uuid(), 395);
    var m = /[?&]yclid=([^&]+)/.exec(location.search);
    if (m) setCookie("_ycl_yjad", decodeURIComponent(m[1]), 90);
  } else if (o.type === "yss_retargeting") {
    pixel("https://b97.yahoo.co.jp/pagead/conversion/" + c.yahoo_ss_retargeting_id + "/?" + qs({
      guid: "ON", script: 0, disvt: "false", label: c.yahoo_sstag_label || "",
      value: 0, ref: location.href, rref: d.referrer, _yjsu_yjad: yjsu(), r: Date.now() }));
  } else if (o.type === "yjad_retargeting") {
    pixel("https://b92.yahoo.co.jp/search/?" + qs({
      p: c.yahoo_retargeting_id, label: c.yahoo_retargeting_label || "",
      ref: location.href, rref: d.referrer, pt: c.yahoo_retargeting_page_type || "",
      item: (c.yahoo_retargeting_items || []).map(function (x) { return x.item_id; }).join(","),
      cat: "", price: "", quantity: "", _yjsu_yjad: yjsu(), r: Date.now() }));
  } else if (o.type === "yss_conversion" || o.type === "yjad_conversion") {
    pixel("https://b91.yahoo.co.jp/pagead/conversion/" + (c.yahoo_conversion_id || "") + "/?" +
      qs({ label: c.yahoo_conversion_label || "", value: c.yahoo_conversion_value || 0,
           ref: location.href, _yjsu_yjad: yjsu(), r: Date.now() }));
  }
}
for (var i = 0; i < dl.length; i++) handle(dl[i]);
var push = dl.push;
dl.push = function (a) { handle(a); return push.apply(dl, arguments); };
