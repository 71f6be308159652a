/* The live manager dashboard: reads /api/v1/reports/dashboard and redraws. Socket.IO events
   (ticket.*, queue.changed, counter.changed) ask for a refetch, throttled to one request a
   second however many events arrive; a timer refreshes the ticking waits every 30 s. */
"use strict";
(function () {
  const { t, fmt, el, setText, api, toast, connect, syncClock } = MotCua;
  const { num, pct, bars, gauge } = MgrCharts;
  const $ = (id) => document.getElementById(id);
  const THROTTLE_MS = 1000;

  let inFlight = false, again = false, lastAt = 0, timer = null, renders = 0;

  async function fetchNow() {
    if (inFlight) { again = true; return; }
    inFlight = true; lastAt = Date.now();
    try {
      const { body } = await api("GET", "/api/v1/reports/dashboard");
      render(body);
    } catch (e) {
      if (e.status === 401) { location.href = "/login?next=/manager"; return; }
      toast(e.message, "error");
    } finally {
      inFlight = false;
      if (again) { again = false; refresh(); }
    }
  }

  function refresh() {  // throttled: at most one request per THROTTLE_MS, never a lost update
    if (timer) return;
    const wait = Math.max(0, THROTTLE_MS - (Date.now() - lastAt));
    timer = setTimeout(() => { timer = null; fetchNow(); }, wait);
  }

  const minutes = (m) => (m === null || m === undefined ? "–" : fmt("minutes", num(m, 1)));

  function render(d) {
    syncClock(d.now);
    setText("centre-name", d.centre.name);
    setText("updated", fmt("updated", d.now.slice(11, 19)));
    drawGauges(d);
    const today = d.today, live = d.live;
    setText("t-waiting", live.waiting_total);
    setText("t-longest", live.longest_wait ? minutes(live.longest_wait.minutes) : "–");
    setText("t-longest-who", live.longest_wait ? `${live.longest_wait.number}` : t("none"));
    setText("t-served", today.served);
    setText("t-wait", minutes(today.wait.mean_minutes));
    setText("t-service", minutes(today.service_time.mean_minutes));
    setText("t-satisfaction", pct(today.satisfaction.rate));
    setText("t-rated", today.satisfaction.rated ? `${today.satisfaction.rated} ${t("col_forms").toLowerCase()}` : "");
    drawAlerts(d.alerts);
    drawServices(live.services);
    drawCounters(live.counters);
    bars($("chart-hours"), d.by_hour.map((h) => ({ label: `${h.hour}h`, value: h.wait_mean_minutes })),
      { target: d.targets.wait_minutes, label: t("chart_wait_by_hour") });
    document.body.dataset.renders = String(++renders);
  }

  function drawGauges(d) {
    const box = $("gauges");
    box.textContent = "";
    const specs = [
      ["wait_share", fmt("gauge_wait_share", num(d.targets.wait_minutes, 0)), pct, 1],
      ["service_share", fmt("gauge_service_share", num(d.targets.service_minutes, 0)), pct, 1],
      ["satisfaction", t("gauge_satisfaction"), pct, 1],
      ["dossiers_per_staff_year", t("gauge_dossiers_per_staff_year"), (v) => num(v, 0), null],
    ];
    for (const [key, label, show, max] of specs) {
      const g = d.gauges[key];
      const art = el("div", { class: "gauge-art" });
      gauge(art, g.value, max || g.green * 1.25, g.state);
      box.append(el("div", { class: `gauge gauge-card-${g.state}`, id: `gauge-${key}`, dataset: { state: g.state } },
        el("div", { class: "gauge-label" }, label), art,
        el("div", { class: "gauge-value" }, show(g.value)),
        el("div", { class: "gauge-meta" }, `${t("state_" + g.state)} · ${fmt("target", show(g.green))}`)));
    }
  }

  function drawAlerts(alerts) {
    const list = $("alerts");
    list.textContent = "";
    if (!alerts.length) { list.append(el("li", { class: "alert-ok" }, t("no_alerts"))); return; }
    for (const a of alerts)
      list.append(el("li", { class: `alert alert-${a.severity}`, dataset: { kind: a.kind } },
        el("div", { class: "alert-msg" }, a.message),
        el("div", { class: "alert-action" }, fmt("suggest", a.action))));
  }

  function drawServices(services) {
    const body = $("services");
    body.textContent = "";
    for (const s of services)
      body.append(el("tr", { dataset: { service: s.code } }, el("td", {}, `${s.code} · ${s.name}`),
        el("td", { class: "num" }, s.waiting), el("td", { class: "num" }, s.open_counters)));
  }

  function drawCounters(counters) {
    const body = $("counters");
    body.textContent = "";
    for (const c of counters) {
      const status = c.status === "open" ? (c.busy ? t("busy") : t("idle")) : t(`counter_${c.status}`);
      body.append(el("tr", { dataset: { counter: c.number } },
        el("td", {}, `${c.number} · ${c.name}`),
        el("td", {}, el("span", { class: `badge badge-${c.status}${c.busy ? " badge-busy" : ""}` }, status)),
        el("td", {}, c.staff || "–"),
        el("td", { class: "num" }, minutes(c.minutes))));
    }
  }

  const live = () => refresh();
  connect({
    connect: live, "queue.changed": live, "counter.changed": live,
    "ticket.issued": live, "ticket.called": live, "ticket.recalled": live, "ticket.started": live,
    "ticket.finished": live, "ticket.no_show": live, "ticket.transferred": live,
    "ticket.cancelled": live, "ticket.requeued": live, "ticket.rated": live,
  });
  setInterval(refresh, 30000);
  fetchNow();
})();
