/* Receipt page: "分享给缴费人" hands the receipt PDF to the phone's share sheet (WeChat, SMS,
   a Bluetooth printer app) with the Web Share API. Without the API the button stays a plain
   link to the share page (QR code to scan off the screen, link, PDF downloads). */
(function () {
  "use strict";

  function setUp(btn) {
    if (!navigator.share) return; // the link does the job
    var file = null;
    var data = { title: btn.dataset.title, text: btn.dataset.title + "\n验证：" + btn.dataset.url, url: btn.dataset.url };

    // Fetch the PDF before the tap: some browsers only allow share() right after a tap,
    // not after waiting for the network.
    function load() {
      if (!navigator.canShare || typeof File === "undefined") return Promise.resolve(null);
      return fetch(btn.dataset.pdf, { credentials: "same-origin" })
        .then(function (resp) { return resp.ok ? resp.blob() : null; })
        .then(function (blob) {
          if (!blob) return null;
          var f = new File([blob], btn.dataset.filename, { type: "application/pdf" });
          file = navigator.canShare({ files: [f] }) ? f : null;
          return file;
        })
        .catch(function () { return null; });
    }
    var ready = load();

    btn.addEventListener("click", function (ev) {
      ev.preventDefault();
      var payload = file ? { title: data.title, text: data.text, files: [file] } : data;
      navigator.share(payload).catch(function (err) {
        if (err && err.name === "AbortError") return; // the user closed the share sheet
        window.location.href = btn.href;
      });
    });
    btn.dataset.shareReady = "1";
    window.LX_RECEIPT_SHARE_READY = ready;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var btn = document.getElementById("share-receipt");
    if (btn) setUp(btn);
  });
})();
