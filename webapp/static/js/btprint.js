/* 蓝牙打印: the receipt's ESC/POS job (/receipts/<n>/escpos/58mm|80mm) written straight to a
   Bluetooth (BLE) thermal printer with Web Bluetooth — Chrome and Edge on Android.

   - The printer is picked once and remembered: by its id where the browser can list the devices
     this site may use (navigator.bluetooth.getDevices), else by name, so the chooser shows only
     that printer next time.
   - The cheap 58 mm printers (佳博/芯烨/汉印 and their clones) expose a serial-like GATT service;
     the common ones are listed below, and the first characteristic that takes writes is used.
   - The job is sent in chunks of CHUNK bytes (a BLE write carries at most 512; the printers take
     ~20–180 at a time): smaller chunks are tried if the printer refuses a write.
   - A dropped link is reconnected (RETRIES times, waiting longer each time) and the job resumes
     at the chunk that failed, so the printer gets every byte once.
   - Without Web Bluetooth (WeChat's in-app browser, iOS) the button shows the alternatives. */
(function () {
  "use strict";

  // Service -> its usual write characteristic (16-bit aliases or full UUIDs).
  var PRINTER_SERVICES = [
    [0x18f0, 0x2af1],                                       // most 58 mm printers (GP-, MPT-, PT-)
    [0xff00, 0xff02],                                       // 汉印/Milestone and others
    [0xffe0, 0xffe1],                                       // HM-10 style serial modules
    ["e7810a71-73ae-499d-8c15-faa9aef0c3f2", "bef8d6c9-9c21-4c9e-b632-bd58c1009f9f"],  // 芯烨 XP-, Rongta
    ["49535343-fe7d-4ae5-8fa9-9fafd205e455", "49535343-8841-43f4-a8d4-ecbe34729bb3"],  // ISSC transparent UART
  ];
  var CHUNK = 180;
  var MIN_CHUNK = 20;
  var RETRIES = 3;
  var STORE = "lx-bt-printer";

  function uuid(u) {
    if (typeof u === "number") return ("0000" + u.toString(16)).slice(-4).padStart(8, "0") + "-0000-1000-8000-00805f9b34fb";
    return String(u).toLowerCase();
  }
  var SERVICE_UUIDS = PRINTER_SERVICES.map(function (p) { return uuid(p[0]); });
  var WRITE_UUIDS = PRINTER_SERVICES.map(function (p) { return uuid(p[1]); });

  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  function remembered() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function remember(device) {
    try { localStorage.setItem(STORE, JSON.stringify({ id: device.id, name: device.name || "" })); } catch (e) { /* private mode */ }
  }
  function forget() {
    try { localStorage.removeItem(STORE); } catch (e) { /* private mode */ }
  }

  // A failure the user can act on, in plain Chinese.
  function PrintError(message) { this.message = message; }

  function explain(err) {
    if (err instanceof PrintError) return err.message;
    var name = err && err.name;
    if (name === "NotFoundError") {
      if (/adapter|Bluetooth.*(off|not available)/i.test(err.message || "")) return "手机蓝牙没有打开。请打开蓝牙后再点“蓝牙打印”。";
      return "没有选择打印机。请再点“蓝牙打印”，在列表中选中您的打印机（先打开打印机）。";
    }
    if (name === "SecurityError" || name === "NotAllowedError") return "浏览器没有允许使用蓝牙。请在浏览器设置中允许本网站使用蓝牙，再试一次。";
    if (name === "NetworkError") return "连不上打印机。请确认打印机已开机、没有被别的手机连着，并靠近一些，再试一次。";
    return "打印失败：" + ((err && err.message) || "未知错误") + "。可以改用上面的 PDF 打印。";
  }

  function Printer(device) {
    this.device = device;
    this.characteristic = null;
  }

  Printer.prototype.connect = async function () {
    var server = this.device.gatt.connected ? this.device.gatt : await this.device.gatt.connect();
    var services = [];
    for (var i = 0; i < SERVICE_UUIDS.length; i++) {
      try { services.push(await server.getPrimaryService(SERVICE_UUIDS[i])); } catch (e) { /* not this one */ }
    }
    var best = null;
    for (var s = 0; s < services.length && !best; s++) {
      var chars = await services[s].getCharacteristics();
      var writable = chars.filter(function (c) { return c.properties.writeWithoutResponse || c.properties.write; });
      best = writable.filter(function (c) { return WRITE_UUIDS.indexOf(uuid(c.uuid)) >= 0; })[0] || writable[0] || null;
    }
    if (!best) {
      throw new PrintError("这台设备不是支持的蓝牙打印机（找不到打印服务）。请换一台 ESC/POS 蓝牙打印机，或用上面的 PDF 打印。");
    }
    this.characteristic = best;
  };

  Printer.prototype.write = function (chunk) {
    var c = this.characteristic;
    if (c.properties.writeWithoutResponse && c.writeValueWithoutResponse) return c.writeValueWithoutResponse(chunk);
    if (c.writeValueWithResponse) return c.writeValueWithResponse(chunk);
    return c.writeValue(chunk);
  };

  // Every byte once, in order; reconnects and resumes where a write failed.
  Printer.prototype.send = async function (bytes, progress) {
    var offset = 0;
    var size = CHUNK;
    var failures = 0;
    while (offset < bytes.length) {
      var chunk = bytes.subarray(offset, Math.min(offset + size, bytes.length));
      try {
        await this.write(chunk);
        offset += chunk.length;
        failures = 0;
        progress(offset / bytes.length);
      } catch (err) {
        if (this.device.gatt.connected && size > MIN_CHUNK && err && err.name !== "NetworkError") {
          size = Math.max(MIN_CHUNK, size >> 1); // the printer refused the length: smaller writes
          continue;
        }
        failures += 1;
        if (failures > RETRIES) {
          throw new PrintError("打印中断：与打印机的蓝牙连接断开了，重连 " + RETRIES + " 次都没有成功。" +
                               "请确认打印机开着、电量足、离手机近，再点“蓝牙打印”重新打印（已打出的半张撕掉即可）。");
        }
        progress(offset / bytes.length, "蓝牙连接断开，正在重新连接（第 " + failures + " 次）…");
        await sleep(400 * failures);
        try { await this.connect(); } catch (e) { /* counted as the next failure */ }
      }
    }
  };

  async function chooseDevice() {
    var bt = navigator.bluetooth;
    var saved = remembered();
    if (saved && bt.getDevices) {
      var devices = await bt.getDevices();
      var known = devices.filter(function (d) { return d.id === saved.id; })[0];
      if (known) return known;
    }
    var options = saved && saved.name ?
      { filters: [{ name: saved.name }], optionalServices: SERVICE_UUIDS } :
      // Many printers do not advertise their service: list every device, ask for the services.
      { acceptAllDevices: true, optionalServices: SERVICE_UUIDS };
    return bt.requestDevice(options);
  }

  function setUp(box) {
    var btn = document.getElementById("bt-print-btn");
    var status = document.getElementById("bt-status");
    var bar = document.getElementById("bt-progress");
    var help = document.getElementById("bt-help");
    var forgetBtn = document.getElementById("bt-forget");
    var busy = false;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("error", !!isError);
    }
    function width() {
      var checked = box.querySelector("input[name=bt-width]:checked");
      return checked ? checked.value : "58mm";
    }
    function showForget() {
      var saved = remembered();
      forgetBtn.hidden = !saved;
      if (saved) forgetBtn.textContent = "换一台打印机（现在：" + (saved.name || "已记住") + "）";
    }

    if (!navigator.bluetooth) {
      btn.addEventListener("click", function () {
        help.hidden = false;
        document.getElementById("bt-help-wechat").hidden = !/MicroMessenger/i.test(navigator.userAgent);
        say("");
      });
      box.dataset.ready = "no-bluetooth";
      return;
    }
    showForget();

    forgetBtn.addEventListener("click", async function () {
      var saved = remembered();
      forget();
      showForget();
      if (saved && navigator.bluetooth.getDevices) {
        try {
          var devices = await navigator.bluetooth.getDevices();
          devices.forEach(function (d) { if (d.id === saved.id && d.forget) d.forget(); });
        } catch (e) { /* nothing to forget */ }
      }
      say("已忘记这台打印机，下次打印时重新选择。");
    });

    btn.addEventListener("click", async function () {
      if (busy) return;
      busy = true;
      btn.disabled = true;
      bar.hidden = false;
      bar.value = 0;
      say("正在准备打印数据…");
      // The job is fetched while the chooser is open: the chooser must open straight from the tap.
      var job = fetch(box.getAttribute("data-escpos-" + width()), { credentials: "same-origin" })
        .then(function (resp) {
          if (!resp.ok) throw new PrintError("取不到这张收据的打印数据（" + resp.status + "）。请刷新页面再试。");
          return resp.arrayBuffer();
        }, function () { throw new PrintError("网络不通，取不到打印数据。请有网络时再试，或用 PDF 打印。"); });
      job.catch(function () { /* reported below */ });
      try {
        if (navigator.bluetooth.getAvailability && !(await navigator.bluetooth.getAvailability())) {
          throw new PrintError("手机蓝牙没有打开（或这台手机没有蓝牙）。请打开蓝牙后再点“蓝牙打印”。");
        }
        var device = await chooseDevice();
        say("正在连接 " + (device.name || "打印机") + "…");
        var printer = new Printer(device);
        await printer.connect();
        remember(device);
        showForget();
        var bytes = new Uint8Array(await job);
        say("正在打印… 0%");
        await printer.send(bytes, function (done, note) {
          bar.value = Math.round(done * 100);
          say(note || "正在打印… " + Math.round(done * 100) + "%");
        });
        bar.value = 100;
        say("已发送到打印机（" + Math.round(bytes.length / 1024) + " KB）。请撕下小票交给缴费人。");
        box.dataset.result = "ok";
      } catch (err) {
        say(explain(err), true);
        box.dataset.result = "error";
      } finally {
        busy = false;
        btn.disabled = false;
      }
    });
    box.dataset.ready = "bluetooth";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("bt-print");
    if (box) setUp(box);
  });
})();
