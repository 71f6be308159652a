/* The reports page: a period form → /api/v1/reports/report, tables, two SVG charts and links
   to the same report as Excel, PDF and CSV (one computation on the server for all of them). */
"use strict";
(function () {
  const { t, fmt, el, setText, api, toast } = MotCua;
  const { num, pct, bars, gauge } = MgrCharts;
  const $ = (id) => document.getElementById(id);
  let report = null, tab = "service";

  function query() {
    const p = new URLSearchParams();
    const kind = $("f-period").value;
    if (kind === "custom") { p.set("from", $("f-from").value); p.set("to", $("f-to").value); }
    else { p.set("period", kind); if ($("f-date").value) p.set("date", $("f-date").value); }
    if ($("f-service").value) p.set("service", $("f-service").value);
    if ($("f-counter").value) p.set("counter", $("f-counter").value);
    return p;
  }

  function syncForm() {
    const custom = $("f-period").value === "custom";
    $("l-date").hidden = custom; $("l-from").hidden = !custom; $("l-to").hidden = !custom;
    for (const f of ["xlsx", "pdf", "csv"]) {
      const p = query(); p.set("format", f);
      $("x-" + f).href = "/api/v1/reports/export?" + p.toString();
    }
  }

  async function load() {
    syncForm();
    try {
      const { body } = await api("GET", "/api/v1/reports/report?" + query().toString());
      report = body; render();
      loadWeekly();
    } catch (e) {
      if (e.status === 401) { location.href = "/login?next=/manager/reports"; return; }
      toast(e.message, "error");
    }
  }

  const COLS = [
    ["col_tickets", (r) => num(r.tickets, 0)], ["col_served", (r) => num(r.served, 0)],
    ["col_no_show", (r) => num(r.no_show, 0)], ["col_wait_mean", (r) => num(r.wait.mean_minutes)],
    ["col_wait_p90", (r) => num(r.wait.p90_minutes)], ["col_wait_share", (r) => pct(r.wait.share_within_target)],
    ["col_service_mean", (r) => num(r.service_time.mean_minutes)],
    ["col_service_share", (r) => pct(r.service_time.share_within_target)],
    ["col_rated", (r) => num(r.satisfaction.rated, 0)], ["col_rate", (r) => pct(r.satisfaction.rate)],
  ];

  function table(node, head, rows) {
    node.textContent = "";
    node.append(el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { class: i ? "num" : "" }, h)))));
    node.append(el("tbody", {}, ...rows.map((r) => el("tr", {}, ...r.map((c, i) => el("td", { class: i ? "num" : "" }, c))))));
  }

  function render() {
    const r = report, s = r.summary;
    setText("period-label", `${r.period.label} · ${r.centre.name}`);
    document.title = `${r.period.label} — MotCua`;
    const svc = $("f-service");
    if (svc.options.length === 1)
      for (const row of r.breakdowns.service) if (row.key) svc.append(el("option", { value: row.key }, row.label));
    const box = $("gauges"); box.textContent = "";
    for (const [key, label, show, max] of [
      ["wait_share", fmt("gauge_wait_share", num(r.targets.wait_minutes, 0)), pct, 1],
      ["service_share", fmt("gauge_service_share", num(r.targets.service_minutes, 0)), pct, 1],
      ["satisfaction", t("gauge_satisfaction"), pct, 1],
      ["dossiers_per_staff_year", t("gauge_dossiers_per_staff_year"), (v) => num(v, 0), null]]) {
      const g = r.gauges[key], art = el("div", { class: "gauge-art" });
      gauge(art, g.value, max || g.green * 1.25, g.state);
      box.append(el("div", { class: `gauge gauge-card-${g.state}` }, el("div", { class: "gauge-label" }, label), art,
        el("div", { class: "gauge-value" }, show(g.value)),
        el("div", { class: "gauge-meta" }, `${t("state_" + g.state)} · ${fmt("target", show(g.green))}`)));
    }
    const sumRows = [[t("col_tickets"), num(s.tickets, 0)], [t("col_served"), num(s.served, 0)],
      [t("col_no_show"), `${num(s.no_show, 0)} (${pct(s.no_show_rate)})`],
      [t("col_wait_mean"), num(s.wait.mean_minutes)], [t("col_wait_p90"), num(s.wait.p90_minutes)],
      [t("col_wait_share"), pct(s.wait.share_within_target)],
      [t("col_service_mean"), num(s.service_time.mean_minutes)],
      [t("col_service_share"), pct(s.service_time.share_within_target)],
      [t("col_rated"), num(s.satisfaction.rated, 0)], [t("col_rate"), pct(s.satisfaction.rate)],
      [t("col_per_day"), num(s.productivity.per_staff_per_day)],
      [t("col_per_year"), num(s.productivity.projected_per_staff_year, 0)]];
    const sum = $("summary"); sum.textContent = "";
    for (const [k, v] of sumRows) sum.append(el("tr", {}, el("td", {}, k), el("td", { class: "num" }, v)));
    bars($("chart-hours"), r.breakdowns.hour.map((h) => ({ label: `${h.key}h`, value: h.wait.mean_minutes })),
      { target: r.targets.wait_minutes, label: t("chart_wait_by_hour") });
    bars($("chart-days"), r.breakdowns.day.map((d) => ({ label: d.label.slice(0, 5), value: d.satisfaction.rate === null ? null : d.satisfaction.rate * 100 })),
      { label: t("chart_satisfaction_trend"), format: (v) => num(v, 0) + "%" });
    drawTabs(); drawBreakdown();
    const sat = r.satisfaction_report, levels = Object.entries(sat.levels);
    table($("satisfaction"), [t("col_unit"), t("col_forms"), ...levels.flatMap(([, l]) => [l, "%"]), t("col_rate")],
      [...sat.units, sat.total].map((u) => [u.name, num(u.forms, 0),
        ...levels.flatMap(([k]) => [num(u.levels[k].count, 0), pct(u.levels[k].share)]), pct(u.rate)]));
    table($("productivity"), [t("col_staff"), t("col_served"), t("col_days"), t("col_per_day"), t("col_per_year")],
      r.productivity.by_staff.map((p) => [p.staff, num(p.served, 0), num(p.days, 0), num(p.per_day), num(p.projected_per_year, 0)]));
    if (!$("f-date").value) { $("f-date").value = r.today; syncForm(); }
    document.body.dataset.loaded = r.period.from + ":" + r.period.to;
  }

  /* The weekly staffing plan of the same period: a row per weekday and service with the
     advised counters per hour; only hours where some plan has counters get a column. */
  async function loadWeekly() {
    const p = query(); p.delete("service"); p.delete("counter");
    const node = $("weekly"), note = $("weekly-note");
    try {
      const { body } = await api("GET", "/api/v1/reports/staffing?" + p.toString());
      const names = Object.fromEntries(body.services.map((s) => [s.code, s.name]));
      const hours = [...new Set(body.weekly.flatMap((d) => Object.values(d.services).flatMap((h) => Object.keys(h))))]
        .map(Number).sort((a, b) => a - b);
      node.textContent = "";
      if (!hours.length) { note.textContent = t("weekly_none"); return; }
      note.textContent = fmt("weekly_note", num(body.target_wait_minutes, 0));
      const cell = (v) => (v ? num(v, 0) : "");
      const rows = [];
      for (const d of body.weekly) {
        const day = t("wd_" + d.weekday) === "wd_" + d.weekday ? d.label : t("wd_" + d.weekday);
        for (const [code, plan] of Object.entries(d.services))
          rows.push({ cls: "", cells: [day, names[code] || code, ...hours.map((h) => cell(plan[h]))] });
        rows.push({ cls: "total", cells: [day, t("weekly_total"), ...hours.map((h) => cell(d.dedicated_total[h]))] });
      }
      node.append(el("thead", {}, el("tr", {}, el("th", {}, t("weekly_weekday")), el("th", {}, t("weekly_service")),
        ...hours.map((h) => el("th", { class: "num" }, `${h}h`)))));
      node.append(el("tbody", {}, ...rows.map((r) => el("tr", { class: r.cls },
        ...r.cells.map((c, i) => el(i > 1 ? "td" : (r.cls && i === 1 ? "th" : "td"), { class: i > 1 ? "num" : "" }, c))))));
      document.body.dataset.weekly = String(body.weekly.length);
    } catch (e) {
      note.textContent = e.message || "";
    }
  }

  function drawTabs() {
    const box = $("tabs"); box.textContent = "";
    for (const by of ["service", "counter", "staff", "hour", "day"])
      box.append(el("button", { type: "button", class: "btn", role: "tab", "aria-selected": by === tab ? "true" : "false",
        onclick: () => { tab = by; drawTabs(); drawBreakdown(); } }, t("by_" + by)));
  }

  function drawBreakdown() {
    table($("breakdown"), [t("by_" + tab), ...COLS.map((c) => t(c[0]))],
      report.breakdowns[tab].map((row) => [row.label, ...COLS.map((c) => c[1](row))]));
  }

  $("report-form").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  $("report-form").addEventListener("change", syncForm);
  load();  // no date: the server answers for the centre's today, whatever the browser's clock
})();
