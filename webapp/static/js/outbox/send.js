/* 两险征缴 — sending the outbox: each waiting payment to POST /api/v1/payments, again and again
   until the server has answered. The page does it (WeChat's browser may have no service worker)
   and so does the service worker's Background Sync, which loads store.js and this file. The
   server treats client_id as an idempotency key, so sending twice records once.

   Without JavaScript none of this runs: the household form posts to the server's two steps. */
(function (root) {
  "use strict";

  var API = "/api/v1/payments", TIMEOUT_MS = 30000, PARALLEL = 3;
  var LOGIN_AGAIN = "登录已过期，请重新登录：待同步的缴费保存在手机上，登录后自动上传";
  var isPage = typeof document !== "undefined";
  var ox = root.LXOutbox;
  var allItems = ox.all, getItem = ox.get, putItem = ox.put, deleteItem = ox.remove;
  var getMeta = ox.getMeta, setMeta = ox.setMeta, askPersistence = ox.askPersistence;

  /* ---------- who is sending ------------------------------------------------------------ */

  function pageUser() {
    var m = isPage && document.querySelector("meta[name=lx-user]");
    return m ? m.content : "";
  }
  function pageToken() {
    var m = isPage && document.querySelector("meta[name=csrf-token]");
    return m ? m.content : "";
  }
  function context() {
    if (isPage) return Promise.resolve({ user: pageUser(), token: pageToken() });
    return Promise.all([getMeta("user"), getMeta("csrf")]).then(function (v) { return { user: v[0] || "", token: v[1] || "" }; });
  }
  /* A queued item may outlive its page's CSRF token (new session): ask for a fresh one. */
  function freshToken() {
    return root.fetch("/api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) {
        if (!me) return "";
        setMeta("csrf", me.csrf_token);
        var m = isPage && document.querySelector("meta[name=csrf-token]");
        if (m) m.content = me.csrf_token;
        return me.csrf_token;
      });
  }

  /* ---------- sending ------------------------------------------------------------------- */

  var failures = 0, retryAt = 0, timer = null;
  var channel = root.BroadcastChannel ? new root.BroadcastChannel("lx-outbox") : null;
  var listeners = [];
  function changed(info) {
    listeners.forEach(function (fn) { fn(info || {}); });
    if (channel) channel.postMessage(info || {});
  }
  if (channel) channel.onmessage = function (e) { listeners.forEach(function (fn) { fn(e.data || {}); }); };

  function post(item, token) {
    var ctrl = root.AbortController ? new root.AbortController() : null;
    var t = ctrl && setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS);
    return root.fetch(API, {
      method: "POST", credentials: "same-origin", signal: ctrl && ctrl.signal,
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(item.body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    }).finally(function () { if (t) clearTimeout(t); });
  }

  /* One item, one answer: "done", "held" (the server refused it: a person must decide),
     "retry" (network or server trouble) or "stop" (not logged in; nothing more to try). */
  function sendOne(item, ctx) {
    return post(item, ctx.token).then(function (r) {
      if (r.status === 400 && r.data.code === "csrf" && !ctx.refreshed) {
        ctx.refreshed = true;
        return freshToken().then(function (tok) {
          ctx.token = tok;
          if (tok) return sendOne(item, ctx);
          ctx.stopped = LOGIN_AGAIN; ctx.login = true;   // no fresh token: no session either
          return "stop";
        });
      }
      if (r.status === 201) {
        return deleteItem(item.client_id).then(function () {
          changed({ synced: item.client_id, receipt: r.data });
          return "done";
        });
      }
      // Not logged in, a stale page, a password to change first: nothing to send until then.
      if (r.status === 401 || r.data.code === "csrf" || r.status === 403 && !r.data.code) {
        ctx.stopped = r.status === 401 || r.data.code === "csrf" ? LOGIN_AGAIN : r.data.error || LOGIN_AGAIN;
        ctx.login = ctx.stopped === LOGIN_AGAIN;
        return "stop";
      }
      if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
        item.state = "held";
        item.error = { status: r.status, code: r.data.code || "", message: r.data.error || "", errors: r.data.errors || {} };
        return putItem(item).then(function () { changed({ held: item.client_id }); return "held"; });
      }
      return "retry";
    }, function () { return "retry"; });
  }

  var running = null;
  /* Send what waits for the logged-in user, a few at a time, oldest first. `force` ignores the
     back-off (the network just came back, the page was just opened). */
  function flush(opts) {
    opts = opts || {};
    if (running) return running.then(function () { return flush(opts); });
    if (!opts.force && Date.now() < retryAt) return Promise.resolve({ sent: 0 });
    var body = function () {
      return Promise.all([context(), allItems()]).then(function (v) {
        var ctx = v[0], sent = 0, retry = false;
        var queue = v[1].filter(function (i) { return i.user === ctx.user && i.state === "waiting" && (!opts.only || i.client_id === opts.only); })
          .sort(function (a, b) { return a.created_at - b.created_at; });
        if (!ctx.user || !queue.length) return { sent: 0 };
        function worker() {
          var item = queue.shift();
          if (!item || retry || ctx.stopped) return Promise.resolve();
          return sendOne(item, ctx).then(function (r) {
            if (r === "done") sent++;
            if (r === "retry") {
              retry = true;
              item.attempts = (item.attempts || 0) + 1;
              item.last_try = Date.now();
              return putItem(item);
            }
          }).then(worker);
        }
        var workers = [];
        for (var i = 0; i < PARALLEL; i++) workers.push(worker());
        return Promise.all(workers).then(function () {
          if (retry) {
            failures++;
            // 2 s, 4 s, 8 s ... up to 5 minutes, with jitter so a village's phones do not retry in step.
            var delay = Math.min(300000, 2000 * Math.pow(2, failures - 1)) * (0.75 + Math.random() / 2);
            retryAt = Date.now() + delay;
            if (isPage) { clearTimeout(timer); timer = setTimeout(function () { flush(); }, delay); }
            registerSync();
          } else {
            failures = 0; retryAt = 0;
          }
          changed(ctx.login ? { login: LOGIN_AGAIN } : {});
          if (retry && !isPage) throw new Error("network");   // Background Sync retries later
          return { sent: sent, retry: retry, stopped: ctx.stopped || "", login: !!ctx.login };
        });
      });
    };
    var locks = root.navigator && root.navigator.locks;
    running = (locks ? locks.request("lx-outbox", body) : body()).finally(function () { running = null; });
    return running;
  }

  function registerSync() {
    if (!isPage || !("serviceWorker" in navigator) || !navigator.serviceWorker.controller) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("lx-outbox");
    }).catch(function () {});
  }

  function enqueue(body, slip) {
    var item = { client_id: body.client_id, user: pageUser(), created_at: Date.now(), state: "waiting",
                 attempts: 0, body: body, slip: slip, error: null };
    return putItem(item).then(function () {
      askPersistence();
      registerSync();
      changed({ queued: item.client_id });
      return item;
    });
  }

  function mine() {
    var user = pageUser();
    return allItems().then(function (items) {
      return items.filter(function (i) { return i.user === user; }).sort(function (a, b) { return a.created_at - b.created_at; });
    });
  }


  ox.flush = flush; ox.enqueue = enqueue; ox.mine = mine; ox.pageUser = pageUser; ox.pageToken = pageToken;
  ox.changed = changed; ox.onChange = function (fn) { listeners.push(fn); };
})(typeof self !== "undefined" ? self : this);
