/* Small SVG charts and Vietnamese number formats for the manager pages (no chart library:
   bars and a line are all people need here, and nothing is fetched from the internet). */
"use strict";
window.MgrCharts = (function () {
  const NS = "http://www.w3.org/2000/svg";

  // 1234.5 → "1.234,5" whatever the browser's locale data says.
  function num(value, decimals) {
    if (value === null || value === undefined) return "–";
    const d = decimals === undefined ? 1 : decimals;
    const [int, frac] = Math.abs(value).toFixed(d).split(".");
    const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 ? "-" : "") + grouped + (frac ? "," + frac : "");
  }
  const pct = (f, d) => (f === null || f === undefined ? "–" : num(f * 100, d === undefined ? 1 : d) + "%");

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Bars with labels; values above `target` are red, a dashed line marks the target.
  function bars(container, items, opts) {
    const o = Object.assign({ width: 640, height: 200, target: null, format: (v) => num(v, 1) }, opts || {});
    container.textContent = "";
    const root = svg("svg", { viewBox: `0 0 ${o.width} ${o.height}`, role: "img",
      "aria-label": o.label || "", class: "chart-svg" });
    const pad = { l: 8, r: 8, t: 16, b: 22 };
    const h = o.height - pad.t - pad.b, w = o.width - pad.l - pad.r;
    const top = Math.max(1, o.target || 0, ...items.map((i) => i.value || 0)) * 1.15;
    const step = Math.min(64, w / Math.max(1, items.length));  // one bar stays a bar, not a wall
    items.forEach((item, i) => {
      const v = item.value || 0, bh = (v / top) * h, x = pad.l + i * step;
      const bad = o.target !== null && v > o.target;
      root.append(svg("rect", { x: x + step * 0.15, y: pad.t + h - bh, width: step * 0.7, height: bh,
        class: bad ? "bar bar-bad" : "bar" }));
      root.append(svg("text", { x: x + step / 2, y: o.height - 6, class: "axis", "text-anchor": "middle" }, item.label));
      if (item.value !== null && item.value !== undefined)
        root.append(svg("text", { x: x + step / 2, y: pad.t + h - bh - 3, class: "val", "text-anchor": "middle" }, o.format(item.value)));
    });
    if (o.target !== null) {
      const y = pad.t + h - (o.target / top) * h;
      root.append(svg("line", { x1: pad.l, x2: o.width - pad.r, y1: y, y2: y, class: "target" }));
    }
    if (!items.length) root.append(svg("text", { x: o.width / 2, y: o.height / 2, "text-anchor": "middle", class: "axis" }, "–"));
    container.append(root);
  }

  // A half-circle gauge: the arc fills to value/max, coloured by state.
  function gauge(container, value, max, state) {
    container.textContent = "";
    const root = svg("svg", { viewBox: "0 0 120 70", class: "gauge-svg", "aria-hidden": "true" });
    const arc = (f) => {
      const a = Math.PI * (1 - Math.max(0, Math.min(1, f)));
      return `M 10 60 A 50 50 0 0 1 ${60 + 50 * Math.cos(a)} ${60 - 50 * Math.sin(a)}`;
    };
    root.append(svg("path", { d: arc(1), class: "gauge-track" }));
    if (value !== null && value !== undefined && value > 0)
      root.append(svg("path", { d: arc(value / max), class: `gauge-fill gauge-${state}` }));
    container.append(root);
  }

  return { num, pct, bars, gauge };
})();
