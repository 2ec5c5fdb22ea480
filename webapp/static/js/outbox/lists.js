/* 两险征缴 — the outbox on the pages: the 收据 tab's badge, the list of what waits (receipts page),
   the tools (sync now, save to a file, restore from one: 我的 page), and people with a payment
   waiting locked on the household and worklist pages. */
(function (root) {
  "use strict";

  var ox = root.LXOutbox, v = ox.view;
  var el = v.el, when = v.when, yuan = v.yuan, slipView = v.slipView, advice = v.advice;
  var getItem = ox.get, putItem = ox.put, deleteItem = ox.remove, mine = ox.mine, flush = ox.flush;
  var changed = ox.changed, pageUser = ox.pageUser;

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

  /* The session ended (idle timeout, password changed elsewhere) while payments wait: say so
     where the coordinator is looking, with the way back in. The outbox stays on the phone and
     is sent by the first page opened after logging in. */
  function loginNotice(text) {
    var n = document.getElementById("lx-login");
    if (!n) {
      n = el("div", { "class": "flash error", id: "lx-login", role: "alert" });
      var main = document.querySelector("main");
      if (main) main.prepend(n); else document.body.prepend(n);
    }
    n.textContent = text + "。 ";
    n.append(el("a", { href: "/login?next=" + encodeURIComponent(location.pathname + location.search), text: "重新登录" }));
    root.scrollTo(0, 0);
  }

  ox.onChange(function (info) { if (info.login) loginNotice(info.login); refreshSoon(); });

  ox.refresh = refresh;
})(typeof self !== "undefined" ? self : this);
