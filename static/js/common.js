/* Shared by the console and the displays: DOM building with textContent only (never innerHTML
   with data), the API with the CSRF header, toasts, the server clock, and a Socket.IO link that
   reconnects by itself and shows a banner while it is down. */
"use strict";
window.MotCua = (function () {
  const i18n = JSON.parse(document.getElementById("i18n").textContent);
  const t = (key) => (key in i18n ? i18n[key] : key);
  // A message with one "%s" part filled in ("Số %s đã được gọi").
  const fmt = (key, value) => t(key).replace("%s", String(value));

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = String(v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function setText(node, value) {
    if (typeof node === "string") node = document.getElementById(node);
    const s = value === null || value === undefined ? "" : String(value);
    if (node && node.textContent !== s) node.textContent = s;
  }

  // --- server clock: the page shows server time, whatever the TV's own clock says ---------
  let offsetMs = 0;
  function syncClock(serverIso) {
    const at = Date.parse(serverIso);
    if (!Number.isNaN(at)) offsetMs = at - Date.now();
    syncZone(serverIso);
  }
  const now = () => Date.now() + offsetMs;
  function since(iso) {
    const at = Date.parse(iso || "");
    return Number.isNaN(at) ? null : Math.max(0, Math.floor((now() - at) / 1000));
  }
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const mm = String(m).padStart(2, "0"), ss = String(s).padStart(2, "0");
    return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
  }
  // The centre's local time, from the UTC offset the server sends (no time-zone database needed).
  let zoneMin = 420;
  function syncZone(serverIso) {
    const m = /([+-])(\d\d):(\d\d)$/.exec(serverIso || "");
    if (m) zoneMin = (m[1] === "-" ? -1 : 1) * (parseInt(m[2], 10) * 60 + parseInt(m[3], 10));
  }
  const local = () => new Date(now() + zoneMin * 60000);
  const two = (n) => String(n).padStart(2, "0");
  function clockText() {
    const d = local();
    return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
  }
  function dateText() {
    const d = local();
    return `${t("weekday_" + d.getUTCDay())}, ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  }

  // --- API: JSON, CSRF header for session writes, the server's own error message ----------
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  async function api(method, path, body, extraHeaders) {
    const headers = { "Accept": "application/json", ...(extraHeaders || {}) };
    if (method !== "GET") headers["X-CSRFToken"] = csrf;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let reply;
    try {
      reply = await fetch(path, { method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      const err = new Error(t("network_error")); err.status = 0; throw err;
    }
    if (reply.status === 204) return { status: 204, body: null };
    let data = null;
    try { data = await reply.json(); } catch (e) { data = null; }
    if (!reply.ok) {
      const msg = data && data.error && data.error.message ? data.error.message
        : `${t("server_error")} (HTTP ${reply.status})`;
      const err = new Error(msg); err.status = reply.status;
      err.code = data && data.error ? data.error.code : null; throw err;
    }
    return { status: reply.status, body: data };
  }

  // --- toast -------------------------------------------------------------------------------
  let toastTimer = null;
  function toast(message, kind) {
    let node = document.getElementById("toast");
    if (!node) { node = el("div", { id: "toast", role: "status", "aria-live": "assertive" }); document.body.append(node); }
    node.className = "toast" + (kind ? " toast-" + kind : "");
    node.textContent = message;
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.hidden = true; }, kind === "error" ? 6000 : 3000);
  }

  // --- Socket.IO with a "mất kết nối" banner; `state` arrives on every (re)connect ---------
  function connect(handlers) {
    const banner = document.getElementById("offline");
    // WebSocket first: with several server processes (`motcua serve --workers N`) a long-polling
    // session could land on another process; polling stays as the fallback of one process.
    const socket = io({ transports: ["websocket", "polling"], tryAllTransports: true,
      reconnection: true, reconnectionDelay: 500, reconnectionDelayMax: 3000, timeout: 5000 });
    const down = () => {
      if (banner) banner.hidden = false;
      document.body.classList.add("offline");
      document.body.dataset.live = "0";
    };
    const up = () => {
      if (banner) banner.hidden = true;
      document.body.classList.remove("offline");
      document.body.dataset.live = "1";
    };
    // A page with a `state` handler is live once it has drawn the state (which comes after
    // the connection, in turn with the events); an event the state already holds is skipped.
    const drawsState = "state" in handlers;
    let held = 0;
    socket.on("connect", () => { if (!drawsState) up(); });
    socket.on("disconnect", (reason) => {
      down();
      // Closed by the server (token revoked, account disabled or changed): the page reloads
      // and shows what now applies (the enrolment or login page, or the new role).
      if (reason === "io server disconnect") setTimeout(() => location.reload(), 2000);
    });
    socket.on("connect_error", down);
    socket.io.on("reconnect_attempt", down);
    socket.on("refresh", () => socket.emit("sync"));  // the set-up changed: fetch the state again
    for (const [event, fn] of Object.entries(handlers)) {
      socket.on(event, (payload) => {
        if (event === "state") {
          held = (payload && payload.event_id) || 0;
          fn(payload);
          up();
        } else if (!(payload && typeof payload.event_id === "number" && payload.event_id <= held)) {
          fn(payload);
        }
      });
    }
    // A page left open for days re-checks itself now and then, in case an event was missed.
    setInterval(() => { if (socket.connected) socket.emit("sync"); }, 5 * 60 * 1000);
    return socket;
  }

  return { t, fmt, el, setText, api, toast, connect, syncClock, now, since, duration, clockText, dateText };
})();
