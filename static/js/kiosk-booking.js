/* The public booking page: service → day → slot (with places left) → ID number → code. */
"use strict";
(function () {
  const { t, el, setText, api } = MotCua;
  const $ = (id) => document.getElementById(id);
  const cfg = JSON.parse($("booking-config").textContent);
  const centre = encodeURIComponent(cfg.centre);
  const pick = { service: null, day: null, slot: null };

  function choices(container, items, key, onPick) {
    container.replaceChildren(...items.map((item) => el("button", { type: "button", text: item.label,
      "aria-pressed": String(pick[key] === item.value), disabled: item.disabled || null,
      dataset: { value: item.value }, onclick: () => { pick[key] = item.value; onPick(); } })));
  }

  function drawServices() {
    choices($("b-services"), cfg.services.map((s) => ({ value: s.code, label: s.name })), "service",
      () => { pick.slot = null; drawServices(); loadSlots(); });
  }

  function drawDays() {
    // the centre's own calendar day (from the server), not the phone's
    const [y, m, d0] = cfg.today.split("-").map(Number);
    const days = [];
    for (let i = 0; i <= Math.min(cfg.days_ahead, 30); i++) {
      const d = new Date(Date.UTC(y, m - 1, d0 + i));
      const dd = String(d.getUTCDate()).padStart(2, "0"), mm = String(d.getUTCMonth() + 1).padStart(2, "0");
      days.push({ value: `${d.getUTCFullYear()}-${mm}-${dd}`, label: `${dd}/${mm}` });
    }
    choices($("b-days"), days, "day", () => { pick.slot = null; drawDays(); loadSlots(); });
  }

  async function loadSlots() {
    if (!pick.service || !pick.day) return;
    try {
      const { body } = await api("GET", `/api/v1/bookings/slots?centre=${centre}&service=${encodeURIComponent(pick.service)}&date=${pick.day}`);
      const items = body.slots.map((s) => ({ value: s.start, disabled: !s.available,
        label: `${s.start.slice(11, 16)} (${s.available ? t("left").replace("%s", s.available) : t("full")})` }));
      if (!items.length) { $("b-slots").replaceChildren(el("p", { class: "muted", text: t("no_slots") })); return; }
      choices($("b-slots"), items, "slot", () => loadSlotsDraw(items));
    } catch (e) { setText("b-error", e.message); }
  }
  function loadSlotsDraw(items) { choices($("b-slots"), items, "slot", () => loadSlotsDraw(items)); }

  $("book").addEventListener("submit", async (event) => {
    event.preventDefault();
    setText("b-error", "");
    if (!pick.service || !pick.slot) { setText("b-error", t("pick")); return; }
    try {
      const { body } = await api("POST", `/api/v1/bookings?centre=${centre}`,
        { service: pick.service, slot: pick.slot, id_number: $("b-id").value });
      $("b-id").value = "";
      setText("b-code", body.code);
      setText("b-when", `${t("when")}: ${body.slot_at.slice(11, 16)} ${body.slot_at.slice(8, 10)}/${body.slot_at.slice(5, 7)}/${body.slot_at.slice(0, 4)} — ${body.service_name}`);
      setText("b-window", t("window").replace("%s", body.check_in_from.slice(11, 16)).replace("%s", body.check_in_until.slice(11, 16)));
      $("b-done").hidden = false;
      loadSlots();
    } catch (e) { setText("b-error", e.message); }
  });

  $("cancel").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/api/v1/bookings/${encodeURIComponent($("c-code").value.trim())}/cancel`,
        { id_number: $("c-id").value });
      setText("c-result", t("cancelled"));
      loadSlots();
    } catch (e) { setText("c-result", e.message); }
  });

  drawServices();
  drawDays();
})();
