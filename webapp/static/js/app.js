/* 两险征缴 — small progressive enhancements. Every page works without this file:
   forms post to the server, which computes and checks everything again. */
(function () {
  "use strict";

  function yuan(fen) {
    var s = (Math.abs(fen) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (fen < 0 ? "-¥" : "¥") + s;
  }

  /* Household page: what the coordinator has picked, priced from the tables the server put in
     the page (data-prices per member: tier -> self/government part, in fen; data-medical-*).
     Nothing here applies a pricing rule: a tier missing from the table is not offered. */
  function chosenLines(form) {
    var lines = [], self = 0, gov = 0;
    form.querySelectorAll(".member[data-person]").forEach(function (m) {
      var d = m.dataset, base = { person_id: parseInt(d.person, 10), name: d.name, id_masked: d.idMasked };
      var tier = m.querySelector("select.tier");
      var price = tier && !tier.disabled && tier.value && JSON.parse(d.prices || "{}")[tier.value];
      if (price) lines.push(Object.assign({ kind: "pension", tier_fen: parseInt(tier.value, 10),
                                            self_fen: price.self_fen, gov_fen: price.gov_fen }, base));
      var med = m.querySelector("input.medical");
      if (med && !med.disabled && med.checked) lines.push(Object.assign({ kind: "medical", tier_fen: null,
        self_fen: parseInt(d.medicalSelf || "0", 10), gov_fen: parseInt(d.medicalGov || "0", 10) }, base));
    });
    lines.forEach(function (l) { self += l.self_fen; gov += l.gov_fen; });
    return { lines: lines, self_fen: self, gov_fen: gov };
  }
  /* The capitals the receipt will print for a total the page can show (data-capitals). */
  function capitalsOf(form, fen) {
    return JSON.parse(form.dataset.capitals || "{}")[String(fen)] || "";
  }

  /* The total updates as tiers and medical boxes change. The server's confirm page is still the
     figure the payer agrees to. */
  function liveTotal(form) {
    var out = document.getElementById("live-total");
    if (!out) return;
    function recompute() {
      var c = chosenLines(form), n = c.lines.length;
      out.innerHTML = "";
      out.append("合计 ");
      var b = document.createElement("b"); b.textContent = yuan(c.self_fen); out.append(b);
      out.append(" · " + n + " 项" + (c.gov_fen ? "（政府代缴 " + yuan(c.gov_fen) + "）" : ""));
    }
    form.addEventListener("change", recompute);
    recompute();
  }

  /* Register form: show birth date, sex and age as the ID number is typed (GB 11643 check).
     What people type is folded as the server folds it (webapp/rules/typed_text.py and
     idnumber.normalize_id_number): full-width digits and letters, spaces and dashes of any kind
     between the groups. The hint never shows a date that does not exist or an age below zero:
     those numbers get the server's own message instead. */
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function foldId(raw) {
    return raw.replace(/[\uff01-\uff5e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); })
      .replace(/[\s\u00a0\u3000\u200b-\u200f\u2060\ufeff\-\u2010-\u2015\u2212\u30fc\uff70\ufe63]/g, "").toUpperCase();
  }
  function describeId(v, today) {
    if (!v) return { text: "" };
    if (v.length < 18) return { text: "还差 " + (18 - v.length) + " 位" };
    if (v.length > 18) return { text: "多了 " + (v.length - 18) + " 位，身份证号应为 18 位", error: true };
    if (!/^\d{17}[\dX]$/.test(v)) return { text: "身份证号只能是 17 位数字加一位数字或 X", error: true };
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += parseInt(v[i], 10) * WEIGHTS[i];
    if (CHECK[sum % 11] !== v[17]) return { text: "校验位不对，请逐位核对", error: true };
    var y = +v.substr(6, 4), mo = +v.substr(10, 2), d = +v.substr(12, 2);
    var birth = new Date(y, mo - 1, d);
    if (birth.getFullYear() !== y || birth.getMonth() !== mo - 1 || birth.getDate() !== d) {
      return { text: "出生日期不存在，请核对第 7 到 14 位", error: true };   // 2月29日 of 2023, 4月31日 …
    }
    if (y < 1890) return { text: "出生年份不对，请核对第 7 到 10 位", error: true };
    var ty = today.getFullYear(), tm = today.getMonth() + 1, td = today.getDate();
    if (y > ty || (y === ty && (mo > tm || (mo === tm && d > td)))) {
      return { text: "出生日期晚于今天，请核对", error: true };
    }
    var age = ty - y - ((tm < mo || (tm === mo && td < d)) ? 1 : 0);
    return { text: y + "年" + mo + "月" + d + "日生 · " + (+v[16] % 2 ? "男" : "女") + " · " + age + " 岁" };
  }
  function deriveId(input) {
    var out = document.getElementById("id-derived");
    if (!out) return;
    function show() {
      var r = describeId(foldId(input.value), new Date());
      out.textContent = r.text;
      out.className = r.error ? "error-text" : "derived";
    }
    input.addEventListener("input", show);
    show();
  }

  /* A confirm button is pressed once: a second tap while the first request runs does nothing
     (the server would answer with the same receipt anyway, thanks to the client_id). */
  function onceButtons() {
    document.querySelectorAll("button[data-once]").forEach(function (btn) {
      btn.form.addEventListener("submit", function () {
        setTimeout(function () { btn.disabled = true; btn.textContent = "正在提交…"; }, 0);
      });
    });
  }

  function offlineBanner() {
    var b = document.getElementById("offline-banner");
    if (!b) return;
    function update() { b.hidden = navigator.onLine; }
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    update();
  }

  /* What a page's content needs; again when the outbox draws a kept page offline (outbox/pages.js). */
  function init() {
    var pay = document.getElementById("pay-form");
    if (pay) liveTotal(pay);
    var id = document.querySelector("[data-derive=id]");
    if (id) deriveId(id);
    onceButtons();
  }

  document.addEventListener("DOMContentLoaded", function () {
    init();
    offlineBanner();
  });

  window.LX = { yuan: yuan, foldId: foldId, describeId: describeId, chosenLines: chosenLines, capitalsOf: capitalsOf,
                init: init };
})();
