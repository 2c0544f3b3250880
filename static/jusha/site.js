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
    // A share button ends in the phone's own share sheet (Web Share API): WeChat, Weibo,
    // messages... It is shown only where the browser has one; without it (or without
    // JavaScript) the page's link to copy and its poster to save remain.
    var share = target.closest("[data-share-sheet]");
    if (share && navigator.share) {
      event.preventDefault();
      navigator.share({ title: share.dataset.shareTitle, text: share.dataset.shareText, url: share.dataset.shareUrl })
        .catch(function () {});  // the reader closed the sheet
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (!navigator.share) return;
    document.querySelectorAll("[data-share-sheet]").forEach(function (button) { button.hidden = false; });
  });
})();
