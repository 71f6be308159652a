/* Admin pages: confirmations, drag-and-drop ordering of services and counters (with ↑ ↓ buttons for the
   keyboard), and the live preview of templates. Plain forms work without this script. */
"use strict";
(function () {
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // --- confirm before destructive submits ------------------------------------------------
  document.addEventListener("submit", (e) => {
    const button = e.submitter;
    const message = (button && button.dataset.confirm) || e.target.dataset.confirm;
    if (message && !window.confirm(message)) e.preventDefault();
  });

  // --- service and counter order ---------------------------------------------------------
  document.querySelectorAll("tbody.sortable-rows").forEach((rows) => {
    let dragged = null;
    const save = async () => {
      const ids = [...rows.querySelectorAll("tr.sortable")].map((tr) => Number(tr.dataset.id));
      rows.dataset.saving = "1";
      try {
        const reply = await fetch(rows.dataset.orderUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
          body: JSON.stringify({ ids }),
        });
        rows.dataset.saved = reply.ok ? "1" : "0";
        if (!reply.ok) window.alert("Chưa lưu được thứ tự; hãy tải lại trang.");
      } finally { rows.dataset.saving = "0"; }
    };
    rows.addEventListener("dragstart", (e) => {
      dragged = e.target.closest("tr.sortable");
      if (dragged) { dragged.classList.add("dragging"); e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", dragged.dataset.id); }
    });
    rows.addEventListener("dragover", (e) => {
      const over = e.target.closest("tr.sortable");
      if (!dragged || !over || over === dragged) return;
      e.preventDefault();
      const box = over.getBoundingClientRect();
      over.parentNode.insertBefore(dragged, e.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    rows.addEventListener("drop", (e) => e.preventDefault());
    rows.addEventListener("dragend", () => {
      if (dragged) { dragged.classList.remove("dragging"); dragged = null; save(); }
    });
    rows.addEventListener("click", (e) => {
      const button = e.target.closest(".move-up, .move-down");
      if (!button) return;
      const tr = button.closest("tr");
      if (button.classList.contains("move-up") && tr.previousElementSibling && tr.previousElementSibling.classList.contains("sortable")) {
        tr.parentNode.insertBefore(tr, tr.previousElementSibling);
      } else if (button.classList.contains("move-down") && tr.nextElementSibling && tr.nextElementSibling.classList.contains("sortable")) {
        tr.parentNode.insertBefore(tr.nextElementSibling, tr);
      } else return;
      button.focus();
      save();
    });
  });

  // --- live preview of templates ---------------------------------------------------------
  const form = document.getElementById("templates-form");
  if (form) {
    const text = document.getElementById("preview-text");
    const spoken = document.getElementById("preview-spoken");
    const error = document.getElementById("preview-error");
    const ticket = document.getElementById("preview-ticket");
    let timer = null, lastUrl = null, seq = 0;
    const post = (url) => fetch(url, { method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf }, body: new FormData(form) });
    const refresh = async () => {
      const mine = ++seq;
      try {
        const reply = await post(form.dataset.previewUrl);
        const body = await reply.json();
        if (mine !== seq) return;
        const problems = Object.values(body.errors || {});
        error.hidden = problems.length === 0;
        error.textContent = problems.join(" ");
        text.textContent = body.text || "";
        spoken.textContent = body.spoken || "";
        const png = await post(form.dataset.ticketUrl);
        if (mine !== seq || !png.ok) return;
        const url = URL.createObjectURL(await png.blob());
        ticket.src = url;
        if (lastUrl) URL.revokeObjectURL(lastUrl);
        lastUrl = url;
        form.dataset.previewed = String(mine);
      } catch (e) {
        error.hidden = false; error.textContent = "Không xem trước được (mất kết nối máy chủ).";
      }
    };
    form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    refresh();
  }
})();
