/* Stand-in for the YouTube embed player script: writes yt-remote-* keys to localStorage in the
   www.youtube.com origin, logs an impression, checks the ad id like the real embed does. */
var id = (d.body && d.body.getAttribute("data-video-id")) || "";
try {
  var t = Date.now();
  if (!localStorage.getItem("yt-remote-device-id"))
    localStorage.setItem("yt-remote-device-id", JSON.stringify({ data: uuid(), expiration: t + 31536000000, creation: t }));
  localStorage.setItem("yt-remote-connected-devices", JSON.stringify({ data: "[]", expiration: t + 86400000, creation: t }));
  sessionStorage.setItem("yt-remote-session-app", JSON.stringify({ data: "youtube-embed", creation: t }));
} catch (e) {}
beacon("https://www.youtube.com/youtubei/v1/log_event?alt=json", JSON.stringify({
  context: { client: { clientName: "WEB_EMBEDDED_PLAYER", hl: "ja", gl: "JP" } },
  events: [{ eventTimeMs: Date.now(), embedsPlayerImpression: { videoId: id, embedUrl: d.referrer } }] }));
fetch("https://googleads.g.doubleclick.net/pagead/id", { mode: "no-cors", credentials: "include" }).catch(function () {});
loadScript("https://static.doubleclick.net/instream/ad_status.js");
