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

  /* Register form: show birth date, sex and age as the ID number is typed (GB 11643 check). */
  var WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var CHECK = "10X98765432";
  function deriveId(input) {
    var out = document.getElementById("id-derived");
    if (!out) return;
    function show() {
      var v = input.value.replace(/\s/g, "").toUpperCase();
      out.className = "derived";
      if (v.length < 18) { out.textContent = v ? "还差 " + (18 - v.length) + " 位" : ""; return; }
      if (!/^\d{17}[\dX]$/.test(v)) { out.textContent = "格式不对"; out.className = "error-text"; return; }
      var sum = 0;
      for (var i = 0; i < 17; i++) sum += parseInt(v[i], 10) * WEIGHTS[i];
      if (CHECK[sum % 11] !== v[17]) { out.textContent = "校验位不对，请逐位核对"; out.className = "error-text"; return; }
      var y = +v.substr(6, 4), mo = +v.substr(10, 2), d = +v.substr(12, 2);
      var now = new Date(), age = now.getFullYear() - y - ((now.getMonth() + 1 < mo || (now.getMonth() + 1 === mo && now.getDate() < d)) ? 1 : 0);
      out.textContent = y + "年" + mo + "月" + d + "日生 · " + (+v[16] % 2 ? "男" : "女") + " · " + age + " 岁";
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

  document.addEventListener("DOMContentLoaded", function () {
    var pay = document.getElementById("pay-form");
    if (pay) liveTotal(pay);
    var id = document.querySelector("[data-derive=id]");
    if (id) deriveId(id);
    onceButtons();
    offlineBanner();
  });

  window.LX = { yuan: yuan, chosenLines: chosenLines, capitalsOf: capitalsOf };
})();
