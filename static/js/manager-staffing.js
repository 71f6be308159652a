/* The dashboard's "Gợi ý bố trí quầy" panel: GET /api/v1/reports/staffing (the 4 weeks ending
   yesterday) once on load and every 10 minutes; each advice line as the API words it. */
"use strict";
(function () {
  const { el, api } = MotCua;
  const list = document.getElementById("staffing");
  const note = document.getElementById("staffing-note");
  if (!list) return;
  const dmy = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

  async function load() {
    try {
      const { body } = await api("GET", "/api/v1/reports/staffing");
      const values = { days: body.days, from: dmy(body.period.from), to: dmy(body.period.to),
                       target: body.target_wait_minutes };
      note.textContent = note.dataset.note.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
      list.textContent = "";
      if (!body.advice.length) {
        list.append(el("li", { class: "alert-ok" }, list.dataset.none));
        return;
      }
      for (const a of body.advice)
        list.append(el("li", { class: "alert alert-amber", dataset: { service: a.service } },
          el("div", { class: "alert-msg" }, a.message)));
    } catch (e) {
      note.textContent = e.message || "";
    }
  }

  load();
  setInterval(load, 600000);
})();
