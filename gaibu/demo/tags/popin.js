/* Stand-in for popIn Discovery (api.popin.cc/searchbox/<media>.js): asks popin.cc for
   recommendations (JSONP) and renders them into #_popIn_recommend. */
var box = d.getElementById("_popIn_recommend");
if (box) {
  w._p6_jsonp = function (res) {
    var items = (res && res.items) || [], html = '<p class="popin-head">あわせて読みたい</p><ul class="popin-list">';
    for (var i = 0; i < items.length; i++)
      html += '<li><a href="' + items[i].url + '">' + items[i].title + '</a><span class="popin-sponsor">' +
        (items[i].sponsor || "") + "</span></li>";
    box.innerHTML = html + '</ul><p class="popin-credit">Recommended by popIn</p>';
  };
  loadScript("https://popin.cc/popin_discovery/recommend?" + qs({
    mode: "new", url: location.href, device: matchMedia("(max-width: 600px)").matches ? "mobile" : "pc",
    media: location.hostname, extra: "mac", agency: "popin-sumikabiyori", topn: 50, ad: 10,
    r_category: "all", country: "jp", redirect: false, title: d.title, info: btoa(String(screen.width)),
    related: false, callback: "_p6_jsonp" }));
}
