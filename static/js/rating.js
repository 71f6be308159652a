/* Counter tablet rating: when this counter finishes a ticket (Socket.IO `ticket.finished`),
   show big faces until the rating window closes. A press is sent at once; on the lowest level
   the reasons follow, and a chosen reason replaces the rating (allowed inside the window). */
"use strict";
(function () {
  const { t, fmt, el, setText, api, toast, connect, syncClock, since } = MotCua;
  const $ = (id) => document.getElementById(id);
  const NS = "http://www.w3.org/2000/svg";
  let cfg = null, current = null, tick = null, hideAt = 0;

  function face(level, scale) {
    // mouth from frown (-1) to big smile (+1); colour from red to green
    const f = scale === 5 ? (level - 3) / 2 : (level - 2);
    const colours = { "-1": "#b3001b", "-0.5": "#d9480f", "0": "#8a4b00", "0.5": "#2f7d32", "1": "#0a6b2d" };
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 100 100");
    svg.setAttribute("aria-hidden", "true");
    const add = (tag, attrs) => { const n = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v); svg.append(n); };
    const c = colours[String(f)] || "#0b3a75";
    add("circle", { cx: 50, cy: 50, r: 46, fill: c });
    add("circle", { cx: 34, cy: 40, r: 6, fill: "#fff" });
    add("circle", { cx: 66, cy: 40, r: 6, fill: "#fff" });
    add("path", { d: `M 28 ${68 - f * 6} Q 50 ${68 + f * 16} 72 ${68 - f * 6}`, stroke: "#fff",
      "stroke-width": 7, fill: "none", "stroke-linecap": "round" });
    return svg;
  }

  function show(id) {
    for (const s of ["idle", "ask", "why", "thanks"]) $(s).hidden = s !== id;
    document.body.dataset.screen = id;
  }

  function idle() {
    current = null; clearInterval(tick);
    setText("idle", cfg && cfg.counter ? t("idle") : t("idle_no_counter"));
    show("idle");
  }

  async function loadConfig() {
    try {
      const { body } = await api("GET", "/rating/config");
      cfg = body;
      setText("centre", cfg.centre);
      setText("counter", cfg.counter ? fmt("counter", cfg.counter.number) : "");
      const box = $("faces"); box.textContent = "";
      box.className = "faces" + (cfg.scale === 5 ? " five" : "");
      for (const lv of cfg.levels)
        box.append(el("button", { type: "button", class: "face", dataset: { level: lv.level },
          onclick: () => press(lv.level) }, face(lv.level, cfg.scale), lv.label));
      const reasons = $("reasons"); reasons.textContent = "";
      for (const r of cfg.reasons)
        reasons.append(el("button", { type: "button", class: "btn", dataset: { reason: r.code },
          onclick: () => press(cfg.lowest, r.code) }, r.label));
      reasons.append(el("button", { type: "button", class: "btn", onclick: thanks }, t("skip_reason")));
      if (!current) idle();
    } catch (e) {
      if (e.status === 401) { location.href = "/login?next=/rating"; return; }
      toast(e.message, "error");
    }
  }

  function secondsLeft() { return Math.max(0, Math.ceil((hideAt - Date.now()) / 1000)); }

  function onFinished(msg) {
    syncClock(msg.at);
    if (!cfg || !cfg.counter || !msg.counter || msg.counter.number !== cfg.counter.number) return;
    const elapsed = since(msg.ticket && msg.ticket.finished_at ? msg.ticket.finished_at : msg.at) || 0;
    const left = cfg.window_seconds - elapsed;
    if (left <= 1) return;
    current = { id: msg.ticket_id, number: msg.number };
    hideAt = Date.now() + left * 1000;
    setText("question", fmt("question", msg.number));
    show("ask");
    clearInterval(tick);
    const update = () => {
      setText("left", fmt("seconds_left", secondsLeft()));
      if (secondsLeft() <= 0) idle();
    };
    update();
    tick = setInterval(update, 250);
  }

  async function press(level, reason) {
    if (!current) return;
    const body = { level, source: "tablet" };
    if (reason) body.reason = reason;
    try {
      await api("POST", `/api/v1/tickets/${current.id}/rating`, body);
    } catch (e) {
      toast(e.code === "rating_window_closed" ? t("window_closed") : e.message, "error");
      idle();
      return;
    }
    if (level === cfg.lowest && !reason && cfg.reasons.length) { show("why"); return; }
    thanks();
  }

  function thanks() {
    clearInterval(tick);
    current = null;
    setText("thanks", t("thanks"));
    show("thanks");
    setTimeout(() => { if (!current) idle(); }, 3000);
  }

  connect({ connect: loadConfig, "ticket.finished": onFinished, "counter.changed": loadConfig });
})();
