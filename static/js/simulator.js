/* The simulated hardware of `make run`: LED boards as they show now, rating pads to press, the
   kiosk printer with a paper-out switch. Refreshed twice a second. */
"use strict";
(function () {
  const base = location.pathname.replace(/\/?$/, "/");
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const KEYS = [[3, "Rất hài lòng"], [2, "Hài lòng"], [1, "Không hài lòng"]];
  const boxes = new Map();
  let previewCount = -1;

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  async function post(path, body) {
    const r = await fetch(base + path, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" }, body: JSON.stringify(body) });
    if (!r.ok) { const data = await r.json().catch(() => ({})); throw new Error((data.error && data.error.message) || r.status); }
    return r.json();
  }

  function counterBox(c) {
    if (boxes.has(c.number)) return boxes.get(c.number);
    const box = el("article", null, "sim-counter");
    box.append(el("h2", "Quầy " + c.number));
    const led = el("div", "", "sim-led"); led.id = "led-" + c.number; led.setAttribute("aria-label", "Bảng LED quầy " + c.number);
    const info = el("p", "", "muted");
    const keys = el("div", null, "sim-keys");
    // Key 1 is the left button; this pad maps key N to level N, so show the best on the left with key 3.
    for (const [key, label] of KEYS) {
      const b = el("button", label); b.type = "button"; b.dataset.key = key; b.dataset.counter = c.number;
      b.addEventListener("click", () => post("press", { counter: c.number, key }).catch((e) => alert(e.message)));
      keys.append(b);
    }
    box.append(led, keys, info);
    document.getElementById("counters").append(box);
    const parts = { led, info };
    boxes.set(c.number, parts);
    return parts;
  }

  function draw(state) {
    for (const c of state.counters) {
      const parts = counterBox(c);
      if (parts.led.textContent !== c.led) parts.led.textContent = c.led;
      const rating = c.rating_for ? `Đánh giá sẽ ghi cho số ${c.rating_for}` : "Chưa có số vừa phục vụ xong";
      parts.info.textContent = `${c.connected ? "Máy trạm đã kết nối" : "Máy trạm mất kết nối"} · ${rating}` +
        (c.pending ? ` · ${c.pending} đánh giá chờ gửi` : "");
    }
    const p = state.printer;
    const section = document.getElementById("printer");
    if (!p) { section.hidden = true; return; }
    section.hidden = false;
    document.getElementById("paper-out").checked = p.paper_out;
    document.getElementById("printer-info").textContent = `${p.connected ? "Máy trạm kiosk đã kết nối" : "Máy trạm kiosk mất kết nối"} · đã nhận ${p.bytes} byte ESC/POS`;
    document.getElementById("printed").replaceChildren(...p.printed.slice().reverse().map((r) => el("li", `${r.number}: ${r.ok ? "đã in" : r.message}`)));
    if (p.preview && p.printed.length !== previewCount) {
      previewCount = p.printed.length;
      const img = document.getElementById("preview");
      img.src = base + "ticket.png?n=" + previewCount;
      img.hidden = false;
    }
  }

  async function refresh() {
    const error = document.getElementById("load-error");
    if (!error) return;
    try {
      const r = await fetch(base + "state.json", { headers: { Accept: "application/json" } });
      const data = await r.json();
      if (!r.ok) throw new Error((data.error && data.error.message) || r.status);
      draw(data);
      error.hidden = true;
    } catch (exc) {
      error.textContent = "Không tải được trạng thái: " + exc.message;
      error.hidden = false;
    }
  }

  const paper = document.getElementById("paper-out");
  if (paper) paper.addEventListener("change", () => post("paper", { paper_out: paper.checked }).catch((e) => alert(e.message)));
  refresh();
  setInterval(refresh, 500);
})();
