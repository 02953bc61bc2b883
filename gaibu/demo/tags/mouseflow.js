/* Stand-in for Mouseflow (cdn.mouseflow.com/projects/<id>.js): first-party mf_<id> and mf_user by
   script, session start sent to o2.mouseflow.com. */
var mfq = w._mfq = w._mfq || [];
var website = "__WEBSITE__";
var user = getCookie("mf_user") || (uuid().replace(/-/g, "") + "|");
setCookie("mf_user", user, 90);
var sess = (getCookie("mf_" + website) || "").split("|");
var sessionId = sess[0] || uuid().replace(/-/g, "");
setCookie("mf_" + website, [sessionId, 0, Date.now(), "", (+sess[4] || 0) + 1, "", "", "", ""].join("|"), 1 / 48);
beacon("https://o2.mouseflow.com/websites/" + website + "/sessions/start?" + qs({
  session: sessionId, user: user.split("|")[0], page: location.href, referrer: d.referrer,
  res: screen.width + "x" + screen.height, lang: navigator.language, ts: Date.now() }));
