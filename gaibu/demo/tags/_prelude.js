/* gaibu demo — helpers prepended to every stand-in vendor script (see gaibu/demo/vendors.py).
   These scripts imitate what the real tags send and store; none of them is the vendor's code. */
var d = document, w = window;
function rootDomain() {
  var h = location.hostname.split("."), n = h.length;
  if (n > 2 && /^(co|or|ne|ac|go|ed|lg|gr|ad)$/.test(h[n - 2])) return h.slice(-3).join(".");
  return h.slice(-2).join(".");
}
function getCookie(name) {
  var parts = d.cookie ? d.cookie.split("; ") : [];
  for (var i = 0; i < parts.length; i++) {
    var k = parts[i].split("=")[0];
    if (k === name) return decodeURIComponent(parts[i].slice(k.length + 1));
  }
  return null;
}
function setCookie(name, value, days) {
  d.cookie = name + "=" + value + "; domain=." + rootDomain() + "; path=/; max-age=" +
    Math.round(days * 86400) + "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
}
function qs(o) {
  var out = [];
  for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k))
    out.push(encodeURIComponent(k) + "=" + encodeURIComponent(o[k] == null ? "" : String(o[k])));
  return out.join("&");
}
function rnd(n) { return Math.floor(Math.random() * n); }
function uuid() {
  if (w.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, function (c) {
    var r = rnd(16); return (c === "x" ? r : (r & 3) | 8).toString(16);
  });
}
function now() { return Math.floor(Date.now() / 1000); }
function pixel(url) { var i = new Image(1, 1); i.src = url; return i; }
function beacon(url, body) {
  try { if (navigator.sendBeacon && navigator.sendBeacon(url, body || "")) return; } catch (e) {}
  fetch(url, { method: "POST", body: body || "", mode: "no-cors", credentials: "include", keepalive: true });
}
function loadScript(src) {
  var s = d.createElement("script"); s.async = true; s.src = src;
  (d.head || d.documentElement).appendChild(s); return s;
}
