/* 长辈模式 (large text, large controls). Loaded without defer as the first thing in every page's
   <body>, so the class is on <html> before any text is drawn: no flash of small text, online or offline
   (the page copies the service worker keeps load this file too). The choice lives in
   localStorage on this phone: it stays across pages, reloads, logouts and days without network.
   The CSP forbids inline script, hence this small file. */
(function (doc) {
  "use strict";
  var KEY = "lx-elder", OFFERED = "lx-elder-offered", root = doc.documentElement;
  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function put(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode: this page only */ } }
  function apply(on) { root.classList.toggle("elder", on); }
  apply(get(KEY) === "1");

  function set(on) {
    put(KEY, on ? "1" : "0");
    put(OFFERED, "1");
    apply(on);
    sync();
  }
  function sync() {
    var on = root.classList.contains("elder");
    doc.querySelectorAll("[data-elder-switch]").forEach(function (b) {
      b.setAttribute("aria-checked", on ? "true" : "false");
      var state = b.querySelector(".state");
      if (state) state.textContent = on ? "已打开" : "已关闭";
    });
  }
  // Another tab switched: follow it.
  window.addEventListener("storage", function (e) { if (e.key === KEY) { apply(e.newValue === "1"); sync(); } });

  doc.addEventListener("DOMContentLoaded", function () {
    // Without JavaScript the switch could do nothing: it is shown only now.
    doc.querySelectorAll("[data-elder-switch]").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { set(b.getAttribute("aria-checked") !== "true"); });
    });
    sync();
    // Offered once on this phone: the first signed-in page, until answered or seen.
    var offer = doc.getElementById("elder-offer");
    if (offer && get(KEY) === null && !get(OFFERED)) {
      offer.hidden = false;
      put(OFFERED, "1");
      offer.querySelectorAll("[data-elder-answer]").forEach(function (b) {
        b.addEventListener("click", function () { set(b.dataset.elderAnswer === "on"); offer.hidden = true; });
      });
    }
  });
})(document);
