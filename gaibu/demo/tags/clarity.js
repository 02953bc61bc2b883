/* Stand-in for Microsoft Clarity (clarity.js): _clck / _clsk first-party by script, upload to
   k.clarity.ms/collect, c.clarity.ms/c.gif answers with the MUID third-party cookie. */
var q = (w.clarity && w.clarity.q) || [];
function start(cfg) {
  var ck = (getCookie("_clck") || "").split("|");
  var uid = ck[0] || Math.random().toString(36).slice(2, 9);
  setCookie("_clck", [uid, 2, "fq" + rnd(99), 0, (+ck[4] || 0) + 1].join("|"), cfg.expire || 365);
  var sk = (getCookie("_clsk") || "").split("|");
  var sid = sk[0] || Math.random().toString(36).slice(2, 9);
  var page = (+sk[2] || 0) + 1;
  setCookie("_clsk", [sid, Date.now(), page, 1, (cfg.upload || "").replace(/^https:\/\//, "")].join("|"), 1);
  var payload = JSON.stringify({ e: [0, cfg.projectId, uid, sid, page, 0, 0],
    a: [[Date.now(), 1, [location.href, d.referrer, screen.width, screen.height]]] });
  beacon(cfg.upload, payload);
  pixel("https://c.clarity.ms/c.gif?" + qs({ ctsa: "mr", CtsSyncId: uid }));
}
function call(a) { if (a[0] === "start") start(a[1] || {}); }
for (var i = 0; i < q.length; i++) call(q[i]);
w.clarity = function () { call(arguments); };
