/* Stand-in for the Microsoft Clarity project tag (www.clarity.ms/tag/<id>): loads clarity.js. */
w.clarity = w.clarity || function () { (w.clarity.q = w.clarity.q || []).push(arguments); };
w.clarity("start", { projectId: "__PROJECT__", upload: "https://k.clarity.ms/collect", expire: 365,
                     cookies: ["_uetmsclkid", "_uetvid"], track: true, content: true });
loadScript("https://scripts.clarity.ms/0.8.9/clarity.js");
