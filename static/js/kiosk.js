/* The citizen kiosk: one page, several screens (home, search, procedure, services, priority,
   ticket, appointment check-in), tap only. Everything from the API is put on screen with
   textContent (MotCua.el), never as HTML. After a quiet spell the kiosk warns, then returns
   home and forgets everything the last citizen typed, ticked or took. */
"use strict";
(function () {
  const { t, fmt, el, setText, api, toast, connect, syncClock, clockText } = MotCua;
  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("kiosk-config").textContent);

  const KEY_ROWS = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
  const CODE_ROWS = ["1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"];
  const DIGIT_ROWS = ["123", "456", "789", "0"];
  const PRINT_WAIT_MS = 8000;

  // --- state: all of it is wiped by reset() ------------------------------------------------
  let S;
  function freshState() {
    return { screen: "home", history: [], query: "", searchSeq: 0, proc: null, caseIndex: 0,
      ticked: new Set(), service: null, missing: [], ticket: null, checkinMode: "code",
      checkin: "" };
  }
  S = freshState();
  const cache = { procedures: null, fields: null, counters: null };  // centre data, not personal
  const printEvents = new Map();  // ticket id → last print event (bounded)
  let printTimer = null;

  // --- screens -------------------------------------------------------------------------------
  function show(name, push = true) {
    if (push && S.screen !== name) S.history.push(S.screen);
    S.screen = name;
    for (const section of document.querySelectorAll(".k-screen")) {
      section.hidden = section.dataset.screen !== name;
    }
    document.body.dataset.current = name;
    window.scrollTo(0, 0);
    speakHint(name);
  }

  // --- spoken hints (optional): a fixed sentence per screen, synthesised on the server ------
  const voice = new Audio();
  voice.preload = "none";
  function speakHint(name) {
    if (!document.body.classList.contains("k-speak")) return;
    voice.pause();
    voice.src = `/kiosk/hints/${encodeURIComponent(name)}.wav?lang=${encodeURIComponent(config.lang)}`;
    voice.play().catch(() => {});  // no sound device or autoplay refused: the screen still says it all
  }
  function stopHints() { voice.pause(); voice.removeAttribute("src"); }
  function back() {
    const previous = S.history.pop();
    show(previous || "home", false);
  }

  function fail(error) {
    toast(error && error.message ? error.message : t("network_error"), "error");
  }

  // --- on-screen keyboards --------------------------------------------------------------------
  function keyboard(container, rows, onKey, extra) {
    const nodes = rows.map((row) => el("div", { class: "k-keyrow" },
      ...[...row].map((ch) => el("button", { type: "button", class: "k-key", text: ch,
        dataset: { key: ch }, onclick: () => onKey(ch) }))));
    if (extra) nodes.push(el("div", { class: "k-keyrow" }, ...extra));
    container.replaceChildren(...nodes);
  }
  const backspaceKey = (fn) => el("button", { type: "button", class: "k-key k-key-wide",
    "aria-label": "Backspace", text: "⌫", dataset: { key: "backspace" }, onclick: fn });

  // --- search --------------------------------------------------------------------------------
  function setQuery(value) {
    S.query = value.slice(0, 60);
    $("search-input").value = S.query;
    clearTimeout(setQuery.timer);
    setQuery.timer = setTimeout(search, 120);
  }

  async function search() {
    const query = S.query.trim();
    const seq = ++S.searchSeq;
    if (!query) {
      $("results").replaceChildren();
      setText("results-title", "");
      $("fields-block").hidden = false;
      return;
    }
    try {
      const { body } = await api("GET", `/api/v1/procedures?q=${encodeURIComponent(query)}&limit=12`);
      if (seq !== S.searchSeq) return;  // an older answer arriving late
      $("fields-block").hidden = true;
      setText("results-title", body.length ? `${t("results_for")} “${query}”` : t("no_results"));
      drawResults(body);
    } catch (e) { fail(e); }
  }

  function drawResults(list) {
    $("results").replaceChildren(...list.map((p) => el("li", {},
      el("button", { type: "button", class: "k-result", dataset: { code: p.code },
        onclick: () => openProcedure(p.code) },
        el("span", { class: "k-result-name", text: p.name }),
        el("span", { class: "k-result-meta", text: `${p.field} · ${p.level_label || ""}` })))));
  }

  async function loadFields() {
    if (!cache.fields) cache.fields = (await api("GET", "/api/v1/procedures/fields")).body;
    $("fields").replaceChildren(...cache.fields.map((f) => el("button", { type: "button",
      class: "k-field", onclick: () => browseField(f.field) },
      el("span", { class: "k-field-name", text: f.field }),
      el("span", { class: "k-field-count", text: `${f.count} ${t("procedures_count")}` }))));
  }

  async function browseField(field) {
    try {
      if (!cache.procedures) cache.procedures = (await api("GET", "/api/v1/procedures?limit=500")).body;
      S.searchSeq++;
      $("fields-block").hidden = true;
      setText("results-title", `${t("procedures_in")} ${field}`);
      drawResults(cache.procedures.filter((p) => p.field === field));
    } catch (e) { fail(e); }
  }

  // --- procedure ----------------------------------------------------------------------------
  async function openProcedure(code) {
    try {
      const [{ body: proc }] = await Promise.all([
        api("GET", `/api/v1/procedures/${encodeURIComponent(code)}`), loadCounters()]);
      S.proc = proc;
      S.caseIndex = 0;
      S.ticked = new Set();
      drawProcedure();
      show("procedure");
    } catch (e) { fail(e); }
  }

  async function loadCounters() {
    if (!cache.counters) cache.counters = (await api("GET", "/api/v1/counters")).body;
    return cache.counters;
  }

  function docDetail(d) {
    const parts = [];
    if (d.present_only) parts.push(t("present_only"));
    else {
      if (d.originals) parts.push(`${d.originals} ${t("originals")}`);
      if (d.copies) parts.push(`${d.copies} ${t("copies")}`);
    }
    if (!d.required) parts.push(t("optional"));
    if (d.form_ref) parts.push(`${t("form")} ${d.form_ref}`);
    return parts.join(" · ");
  }

  function drawProcedure() {
    const p = S.proc;
    setText("proc-name", p.name);
    setText("proc-field", p.field);
    setText("proc-code", p.code);
    // The form of this very procedure (the forms page picks it, or lists all when it has none).
    $("proc-fill").href = `${$("tile-forms").getAttribute("href")}?procedure=${encodeURIComponent(p.code)}`;
    const cases = p.dossier_cases || [];
    $("proc-cases").hidden = cases.length < 2;
    $("proc-cases").replaceChildren(...cases.map((c, i) => el("button", { type: "button",
      class: "k-case", role: "tab", "aria-selected": String(i === S.caseIndex), text: c.name,
      onclick: () => { S.caseIndex = i; S.ticked = new Set(); drawProcedure(); } })));
    drawChecklist();
    $("proc-channels").replaceChildren(...(p.channels || []).flatMap((ch) => [
      el("dt", { text: t("channel_" + ch.channel) + (ch.note ? ` — ${ch.note}` : "") }),
      el("dd", {}, el("span", { class: "k-time" }, el("span", { class: "k-label", text: t("time_label") + " " }), ch.time_text),
        el("span", { class: "k-fee" }, el("span", { class: "k-label", text: t("fee_label") + " " }), ch.fee_text || t("no_fee")))]));
    const numbers = (cache.counters || []).filter((c) => c.services.includes(p.service))
      .map((c) => c.number);
    setText("proc-where", numbers.length ? `${t("counters")} ${numbers.join(", ")}` : t("no_counter"));
    setText("proc-agency", p.agency || "");
    const forms = p.forms || [];
    $("proc-forms-block").hidden = !forms.length;
    $("proc-forms").replaceChildren(...forms.map((f) => el("li", {},
      el("strong", { text: f.name }), f.note ? el("span", { class: "muted", text: ` — ${f.note}` }) : null)));
    setText("proc-result", p.result || "");
  }

  function currentDocs() {
    const c = (S.proc.dossier_cases || [])[S.caseIndex];
    return c ? c.documents : [];
  }

  function drawChecklist() {
    const docs = currentDocs();
    $("checklist").replaceChildren(...docs.map((d, i) => {
      const ticked = S.ticked.has(i);
      return el("li", {}, el("button", { type: "button", role: "checkbox", class: "k-check",
        "aria-checked": String(ticked), dataset: { index: i, required: d.required ? "1" : "0" },
        onclick: () => { if (S.ticked.has(i)) S.ticked.delete(i); else S.ticked.add(i); drawChecklist(); } },
        el("span", { class: "k-box", "aria-hidden": "true", text: ticked ? "✓" : "" }),
        el("span", { class: "k-doc" }, el("span", { class: "k-doc-name", text: d.name }),
          el("span", { class: "k-doc-detail", text: docDetail(d) }),
          d.note ? el("span", { class: "k-doc-note", text: d.note }) : null)));
    }));
    S.missing = docs.filter((d, i) => d.required && !S.ticked.has(i)).map((d) => d.name);
    const box = $("missing");
    box.className = "k-missing " + (S.missing.length ? "is-missing" : "is-complete");
    if (!S.missing.length) box.replaceChildren(el("strong", { text: "✓ " + t("all_present") }));
    else box.replaceChildren(el("strong", { text: fmt("missing_title", S.missing.length) }),
      el("ul", {}, ...S.missing.map((name) => el("li", { text: name }))));
  }

  function takeForProcedure() {
    if (!S.proc) return;
    if (S.missing.length) {
      $("confirm-list").replaceChildren(...S.missing.map((name) => el("li", { text: name })));
      $("confirm").hidden = false;
      return;
    }
    chooseService(S.proc.service);
  }

  // --- services and priority -----------------------------------------------------------------
  async function openServices() {
    try {
      const { body } = await api("GET", "/api/v1/services");
      remember(body);
      $("services").replaceChildren(...body.map((s) => el("button", { type: "button",
        class: "k-service", dataset: { code: s.code }, onclick: () => { S.missing = []; chooseService(s.code, s.name); } },
        el("span", { class: "k-service-prefix", text: s.prefix }),
        el("span", { class: "k-service-name", text: s.name }),
        el("span", { class: "k-service-wait", text: `${t("waiting_now")}: ${s.waiting} ${t("people")}` }))));
      show("services");
    } catch (e) { fail(e); }
  }

  // Each service's priority settings (GET /api/v1/services): priority off → no priority
  // question; a restricted service → only its groups are offered.
  const serviceInfo = {};
  function remember(services) { for (const s of services) serviceInfo[s.code] = s; }

  async function chooseService(code, name) {
    if (!code) { openServices(); return; }
    if (!serviceInfo[code]) {
      try { remember((await api("GET", "/api/v1/services")).body); } catch (e) { /* ask anyway */ }
    }
    const info = serviceInfo[code];
    S.service = code;
    if (info && info.priority_enabled === false) { issue(null); return; }
    drawPriorityGroups(info && info.priority_groups);
    setText("priority-service", name || (S.proc && S.proc.service === code ? S.proc.name : code));
    const warn = $("priority-missing");
    warn.hidden = !S.missing.length;
    if (S.missing.length) warn.textContent = `${t("missing_before")}: ${S.missing.join("; ")}`;
    show("priority");
  }

  function drawPriorityGroups(accepted) {
    const groups = accepted && accepted.length
      ? config.priority_groups.filter((g) => accepted.includes(g.code)) : config.priority_groups;
    $("priority-groups").replaceChildren(...groups.map((g) => el("button", {
      type: "button", class: "k-group", dataset: { priority: g.code }, text: g.label,
      onclick: () => issue(g.code) })));
  }

  let issuing = false;
  async function issue(priority) {
    if (issuing || !S.service) return;
    issuing = true;
    document.body.classList.add("busy");
    try {
      const { body } = await api("POST", "/api/v1/tickets", { service: S.service, priority: priority || null });
      showTicket(body, null);
    } catch (e) { fail(e); }
    finally { issuing = false; document.body.classList.remove("busy"); }
  }

  // --- ticket ---------------------------------------------------------------------------------
  function waitText(ticket) {
    const minutes = ticket.estimated_wait_minutes;
    return !minutes ? t("wait_soon") : fmt("wait_about", minutes);
  }

  function showTicket(ticket, note) {
    S.ticket = ticket;
    setText("ticket-number", ticket.number);
    setText("ticket-service", ticket.service_name);
    setText("ticket-ahead", `${ticket.people_ahead} ${t("people")}`);
    setText("ticket-wait", waitText(ticket));
    const badge = $("ticket-badge");
    const group = config.priority_groups.find((g) => g.code === ticket.priority);
    let badgeText = "";
    if (ticket.appointment_at) badgeText = `${t("appointment")} ${ticket.appointment_at.slice(11, 16)}`;
    else if (group) badgeText = `${t("priority")}: ${group.label}`;
    if (note) badgeText = badgeText ? `${note} ${badgeText}` : note;
    badge.hidden = !badgeText;
    badge.textContent = badgeText;
    const link = ticket.tracking_url || "";
    const code = link.includes("/t/") ? link.slice(link.lastIndexOf("/t/") + 3) : "";
    const qr = $("ticket-qr");
    qr.hidden = !code;
    if (code) qr.src = `/kiosk/qr/${encodeURIComponent(code)}.svg`;
    // Papers scanned now reach the counter with this ticket (data entered once).
    $("ticket-scan").href = `${$("tile-scan").getAttribute("href")}?ticket=${encodeURIComponent(ticket.id)}`;
    const print = $("ticket-print");
    print.className = "k-print";
    print.textContent = t("printing");
    $("ticket-reprint").hidden = true;
    clearTimeout(printTimer);
    printTimer = setTimeout(() => {
      if (S.ticket && S.ticket.id === ticket.id && !printEvents.has(ticket.id)) {
        print.textContent = t("print_unknown");
      }
    }, PRINT_WAIT_MS);
    show("ticket");
    S.history = [];
    if (printEvents.has(ticket.id)) drawPrint(printEvents.get(ticket.id));
  }

  function onPrintEvent(payload) {
    const id = payload.ticket_id || (payload.ticket && payload.ticket.id);
    if (!id) return;
    printEvents.set(id, payload);
    if (printEvents.size > 50) printEvents.delete(printEvents.keys().next().value);
    if (S.ticket && S.ticket.id === id) drawPrint(payload);
  }

  function drawPrint(payload) {
    const print = $("ticket-print");
    clearTimeout(printTimer);
    $("ticket-reprint").hidden = payload.type === "ticket.printed" || payload.ok === true;
    if (payload.type === "ticket.printed" || payload.ok === true) {
      print.className = "k-print is-ok";
      print.textContent = t("printed");
    } else {
      print.className = "k-print is-failed";
      print.textContent = payload.print_status === "paper_out" || payload.print_status === "paper_near_end"
        ? t("print_paper_out") : t("print_failed");
    }
  }

  async function reprint() {
    if (!S.ticket) return;
    const id = S.ticket.id;
    try {
      await api("POST", `/api/v1/tickets/${id}/reprint`, {});
      printEvents.delete(id);
      $("ticket-reprint").hidden = true;
      const print = $("ticket-print");
      print.className = "k-print";
      print.textContent = t("reprinting");
    } catch (e) { fail(e); }
  }

  // --- appointment check-in ------------------------------------------------------------------
  function setCheckinMode(mode) {
    S.checkinMode = mode;
    S.checkin = "";
    $("checkin-by-code").setAttribute("aria-selected", String(mode === "code"));
    $("checkin-by-id").setAttribute("aria-selected", String(mode === "id"));
    setText("checkin-hint", mode === "code" ? t("code_hint") : t("id_hint"));
    const input = (ch) => setCheckin(S.checkin + ch);
    keyboard($("checkin-keyboard"), mode === "code" ? CODE_ROWS : DIGIT_ROWS, input,
      [backspaceKey(() => setCheckin(S.checkin.slice(0, -1)))]);
    $("checkin-keyboard").classList.toggle("k-keypad", mode === "id");
    setCheckin("");
  }

  function setCheckin(value) {
    const max = S.checkinMode === "code" ? 6 : 12;
    S.checkin = value.slice(0, max);
    $("checkin-input").value = S.checkin;
    setText("checkin-error", "");
    $("checkin-go").disabled = S.checkin.length !== max;
  }

  async function checkIn() {
    if (issuing) return;
    issuing = true;
    const body = S.checkinMode === "code" ? { code: S.checkin } : { id_number: S.checkin };
    try {
      const reply = await api("POST", "/api/v1/bookings/check-in", body);
      S.checkin = "";
      $("checkin-input").value = "";
      showTicket(reply.body, reply.status === 200 ? t("already_checked_in") : null);
    } catch (e) {
      setText("checkin-error", e.message || t("network_error"));
    } finally { issuing = false; }
  }

  // --- accessibility and idle reset ----------------------------------------------------------
  function toggle(button, cls) {
    const on = document.body.classList.toggle(cls);
    button.setAttribute("aria-pressed", String(on));
  }

  let lastActivity = Date.now();
  function touched() {
    lastActivity = Date.now();
    if (!$("idle").hidden) $("idle").hidden = true;
  }
  function pristine() {
    return S.screen === "home" && !S.query && !S.checkin && !S.proc && !S.ticket
      && config.lang === "vi" && !document.body.classList.contains("k-large")
      && !document.body.classList.contains("k-contrast") && !document.body.classList.contains("k-speak")
      && $("confirm").hidden;
  }
  function idleTick() {
    if (pristine()) { lastActivity = Date.now(); return; }
    const quiet = (Date.now() - lastActivity) / 1000;
    const left = Math.ceil(config.idle_seconds - quiet);
    if (left <= 0) { reset(); return; }
    if (left <= config.idle_warning_seconds) {
      $("idle").hidden = false;
      setText("idle-text", fmt("idle_in", left));
    }
  }

  function homeUrl(lang) {
    const params = new URLSearchParams(location.search);
    params.delete("token");
    if (lang && lang !== "vi") params.set("lang", lang); else params.delete("lang");
    const query = params.toString();
    return "/kiosk" + (query ? "?" + query : "");
  }

  function reset() {
    if (config.lang !== "vi") { location.replace(homeUrl("vi")); return; }
    clearTimeout(setQuery.timer);
    clearTimeout(printTimer);
    S = freshState();
    cache.procedures = cache.fields = cache.counters = null;  // re-read the centre's data now and then
    $("search-input").value = "";
    $("checkin-input").value = "";
    $("results").replaceChildren();
    setText("results-title", "");
    $("fields-block").hidden = false;
    $("checklist").replaceChildren();
    $("missing").replaceChildren();
    $("confirm-list").replaceChildren();
    for (const id of ["proc-name", "proc-field", "proc-code", "proc-where", "proc-agency", "proc-result",
      "ticket-number", "ticket-service", "ticket-ahead", "ticket-wait", "ticket-print", "checkin-error"]) setText(id, "");
    $("ticket-reprint").hidden = true;
    $("ticket-qr").removeAttribute("src");
    for (const id of ["confirm", "idle"]) $(id).hidden = true;
    document.body.classList.remove("k-large", "k-contrast", "k-speak");
    stopHints();
    $("speak").setAttribute("aria-pressed", "false");
    $("text-size").setAttribute("aria-pressed", "false");
    $("contrast").setAttribute("aria-pressed", "false");
    setCheckinMode("code");
    show("home", false);
    lastActivity = Date.now();
  }

  // --- wiring ---------------------------------------------------------------------------------
  function wire() {
    for (const button of document.querySelectorAll("[data-go]")) {
      button.addEventListener("click", () => {
        const target = button.dataset.go;
        if (target === "services") { S.proc = null; S.missing = []; openServices(); }
        else if (target === "search") { show("search"); loadFields().catch(fail); }
        else show(target);
      });
    }
    for (const button of document.querySelectorAll("[data-back]")) button.addEventListener("click", back);
    $("go-home").addEventListener("click", () => { if (S.screen === "ticket") reset(); else { S.history = []; show("home", false); } });
    keyboard($("keyboard"), KEY_ROWS, (ch) => setQuery(S.query + ch), [
      el("button", { type: "button", class: "k-key k-key-space", text: t("space"),
        dataset: { key: "space" }, onclick: () => setQuery(S.query + " ") }),
      backspaceKey(() => setQuery(S.query.slice(0, -1)))]);
    $("search-clear").addEventListener("click", () => setQuery(""));
    $("proc-take").addEventListener("click", takeForProcedure);
    $("confirm-back").addEventListener("click", () => { $("confirm").hidden = true; });
    $("confirm-go").addEventListener("click", () => { $("confirm").hidden = true; chooseService(S.proc.service); });
    $("take-normal").addEventListener("click", () => issue(null));
    $("ticket-done").addEventListener("click", reset);
    $("ticket-reprint").addEventListener("click", reprint);
    $("checkin-by-code").addEventListener("click", () => setCheckinMode("code"));
    $("checkin-by-id").addEventListener("click", () => setCheckinMode("id"));
    $("checkin-clear").addEventListener("click", () => setCheckin(""));
    $("checkin-go").addEventListener("click", checkIn);
    $("text-size").addEventListener("click", (e) => toggle(e.currentTarget, "k-large"));
    $("contrast").addEventListener("click", (e) => toggle(e.currentTarget, "k-contrast"));
    $("speak").addEventListener("click", (e) => {
      toggle(e.currentTarget, "k-speak");
      if (document.body.classList.contains("k-speak")) speakHint(S.screen); else stopHints();
    });
    $("idle-stay").addEventListener("click", touched);
    $("lang").setAttribute("href", homeUrl(config.lang === "vi" ? "en" : "vi"));
    for (const type of ["pointerdown", "keydown", "touchstart"]) {
      document.addEventListener(type, touched, { capture: true, passive: true });
    }
    document.addEventListener("contextmenu", (e) => e.preventDefault());  // no long-press menus
    setInterval(idleTick, 1000);
    const tick = () => setText("clock", clockText().slice(0, 5));
    tick();
    setInterval(tick, 1000);
    drawPriorityGroups();
    setCheckinMode("code");
    connect({
      state: (s) => syncClock(s.server_time),
      "ticket.printed": onPrintEvent,
      "ticket.print_failed": onPrintEvent,
    });
    document.body.dataset.ready = "1";
  }

  wire();
  window.MotCuaKiosk = { reset, state: () => S };
})();
