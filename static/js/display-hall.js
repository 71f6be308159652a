/* Hall display: newest call big and flashing, the last calls, waiting per service, clock and a
   scrolling notice. Redraws from `state` on every (re)connect; announcements play one after
   another (chime + sentence twice, made on the server), never overlapping. Everything kept in
   memory is bounded: a TV runs this page for weeks. */
"use strict";
(function () {
  const { t, el, setText, connect, syncClock, clockText, dateText } = MotCua;
  const $ = (id) => document.getElementById(id);
  const MAX_RECENT = 8, MAX_AUDIO = 10, FLASH_MS = 6000, MAX_PLAY_MS = 60000;

  let recent = [];          // newest first, at most MAX_RECENT
  let services = [];        // [{code, name}] from state
  let waitingNodes = {};    // code → <strong> count node
  const stats = { calls: 0, announced: 0, played: 0, failed: 0, dropped: 0 };

  // --- drawing -----------------------------------------------------------------------------
  function fromState(s) {
    syncClock(s.server_time);
    setText("centre-name", s.centre && s.centre.name);
    setNotice(s.notice || "");
    services = (s.services || []).map((x) => ({ code: x.code, name: x.name }));
    drawWaitingList();
    updateWaiting(s.waiting || {});
    recent = (s.recent_calls || []).slice(0, MAX_RECENT).map((r) => item(r.ticket, r.counter));
    drawRecent(false);
  }

  function item(ticket, counter) {
    return { id: ticket.id, number: ticket.number, counter: counter ? counter.number : ticket.counter,
      counterName: counter ? counter.name : ticket.counter_name };
  }

  function setNotice(text) {
    const node = $("notice");
    if (node.textContent === text) return;
    node.textContent = text;
    $("notice-bar").hidden = !text;
    // speed: about 120 px per second whatever the length
    const width = node.scrollWidth + window.innerWidth;
    node.parentElement.style.animationDuration = `${Math.max(10, width / 120)}s`;
  }

  function drawWaitingList() {
    waitingNodes = {};
    $("waiting").replaceChildren(...services.map((s) => {
      const count = el("strong", { class: "count", text: "0" });
      waitingNodes[s.code] = count;
      return el("li", { dataset: { service: s.code } }, el("span", { class: "name", text: s.name }), count);
    }));
  }

  function updateWaiting(waiting) {
    let total = 0;
    for (const [code, n] of Object.entries(waiting)) {
      total += n;
      if (waitingNodes[code]) setText(waitingNodes[code], n);
    }
    setText("waiting-total", total);
  }

  let flashTimer = null;
  function drawRecent(flash) {
    const newest = recent[0];
    setText("latest-number", newest ? newest.number : "—");
    setText("latest-counter", newest ? newest.counter : "—");
    setText("latest-counter-name", newest ? newest.counterName : "");
    $("recent").replaceChildren(...recent.map((r, i) => el("li", { class: i === 0 ? "newest" : "" },
      el("span", { class: "num", text: r.number }), el("span", { class: "arrow", text: "→" }),
      el("span", { class: "ctr", text: r.counter }))));
    if (flash) {
      const latest = $("latest");
      latest.classList.remove("flash");
      void latest.offsetWidth;  // restart the animation
      latest.classList.add("flash");
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => latest.classList.remove("flash"), FLASH_MS);
    }
  }

  // --- calls ---------------------------------------------------------------------------------
  function onCall(payload, options) {
    if (!payload || !payload.ticket) return;
    const it = item(payload.ticket, payload.counter);
    recent = [it, ...recent.filter((r) => r.id !== it.id)].slice(0, MAX_RECENT);
    stats.calls += 1;
    drawRecent(true);
    if (!(options && options.silent)) announce(it);
  }

  // --- sound: fetch ahead, play in order, one at a time ---------------------------------
  const player = new Audio();
  const queue = [];
  let playing = false, blocked = false;

  function announce(it) {
    const url = `/display/announcements/${encodeURIComponent(it.number)}/${encodeURIComponent(it.counter)}.wav`;
    stats.announced += 1;
    const blob = fetch(url, { credentials: "same-origin" }).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.blob();
    });
    blob.catch(() => {});  // reported when its turn comes
    queue.push({ blob });
    while (queue.length > MAX_AUDIO) { queue.shift(); stats.dropped += 1; }
    pump();
  }

  async function pump() {
    if (playing || blocked || !queue.length) return;
    playing = true;
    const entry = queue.shift();
    let url = null;
    try {
      const blob = await entry.blob;
      url = URL.createObjectURL(blob);
      player.src = url;
      await player.play();
      await new Promise((resolve) => {
        const done = () => { clearTimeout(guard); player.onended = player.onerror = null; resolve(); };
        const guard = setTimeout(done, MAX_PLAY_MS);
        player.onended = done;
        player.onerror = done;
      });
      stats.played += 1;
    } catch (e) {
      if (e && e.name === "NotAllowedError") {
        blocked = true;
        queue.unshift(entry);
        $("sound").hidden = false;
      } else {
        stats.failed += 1;
      }
    } finally {
      player.removeAttribute("src");
      if (url) URL.revokeObjectURL(url);
      playing = false;
      if (!blocked) pump();
    }
  }

  $("sound").addEventListener("click", () => {
    $("sound").hidden = true;
    blocked = false;
    pump();
  });
  // Browsers without a gesture (and without --autoplay-policy=no-user-gesture-required) refuse
  // to play: find out at once with 0.1 s of silence and offer the button before the first call.
  function silence() {
    const n = 2205, view = new DataView(new ArrayBuffer(44 + n * 2));
    const tag = (at, s) => { for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i)); };
    tag(0, "RIFF"); view.setUint32(4, 36 + n * 2, true); tag(8, "WAVE"); tag(12, "fmt ");
    view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
    view.setUint32(24, 22050, true); view.setUint32(28, 44100, true); view.setUint16(32, 2, true);
    view.setUint16(34, 16, true); tag(36, "data"); view.setUint32(40, n * 2, true);
    return new Blob([view.buffer], { type: "audio/wav" });
  }
  (async function probe() {
    playing = true;
    const url = URL.createObjectURL(silence());
    try {
      player.src = url;
      await player.play();
      player.pause();
    } catch (e) {
      if (e && e.name === "NotAllowedError") { blocked = true; $("sound").hidden = false; }
    } finally {
      player.removeAttribute("src");
      URL.revokeObjectURL(url);
      playing = false;
      pump();
    }
  })();

  // --- wiring ------------------------------------------------------------------------------
  connect({
    state: fromState,
    "ticket.called": (p) => onCall(p),
    "ticket.recalled": (p) => onCall(p),
    "queue.changed": (p) => updateWaiting((p && p.waiting) || {}),
  });
  function tick() { setText("clock", clockText()); setText("date", dateText()); }
  tick();
  setInterval(tick, 1000);

  // For the tests and the benchmark: feed an event as if it came from the server, read counters.
  window.MotCuaDisplay = { handle: onCall, player, stats: () => ({ ...stats, queued: queue.length, recent: recent.length,
    blocked, nodes: document.getElementsByTagName("*").length }) };
})();
