/* The kiosk's "Quét hồ sơ" screen: camera preview with the detected page outline, auto-capture
   (decided by the server's hardware.scan.autocapture in the scan worker), thumbnails with retake,
   reorder, delete and corner adjustment, then one PDF sent to the citizen's ticket or form draft.
   With no camera (or ?camera=sim) a simulated camera plays demo frames made on the server.
   Text from the server is only ever set with textContent. */
"use strict";
(function () {
  const C = JSON.parse(document.getElementById("scan-config").textContent);
  const $ = (id) => document.getElementById(id);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const PREVIEW_LONG = 640;
  const S = {
    scan: null, pages: [], photos: {}, source: null, busy: false, uploading: 0,
    session: Math.random().toString(36).slice(2) + Date.now().toString(36),
    shutter: false, retake: null, corners: null, frameSize: [0, 0], stopped: false,
  };
  window.MotCuaScan = S; // for tests and the technician's console

  // --- API -------------------------------------------------------------------------------
  async function api(method, url, body, contentType) {
    const headers = { "X-CSRFToken": csrf };
    let payload = body;
    if (body !== undefined && !(body instanceof Blob)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else if (body instanceof Blob) {
      headers["Content-Type"] = contentType || body.type || "image/jpeg";
    }
    let response;
    try {
      response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
    } catch (e) {
      throw new Error("Không kết nối được máy chủ. Vui lòng thử lại hoặc hỏi cán bộ hướng dẫn.");
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const err = new Error((data && data.error && data.error.message) || `Lỗi máy chủ (${response.status})`);
      err.code = data && data.error && data.error.code;
      err.status = response.status;
      throw err;
    }
    return data;
  }

  function say(text) { $("status").textContent = text; }
  function fail(text) { $("error").textContent = text || ""; }

  // --- camera sources ----------------------------------------------------------------------
  async function realCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) throw new Error("no camera API");
    // A permission prompt nobody answers must not leave the screen blank: give up after 8 s.
    const stream = await Promise.race([
      navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 1920 }, height: { ideal: 1080 }, facingMode: "environment" }, audio: false }),
      new Promise((resolve, reject) => setTimeout(() => reject(new Error("camera timeout")), 8000)),
    ]);
    const video = $("video");
    video.srcObject = stream;
    await video.play();
    return {
      kind: "real",
      ready: () => video.videoWidth > 0,
      size: () => [video.videoWidth, video.videoHeight],
      draw: (ctx, w, h) => ctx.drawImage(video, 0, 0, w, h),
      stop: () => stream.getTracks().forEach((t) => t.stop()),
    };
  }

  async function simCamera() {
    const list = await fetch(C.demo_url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error("Không tải được ảnh mẫu của máy ảnh mô phỏng.");
      return r.json();
    });
    const frames = await Promise.all(list.frames.map((url) => new Promise((resolve, reject) => {
      const img = new Image();
      img.onload = () => resolve(img);
      img.onerror = () => reject(new Error("Không tải được ảnh mẫu."));
      img.src = url;
    })));
    // Played once, then the empty desk stays (a loop would offer page 1 again); "Phát lại" replays.
    let index = 0;
    const timer = setInterval(() => { if (index < frames.length - 1) index += 1; }, 1000 / C.fps);
    return {
      replay: () => { index = 0; },
      kind: "sim",
      ready: () => frames.length > 0,
      size: () => [frames[index].naturalWidth, frames[index].naturalHeight],
      draw: (ctx, w, h) => ctx.drawImage(frames[index], 0, 0, w, h),
      stop: () => clearInterval(timer),
      frameIndex: () => index,
    };
  }

  function grab(scale) {
    const [w, h] = S.source.size();
    const k = scale ? Math.min(1, PREVIEW_LONG / Math.max(w, h)) : 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(w * k);
    canvas.height = Math.round(h * k);
    S.source.draw(canvas.getContext("2d"), canvas.width, canvas.height);
    return canvas;
  }

  const toBlob = (canvas, quality) => new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));

  // --- preview loop ------------------------------------------------------------------------
  function paint() {
    if (S.stopped) return;
    if (S.source && S.source.ready()) {
      const view = $("view");
      const [w, h] = S.source.size();
      if (view.width !== w || view.height !== h) { view.width = w; view.height = h; }
      S.source.draw(view.getContext("2d"), w, h);
      drawOutline($("outline"), $("outline-poly"), S.corners, w, h);
    }
    requestAnimationFrame(paint);
  }

  function drawOutline(svg, poly, corners, w, h) {
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    poly.setAttribute("points", corners ? corners.map((p) => `${p[0]},${p[1]}`).join(" ") : "");
    svg.classList.toggle("s-found", !!corners);
  }

  async function detectLoop() {
    while (!S.stopped) {
      const started = performance.now();
      if (S.source && S.source.ready() && !S.busy && $("editor").hidden) {  // no shots while adjusting
        S.busy = true;
        try { await detectOnce(); } catch (e) { fail(e.message); }
        S.busy = false;
      }
      const wait = Math.max(60, 220 - (performance.now() - started));
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  async function detectOnce() {
    const full = grab(false);
    const small = document.createElement("canvas");
    const k = Math.min(1, PREVIEW_LONG / Math.max(full.width, full.height));
    small.width = Math.round(full.width * k);
    small.height = Math.round(full.height * k);
    small.getContext("2d").drawImage(full, 0, 0, small.width, small.height);
    const shutter = S.shutter;
    S.shutter = false;
    const auto = $("auto").checked;
    const params = new URLSearchParams();
    if (auto || shutter) params.set("session", S.session);
    if (shutter) params.set("shutter", "1");
    const res = await api("POST", `/api/v1/scans/detect?${params}`, await toBlob(small, 0.7));
    const back = 1 / k;
    S.corners = res.corners ? res.corners.map(([x, y]) => [x * back, y * back]) : null;
    const bar = $("progress");
    bar.hidden = !auto || !res.corners;
    $("progress-bar").style.width = `${Math.round((res.progress || 0) * 100)}%`;
    if (res.capture) {
      say(res.reason === "manual" ? "Đang chụp…" : "Giấy đã nằm yên — đang chụp…");
      await capture(full);
    } else if (!res.corners) {
      say("Đặt cả trang giấy vào khung hình, trên nền khác màu giấy.");
    } else if (auto) {
      say("Đã thấy trang giấy — giữ yên để máy tự chụp…");
    } else {
      say("Đã thấy trang giấy — chạm \"Chụp trang\".");
    }
  }

  // --- pages -------------------------------------------------------------------------------
  async function ensureScan() {
    if (!S.scan) S.scan = await api("POST", "/api/v1/scans", { mode: C.mode });
    return S.scan;
  }

  async function capture(canvas) {
    touch();
    fail("");
    S.uploading += 1;
    try {
      const scan = await ensureScan();
      const blob = await toBlob(canvas, 0.92);
      const replace = S.retake;
      const url = `/api/v1/scans/${encodeURIComponent(scan.id)}/pages` + (replace ? `?replace=${encodeURIComponent(replace)}` : "");
      const page = await api("POST", url, blob, "image/jpeg");
      S.photos[page.id] = blob;
      if (replace) {
        S.retake = null;
        const i = S.pages.findIndex((p) => p.id === replace);
        if (i >= 0) S.pages[i] = page; else S.pages.push(page);
        delete S.photos[replace];
      } else {
        S.pages.push(page);
      }
      renderPages();
      say(page.issues && page.issues.length ? "Đã chụp, nhưng nên chụp lại trang này (xem ghi chú)." :
        `Đã chụp trang ${S.pages.findIndex((p) => p.id === page.id) + 1}. Đặt trang tiếp theo.`);
    } catch (e) {
      fail(e.message);
      say("Chưa chụp được trang này — xem ghi chú bên dưới và chụp lại.");
    } finally {
      S.uploading -= 1;
    }
  }

  function renderPages() {
    const list = $("thumbs");
    list.replaceChildren();
    S.pages.forEach((page, i) => {
      const li = document.createElement("li");
      li.className = "s-thumb" + (page.issues && page.issues.length ? " s-warn" : "") + (S.retake === page.id ? " s-retaking" : "");
      li.dataset.page = page.id;
      const img = document.createElement("img");
      img.src = page.thumb_url + `?v=${page.id}`;
      img.alt = `Trang ${i + 1}`;
      const label = document.createElement("span");
      label.className = "s-num";
      label.textContent = `Trang ${i + 1}`;
      li.append(img, label);
      for (const issue of page.issues || []) {
        const p = document.createElement("p");
        p.className = "s-issue";
        p.textContent = issue.message;
        li.append(p);
      }
      const tools = document.createElement("div");
      tools.className = "s-tools";
      const button = (text, cls, title, fn, disabled) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = `btn ${cls}`;
        b.textContent = text;
        b.title = title;
        b.setAttribute("aria-label", `${title} ${i + 1}`);
        b.disabled = !!disabled;
        b.addEventListener("click", () => { touch(); fn(page, i); });
        tools.append(b);
      };
      button("▲", "s-up", "Đưa lên trước trang", moveUp, i === 0);
      button("▼", "s-down", "Đưa xuống sau trang", moveDown, i === S.pages.length - 1);
      button("Chỉnh góc", "s-adjust", "Chỉnh góc trang", openEditor, !S.photos[page.id] || !page.source);
      button(S.retake === page.id ? "Hủy chụp lại" : "Chụp lại", "s-retake", "Chụp lại trang", retake);
      button("Xóa", "s-delete", "Xóa trang", removePage);
      li.append(tools);
      list.append(li);
    });
    $("page-count").textContent = `(${S.pages.length})`;
    $("pages-empty").hidden = S.pages.length > 0;
    $("finish").disabled = S.pages.length === 0;
  }

  async function saveOrder(order) {
    try {
      const scan = await api("PUT", `/api/v1/scans/${encodeURIComponent(S.scan.id)}/order`, { order: order.map((p) => p.id) });
      S.pages = scan.pages;
      renderPages();
    } catch (e) { fail(e.message); }
  }
  function moveUp(page, i) {
    if (i === 0) return;
    const order = S.pages.slice();
    [order[i - 1], order[i]] = [order[i], order[i - 1]];
    return saveOrder(order);
  }
  function moveDown(page, i) {
    if (i >= S.pages.length - 1) return;
    const order = S.pages.slice();
    [order[i], order[i + 1]] = [order[i + 1], order[i]];
    return saveOrder(order);
  }
  async function removePage(page) {
    try {
      const scan = await api("DELETE", `/api/v1/scans/${encodeURIComponent(S.scan.id)}/pages/${encodeURIComponent(page.id)}`);
      S.pages = scan.pages;
      delete S.photos[page.id];
      if (S.retake === page.id) S.retake = null;
      renderPages();
      say("Đã xóa trang.");
    } catch (e) { fail(e.message); }
  }
  function retake(page) {
    S.retake = S.retake === page.id ? null : page.id;
    renderPages();
    say(S.retake ? "Đặt lại trang giấy này dưới máy ảnh rồi chụp." : "Đã hủy chụp lại.");
  }

  // --- manual corners ------------------------------------------------------------------------
  const E = { page: null, points: null, drag: -1, w: 0, h: 0 };

  async function openEditor(page) {
    const blob = S.photos[page.id];
    if (!blob) return;
    const bitmap = await createImageBitmap(blob);
    const canvas = $("editor-canvas");
    E.w = canvas.width = bitmap.width;
    E.h = canvas.height = bitmap.height;
    canvas.getContext("2d").drawImage(bitmap, 0, 0);
    E.page = page;
    E.points = page.corners ? page.corners.map((p) => p.slice()) :
      [[E.w * 0.1, E.h * 0.1], [E.w * 0.9, E.h * 0.1], [E.w * 0.9, E.h * 0.9], [E.w * 0.1, E.h * 0.9]];
    drawEditor();
    $("editor").hidden = false;
  }

  function drawEditor() {
    const svg = $("editor-svg");
    drawOutline(svg, $("editor-poly"), E.points, E.w, E.h);
    svg.querySelectorAll("circle").forEach((c) => c.remove());
    const r = Math.max(E.w, E.h) / 45;
    E.points.forEach(([x, y], i) => {
      const c = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      c.setAttribute("cx", x); c.setAttribute("cy", y); c.setAttribute("r", r);
      c.dataset.corner = String(i);
      c.setAttribute("class", "s-handle");
      svg.append(c);
    });
  }

  function svgPoint(evt) {
    const rect = $("editor-svg").getBoundingClientRect();
    return [Math.max(0, Math.min(E.w, (evt.clientX - rect.left) * E.w / rect.width)),
      Math.max(0, Math.min(E.h, (evt.clientY - rect.top) * E.h / rect.height))];
  }

  function setupEditor() {
    const svg = $("editor-svg");
    svg.addEventListener("pointerdown", (evt) => {
      const p = svgPoint(evt);
      let best = -1, bestD = Infinity;
      E.points.forEach(([x, y], i) => { const d = Math.hypot(x - p[0], y - p[1]); if (d < bestD) { bestD = d; best = i; } });
      if (bestD < Math.max(E.w, E.h) / 8) { E.drag = best; svg.setPointerCapture(evt.pointerId); }
    });
    svg.addEventListener("pointermove", (evt) => {
      if (E.drag < 0) return;
      E.points[E.drag] = svgPoint(evt);
      drawEditor();
    });
    const end = () => { E.drag = -1; };
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    $("editor-cancel").addEventListener("click", () => { $("editor").hidden = true; });
    $("editor-apply").addEventListener("click", async () => {
      touch();
      try {
        const page = await api("PUT", `/api/v1/scans/${encodeURIComponent(S.scan.id)}/pages/${encodeURIComponent(E.page.id)}/corners`,
          { corners: E.points.map(([x, y]) => [Math.round(x * 10) / 10, Math.round(y * 10) / 10]) });
        const i = S.pages.findIndex((p) => p.id === E.page.id);
        S.photos[page.id] = S.photos[E.page.id];
        delete S.photos[E.page.id];
        if (i >= 0) S.pages[i] = page;
        $("editor").hidden = true;
        renderPages();
        say("Đã chỉnh góc trang.");
      } catch (e) { fail(e.message); }
    });
  }

  // --- finish ------------------------------------------------------------------------------
  async function finish(evt) {
    evt.preventDefault();
    touch();
    fail("");
    if (!S.scan || !S.pages.length) return;
    while (S.uploading > 0) await new Promise((r) => setTimeout(r, 100));
    const target = $("target").value.trim();
    const body = {};
    if (C.ticket_id && (!target || target === C.ticket_number)) body.ticket_id = C.ticket_id;
    else if (/^[A-Za-z]{0,3}\d{1,5}$/.test(target) || target.includes("/t/") || target.includes("/q/") || /^[0-9a-z]{4}(-?[0-9a-z]{4}){3}$/i.test(target) || /^\d+-[0-9a-f]{12}$/.test(target)) body.ticket = target;
    else if (target) body.draft = target;
    $("finish").disabled = true;
    say("Đang ghép các trang thành tệp PDF…");
    try {
      const scan = await api("POST", `/api/v1/scans/${encodeURIComponent(S.scan.id)}/finish`, body);
      stop();
      const to = scan.ticket_number ? `số thứ tự ${scan.ticket_number}` : `tờ khai ${scan.draft_display_code}`;
      $("done-text").textContent = `Đã gửi ${scan.pdf.pages} trang (${Math.round(scan.pdf.bytes / 1024)} KB) tới cán bộ theo ${to}. Cán bộ sẽ xem bản quét khi gọi đến số của bạn; hãy mang theo bản chính nếu thủ tục yêu cầu xuất trình.`;
      document.querySelector(".s-camera").hidden = true;
      document.querySelector(".s-pages").hidden = true;
      $("done").hidden = false;
      S.scan = null;
      S.finished = scan;
    } catch (e) {
      fail(e.message);
      say("Chưa gửi được hồ sơ.");
      $("finish").disabled = false;
    }
  }

  function stop() {
    S.stopped = true;
    if (S.source) S.source.stop();
  }

  // --- idle reset: an abandoned scan is deleted, the screen goes home ---------------------------
  let lastTouch = Date.now();
  function touch() { lastTouch = Date.now(); }
  ["pointerdown", "keydown"].forEach((t) => document.addEventListener(t, touch, { passive: true }));
  setInterval(async () => {
    if (Date.now() - lastTouch < C.idle_seconds * 1000) return;
    lastTouch = Date.now();
    if (S.scan) { try { await api("DELETE", `/api/v1/scans/${encodeURIComponent(S.scan.id)}`); } catch (e) { /* gone already */ } }
    window.location.assign(C.home_url);
  }, 1000);
  window.addEventListener("pagehide", () => {
    if (S.scan && !S.finished) {
      fetch(`/api/v1/scans/${encodeURIComponent(S.scan.id)}`, { method: "DELETE", keepalive: true,
        headers: { "X-CSRFToken": csrf }, credentials: "same-origin" }).catch(() => {});
    }
  });

  // --- start ---------------------------------------------------------------------------------
  async function start() {
    $("shutter").addEventListener("click", () => { touch(); S.shutter = true; say("Đang chụp…"); });
    $("auto").addEventListener("change", touch);
    $("finish-form").addEventListener("submit", finish);
    setupEditor();
    renderPages();
    try {
      if (C.camera === "sim") throw new Error("simulated camera asked for");
      S.source = await realCamera();
      $("camera-kind").textContent = "Máy ảnh của kiosk";
    } catch (e) {
      if (C.camera === "real") { fail("Không mở được máy ảnh. Hãy hỏi cán bộ hướng dẫn."); return; }
      try {
        S.source = await simCamera();
        $("camera-kind").textContent = "Máy ảnh mô phỏng (ảnh mẫu) — chưa có máy ảnh thật. ";
        const again = document.createElement("button");
        again.type = "button";
        again.className = "btn";
        again.id = "replay";
        again.textContent = "Phát lại ảnh mẫu";
        again.addEventListener("click", () => { touch(); S.source.replay(); });
        $("camera-kind").append(again);
      } catch (e2) { fail(e2.message); return; }
    }
    say("Đặt trang giấy đầu tiên dưới máy ảnh.");
    requestAnimationFrame(paint);
    detectLoop();
  }
  start();
})();
