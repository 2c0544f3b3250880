// Small behaviours that pages ask for with data attributes. The Content-Security-Policy
// runs scripts only from the site's own files (or with the request's nonce), so no page
// carries an inline script or an on…= handler.
(function () {
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
    var select = target.closest("[data-select-on-click]");
    if (select && typeof select.select === "function") select.select();
  });
})();
