// The team page's "Share…" button opens the phone's own share sheet (Web Share API) where
// the browser has one; without it (or without JavaScript) the link and the poster remain.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-share]").forEach((button) => {
    if (!navigator.share) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.share({ title: button.dataset.shareTitle, text: button.dataset.shareText, url: button.dataset.shareUrl })
        .catch(() => {});  // the reader closed the sheet
    });
  });
  document.querySelectorAll("[data-select-on-click]").forEach((input) => {
    input.addEventListener("click", () => input.select());
  });
});
