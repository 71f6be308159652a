/* The technician's device list and event log, refreshed every 3 s (textContent only). */
"use strict";
(function () {
  const STATUS = { ok: "Tốt", warning: "Cảnh báo", offline: "Mất kết nối", error: "Lỗi", unknown: "Chưa báo" };
  const ROLE = { kiosk: "Kiosk", display: "Màn hình", agent: "Máy trạm quầy", manager: "Báo cáo" };
  const BAD = new Set(["ticket.print_failed", "device.health"]);

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }
  function badge(status) { return el("span", STATUS[status] || status, "st st-" + status); }
  function time(iso) { return iso ? iso.replace("T", " ").slice(0, 19) : "—"; }
  function row(cells) {
    const tr = document.createElement("tr");
    for (const c of cells) { const td = document.createElement("td"); td.append(c instanceof Node ? c : el("span", c)); tr.append(td); }
    return tr;
  }

  function devices(list) {
    const body = document.querySelector("#devices tbody");
    body.replaceChildren(...list.map((d) => {
      const details = document.createElement("ul");
      for (const sub of d.devices) {
        const li = el("li");
        li.append(el("strong", sub.id + " "), badge(sub.status), el("span", sub.message ? " " + sub.message : ""));
        details.append(li);
      }
      return row([d.name, ROLE[d.role] || d.role, d.counter ?? "—", badge(d.status), time(d.last_contact_at), details]);
    }));
  }

  function note(e) {
    if (e.type === "device.health") return (e.changes || []).map((c) => `${c.id}: ${STATUS[c.status] || c.status}${c.message ? " — " + c.message : ""}`).join("; ");
    if (e.type.startsWith("ticket.print")) return e.message || e.printer || "";
    if (e.type === "ticket.rated") return `mức ${e.level}`;
    return e.status || "";
  }

  function events(list) {
    const body = document.querySelector("#events tbody");
    body.replaceChildren(...list.map((e) => {
      const tr = row([time(e.at), e.type, e.number || "", e.counter ?? "", e.actor, note(e)]);
      if (BAD.has(e.type) && (e.type !== "device.health" || e.status !== "ok")) tr.className = "ev-bad";
      return tr;
    }));
  }

  async function refresh() {
    const error = document.getElementById("load-error");
    try {
      const r = await fetch(location.pathname.replace(/\/?$/, "/") + "data.json", { headers: { Accept: "application/json" } });
      const data = await r.json();
      if (!r.ok) throw new Error((data.error && data.error.message) || r.status);
      document.getElementById("stale").textContent = data.stale_seconds;
      devices(data.devices);
      events(data.events);
      error.hidden = true;
    } catch (exc) {
      error.textContent = "Không tải được dữ liệu: " + exc.message;
      error.hidden = false;
    }
  }
  refresh();
  setInterval(refresh, 3000);
})();
