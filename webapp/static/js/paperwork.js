/* Paperwork pages: while an upload is checked or imported, poll its progress and fill the bar.
   The form still submits normally; this only shows what the server is doing meanwhile. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !form.dataset.progressUrl) return;
  form.addEventListener("submit", function () {
    var box = document.getElementById("import-progress");
    var bar = document.getElementById("import-progress-bar");
    var text = document.getElementById("import-progress-text");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = "处理中…"; }
    if (!box) return;
    box.hidden = false;
    function poll() {
      fetch(form.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (p && p.total) {
            bar.value = Math.round(100 * p.done / p.total);
            text.textContent = p.phase + "：" + p.done + " / " + p.total;
          } else if (p && p.phase) {
            text.textContent = p.phase + "…";
          }
        })
        .catch(function () {})
        .then(function () { setTimeout(poll, 500); });
    }
    setTimeout(poll, 300);
  });
})();
