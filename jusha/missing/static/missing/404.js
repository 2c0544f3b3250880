/* Jusha's missing-child notice for 404 pages: <script async src=".../missing/404.js" data-site="KEY"></script>.
   Renders into its own <jusha-missing> element under shadow DOM, never touches the rest of
   the page, sets no cookie, reads no fingerprint, and shows nothing on any failure. */
(function () {
  "use strict";
  var base, key, T, css, langAttr;
  try {
    var s = document.currentScript;
    if (!s || !window.fetch || !document.body || !document.body.attachShadow) return;
    key = s.getAttribute("data-site") || "";
    var region = s.getAttribute("data-region") || "";
    langAttr = (s.getAttribute("data-lang") || "").toLowerCase();
    base = new URL(s.src, location.href).origin;
    T = {
      "zh-hans": ["帮TA回家", "寻找走失儿童", "岁", "走失于", "查看详情", "我见过TA", "分享", "链接已复制", "照片：", "男", "女", ""],
      "zh-hant": ["幫TA回家", "尋找走失兒童", "歲", "走失於", "查看詳情", "我見過TA", "分享", "連結已複製", "照片：", "男", "女", ""],
      "en": ["Help bring them home", "Missing child", " years old", "Last seen", "Details", "I saw this child", "Share", "Link copied", "Photo of ", "boy", "girl", ""]
    };
    css = ":host{all:initial;display:block;margin:16px 0}" +
      ".b{box-sizing:border-box;display:flex;gap:12px;width:min(560px,calc(100vw - 32px));padding:12px;border:2px solid #b42318;border-radius:8px;background:#fff;color:#1d1d1d;font:16px/1.5 system-ui,-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;text-align:left}" +
      ".b>div{flex:1;min-width:0}" +
      "img{display:block;width:120px;height:160px;object-fit:cover;border-radius:4px;background:#eee;flex:none}" +
      "h2{margin:0 0 4px;font-size:14px;font-weight:600;color:#b42318}" +
      "p{margin:0 0 6px;font-size:16px}.n{font-size:20px;font-weight:700}" +
      "a,button{display:inline-block;margin:4px 8px 0 0;padding:6px 10px;border-radius:4px;font:inherit;font-size:14px;cursor:pointer;text-decoration:none}" +
      "a{background:#b42318;color:#fff}a.o,button{background:#fff;color:#b42318;border:1px solid #b42318}" +
      "a:focus-visible,button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}";
    var q = "site=" + encodeURIComponent(key) + (region ? "&region=" + encodeURIComponent(region) : "");
    fetch(base + "/api/v1/missing/notice?" + q, { credentials: "omit", mode: "cors" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && data.cases && data.cases.length) show(data); })
      .catch(function () {});
  } catch (e) { return; }

  function el(tag, text, attrs) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }

  function show(data) {
    try {
      var lang = langAttr || data.lang || "zh-hans";
      var t = T[lang] || T["zh-hans"];
      var c = data.cases[0];
      if (!window.customElements.get("jusha-missing")) {
        window.customElements.define("jusha-missing", class extends HTMLElement {});
      }
      var host = document.createElement("jusha-missing");
      var root = host.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.appendChild(el("style", css));
      }
      var box = el("section", "", { "class": "b", role: "region", "aria-label": t[1] + " " + c.name, lang: lang === "en" ? "en" : lang === "zh-hant" ? "zh-Hant" : "zh-Hans" });
      if (c.photo) box.appendChild(el("img", "", { src: c.photo, alt: t[8] + c.name, width: "120", height: "160" }));
      var info = el("div");
      info.appendChild(el("h2", t[1] + " · " + t[0]));
      info.appendChild(el("p", c.name, { "class": "n" }));
      var sex = c.sex === "m" ? t[9] : c.sex === "f" ? t[10] : "";
      info.appendChild(el("p", c.age + t[2] + (sex ? " · " + sex : "")));
      var when = (c.lost_at || "").slice(0, 10);
      info.appendChild(el("p", t[3] + " " + when + " " + (c.region || "")));
      var ref = "?src=404&site=" + encodeURIComponent(key);
      info.appendChild(el("a", t[4], { href: c.url + ref, target: "_blank", rel: "noopener" }));
      info.appendChild(el("a", t[5], { href: c.url + "sighting/" + ref, target: "_blank", rel: "noopener", "class": "o" }));
      var share = el("button", t[6], { type: "button" });
      share.addEventListener("click", function () {
        if (navigator.share) { navigator.share({ title: t[1] + " " + c.name, url: c.url }).catch(function () {}); return; }
        if (navigator.clipboard) navigator.clipboard.writeText(c.url).then(function () { share.textContent = t[7]; }, function () {});
      });
      info.appendChild(share);
      box.appendChild(info);
      root.appendChild(box);
      fetch(base + "/api/v1/missing/seen?site=" + encodeURIComponent(key) + "&case=" + c.id,
        { method: "POST", credentials: "omit", mode: "no-cors", keepalive: true }).catch(function () {});
      var anchor = document.querySelector("script[src$='/missing/404.js']");
      if (anchor && anchor.parentNode && anchor.parentNode !== document.head) anchor.parentNode.insertBefore(host, anchor.nextSibling);
      else document.body.appendChild(host);
    } catch (e) { /* nothing on the host page breaks */ }
  }
})();
