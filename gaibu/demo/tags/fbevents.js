/* Stand-in for Meta Pixel (fbevents.js): _fbp first-party cookie by script, image pixel to /tr. */
var fbq = w.fbq;
if (fbq) {
  var pixelIds = [], counter = 0, initAt = Date.now();
  var fbp = getCookie("_fbp");
  if (!fbp) { fbp = "fb.2." + Date.now() + "." + rnd(2147483647); }
  setCookie("_fbp", fbp, 90);
  var fbclid = /[?&]fbclid=([^&]+)/.exec(location.search);
  if (fbclid) setCookie("_fbc", "fb.2." + Date.now() + "." + fbclid[1], 90);
  var track = function (ev, custom) {
    for (var i = 0; i < pixelIds.length; i++) {
      pixel("https://www.facebook.com/tr/?" + qs({
        id: pixelIds[i], ev: ev, dl: location.href, rl: d.referrer, if: false, ts: Date.now(),
        sw: screen.width, sh: screen.height, v: "2.9.179", r: "stable", ec: counter++, o: 4126,
        fbp: fbp, fbc: getCookie("_fbc") || "", cs_est: true, ler: "empty", it: initAt,
        coo: false, cd: custom ? JSON.stringify(custom) : "", rqm: "GET" }));
    }
  };
  var call = function (args) {
    if (args[0] === "init") {
      pixelIds.push(args[1]);
      loadScript("https://connect.facebook.net/signals/config/" + args[1] + "?" +
        qs({ v: "2.9.179", r: "stable", domain: location.hostname, hme: "", ex_m: "72,122,67" }));
    } else if (args[0] === "track" || args[0] === "trackCustom") {
      track(args[1], args[2]);
    }
  };
  var q = fbq.queue || [];
  for (var i = 0; i < q.length; i++) call(q[i]);
  fbq.queue = [];
  fbq.callMethod = function () { call(arguments); };
}
