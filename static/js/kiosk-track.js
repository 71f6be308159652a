/* The citizen's phone page: polls GET /api/v1/track/<code> (public, the code is the key) and
   shows the number, status, people ahead, estimated wait and, once called, the counter.
   While it waits after staff transferred it, it says where to: the counter (only that one will
   call it) or the new service.
   After service it offers the rating buttons while the rating window is open. Polling slows
   down when the tab is hidden and stops for good once the ticket is over and rated. */
"use strict";
(function () {
  const { t, fmt, el, setText, api } = MotCua;
  const $ = (id) => document.getElementById(id);
  const root = $("track");
  const code = root.dataset.code;
  const every = Math.max(1, parseInt(root.dataset.poll, 10) || 5) * 1000;
  let timer = null, finished = false, sent = false;

  function draw(v) {
    setText("t-centre", v.centre_name);
    setText("t-number", v.number);
    setText("t-service", v.service_name);
    const status = $("t-status");
    status.className = "t-status is-" + v.status;
    status.textContent = v.status === "called" || v.status === "serving"
      ? (v.status === "called" ? `${t("called")} ${fmt("go_to", v.counter)}` : `${t("serving")} — ${fmt("go_to", v.counter).toLowerCase()}`)
      : t(v.status);
    document.body.dataset.status = v.status;
    $("t-facts").hidden = v.status !== "waiting";
    setText("t-ahead", v.people_ahead);
    setText("t-wait", v.estimated_wait_minutes ? fmt("wait_about", v.estimated_wait_minutes) : t("wait_soon"));
    drawMoved(v);
    const hint = $("t-hint");
    hint.hidden = v.status !== "no_show" && !v.appointment_at;
    hint.textContent = v.status === "no_show" ? t("no_show_hint")
      : (v.appointment_at ? `${t("appointment")} ${v.appointment_at.slice(11, 16)}` : "");
    drawRating(v.rating);
    setText("t-updated", `${t("updated")} ${v.server_time.slice(11, 19)}`);
    finished = ["done", "cancelled", "no_show"].includes(v.status) && !v.rating.open;
  }

  // "quầy 3 (Quầy ưu tiên)"; a name that only repeats the number ("Quầy 3") is left out.
  function counterLabel(c) {
    const name = (c.name || "").normalize("NFC").trim();
    const plain = name === "" || new RegExp(`^(quầy|counter)\\s*(số\\s*)?${c.number}$`, "i").test(name);
    return plain ? String(c.number) : `${c.number} (${name})`;
  }

  function drawMoved(v) {
    const moved = $("t-moved");
    const text = v.transferred_to === "counter" && v.target_counter ? fmt("moved_counter", counterLabel(v.target_counter))
      : v.transferred_to === "service" && v.service_name ? fmt("moved_service", v.service_name) : "";
    moved.hidden = !text;
    moved.dataset.to = text ? v.transferred_to : "";
    setText(moved, text);  // only when it changes: a screen reader does not repeat it every poll
  }

  function drawRating(r) {
    const box = $("t-rate");
    if (r.given !== null || sent) {
      box.hidden = false;
      setText("t-rate-title", t("rated"));
      $("t-rate-buttons").replaceChildren();
      return;
    }
    box.hidden = !r.open;
    if (!r.open) return;
    setText("t-rate-title", t("rate_title"));
    if ($("t-rate-buttons").childElementCount) return;
    $("t-rate-buttons").replaceChildren(...r.levels.map((lv) => el("button", { type: "button",
      text: lv.label, dataset: { level: lv.level }, onclick: () => rate(lv.level) })));
  }

  async function rate(level) {
    try {
      await api("POST", `/api/v1/track/${encodeURIComponent(code)}/rating`, { level });
      sent = true;
      poll();
    } catch (e) { setText("t-rate-title", e.message); }
  }

  async function poll() {
    clearTimeout(timer);
    try {
      const { body } = await api("GET", `/api/v1/track/${encodeURIComponent(code)}`);
      draw(body);
    } catch (e) {
      setText("t-updated", e.status ? e.message : t("offline"));
      if (e.status === 404) finished = true;
    }
    if (!finished) timer = setTimeout(poll, document.hidden ? every * 4 : every);
  }

  document.addEventListener("visibilitychange", () => { if (!document.hidden && !finished) poll(); });
  poll();
})();
