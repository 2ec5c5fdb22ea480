/* 两险征缴 — moving between pages with no network and no service worker (WeChat's in-app browser
   blocks workers, so nothing serves a saved page when a link is tapped offline).

   While online, a page without a worker keeps on the phone (IndexedDB, the outbox's meta store)
   the pages a round of households needs: itself, the tabs, its village's worklist and the
   households listed there. Offline, a link or button of the product draws the kept page inside
   the page already open (its header, content and tab bar; the scripts stay) instead of leaving
   for the browser's error page; a page never kept says so in Chinese and stays put. A form that
   needs the server says so too. A reload by hand is the one thing no page survives: the browser
   is asked to warn (离线时请勿刷新), and the outbox is on disk, so even then nothing is lost.

   With a service worker in control none of this runs: the worker serves its saved pages (sw.js).
   Offline, every page says how old its figures are ("数据更新于 X 分钟前"), worker or not. */
(function (root) {
  "use strict";

  var ox = root.LXOutbox;
  var getMeta = ox.getMeta, setMeta = ox.setMeta, removeMeta = ox.removeMeta, pageUser = ox.pageUser;
  var INDEX = "pages", PREFIX = "page:";
  var KEEP_MAX = 150;                  // pages kept; the oldest go first
  var FRESH_MS = 30 * 60 * 1000;       // a page kept this recently is not fetched again
  var FETCH_MAX = 60;                  // pages fetched per page load, at most
  // What a round needs: the tabs, a village's worklist (first page, no filter) and households.
  var KEPT = /^\/(villages\/[^/?#]+|households\/\d+|worklist|receipts|me)?$/;
  var RELOAD_WARNING = "离线时请勿刷新：没有网络时刷新或离开本页，页面就打不开了（待同步的缴费已保存在手机上，不会丢失）";

  function controlled() { return !!(navigator.serviceWorker && navigator.serviceWorker.controller); }
  /* Offline with nobody to serve a page: the moment to draw kept pages ourselves. */
  function stranded() { return !navigator.onLine && !controlled(); }
  function here() { return location.pathname + location.search; }

  /* ---------- keeping pages --------------------------------------------------------------- */

  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }
  function metaOf(doc, name) { var m = doc.querySelector("meta[name=" + name + "]"); return m ? m.content : ""; }

  var indexWrite = Promise.resolve();
  function keep(path, html, doc) {
    if (metaOf(doc, "lx-user") !== pageUser() || !doc.querySelector("main")) return Promise.resolve();
    var snap = { html: html, at: +metaOf(doc, "lx-rendered") || Date.now(), kept: Date.now() };
    indexWrite = indexWrite.then(function () {
      return setMeta(PREFIX + path, snap).then(function () { return getMeta(INDEX); }).then(function (index) {
        index = index || {};
        index[path] = snap.kept;
        var paths = Object.keys(index).sort(function (a, b) { return index[b] - index[a]; });
        var gone = paths.slice(KEEP_MAX);
        gone.forEach(function (p) { delete index[p]; });
        return Promise.all(gone.map(function (p) { return removeMeta(PREFIX + p); })).then(function () {
          return setMeta(INDEX, index);
        });
      });
    }).catch(function () {});
    return indexWrite;
  }

  function wanted(doc) {
    var out = [];
    doc.querySelectorAll("a[href]").forEach(function (a) {
      var href = a.getAttribute("href");
      if (KEPT.test(href) && out.indexOf(href) < 0) out.push(href);
    });
    return out;
  }

  /* The household page's own script, which a page opened elsewhere (a worklist) lacks: loaded
     while there is network, so a household drawn offline still takes payments. */
  function loadPayform(doc) {
    var s = doc.querySelector("script[src*='/payform.js']");
    if (!s || ox.payForm || document.querySelector("script[src*='/payform.js']")) return;
    var tag = document.createElement("script");
    tag.src = s.getAttribute("src");
    document.body.append(tag);
  }

  function fetchPage(path) {
    return root.fetch(path, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (res) {
      var to = new URL(res.url || path, location.href);
      if (!res.ok || res.redirected && !KEPT.test(to.pathname)) return null;   // e.g. to the login page
      return res.text().then(function (html) {
        var doc = parse(html);
        var done = keep(path, html, doc);
        if (res.redirected) done = done.then(function () { return keep(to.pathname + to.search, html, doc); });
        loadPayform(doc);
        return done.then(function () { return doc; });
      });
    });
  }

  /* Keep this page, then what it links to, then (one step further) the households of a
     worklist it links to: a household page is enough to go round the whole village. */
  /* Whether a service worker is taking over (it keeps the pages): a blocked one never gets ready. */
  function workerComing() {
    if (!("serviceWorker" in navigator)) return Promise.resolve(false);
    return Promise.race([navigator.serviceWorker.ready.then(function () { return true; }, function () { return false; }),
                         new Promise(function (resolve) { setTimeout(resolve, 3000, false); })]);
  }

  function warm() {
    return workerComing().then(function (worker) {
      if (!worker && !controlled()) return keepRound();
      document.documentElement.dataset.lxKept = "0";
    });
  }

  function keepRound() {
    var root_ = document.documentElement;
    if (!navigator.onLine || !pageUser()) { root_.dataset.lxKept = "0"; return Promise.resolve(); }
    var slow = navigator.connection && (navigator.connection.saveData || /2g/.test(navigator.connection.effectiveType || ""));
    var fetched = 0;
    return keep(here(), firstHtml, document).then(function () {
      return getMeta(INDEX);
    }).then(function (index) {
      index = index || {};
      index[here()] = Date.now();
      var queue = slow ? [] : wanted(document);
      function more(path, doc) {   // a worklist's households, kept after everything linked here
        if (doc && /^\/villages\//.test(path)) wanted(doc).forEach(function (p) { if (queue.indexOf(p) < 0) queue.push(p); });
      }
      function next() {
        var path = queue.shift();
        if (!path || fetched >= FETCH_MAX || !navigator.onLine) return Promise.resolve();
        if (index[path] && Date.now() - index[path] < FRESH_MS) {
          // Kept a moment ago, perhaps by a page left before it had kept that worklist's households.
          return getMeta(PREFIX + path).then(function (snap) { if (snap) more(path, parse(snap.html)); }).then(next);
        }
        fetched++;
        index[path] = Date.now();
        return fetchPage(path).then(function (doc) { more(path, doc); }, function () {}).then(next);
      }
      return next();
    }).catch(function () {}).then(function () { root_.dataset.lxKept = String(fetched + 1); });
  }

  function clear() {
    return getMeta(INDEX).then(function (index) {
      return Promise.all(Object.keys(index || {}).map(function (p) { return removeMeta(PREFIX + p); }));
    }).then(function () { return setMeta(INDEX, {}); }).catch(function () {});
  }

  /* ---------- drawing a kept page ------------------------------------------------------------ */

  function say(text) {
    var note = document.getElementById("lx-nav-note");
    if (!note) {
      note = document.createElement("div");
      note.id = "lx-nav-note";
      note.className = "flash error";
      note.setAttribute("role", "alert");
      var main = document.querySelector("main");
      if (main) main.prepend(note); else document.body.prepend(note);
    }
    note.textContent = text;
    root.scrollTo(0, 0);
  }

  function swap(doc, selector) {
    var now = document.querySelector(selector), then = doc.querySelector(selector);
    if (now && then) now.replaceWith(document.importNode(then, true));
    else if (now) now.remove();
    else if (then) document.querySelector("main").after(document.importNode(then, true));
  }

  function draw(path, snap, how) {
    var doc = parse(snap.html);
    // A household page must not be drawn without the script that takes its payments.
    if (doc.querySelector("script[src*='/payform.js']") && !ox.payForm) {
      say("没有网络：收费功能还没有下载到手机上。请恢复网络后打开这一户。");
      return;
    }
    ["header.bar", "main", "nav.tabbar"].forEach(function (s) { swap(doc, s); });
    document.title = doc.title;
    document.body.dataset.page = doc.body.dataset.page || "";
    var rendered = document.querySelector("meta[name=lx-rendered]");
    if (rendered) rendered.content = String(snap.at);
    if (how === "push") history.pushState({ lxPath: path }, "", path);
    delete document.documentElement.dataset.lxReady;
    root.scrollTo(0, 0);
    if (root.LX && root.LX.init) root.LX.init();
    showAge();
    if (ox.pageDrawn) ox.pageDrawn();
  }

  function open(path, how) {
    return getMeta(PREFIX + path).then(function (snap) {
      if (snap) draw(path, snap, how);
      else say("没有网络：这一页没有保存在手机上（联网时打开过的本村名单和各户才能离线打开）。请恢复网络后再打开。");
    }, function () { say("没有网络，这一页打不开：请恢复网络后再试。"); });
  }

  function intercept() {
    document.addEventListener("click", function (ev) {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      var a = ev.target.closest && ev.target.closest("a[href]");
      if (!a || a.target || a.hasAttribute("download") || !stranded()) return;
      var url = new URL(a.href, location.href);
      if (url.origin !== location.origin) return;
      if (url.hash && url.pathname + url.search === here()) return;   // a place on this page
      ev.preventDefault();
      open(url.pathname + url.search, "push");
    });
    document.addEventListener("submit", function (ev) {
      if (ev.defaultPrevented || !stranded()) return;
      ev.preventDefault();
      say("没有网络：这一步需要连网，请恢复网络后再提交。已收的缴费保存在手机上，不会丢失。");
    });
    window.addEventListener("popstate", function (ev) {
      if (!ev.state || !ev.state.lxPath) return;
      if (stranded()) open(here(), "none");
      else location.reload();
    });
    window.addEventListener("beforeunload", function (ev) {
      if (!stranded()) return;
      ev.preventDefault();
      ev.returnValue = RELOAD_WARNING;
      return RELOAD_WARNING;
    });
  }

  /* ---------- how old the page is ------------------------------------------------------------ */

  function ageText() {
    var at = +metaOf(document, "lx-rendered");
    if (!at) return "";
    var mins = Math.max(0, Math.floor((Date.now() - at) / 60000));
    var ago = mins < 1 ? "不到 1 分钟前" : mins < 120 ? mins + " 分钟前" : Math.floor(mins / 60) + " 小时前";
    return "数据更新于 " + ago;
  }
  function showAge() {
    var span = document.getElementById("data-age");
    if (!span) return;
    span.textContent = navigator.onLine ? "" : "。本页" + ageText() + "，其他手机此后收的款这里看不到" +
                                               (controlled() ? "" : "；离线时请勿刷新");
  }

  var firstHtml = "";
  function start() {
    // The page as the server drew it, before this phone's scripts marked it up (pending badges, totals).
    firstHtml = "<!doctype html>" + document.documentElement.outerHTML;
    if (history.state === null || !history.state.lxPath) history.replaceState({ lxPath: here() }, "", here());
    intercept();
    showAge();
    window.addEventListener("online", showAge);
    window.addEventListener("offline", showAge);
    setInterval(showAge, 30000);
  }

  ox.pages = { start: start, warm: warm, clear: clear, stranded: stranded, ageText: ageText, RELOAD_WARNING: RELOAD_WARNING };
})(typeof self !== "undefined" ? self : this);
