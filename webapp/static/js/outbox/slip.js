/* 两险征缴 — drawing an outbox item: the provisional slip (待同步) and what to do about a payment
   the server refused. Pages only; amounts and capitals are the ones the server put in the page
   when the payment was taken (app.js LX.chosenLines, LX.capitalsOf). */
(function (root) {
  "use strict";

  var KIND = { pension: "养老", medical: "医疗" };
  var ox = root.LXOutbox;

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
     (those exist only once the server has recorded it). One the server refused says so, and
     what to do instead: it will never be uploaded as it is. */
  function slipView(item) {
    var s = item.slip, held = item.state === "held";
    var rows = s.lines.map(function (l) {
      return el("tr", {}, [
        el("td", {}, [document.createTextNode(l.name), el("br"), el("span", { "class": "sub", text: l.id_masked })]),
        el("td", {}, [document.createTextNode(KIND[l.kind]), l.tier_fen ? el("br") : null,
                      l.tier_fen ? el("span", { "class": "sub", text: (l.tier_fen / 100) + " 元档" }) : null]),
        el("td", { "class": "num", text: yuan(l.self_fen) }),
        el("td", { "class": "num", text: l.gov_fen ? yuan(l.gov_fen) : "—" })]);
    });
    return el("article", { "class": "receipt", "data-slip": item.client_id }, [
      el("h2", { text: held ? "缴费凭条（未被接受）" : "缴费凭条（待同步）" }),
      el("div", { "class": "no" }, [el("span", { "class": held ? "badge bad" : "badge todo", text: held ? "需处理" : "待同步" }),
                                   document.createTextNode(held ? " 服务器没有接受，这张凭条无效" : " 临时凭条，不是正式收据")]),
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
      held ? el("p", { "class": "sub", "data-advice": "", text: "不会上传，也不会生成正式收据。" + advice(item) })
           : el("p", { "class": "sub", text: "恢复网络后自动上传，上传后生成正式收据（带二维码）。" })]);
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
    return "服务器拒绝了这笔缴费：" + (details || e.message) + "。请打开本户核对后重新录入；不能重新录入的，" +
           "请退还交款人现金，或联系镇管理员处理，然后删除此条。";
  }

  ox.view = { yuan: yuan, el: el, when: when, slipView: slipView, advice: advice };
})(typeof self !== "undefined" ? self : this);
