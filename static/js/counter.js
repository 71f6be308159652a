/* The counter staff console. Reads /counter/overview, writes through /api/v1 with the session,
   redraws on every Socket.IO event (and on reconnect, so nothing is missed), and never lets two
   actions run at once, so a double click or a held key cannot call two tickets. */
"use strict";
(function () {
  const { t, fmt, el, setText, api, toast, connect, syncClock, since, duration } = MotCua;
  const $ = (id) => document.getElementById(id);
  // Messages with named parts: "Số %(number)s …" filled from {number: …}.
  const fmtv = (key, values) => t(key).replace(/%\((\w+)\)s/g, (_m, name) => String(values[name] ?? ""));

  let view = null;          // last /counter/overview answer
  let counterId = null;     // the counter this page shows
  let busy = false;         // an action is in flight
  let cooldownUntil = 0;    // call-next pause after a call
  let seq = 0;              // drop answers that arrive out of order
  let reprint = null;       // the reprint asked from here: { id, number, kiosk, after, timer }
  const REPRINT_WAIT_MS = 20000;  // a kiosk agent prints within a few seconds when it is up

  // --- reading -----------------------------------------------------------------------------
  async function refresh() {
    const mine = ++seq;
    const path = "/counter/overview" + (counterId ? `?counter=${encodeURIComponent(counterId)}` : "");
    try {
      const { body } = await api("GET", path);
      if (mine !== seq) return;
      render(body);
    } catch (e) {
      if (e.status === 401) { location.href = "/login?next=/counter"; return; }
      toast(e.message, "error");
    }
  }

  let refreshTimer = null;
  function soon() {  // many events arrive together after one action: redraw once
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, 60);
  }

  // --- drawing -----------------------------------------------------------------------------
  function render(ov) {
    view = ov;
    syncClock(ov.server_time);
    const c = ov.counter;
    const working = c && c.mine;
    $("chooser").hidden = !!working;
    $("console").hidden = !working;
    for (const id of ["btn-pause", "btn-resume", "btn-close"]) $(id).hidden = !working;
    if (!working) {
      counterId = null;
      setText("counter-title", "");
      $("counter-status").hidden = true;
      drawChooser(ov);
      return;
    }
    counterId = c.id;
    setText("counter-title", `${fmt("counter", c.number)} · ${c.name}`);
    const status = $("counter-status");
    status.hidden = false;
    status.className = `badge badge-${c.status}`;
    setText(status, t(`counter_${c.status}`));
    $("btn-pause").hidden = c.status !== "open";
    $("btn-resume").hidden = c.status !== "paused";
    drawCurrent(c.current);
    drawWaiting(c.waiting, c.waiting_total);
    setText("count-served", c.today.served);
    setText("count-noshow", c.today.no_show);
    setText("count-called", c.today.called);
    setText("count-waiting", c.today.waiting);
    drawTransferTargets(ov, c);
    updateButtons();
  }

  function drawChooser(ov) {
    const list = $("counter-list");
    list.replaceChildren(...ov.counters.map((c) => {
      const note = c.mine ? t("yours") : c.free ? t(`counter_${c.status}`) : fmt("held_by", c.staff || "?");
      return el("button", { type: "button", class: "btn counter-choice", disabled: !c.free,
        dataset: { counter: c.id }, onclick: () => openCounter(c) },
        el("span", { class: "choice-number", text: fmt("counter", c.number) }),
        el("span", { class: "choice-name", text: c.name }),
        el("span", { class: "choice-note muted", text: note }));
    }));
  }

  function drawCurrent(cur) {
    setText("current-number", cur ? cur.number : "—");
    setText("current-service", cur ? cur.service_name : t("no_current"));
    const status = $("current-status");
    status.hidden = !cur;
    if (cur) { status.className = `badge badge-${cur.status}`; setText(status, t(`status_${cur.status}`)); }
    const prio = $("current-priority");
    prio.hidden = !(cur && cur.priority);
    if (cur && cur.priority) setText(prio, (view.priority_groups || {})[cur.priority] || cur.priority);
    $("current-card").classList.toggle("is-empty", !cur);
    tick();
  }

  function drawWaiting(items, total) {
    const body = $("waiting-body");
    const groups = view.priority_groups || {};
    body.replaceChildren(...items.map((w) => el("tr", { dataset: { issued: w.issued_at } },
      el("td", {}, el("strong", { text: w.number }),
        w.priority ? el("span", { class: "badge badge-priority", title: groups[w.priority] || w.priority, text: t("priority_short") }) : null),
      el("td", { text: w.service_name }),
      el("td", { class: "wait", text: duration(since(w.issued_at)) }))));
    $("waiting-empty").hidden = items.length > 0;
    setText("waiting-total", total ? `(${total})` : "");
  }

  function drawTransferTargets(ov, c) {
    const select = $("transfer-target");
    const keep = select.value;
    const options = [el("option", { value: "", text: t("choose_target") })];
    for (const s of ov.services) options.push(el("option", { value: `service:${s.code}`, text: fmt("to_service", s.name) }));
    for (const k of ov.all_counters) {
      if (k.number !== c.number) options.push(el("option", { value: `counter:${k.number}`, text: `${fmt("to_counter", k.number)} · ${k.name}` }));
    }
    select.replaceChildren(...options);
    if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  }

  function updateButtons() {
    const c = view && view.counter;
    const cur = c && c.current;
    const open = c && c.status === "open";
    const set = (id, on) => { $(id).disabled = busy || !on; };
    set("btn-next", open && Date.now() >= cooldownUntil);
    set("btn-recall", cur && cur.status === "called");
    set("btn-start", cur && cur.status === "called");
    set("btn-skip", cur && cur.status === "called");
    set("btn-finish", !!cur);
    set("btn-transfer", !!cur);
    set("btn-cancel", !!cur);
    set("btn-reprint", !!cur);
    set("btn-pause", c && c.status === "open");
    set("btn-resume", c && c.status === "paused");
    set("btn-close", !!c);
    document.body.classList.toggle("busy", busy);
  }

  function tick() {
    const cur = view && view.counter && view.counter.current;
    if (cur) {
      const waited = Date.parse(cur.called_at) - Date.parse(cur.issued_at);
      setText("current-waited", duration(Number.isNaN(waited) ? null : Math.max(0, Math.floor(waited / 1000))));
      setText("current-served", duration(since(cur.started_at || cur.called_at)));
    } else {
      setText("current-waited", "–");
      setText("current-served", "–");
    }
    for (const row of $("waiting-body").children) {
      setText(row.querySelector(".wait"), duration(since(row.dataset.issued)));
    }
  }

  // --- acting ------------------------------------------------------------------------------
  const current = () => view && view.counter && view.counter.current;
  function needCurrent() {
    const cur = current();
    if (!cur) { const e = new Error(t("no_current_action")); throw e; }
    return cur;
  }

  const ACTIONS = {
    async next() {
      const { status, body } = await api("POST", `/api/v1/counters/${counterId}/call-next`);
      if (status === 204) { toast(t("nobody_waiting"), "error"); return; }
      cooldownUntil = Date.now() + 800;
      setTimeout(updateButtons, 850);
      toast(fmt("called", body.number), "ok");
    },
    async recall() {
      const cur = needCurrent();
      await api("POST", `/api/v1/tickets/${cur.id}/recall`);
      toast(fmt("recalled", cur.number), "ok");
    },
    async start() {
      const cur = needCurrent();
      await api("POST", `/api/v1/tickets/${cur.id}/start`);
      toast(fmt("started", cur.number), "ok");
    },
    async skip() {
      const cur = needCurrent();
      await api("POST", `/api/v1/tickets/${cur.id}/skip`);
      toast(fmt("skipped", cur.number), "ok");
    },
    async finish() {
      const cur = needCurrent();
      const input = $("dossier");
      const code = input.value.trim();
      if (code && !/^[A-Za-z0-9./_-]{1,40}$/.test(code)) { input.focus(); throw new Error(t("bad_dossier")); }
      await api("POST", `/api/v1/tickets/${cur.id}/finish`, code ? { dossier_code: code } : {});
      input.value = "";
      toast(fmt("finished", cur.number), "ok");
    },
    async transfer() {
      const cur = needCurrent();
      const target = $("transfer-target").value;
      if (!target) { $("transfer-target").focus(); throw new Error(t("choose_target")); }
      const [kind, value] = target.split(":");
      const body = kind === "service" ? { service: value } : { counter: parseInt(value, 10) };
      await api("POST", `/api/v1/tickets/${cur.id}/transfer`, body);
      $("transfer-target").value = "";
      toast(fmt("transferred", cur.number), "ok");
    },
    async cancel() {
      const cur = needCurrent();
      if (!window.confirm(fmt("confirm_cancel", cur.number))) return;
      await api("POST", `/api/v1/tickets/${cur.id}/cancel`, { reason: "staff" });
      toast(fmt("cancelled", cur.number), "ok");
    },
    async reprint() {
      const cur = needCurrent();
      let answer;
      try {
        answer = (await api("POST", `/api/v1/tickets/${cur.id}/reprint`, {})).body;
      } catch (e) {
        if (e.code === "no_printer") e.message = fmtv("reprint_no_printer", { number: cur.number });
        showReprint(e.message, "failed");
        throw e;
      }
      const kiosk = String(answer.printer || "").replace(/^device:/, "");
      if (reprint) clearTimeout(reprint.timer);
      reprint = { id: cur.id, number: cur.number, kiosk, after: answer.event_id,
        timer: setTimeout(() => {
          reprint = null;
          showReprint(fmtv("reprint_silent", { kiosk }), "failed");
        }, REPRINT_WAIT_MS) };
      const text = fmtv("reprint_sent", { number: cur.number, kiosk });
      showReprint(text, "");
      toast(text, "ok");
      // a fast printer may have answered before this reply reached the page
      for (const early of recentPrints) onPrinted(early);
    },
    async pause() {
      await api("POST", `/api/v1/counters/${counterId}/pause`);
      toast(t("paused"), "ok");
    },
    async resume() {
      await api("POST", `/api/v1/counters/${counterId}/open`);
      toast(t("resumed"), "ok");
    },
    async close() {
      if (!window.confirm(t("confirm_close"))) return;
      await api("POST", `/api/v1/counters/${counterId}/close`);
      toast(t("closed"), "ok");
      counterId = null;
    },
  };

  async function act(name) {
    if (busy) { toast(t("busy")); return; }
    busy = true;
    updateButtons();
    try {
      await ACTIONS[name]();
    } catch (e) {
      toast(e.message, "error");
    } finally {
      busy = false;
      await refresh();
      updateButtons();
    }
  }

  // --- reprint outcome: the kiosk's agent answers with ticket.printed / ticket.print_failed ----
  function showReprint(text, kind) {
    const node = $("reprint-status");
    node.className = "reprint-status" + (kind ? ` is-${kind}` : "");
    setText(node, text);
  }

  const recentPrints = [];  // the last print results, for one that overtakes the 202 answer
  function onPrint(message) {
    recentPrints.push(message);
    if (recentPrints.length > 20) recentPrints.shift();
    onPrinted(message);
  }

  function onPrinted(message) {
    const asked = reprint;
    if (!asked || !message || message.ticket_id !== asked.id || !(message.event_id > asked.after)) return;
    clearTimeout(asked.timer);
    reprint = null;
    const why = message.print_status === "paper_out" ? t("reprint_paper_out") : (message.message || "");
    const values = { number: asked.number, kiosk: asked.kiosk, message: why };
    if (message.type === "ticket.printed") {
      const text = fmtv("reprint_done", values);
      showReprint(text, "ok");
      toast(text, "ok");
    } else {
      const text = fmtv("reprint_failed", values);
      showReprint(text, "failed");
      toast(text, "error");
    }
  }

  async function openCounter(c) {
    if (busy) return;
    busy = true;
    try {
      await api("POST", `/api/v1/counters/${c.id}/open`);
      counterId = c.id;
      toast(fmt("opened", c.number), "ok");
    } catch (e) {
      toast(e.message, "error");
    } finally {
      busy = false;
      await refresh();
    }
  }

  // --- wiring ------------------------------------------------------------------------------
  for (const button of document.querySelectorAll("button[data-action]")) {
    if (button.type === "submit") continue;
    button.addEventListener("click", () => act(button.dataset.action));
  }
  $("finish-form").addEventListener("submit", (e) => { e.preventDefault(); act("finish"); });
  $("transfer-form").addEventListener("submit", (e) => { e.preventDefault(); act("transfer"); });

  // --- USB rating keypad: a keyboard typing 1–5 rates the ticket just finished at this counter --
  let rating = null;        // /rating/config: key table, window, debounce
  let lastFinished = null;  // { id, at } of the last ticket finished here
  const lastKeyAt = {};
  api("GET", "/rating/config").then(({ body }) => { rating = body; }).catch(() => {});

  function noteFinished(message) {
    const here = view && view.counter;
    if (here && message && message.counter && message.counter.number === here.number && message.ticket) {
      lastFinished = { id: message.ticket.id, at: Date.now() };
    }
  }

  function rateByKey(e) {
    const level = rating && rating.keys && (rating.keys[e.key] || rating.keys[e.code]);
    if (!level) return false;
    e.preventDefault();
    const now = Date.now();
    const key = e.code || e.key;
    if (lastKeyAt[key] && now - lastKeyAt[key] < rating.debounce_ms) return true;  // key bounce
    lastKeyAt[key] = now;
    if (!lastFinished || now - lastFinished.at > rating.window_seconds * 1000) {
      toast(t("rating_none"), "error");
      return true;
    }
    const idem = `${now}-${Math.random().toString(36).slice(2)}`;  // one per press: replays change nothing
    api("POST", `/api/v1/tickets/${lastFinished.id}/rating`,
      { level, pressed_at: new Date(now).toISOString(), source: "keypad" }, { "Idempotency-Key": idem })
      .then(({ body }) => toast(fmt("rated", body.label), "ok"))
      .catch((err) => toast(err.message, "error"));
    return true;
  }

  const KEYS = { " ": "next", n: "next", r: "recall", b: "start", v: "skip", k: "finish", t: "transfer" };
  document.addEventListener("keydown", (e) => {
    if (e.repeat || e.ctrlKey || e.altKey || e.metaKey) return;
    const tag = (e.target && e.target.tagName) || "";
    if (["INPUT", "SELECT", "TEXTAREA"].includes(tag)) return;
    if ($("console").hidden) return;
    if (rateByKey(e)) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    let action = KEYS[key];
    if (key === "p") action = view && view.counter && view.counter.status === "paused" ? "resume" : "pause";
    if (!action) return;
    e.preventDefault();
    const button = document.querySelector(`button[data-action="${action}"]`);
    if (button && button.disabled && !busy) return;
    act(action);
  });

  const redraw = () => soon();
  connect({
    state: redraw, "queue.changed": redraw, "counter.changed": redraw,
    "ticket.issued": redraw, "ticket.called": redraw, "ticket.recalled": redraw,
    "ticket.started": redraw, "ticket.finished": (m) => { noteFinished(m); redraw(); }, "ticket.no_show": redraw,
    "ticket.transferred": redraw, "ticket.cancelled": redraw, "ticket.requeued": redraw,
    "ticket.printed": onPrint, "ticket.print_failed": onPrint,
  });
  setInterval(tick, 1000);
  refresh();
})();
