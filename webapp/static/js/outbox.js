/* 两险征缴 — the offline outbox. A payment taken at the door is written to IndexedDB first, with
   a client_id (UUID) minted on the phone, and only then sent to POST /api/v1/payments. It is sent
   again, by itself, until the server has answered: the page does it (WeChat's browser may have
   no service worker) and so does the service worker's Background Sync, which loads this same
   file. The server treats client_id as an idempotency key, so sending twice records once.

   Without JavaScript none of this runs: the household form posts to the server's two steps. */
(function (root) {
  "use strict";

  var DB_NAME = "lx-outbox", ITEMS = "items", META = "meta", PAGES = "lx-pages";
  var API = "/api/v1/payments", TIMEOUT_MS = 30000, PARALLEL = 3;
  var KIND = { pension: "养老", medical: "医疗" };
  var isPage = typeof document !== "undefined";

  /* ---------- IndexedDB ---------------------------------------------------------------- */

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

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

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
        return freshToken().then(function (tok) { ctx.token = tok; return tok ? sendOne(item, ctx) : "stop"; });
      }
      if (r.status === 201) {
        return deleteItem(item.client_id).then(function () {
          changed({ synced: item.client_id, receipt: r.data });
          return "done";
        });
      }
      // Not logged in, a stale page, a password to change first: nothing to send until then.
      if (r.status === 401 || r.data.code === "csrf" || r.status === 403 && !r.data.code) {
        ctx.stopped = r.data.error || "请重新登录后再同步";
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
          changed({});
          if (retry && !isPage) throw new Error("network");   // Background Sync retries later
          return { sent: sent, retry: retry, stopped: ctx.stopped || "" };
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

  root.LXOutbox = { flush: flush, enqueue: enqueue, all: allItems, mine: mine, get: getItem, put: putItem,
                    remove: deleteItem, setMeta: setMeta, getMeta: getMeta, uuid: uuid, onChange: function (fn) { listeners.push(fn); } };

  if (!isPage) return;   // the service worker needs only the above

  /* ---------- the page ------------------------------------------------------------------ */

  function yuan(fen) { return root.LX && root.LX.yuan ? root.LX.yuan(fen) : "¥" + (fen / 100).toFixed(2); }


  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (ev) { e.addEventListener(ev, attrs.on[ev]); });
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.append(c); });
    return e;
  }
  function when(ms) {
    var d = new Date(ms), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + " " + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  /* The provisional slip: what was taken, marked 待同步, with no receipt number and no QR code
     (those exist only once the server has recorded it). */
  function slipView(item) {
    var s = item.slip;
    var rows = s.lines.map(function (l) {
      return el("tr", {}, [
        el("td", {}, [document.createTextNode(l.name), el("br"), el("span", { "class": "sub", text: l.id_masked })]),
        el("td", {}, [document.createTextNode(KIND[l.kind]), l.tier_fen ? el("br") : null,
                      l.tier_fen ? el("span", { "class": "sub", text: (l.tier_fen / 100) + " 元档" }) : null]),
        el("td", { "class": "num", text: yuan(l.self_fen) }),
        el("td", { "class": "num", text: l.gov_fen ? yuan(l.gov_fen) : "—" })]);
    });
    return el("article", { "class": "receipt", "data-slip": item.client_id }, [
      el("h2", { text: "缴费凭条（待同步）" }),
      el("div", { "class": "no" }, [el("span", { "class": "badge todo", text: "待同步" }),
                                   document.createTextNode(" 临时凭条，不是正式收据")]),
      el("dl", { "class": "kv" }, [el("dt", { text: "代征单位" }), el("dd", { text: s.village }),
                                   el("dt", { text: "户" }), el("dd", { text: s.household }),
                                   el("dt", { text: "交款人" }), el("dd", { text: s.payer })]),
      el("table", {}, [el("thead", {}, [el("tr", {}, [el("th", { text: "参保人" }), el("th", { text: "险种" }),
        el("th", { "class": "num", text: "自缴" }), el("th", { "class": "num", text: "代缴" })])]), el("tbody", {}, rows)]),
      el("div", { "class": "total" }, [el("div", { "class": "fig", text: yuan(s.total_fen) }),
        s.total_capitals ? el("div", { "class": "cap", text: "大写：" + s.total_capitals }) : null,
        s.gov_total_fen ? el("div", { "class": "gov", text: "政府代缴合计 " + yuan(s.gov_total_fen) }) : null]),
      el("dl", { "class": "kv" }, [el("dt", { text: "缴费方式" }), el("dd", { text: s.method }),
        el("dt", { text: "收款时间" }), el("dd", { text: when(item.created_at) }),
        el("dt", { text: "收款人" }), el("dd", { text: s.collector }),
        el("dt", { text: "凭条编号" }), el("dd", { text: item.client_id.slice(0, 8).toUpperCase() })]),
      el("p", { "class": "sub", text: "恢复网络后自动上传，上传后生成正式收据（带二维码）。" })]);
  }

  /* What the coordinator should do about an item the server refused. */
  function advice(item) {
    var e = item.error || {};
    var details = Object.keys(e.errors || {}).map(function (k) { return e.errors[k]; }).join("；");
    if (e.code === "already_paid")
      return "服务器上已有这笔缴费：" + e.message + "。请核对收据；若重复收了钱，请退还交款人，然后删除此条。";
    if (e.code === "client_id_conflict")
      return "这张凭条的编号已用于另一笔内容不同的缴费。请打开本户核对已开的收据；仍需收费的，重新录入后删除此条。";
    if (e.status === 404)
      return "这户不在您负责的范围内（可能已调整分工）。请联系乡/街道管理员，处理后删除此条。";
    if (e.status === 403)
      return "您的账号不能收费：" + e.message + "。请联系管理员，处理后删除此条。";
    return "服务器拒绝了这笔缴费：" + (details || e.message) + "。请打开本户重新录入（或退还这笔钱），然后删除此条。";
  }

  function confirmDelete(item) {
    var text = item.state === "held"
      ? "删除这条记录？（服务器已拒绝它，删除不会影响已开的收据）"
      : "这笔缴费还没有上传。删除后它不会再上传，请先把钱退还交款人。确定删除？";
    if (!root.confirm(text)) return;
    deleteItem(item.client_id).then(function () { changed({ removed: item.client_id }); });
  }

  function itemView(item) {
    var s = item.slip, held = item.state === "held";
    var slip = null;
    var box = el("div", { "class": "cell stack", "data-outbox-item": item.client_id, "data-state": item.state }, [
      el("div", { "class": "bd" }, [
        el("div", {}, [document.createTextNode(s.payer + " · " + s.household + " "),
                       el("span", { "class": held ? "badge bad" : "badge todo", text: held ? "需处理" : "待同步" })]),
        el("div", { "class": "sub", text: yuan(s.total_fen) + " · " + s.lines.length + " 项 · " + when(item.created_at) +
                                          (item.attempts ? " · 已尝试 " + item.attempts + " 次" : "") })]),
      held ? el("div", { "class": "flash error", "data-advice": "", text: advice(item) }) : null,
      el("div", { "class": "row-buttons" }, [
        el("button", { "class": "btn small secondary", type: "button", text: "凭条", on: { click: function () {
          if (slip) { slip.remove(); slip = null; } else { slip = slipView(item); box.append(slip); }
        } } }),
        s.household_id ? el("a", { "class": "btn small secondary", href: "/households/" + s.household_id, text: "打开本户" }) : null,
        el("button", { "class": "btn small warn", type: "button", text: "删除", on: { click: function () { confirmDelete(item); } } })])]);
    return box;
  }

  function saveToFile() {
    return mine().then(function (items) {
      var blob = new Blob([JSON.stringify({ format: "lx-outbox", version: 1, exported_at: new Date().toISOString(),
                                            user: pageUser(), items: items }, null, 1)], { type: "application/json" });
      var a = el("a", { href: URL.createObjectURL(blob), download: "待同步缴费-" + when(Date.now()).replace(/[-: ]/g, "") + ".json" });
      document.body.append(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  }

  function loadFromFile(file) {
    return file.text().then(function (text) {
      var data = JSON.parse(text), added = 0;
      var items = (data && data.format === "lx-outbox" && data.items) || [];
      return items.reduce(function (p, it) {
        return p.then(function () {
          if (!it || !it.client_id || !it.body || !it.slip) return;
          return getItem(it.client_id).then(function (have) {
            if (have) return;
            it.state = "waiting"; it.error = null; added++;
            return putItem(it);
          });
        });
      }, Promise.resolve()).then(function () { changed({}); return added; });
    }).then(function (n) { root.alert("已恢复 " + n + " 条待同步缴费"); flush({ force: true }); },
            function () { root.alert("文件不是待同步缴费的备份"); });
  }

  function tools(items) {
    var input = el("input", { type: "file", accept: ".json,application/json", "class": "sr-only", id: "outbox-file",
                              on: { change: function () { if (input.files[0]) loadFromFile(input.files[0]); } } });
    return el("div", { "class": "row-buttons" }, [
      el("button", { "class": "btn small", type: "button", "data-action": "sync", text: "立即同步",
                     on: { click: function () { flush({ force: true }).then(showResult); } } }),
      items.length ? el("button", { "class": "btn small secondary", type: "button", "data-action": "save",
                                    text: "保存到文件", on: { click: saveToFile } }) : null,
      el("label", { "class": "btn small secondary", "for": "outbox-file", text: "从文件恢复" }), input]);
  }

  function showResult(r) {
    if (r && r.stopped) root.alert(r.stopped);
  }

  /* The receipts page lists what waits; the 我的 page has the tools. */
  function renderLists(items) {
    var list = document.querySelector("[data-outbox]");
    if (list) {
      list.textContent = "";
      if (items.length) {
        var held = items.filter(function (i) { return i.state === "held"; }).length;
        list.append(el("div", { "class": "section-title", text: "待同步 " + items.length + " 笔" + (held ? "（" + held + " 笔需处理）" : "") +
                                                              (navigator.onLine ? "" : " · 没有网络，恢复后自动上传") }));
        list.append(el("div", { "class": "cells" }, items.map(itemView)));
        list.append(tools(items));
      }
    }
    var box = document.querySelector("[data-outbox-tools]");
    if (box) {
      box.textContent = "";
      box.append(el("div", { "class": "section-title", text: items.length ? "还有 " + items.length + " 笔缴费待同步" : "没有待同步的缴费" }));
      box.append(tools(items));
    }
  }

  function badge(items) {
    var b = document.getElementById("outbox-count");
    if (!b) return;
    b.textContent = items.length;
    b.hidden = !items.length;
  }

  /* People with a payment waiting must not be charged again on this phone: their inputs are
     locked and marked until the server's page shows them paid. */
  function markPending(items) {
    var pending = {};
    items.forEach(function (i) {
      i.body.lines.forEach(function (l) { pending[l.person_id + ":" + l.kind] = true; });
      pending["h" + i.slip.household_id] = true;
    });
    document.querySelectorAll("#pay-form .member[data-person]").forEach(function (m) {
      [["pension", "select.tier"], ["medical", "input.medical"]].forEach(function (k) {
        var input = m.querySelector(k[1]);
        if (!input || !pending[m.dataset.person + ":" + k[0]] || input.disabled) return;
        input.disabled = true;
        if (input.type === "checkbox") input.checked = false; else input.value = "";
        input.closest(".line").append(el("span", { "class": "badge todo", "data-pending": "", text: "待同步" }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    document.querySelectorAll("#worklist a.cell[href^='/households/']").forEach(function (a) {
      if (pending["h" + a.getAttribute("href").split("/")[2]] && !a.querySelector("[data-pending]"))
        a.querySelector(".bd").append(el("span", { "class": "badge todo", "data-pending": "", text: "有待同步" }));
    });
  }

  function refresh() {
    return mine().then(function (items) { badge(items); renderLists(items); markPending(items); return items; });
  }
  /* Changes come in bursts (a whole outbox syncing): redraw once per burst, not once per item. */
  var redraw = null;
  function refreshSoon() {
    if (!redraw) redraw = setTimeout(function () { redraw = null; refresh(); }, 150);
  }

  /* ---------- taking a payment on the household page ------------------------------------ */

  /* The amounts come from app.js (LX.chosenLines): looked up in the server's tables in the page. */
  function readForm(form) {
    var chosen = root.LX.chosenLines(form), total = chosen.self_fen, gov = chosen.gov_fen;
    var lines = chosen.lines.map(function (l) {
      return l.kind === "pension" ? { person_id: l.person_id, kind: l.kind, amount_fen: l.tier_fen }
                                  : { person_id: l.person_id, kind: l.kind };
    });
    var slipLines = chosen.lines.map(function (l) {
      return { name: l.name, id_masked: l.id_masked, kind: l.kind, tier_fen: l.tier_fen, self_fen: l.self_fen, gov_fen: l.gov_fen };
    });
    var method = form.querySelector("[name=method]"), payer = form.querySelector("[name=payer_name]");
    var payerName = (payer && payer.value.replace(/\s+/g, "")) || "";
    var collector = document.querySelector("meta[name=lx-user]");
    var body = { client_id: uuid(), method: method ? method.value : "cash", payer_name: payerName,
                 lines: lines, expected_total_fen: total, recorded_at: new Date().toISOString() };
    var slip = { household_id: parseInt(form.dataset.household, 10), village: form.dataset.villageName || form.dataset.village,
                 household: (document.querySelector(".bar h1") || {}).textContent || "",
                 payer: payerName || (slipLines[0] && slipLines[0].name) || "",
                 method: method ? method.options[method.selectedIndex].text : "现金",
                 collector: collector ? collector.dataset.name : "", lines: slipLines, total_fen: total, gov_total_fen: gov,
                 total_capitals: root.LX.capitalsOf(form, total) };
    return { body: body, slip: slip };
  }

  function payForm(form) {
    var panel = null;
    function close() { if (panel) panel.remove(); panel = null; form.hidden = false; }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var p = readForm(form);
      if (!p.body.lines.length) { root.alert("请至少选择一项缴费"); return; }
      form.hidden = true;
      var item = { client_id: p.body.client_id, created_at: Date.now(), slip: p.slip };
      var button = el("button", { "class": "btn", type: "button", id: "lx-confirm", text: "确认收款 " + yuan(p.slip.total_fen) });
      var preview = slipView(item);
      preview.querySelector("h2").textContent = "核对金额";
      preview.querySelector(".no").textContent = "请与交款人核对以下项目和金额，确认收到现金/转账后再点“确认收款”。";
      preview.lastChild.remove();
      panel = el("section", { id: "lx-pay" }, [preview, button,
        el("button", { "class": "btn secondary", type: "button", text: "返回修改", on: { click: close } })]);
      form.after(panel);
      root.scrollTo(0, 0);
      button.addEventListener("click", function () {
        button.disabled = true;   // one tap, one payment: the client_id is already fixed
        button.textContent = "正在保存…";
        enqueue(p.body, p.slip).then(function (queued) {
          return (navigator.onLine ? flush({ force: true, only: queued.client_id }) : Promise.resolve({}))
            .then(function (sent) {
              return getItem(queued.client_id).then(function (left) { return { queued: queued, left: left, sent: sent || {} }; });
            });
        }).then(function (r) {
          if (!r.left) { location.assign(lastReceipt[r.queued.client_id] || "/receipts"); return; }
          showSaved(r.left, r.sent.stopped);
        }, function () {
          root.alert("手机存储不可用，这笔缴费没有保存。请改用纸质收据，或检查浏览器设置。");
          button.disabled = false; button.textContent = "确认收款 " + yuan(p.slip.total_fen);
        });
      });
    });

    function showSaved(item, stopped) {
      panel.textContent = "";
      var held = item.state === "held";
      panel.append(
        el("div", { "class": held ? "flash error" : "flash warn", id: "lx-saved", "data-client-id": item.client_id,
                    text: held ? advice(item) : "已保存在手机上，待同步。" +
                      (stopped ? stopped + "。" : "恢复网络后自动上传，上传后生成正式收据。") }),
        slipView(item),
        el("a", { "class": "btn", href: "/villages/" + form.dataset.village, text: "继续收下一户" }),
        el("a", { "class": "btn secondary", href: "/receipts", text: "查看待同步" }));
      root.scrollTo(0, 0);
    }
  }

  /* Where a synced slip now lives, for the page that is showing it. */
  var lastReceipt = {};
  listeners.push(function (info) {
    if (info.synced && info.receipt) {
      lastReceipt[info.synced] = info.receipt.receipt_url;
      var saved = document.querySelector("#lx-saved[data-client-id='" + info.synced + "']");
      if (saved) {
        saved.className = "flash ok";
        saved.textContent = "已同步，收据号 " + info.receipt.receipt_number + " ";
        saved.append(el("a", { href: info.receipt.receipt_url, text: "查看收据" }));
      }
    }
    refreshSoon();
  });

  /* ---------- the app around it --------------------------------------------------------- */

  var persistAsked = false;
  function askPersistence() {
    // Without this the browser may evict IndexedDB under storage pressure, payments included.
    if (persistAsked || !navigator.storage || !navigator.storage.persist) return;
    persistAsked = true;
    navigator.storage.persisted().then(function (yes) { if (!yes) return navigator.storage.persist(); }).catch(function () {});
  }

  function clearPages() {
    return root.caches ? root.caches.delete(PAGES).catch(function () {}) : Promise.resolve();
  }

  function guardLogout() {
    var form = document.getElementById("logout-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      if (form.dataset.confirmed) return;
      ev.preventDefault();
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

  function start() {
    var user = pageUser();
    if (user) {
      if (localStorage.getItem("lx-user") !== user) { clearPages(); localStorage.setItem("lx-user", user); }
      setMeta("user", user);
      setMeta("csrf", pageToken());
      askPersistence();
    }
    // Only with working storage does the page take payments itself; without it (some private
    // modes) the form posts to the server's two steps, as without JavaScript.
    var pay = document.getElementById("pay-form");
    if (pay && user && pay.querySelector("select.tier, input.medical")) openDb().then(function () { payForm(pay); }, function () {});
    guardLogout();
    refresh();
    var kick = function () { flush({ force: true }); };
    window.addEventListener("online", kick);
    window.addEventListener("pageshow", function (e) { if (e.persisted) { refresh(); kick(); } });
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") kick(); });
    if (user) kick();
    window.addEventListener("load", worker);
    // When the page became usable (ms since navigation start): read by the browser tests and bench.
    document.documentElement.dataset.lxReady = String(Math.round(root.performance ? performance.now() : 1) || 1);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof self !== "undefined" ? self : this);
