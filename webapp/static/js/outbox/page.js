/* 两险征缴 — the outbox's part in the app around it: start-up on every page (who is logged in,
   the first send), the warning before logging out with payments waiting, the service worker's
   registration and warming of the pages that must open offline. */
(function (root) {
  "use strict";

  var PAGES = "lx-pages";
  var ox = root.LXOutbox;
  var pageUser = ox.pageUser, pageToken = ox.pageToken, setMeta = ox.setMeta, mine = ox.mine, flush = ox.flush;
  var askPersistence = ox.askPersistence, openDb = ox.openDb, refresh = ox.refresh;

  function clearPages() {
    return Promise.all([root.caches ? root.caches.delete(PAGES).catch(function () {}) : null, ox.pages.clear()]);
  }

  function guardLogout() {
    var form = document.getElementById("logout-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      if (form.dataset.confirmed) return;
      ev.preventDefault();
      if (ox.pages.stranded()) {   // the logout page itself could not load: stay on this one
        root.alert("没有网络，现在不能退出登录。请恢复网络后再退出。");
        return;
      }
      var leave = function () { form.dataset.confirmed = "1"; form.submit(); };
      mine().then(function (items) {
        if (items.length && !root.confirm("还有 " + items.length + " 笔缴费待同步，退出后要等您再次登录才能上传。" +
                                          "建议先连上网络同步，或在“我的”页面“保存到文件”。确定退出？")) return;
        // Pages kept for offline use hold residents' names: they go with the session.
        return Promise.all([clearPages(), setMeta("user", "")]).then(leave);
      }).catch(leave);   // no storage at all: nothing waits, nothing to warn about
    });
  }

  function worker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    var c = navigator.serviceWorker.controller, last = +(localStorage.getItem("lx-warm") || 0);
    if (!c || !navigator.onLine || !pageUser() || Date.now() - last < 30 * 60 * 1000) return;
    var slow = navigator.connection && (navigator.connection.saveData || /2g/.test(navigator.connection.effectiveType || ""));
    if (slow) return;
    // The tabs and this page's villages open without network from now on.
    var urls = ["/", "/worklist", "/receipts", "/me"];
    document.querySelectorAll("a[href^='/villages/']").forEach(function (a) { if (urls.length < 10) urls.push(a.getAttribute("href")); });
    localStorage.setItem("lx-warm", String(Date.now()));
    c.postMessage({ type: "warm", urls: urls });
  }

  /* Only with working storage does the page take payments itself; without it (some private
     modes) the form posts to the server's two steps, as without JavaScript. payform.js may run
     before or after start(): whichever comes second binds the form, once. */
  var started = false, bound = false;
  function takesPayments() {
    var pay = document.getElementById("pay-form");
    return pay && pageUser() && pay.querySelector("select.tier, input.medical") ? pay : null;
  }
  function bindPayForm() {
    var pay = takesPayments();
    if (!started || bound || !ox.payForm || !pay) return;
    bound = true;
    openDb().then(function () { ox.payForm(pay); }, function () {}).then(markReady);
  }
  /* When the page became usable (ms since navigation start): read by the browser tests and bench.
     A household page is usable once its form takes payments itself. */
  function markReady() {
    document.documentElement.dataset.lxReady = String(Math.round(root.performance ? performance.now() : 1) || 1);
  }
  ox.bindPayForm = bindPayForm;
  /* pages.js drew a kept page in place of this one (offline, no service worker). */
  ox.pageDrawn = function () {
    bound = false;
    if (takesPayments() && ox.payForm) bindPayForm(); else markReady();
    refresh();
  };

  function start() {
    var user = pageUser();
    if (user) {
      if (localStorage.getItem("lx-user") !== user) { clearPages(); localStorage.setItem("lx-user", user); }
      setMeta("user", user);
      setMeta("csrf", pageToken());
      askPersistence();
    }
    started = true;
    ox.pages.start();
    bindPayForm();
    guardLogout();
    refresh();
    var kick = function () { flush({ force: true }); };
    window.addEventListener("online", kick);
    window.addEventListener("pageshow", function (e) { if (e.persisted) { refresh(); kick(); } });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") kick(); });
    if (user) kick();
    window.addEventListener("load", worker);
    window.addEventListener("load", function () { ox.pages.warm(); });
    if (!takesPayments() || !ox.payForm && !document.querySelector("script[src*='payform.js']")) markReady();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof self !== "undefined" ? self : this);
