/* 两险征缴 — taking a payment on the household page (loaded by collect/household.html only): the
   confirm panel, then the payment into the outbox and, with network, straight to the server.
   Amounts are looked up in the server's tables in the page (app.js LX.chosenLines). */
(function (root) {
  "use strict";

  var ox = root.LXOutbox, v = ox.view;
  var el = v.el, yuan = v.yuan, slipView = v.slipView, advice = v.advice;
  var uuid = ox.uuid, enqueue = ox.enqueue, flush = ox.flush, getItem = ox.get;
  var KIND = { pension: "养老", medical: "医疗" }, CHECK_MS = 5000;

  /* A page left open may be hours old: before the payer hands over money, ask the server who in
     this household has paid meanwhile (another phone, the office). Resolves to what of this
     payment someone else already took; to nothing when the answer does not come (no network:
     the outbox and the server's own refusal of a second payment take over). */
  function paidMeanwhile(form, body) {
    if (!navigator.onLine) return Promise.resolve([]);
    var ctrl = root.AbortController ? new root.AbortController() : null;
    var t = ctrl && setTimeout(function () { ctrl.abort(); }, CHECK_MS);
    return root.fetch("/api/v1/households/" + form.dataset.household, {
      credentials: "same-origin", headers: { Accept: "application/json" }, signal: ctrl && ctrl.signal
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (h) {
      var taken = [];
      ((h && h.members) || []).forEach(function (m) {
        ["pension", "medical"].forEach(function (k) {
          var mine = body.lines.some(function (l) { return l.person_id === m.person_id && l.kind === k; });
          if (mine && m[k] && m[k].paid) taken.push(m.name + " 的" + KIND[k] + "保险已缴（收据 " + m[k].receipt_number + "）");
        });
      });
      return taken;
    }).catch(function () { return []; }).finally(function () { if (t) clearTimeout(t); });
  }


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
      var age = navigator.onLine ? null : el("div", { "class": "flash warn", id: "lx-age",
        text: "没有网络：本户" + ox.pages.ageText() + "，别的手机此后收的款这里看不到。请先问清交款人是否已在别处交过。" });
      panel = el("section", { id: "lx-pay" }, [age, preview, button,
        el("button", { "class": "btn secondary", type: "button", text: "返回修改", on: { click: close } })]);
      form.after(panel);
      root.scrollTo(0, 0);
      var label = button.textContent;
      function checked(then) {
        button.disabled = true;
        button.textContent = "正在核对本户最新缴费情况…";
        return paidMeanwhile(form, p.body).then(function (taken) {
          if (!taken.length) return then();
          button.remove();
          panel.prepend(el("div", { "class": "flash error", id: "lx-taken", role: "alert" }, [
            document.createTextNode("这笔没有记录：刚刚已有人收过——" + taken.join("；") +
                                    "。请不要再收钱；已收的请退还交款人。 "),
            el("a", { href: "/households/" + form.dataset.household, text: "刷新本户" })]));
          root.scrollTo(0, 0);
        });
      }
      checked(function () { button.disabled = false; button.textContent = label; });
      button.addEventListener("click", function () {
        checked(save);
      });
      function save() {
        button.disabled = true;   // one tap, one payment: the client_id is already fixed
        button.textContent = "正在保存…";
        return enqueue(p.body, p.slip).then(function (queued) {
          return (navigator.onLine ? flush({ force: true, only: queued.client_id }) : Promise.resolve({}))
            .then(function (sent) {
              return getItem(queued.client_id).then(function (left) { return { queued: queued, left: left, sent: sent || {} }; });
            });
        }).then(function (r) {
          if (!r.left) { location.assign(lastReceipt[r.queued.client_id] || "/receipts"); return; }
          showSaved(r.left, r.sent.stopped);
        }, function () {
          root.alert("手机存储不可用，这笔缴费没有保存。请改用纸质收据，或检查浏览器设置。");
          button.disabled = false; button.textContent = label;
        });
      }
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
  ox.onChange(function (info) {
    var refused = info.held && document.querySelector("#lx-saved[data-client-id='" + info.held + "']");
    if (refused) {   // the server refused it: the slip must stop promising an upload
      getItem(info.held).then(function (item) {
        if (!item) return;
        refused.className = "flash error";
        refused.textContent = advice(item);
        var slip = document.querySelector("article[data-slip='" + info.held + "']");
        if (slip) slip.replaceWith(slipView(item));
      });
    }
    if (info.synced && info.receipt) {
      lastReceipt[info.synced] = info.receipt.receipt_url;
      var saved = document.querySelector("#lx-saved[data-client-id='" + info.synced + "']");
      if (saved) {
        saved.className = "flash ok";
        saved.textContent = "已同步，收据号 " + info.receipt.receipt_number + " ";
        saved.append(el("a", { href: info.receipt.receipt_url, text: "查看收据" }));
      }
    }
  });

  ox.payForm = payForm;
  if (ox.bindPayForm) ox.bindPayForm();   // page.js started first: bind now
})(typeof self !== "undefined" ? self : this);
