/* Stand-in for TikTok Pixel (events.js): _ttp first-party cookie by script, events to
   analytics.tiktok.com/api/v2/pixel. */
var ttq = w.ttq;
if (ttq) {
  var src = (d.currentScript && d.currentScript.src) || "";
  var code = (/[?&]sdkid=([^&]+)/.exec(src) || [])[1] || "";
  var ttp = getCookie("_ttp") || (Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2)).slice(0, 27);
  setCookie("_ttp", ttp, 390);
  var send = function (ev, props) {
    beacon("https://analytics.tiktok.com/api/v2/pixel", JSON.stringify({
      event: ev, event_id: uuid(), message_id: "messageId-" + Date.now(), timestamp: new Date().toISOString(),
      context: { pixel: { code: code }, page: { url: location.href, referrer: d.referrer },
                 library: { name: "pixel.js", version: "2.2.1" }, user: { anonymous_id: ttp },
                 device: { platform: "mobile" }, userAgent: navigator.userAgent },
      properties: props || {} }));
  };
  // The base code queues [method, ...args] entries on the ttq array itself.
  var q = Array.prototype.splice.call(ttq, 0, ttq.length);
  ttq.page = function () { send("Pageview"); };
  ttq.track = function (ev, props) { send(ev, props); };
  for (var i = 0; i < q.length; i++) { if (ttq[q[i][0]]) ttq[q[i][0]].apply(ttq, q[i].slice(1)); }
}
