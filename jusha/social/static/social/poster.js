// The share poster as a PNG, drawn here on a canvas with the phone's own fonts (the server
// needs none), then shown in place of the SVG poster so that a long press saves it or sends
// it in WeChat (which can neither save nor send an SVG). The page gives the texts and the
// QR code's modules in data- attributes of <figure data-poster>; without script the SVG stays.
(function () {
  var W = 1080, H = 1728, COVER = 608, M = 60;
  var FONT = 'system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';
  var INK = "#222222", MUTED = "#555555", ACCENT = "#c0392b", TRACK = "#f0e6dc";

  function font(size, bold) { return (bold ? "700 " : "400 ") + size + "px " + FONT; }

  // Lines no wider than `width`, at most `max` of them, the last ending in … when cut short.
  // Latin words stay whole where they can; CJK text breaks between any two characters.
  function wrap(ctx, text, width, max) {
    var lines = [], line = "", chars = Array.from(text.replace(/\s+/g, " ").trim());
    for (var i = 0; i < chars.length; i++) {
      var next = line + chars[i];
      if (ctx.measureText(next).width <= width || !line) { line = next; continue; }
      var space = line.lastIndexOf(" ");
      if (chars[i] !== " " && space > 0 && /[A-Za-z0-9]/.test(chars[i])) {
        lines.push(line.slice(0, space)); line = line.slice(space + 1) + chars[i];
      } else { lines.push(line.trim()); line = chars[i] === " " ? "" : chars[i]; }
      if (lines.length === max) {
        var last = lines[max - 1];
        while (last && ctx.measureText(last + "…").width > width) last = last.slice(0, -1);
        lines[max - 1] = last + "…";
        return lines;
      }
    }
    if (line) lines.push(line);
    return lines;
  }

  function panel(ctx, data) {
    ctx.fillStyle = ACCENT; ctx.fillRect(0, 0, W, COVER);
    ctx.fillStyle = "#ffffff"; ctx.textAlign = "center"; ctx.font = font(140, true);
    ctx.fillText("聚沙", W / 2, 330);
    ctx.fillStyle = "#fde3df"; ctx.font = font(40);
    ctx.fillText(data.tagline, W / 2, 420);
    ctx.textAlign = "left";
  }

  function cover(ctx, image) {  // cropped to fill the cover area, like the SVG's "slice"
    var scale = Math.max(W / image.naturalWidth, COVER / image.naturalHeight);
    var w = image.naturalWidth * scale, h = image.naturalHeight * scale;
    ctx.drawImage(image, (W - w) / 2, (COVER - h) / 2, w, h);
  }

  function qr(ctx, rows, x, y, size) {
    var n = rows.length, quiet = 4, module = Math.floor(size / (n + 2 * quiet));
    var drawn = module * (n + 2 * quiet), off = quiet * module;
    ctx.fillStyle = "#ffffff"; ctx.fillRect(x, y, drawn, drawn);
    ctx.fillStyle = "#000000";
    for (var r = 0; r < n; r++) for (var c = 0; c < rows[r].length; c++) {
      if (rows[r][c] === "1") ctx.fillRect(x + off + c * module, y + off + r * module, module, module);
    }
    return drawn;
  }

  function draw(canvas, data, image) {
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fffdf9"; ctx.fillRect(0, 0, W, H);
    if (image) cover(ctx, image); else panel(ctx, data);
    ctx.textBaseline = "alphabetic";
    var y = COVER + 100;
    ctx.fillStyle = INK; ctx.font = font(64, true);
    wrap(ctx, data.title, W - 2 * M, 3).forEach(function (line) { ctx.fillText(line, M, y); y += 84; });
    ctx.fillStyle = MUTED; ctx.font = font(40);
    ctx.fillText(wrap(ctx, data.organisation, W - 2 * M, 1)[0] || "", M, y);
    y += 56;
    var bar = Math.max(0, Math.min(100, parseInt(data.bar, 10) || 0));
    ctx.fillStyle = TRACK; ctx.fillRect(M, y, W - 2 * M, 22);
    ctx.fillStyle = ACCENT; ctx.fillRect(M, y, (W - 2 * M) * bar / 100, 22);
    y += 80;
    ctx.fillStyle = INK; ctx.font = font(42);
    ctx.fillText(wrap(ctx, data.progress, W - 2 * M, 1)[0] || "", M, y);
    var top = y + 50, rows = data.qr.split(",");
    var side = qr(ctx, rows, M - 20, top, 500);
    var x = M - 20 + side + 30, width = W - M - x;
    ctx.fillStyle = ACCENT; ctx.font = font(64, true);
    var ty = top + 110;
    wrap(ctx, data.cta, width, 2).forEach(function (line) { ctx.fillText(line, x, ty); ty += 78; });
    ctx.fillStyle = MUTED; ctx.font = font(40);
    wrap(ctx, data.cta2, width, 2).forEach(function (line) { ctx.fillText(line, x, ty); ty += 54; });
    ty += 20; ctx.fillStyle = INK; ctx.font = font(36);
    wrap(ctx, data.url.replace(/^https?:\/\//, ""), width, 3).forEach(function (line) { ctx.fillText(line, x, ty); ty += 48; });
    ctx.fillStyle = MUTED; ctx.font = font(36);
    ctx.fillText(data.site, M, H - 60);
  }

  function show(figure, canvas) {
    var png = canvas.toDataURL("image/png");
    var img = figure.querySelector("img");
    img.src = png; img.width = 360; img.height = 576;
    img.setAttribute("data-format", "png");
    var hint = figure.querySelector(".poster-hint"); if (hint) hint.hidden = false;
    var save = document.querySelector("[data-poster-save]");
    if (save) { save.href = png; save.hidden = false; }
  }

  function start() {
    var figure = document.querySelector("figure[data-poster]");
    if (!figure || !figure.dataset.qr) return;
    var canvas = document.createElement("canvas");
    canvas.width = W; canvas.height = H;
    var data = figure.dataset;
    var ready = document.fonts && document.fonts.ready ? document.fonts.ready : Promise.resolve();
    ready.then(function () {
      if (!data.cover) { draw(canvas, data, null); show(figure, canvas); return; }
      var image = new Image();
      image.onload = function () { draw(canvas, data, image); show(figure, canvas); };
      image.onerror = function () { draw(canvas, data, null); show(figure, canvas); };
      image.src = data.cover;
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
