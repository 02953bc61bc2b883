/* Stand-in for LINE Tag (lt.js): first-party __lt__cid / __lt__sid by script, pixel to tr.line.me. */
var q = w._ltq || [], customerType = "lap", tagIds = [];
var cid = getCookie("__lt__cid") || uuid();
setCookie("__lt__cid", cid, 730);
var sid = getCookie("__lt__sid") || (cid.slice(0, 8) + "-" + uuid().slice(0, 8));
setCookie("__lt__sid", sid, 30 / 1440);
function send(ev, ids, params) {
  ids = ids && ids.length ? ids : tagIds;
  for (var i = 0; i < ids.length; i++) {
    pixel("https://tr.line.me/tag.gif?" + qs({
      c_t: customerType, t_id: ids[i], e: ev, c_ch: "", v: "5.2.0", fpc: cid, sid: sid,
      pv: uuid(), u: location.href, ref: d.referrer, tl: d.title,
      sr: screen.width + "x" + screen.height, ts: Date.now(), ev_params: params ? JSON.stringify(params) : "" }));
  }
}
function call(a) {
  if (a[0] === "init") { customerType = (a[1] || {}).customerType || customerType; tagIds.push((a[1] || {}).tagId); }
  else if (a[0] === "send") send(a[1], a[2], a[3]);
}
for (var i = 0; i < q.length; i++) call(q[i]);
w._lt = function () { call(arguments); };
