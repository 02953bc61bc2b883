/* Stand-in for Criteo OneTag (ld.js): first-party cto_bundle (cookie and localStorage) by script,
   event to sslwidget.criteo.com, which answers with the third-party cookie uid. */
var q = w.criteo_q = w.criteo_q || [];
var account = null, siteType = "d", parts = [];
function handle(ev) {
  if (!ev || typeof ev !== "object") return;
  if (ev.event === "setAccount") account = ev.account;
  else if (ev.event === "setSiteType") siteType = ev.type;
  else if (ev.event === "setEmail" || ev.event === "setHashedEmail") parts.push("e=ce&m=" + (ev.email ? "1" : ""));
  else if (ev.event === "viewItem") parts.push("e=vp&p=" + ev.item);
  else if (ev.event === "viewList") parts.push("e=vl&p=" + [].concat(ev.item).join(","));
  else if (ev.event === "viewHome") parts.push("e=vh");
  else if (ev.event === "trackTransaction") parts.push("e=vc&id=" + ev.id);
}
function flush() {
  if (!account || !parts.length) return;
  var bundle = getCookie("cto_bundle");
  try { bundle = bundle || localStorage.getItem("cto_bundle"); } catch (e) {}
  bundle = bundle || Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  setCookie("cto_bundle", bundle, 390);
  try { localStorage.setItem("cto_bundle", bundle); } catch (e) {}
  var p = { a: account, v: "5.29.0", otl: 1, p0: "e=exd&site_type=" + siteType };
  for (var i = 0; i < parts.length; i++) p["p" + (i + 1)] = parts[i];
  p.adce = 1; p.bundle = bundle; p.tld = rootDomain(); p.fu = location.href; p.ceid = uuid(); p.dtycbr = rnd(99999);
  pixel("https://sslwidget.criteo.com/event?" + qs(p));
  parts = [];
}
for (var i = 0; i < q.length; i++) { var item = q[i]; [].concat(item).forEach(handle); }
flush();
q.push = function () { for (var i = 0; i < arguments.length; i++) [].concat(arguments[i]).forEach(handle); flush(); return 0; };
