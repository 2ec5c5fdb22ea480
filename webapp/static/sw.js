/* 两险征缴 — service worker, served from /sw.js (webapp/views/pwa.py prepends self.LX_SHELL:
   the versioned URLs of the shell's files). It keeps:
   - the shell (CSS, JS) for good, per version: repeat loads need no network for it;
   - the pages the coordinator opened (worklists, households, receipts …): the network first,
     the saved copy when there is none or it is too slow;
   - and on Background Sync it sends the outbox (the same code as the page: js/outbox/store.js
     and send.js). */
/* global LX_SHELL, LXOutbox */
"use strict";

importScripts.apply(self, LX_SHELL.outbox);

var SHELL = "lx-shell-" + LX_SHELL.version;
var PAGES = "lx-pages";
var MAX_PAGES = 300;
var SLOW_MS = 4000;   // one bar of signal: show the saved page rather than a blank screen
// v/: a receipt's public verification page must always be the server's current answer (a void).
var NOT_KEPT = /^\/(login|logout|password|api\/|sw\.js|v\/)/;

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (c) {
    return c.addAll(LX_SHELL.assets.concat(["/offline"]));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("lx-shell-") === 0 && k !== SHELL; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepPage(url, res) {
  return caches.open(PAGES).then(function (c) {
    return c.put(url, res).then(function () { return c.keys(); }).then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (k) { return c.delete(k); }));
    });
  });
}

/* Pages: follow redirects ourselves (/worklist leads to the village) so the copy we keep is the
   page itself; a redirect to the login page is handed to the browser as a redirect. */
function fromNetwork(url) {
  return fetch(url, { credentials: "same-origin", redirect: "follow" }).then(function (res) {
    var path = new URL(res.url || url).pathname;
    if (res.redirected && NOT_KEPT.test(path)) return Response.redirect(res.url, 303);
    var copy = new Response(res.body, { status: res.status, statusText: res.statusText, headers: res.headers });
    if (!res.ok || res.type !== "basic" || NOT_KEPT.test(path)) return copy;
    var kept = keepPage(url, copy.clone());
    if (res.redirected) kept = kept.then(function () { return keepPage(res.url, copy.clone()); });
    return kept.then(function () { return copy; }, function () { return copy; });
  });
}

function page(event) {
  var url = event.request.url;
  var network = fromNetwork(url);
  var slow = new Promise(function (resolve) { setTimeout(resolve, SLOW_MS, null); });
  return Promise.race([network, slow]).catch(function () { return null; }).then(function (res) {
    if (res) return res;
    return caches.match(url, { cacheName: PAGES }).then(function (saved) {
      if (saved) {
        event.waitUntil(network.catch(function () {}));   // refresh the copy when it arrives
        return saved;
      }
      return network.catch(function () {
        return caches.match("/offline").then(function (r) { return r || Response.error(); });
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || NOT_KEPT.test(url.pathname)) return;
  if (url.pathname.indexOf("/static/") === 0) {
    // Versioned URLs (?v=hash) never change: the cache is the truth.
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok && url.searchParams.has("v")) {
          var copy = res.clone();
          caches.open(SHELL).then(function (c) { c.put(req, copy); });
        }
        return res;
      });
    }));
    return;
  }
  if (req.mode === "navigate" || (req.headers.get("Accept") || "").indexOf("text/html") !== -1) {
    event.respondWith(page(event));
  }
});

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  if (msg.type === "warm" && Array.isArray(msg.urls)) {
    event.waitUntil(msg.urls.reduce(function (p, u) {
      return p.then(function () { return fromNetwork(new URL(u, self.location.origin).href).catch(function () {}); });
    }, Promise.resolve()));
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === "lx-outbox") event.waitUntil(LXOutbox.flush({ force: true }));
});
