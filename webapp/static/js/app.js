/* 两险征缴 — small progressive enhancements. Every page works without this file:
   forms post to the server, which computes and checks everything again. */
(function () {
  "use strict";

  function yuan(fen) {
    var s = (Math.abs(fen) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (fen < 0 ? "-¥" : "¥") + s;
  }

  /* Household page: the total updates as tiers and medical boxes change. The server's
     confirm page is still the figure the payer agrees to. */
  function liveTotal(form) {
    var out = document.getElementById("live-total");
    if (!out) return;
    function recompute() {
      var self = 0, gov = 0, n = 0;
      form.querySelectorAll(".member").forEach(function (m) {
        var tier = m.querySelector("select.tier");
        if (tier && tier.value) {
          var t = parseInt(tier.value, 10);
          var g = m.dataset.govFull === "1" ? t : Math.min(parseInt(m.dataset.govCap || "0", 10), t);
          self += t - g; gov += g; n++;
        }
        var med = m.querySelector("input.medical");
        if (med && med.checked) {
          self += parseInt(m.dataset.medicalSelf || "0", 10);
          gov += parseInt(m.dataset.medicalGov || "0", 10); n++;
        }
      });
      out.innerHTML = "";
      out.append("合计 ");
      var b = document.createElement("b"); b.textContent = yuan(self); out.append(b);
      out.append(" · " + n + " 项" + (gov ? "（政府代缴 " + yuan(gov) + "）" : ""));
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

  window.LX = { yuan: yuan };
})();
