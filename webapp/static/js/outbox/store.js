/* 两险征缴 — the outbox's storage: payments waiting on the phone, in IndexedDB, and the client_id
   (UUID) each is sent with. Loaded by every page and by the service worker (sw.js); the other
   outbox files build on LXOutbox as this one starts it.

   A payment taken at the door is written here first, and only then sent (send.js). */
(function (root) {
  "use strict";

  var DB_NAME = "lx-outbox", ITEMS = "items", META = "meta";
  var ox = root.LXOutbox = root.LXOutbox || {};

  var dbPromise;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = root.indexedDB.open(DB_NAME, 1);
        req.onupgradeneeded = function () {
          req.result.createObjectStore(ITEMS, { keyPath: "client_id" });
          req.result.createObjectStore(META);
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { dbPromise = null; reject(req.error); };
      });
    }
    return dbPromise;
  }

  /* Resolves when the transaction has committed: a queued payment is on disk before we say so. */
  function run(store, mode, fn) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode), result;
        var req = fn(t.objectStore(store));
        if (req) req.onsuccess = function () { result = req.result; };
        t.oncomplete = function () { resolve(result); };
        t.onerror = t.onabort = function () { reject(t.error); };
      });
    });
  }
  function allItems() { return run(ITEMS, "readonly", function (s) { return s.getAll(); }); }
  function getItem(id) { return run(ITEMS, "readonly", function (s) { return s.get(id); }); }
  function putItem(item) { return run(ITEMS, "readwrite", function (s) { s.put(item); }); }
  function deleteItem(id) { return run(ITEMS, "readwrite", function (s) { s.delete(id); }); }
  function getMeta(key) { return run(META, "readonly", function (s) { return s.get(key); }); }
  function setMeta(key, value) { return run(META, "readwrite", function (s) { s.put(value, key); }); }
  function deleteMeta(key) { return run(META, "readwrite", function (s) { s.delete(key); }); }

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  var persistAsked = false;
  function askPersistence() {
    // Without this the browser may evict IndexedDB under storage pressure, payments included.
    if (persistAsked || !root.navigator || !navigator.storage || !navigator.storage.persist) return;
    persistAsked = true;
    navigator.storage.persisted().then(function (yes) { if (!yes) return navigator.storage.persist(); }).catch(function () {});
  }

  ox.openDb = openDb; ox.all = allItems; ox.get = getItem; ox.put = putItem; ox.remove = deleteItem;
  ox.getMeta = getMeta; ox.setMeta = setMeta; ox.removeMeta = deleteMeta; ox.uuid = uuid; ox.askPersistence = askPersistence;
})(typeof self !== "undefined" ? self : this);
