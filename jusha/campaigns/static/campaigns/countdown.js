// Counts the server-rendered countdowns (<time data-countdown datetime="..." data-day-unit="天">)
// down each second; the day unit comes from the page, in the page's language.
(function () {
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    document.querySelectorAll("time[data-countdown]").forEach(function (el) {
      var left = Math.max(0, Math.floor((Date.parse(el.getAttribute("datetime")) - Date.now()) / 1000));
      var days = Math.floor(left / 86400), rest = left % 86400, unit = el.getAttribute("data-day-unit") || "d";
      el.textContent = (days ? days + unit + " " : "") + pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor(rest % 3600 / 60)) + ":" + pad(rest % 60);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
