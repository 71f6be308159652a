/* Counter display (a small screen above one counter): the number being served, "Mời số …"
   while it is called, and the counter's state. Same content as the serial LED boards. */
"use strict";
(function () {
  const { t, setText, connect, syncClock, clockText } = MotCua;
  const $ = (id) => document.getElementById(id);
  const number = parseInt($("cd").dataset.counter, 10);
  let status = "closed", current = null, flashTimer = null;

  function draw(flash) {
    const box = $("cd");
    box.dataset.status = status;
    if (current) {
      setText("cd-number", current.number);
      setText("cd-label", current.status === "called" ? t("invite") : t("serving"));
    } else {
      setText("cd-number", "—");
      setText("cd-label", status === "open" ? t("idle") : "");
    }
    setText("cd-status", status === "paused" ? t("paused") : status === "closed" ? t("closed") : "");
    if (flash) {
      box.classList.remove("flash");
      void box.offsetWidth;
      box.classList.add("flash");
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => box.classList.remove("flash"), 6000);
    }
  }

  function fromState(s) {
    syncClock(s.server_time);
    const c = (s.counters || []).find((x) => x.number === number);
    status = c ? c.status : "closed";
    if (c && c.name) setText("cd-name", c.name);
    current = c && c.current ? c.current : null;
    draw(false);
  }

  const here = (p) => p && p.counter && p.counter.number === number;
  function onTicket(p, flash) {
    if (!here(p) || !p.ticket) return;
    current = p.ticket;
    draw(flash);
  }
  function onGone(p) {
    if (!p || !p.ticket) return;
    if (current && current.id === p.ticket.id && (here(p) || p.ticket.counter !== number)) {
      current = null;
      draw(false);
    }
  }

  connect({
    state: fromState,
    "ticket.called": (p) => onTicket(p, true),
    "ticket.recalled": (p) => onTicket(p, true),
    "ticket.started": (p) => onTicket(p, false),
    "ticket.finished": onGone, "ticket.no_show": onGone, "ticket.cancelled": onGone,
    "ticket.transferred": onGone, "ticket.requeued": onGone,
    "counter.changed": (p) => {
      if (p && p.counter && p.counter.number === number) { status = p.counter.status; draw(false); }
    },
  });
  const tick = () => setText("clock", clockText().slice(0, 5));
  tick();
  setInterval(tick, 1000);
})();
