/* The kiosk form wizard: one question group per screen, inline validation (FormsValidate, the
 * mirror of the server's rules), the on-screen Vietnamese keyboard (VNKeyboard), prefill from a
 * CCCD QR typed by a keyboard-wedge scanner (FormsCccd; the scanned string is parsed here, shown
 * to the citizen, and dropped: it is never sent, stored or logged), then the draft is saved
 * through /api/v1/drafts and its reference code shown. Idle → everything is wiped. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const config = JSON.parse($("forms-config").textContent);
  const form = config.form;
  const steps = form.steps;
  const DIGIT_KINDS = new Set(["date", "year", "id12", "phone", "number", "money"]);
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function fieldDefaults() {
    const values = {};
    for (const field of FormsValidate.fields(form)) values[field.name] = field.default || "";
    if ("authority" in values && !values.authority) values.authority = config.authority || "";
    return values;
  }
  function fresh() {
    return { screen: "intro", step: 0, values: fieldDefaults(), errors: {}, touched: {}, draft: null,
      pending: null, printUrl: null };
  }
  let S = fresh();

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") node.textContent = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (v !== false && v !== null && v !== undefined) node.setAttribute(k, v === true ? "" : v);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }
  const setText = (id, text) => { $(id).textContent = text || ""; };

  // --- screens ----------------------------------------------------------------------------------
  function show(screen) {
    S.screen = screen;
    for (const section of document.querySelectorAll(".f-screen")) section.hidden = section.dataset.screen !== screen;
    $("keyboard").hidden = screen !== "step";
    padForKeyboard();
    drawProgress();
    document.body.dataset.screen = screen;
    if (screen === "intro") $("scan-input").focus();  // the scanner types into the focused field
  }

  // The keyboard is fixed at the bottom: keep the page scrollable above it, never under it.
  function padForKeyboard() {
    const board = $("keyboard");
    $("main").style.paddingBottom = board.hidden ? "" : `${board.offsetHeight + 24}px`;
  }
  if (window.ResizeObserver) new ResizeObserver(padForKeyboard).observe($("keyboard"));

  function drawProgress() {
    const items = steps.map((step, i) => el("li", {
      text: step.title,
      "aria-current": S.screen === "step" && S.step === i ? "step" : null,
      class: (S.screen === "step" && i < S.step) || ["review", "done"].includes(S.screen) ? "is-done" : null,
    }));
    $("progress").replaceChildren(...items);
  }

  function fieldOf(name) { return FormsValidate.fields(form).find((f) => f.name === name); }

  function drawStep() {
    const step = steps[S.step];
    applyCopies();
    setText("step-title", `Bước ${S.step + 1}/${steps.length}: ${step.title}`);
    setText("step-help", step.help);
    setText("step-error", "");
    $("fields").replaceChildren(...step.fields.map(drawField));
    $("prev").textContent = S.step === 0 ? "◂ Về đầu" : "◂ Quay lại";
    $("next").textContent = S.step === steps.length - 1 ? "Xem lại ▸" : "Tiếp ▸";
    show("step");
    const first = $("fields").querySelector("input, textarea");
    if (first) first.focus();
  }

  function drawField(field) {
    const id = "f-" + field.name;
    const label = el("label", { for: id, class: "f-label", id: id + "-label" },
      field.label, field.required === false ? el("span", { class: "f-optional", text: " (không bắt buộc)" }) : null);
    const help = field.help ? el("p", { class: "f-help", id: id + "-help", text: field.help }) : null;
    const error = el("p", { class: "f-error", id: "err-" + field.name, role: "alert", text: S.errors[field.name] || "" });
    let control;
    if (field.kind === "choice") {
      control = el("div", { class: "f-choices", role: "radiogroup", "aria-labelledby": id + "-label", id });
      for (const option of field.options) {
        control.append(el("button", {
          type: "button", class: "f-choice", role: "radio", "aria-checked": String(S.values[field.name] === option),
          dataset: { value: option },
          onclick: () => {
            S.values[field.name] = S.values[field.name] === option && field.required === false ? "" : option;
            for (const b of control.children) b.setAttribute("aria-checked", String(S.values[field.name] === b.dataset.value));
            validateOne(field);
          },
        }, option));
      }
    } else {
      const tag = field.kind === "textarea" ? "textarea" : "input";
      control = el(tag, {
        id, name: field.name, class: "k-input f-input", autocomplete: "off", spellcheck: "false",
        inputmode: "none", "aria-describedby": [help ? id + "-help" : "", "err-" + field.name].join(" ").trim(),
        "aria-invalid": S.errors[field.name] ? "true" : "false",
        dataset: { kind: field.kind },
      });
      control.value = S.values[field.name] || "";
      control.addEventListener("input", () => {
        S.values[field.name] = control.value;
        if (S.touched[field.name] || S.errors[field.name]) validateOne(field, true);
      });
      control.addEventListener("blur", () => { S.touched[field.name] = true; validateOne(field); });
      control.addEventListener("focus", () => onFocus(field, control));
    }
    return el("div", { class: "f-field", dataset: { field: field.name, kind: field.kind } }, label, help, control, error);
  }

  // --- validation --------------------------------------------------------------------------------
  function showError(name, message) {
    if (message) S.errors[name] = message; else delete S.errors[name];
    const node = $("err-" + name);
    if (node) node.textContent = message || "";
    const input = $("f-" + name);
    if (input && input.tagName !== "DIV") input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function validateOne(field, typing) {
    const [value, error] = FormsValidate.checkField(field, S.values[field.name]);
    if (!error && !typing && value !== S.values[field.name] && field.kind !== "choice") {
      S.values[field.name] = value;  // show the normalised form (05/09/2024, 0912345678, …)
      const input = $("f-" + field.name);
      if (input && document.activeElement !== input) input.value = value;
    }
    showError(field.name, error);
    return !error;
  }

  function validateStep(index) {
    const today = FormsValidate.todayLocal();
    const { values, errors } = FormsValidate.clean(form, S.values, today);
    const names = new Set(steps[index].fields.map((f) => f.name));
    let firstBad = null;
    for (const field of steps[index].fields) {
      const message = errors[field.name] || null;
      if (!message && values[field.name] !== S.values[field.name]) {
        S.values[field.name] = values[field.name];
        const input = $("f-" + field.name);
        if (input && input.tagName !== "DIV") input.value = values[field.name];
      }
      showError(field.name, message);
      if (message && !firstBad) firstBad = field.name;
    }
    return { ok: !firstBad, firstBad, names };
  }

  function applyCopies() {
    for (const copy of form.copies || []) {
      if (S.values[copy.when] !== copy.equals) continue;
      for (const [target, source] of copy.targets) {
        if (!S.values[target] && S.values[source]) S.values[target] = S.values[source];
      }
    }
  }

  // --- keyboard ---------------------------------------------------------------------------------
  let activeInput = null;
  const keyboard = VNKeyboard.attach($("keyboard"), () => activeInput, {
    onEnter: () => nextFieldOrStep(),
    afterKey: (input) => autoShift(input),
  });

  function autoShift(input) {
    const field = input && fieldOf(input.name);
    if (!field || field.kind !== "name") return;
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    keyboard.setShift(before === "" || before.endsWith(" "));
  }

  function onFocus(field, input) {
    activeInput = input;
    keyboard.setMode(DIGIT_KINDS.has(field.kind) ? "digits" : "text");
    keyboard.setTelex(field.kind !== "email");
    autoShift(input);
    keepAboveKeyboard(input);
  }

  function keepAboveKeyboard(input) {
    const board = $("keyboard");
    if (board.hidden) return;
    const rect = input.getBoundingClientRect();
    const limit = window.innerHeight - board.offsetHeight - 16;
    if (rect.bottom > limit) window.scrollBy(0, rect.bottom - limit);
    else if (rect.top < 0) window.scrollBy(0, rect.top - 16);
  }

  function nextFieldOrStep() {
    const inputs = [...$("fields").querySelectorAll("input, textarea")];
    const at = inputs.indexOf(activeInput);
    if (at >= 0 && at < inputs.length - 1) inputs[at + 1].focus();
    else goNext();
  }

  // --- navigation -------------------------------------------------------------------------------
  function goNext() {
    const result = validateStep(S.step);
    if (!result.ok) {
      setText("step-error", "Vui lòng sửa các ô được đánh dấu trước khi sang bước tiếp theo.");
      const bad = $("f-" + result.firstBad);
      if (bad) bad.focus();
      return;
    }
    if (S.step < steps.length - 1) { S.step += 1; drawStep(); }
    else drawReview();
  }

  function goPrev() {
    if (S.step === 0) show("intro");
    else { S.step -= 1; drawStep(); }
  }

  function drawReview() {
    const blocks = steps.map((step, index) => el("section", { class: "card f-review" },
      el("div", { class: "f-review-head" }, el("h3", { text: step.title }),
        el("button", { type: "button", class: "k-back", text: "Sửa", onclick: () => { S.step = index; drawStep(); } })),
      el("dl", { class: "f-review-list" }, ...step.fields.filter((f) => S.values[f.name]).map((f) =>
        el("div", {}, el("dt", { text: f.label }), el("dd", { text: S.values[f.name], dataset: { field: f.name } }))))));
    $("review").replaceChildren(...blocks);
    setText("submit-error", "");
    show("review");
  }

  async function submit() {
    const { values, errors } = FormsValidate.clean(form, S.values, FormsValidate.todayLocal());
    if (Object.keys(errors).length) { jumpToErrors(errors); return; }
    const button = $("submit");
    button.disabled = true;
    setText("submit-error", "");
    try {
      const editing = !!S.draft;
      const url = editing ? `/api/v1/drafts/${S.draft.code}` : "/api/v1/drafts";
      const body = editing ? { data: values } : { form: form.code, data: values, ticket_id: config.ticket_id };
      const headers = { "Content-Type": "application/json", "X-CSRFToken": csrf };
      if (editing) headers["X-Draft-Key"] = S.draft.key;
      const response = await fetch(url, { method: editing ? "PUT" : "POST", headers, body: JSON.stringify(body),
        credentials: "same-origin" });
      const reply = await response.json().catch(() => ({}));
      if (response.ok) {
        S.draft = Object.assign({ key: editing ? S.draft.key : reply.key }, reply);
        delete S.draft.data;
        drawDone();
      } else if (reply.error && reply.error.fields) {
        jumpToErrors(reply.error.fields);
      } else {
        setText("submit-error", (reply.error && reply.error.message) || `Lỗi máy chủ (${response.status}). Vui lòng thử lại.`);
      }
    } catch (e) {
      setText("submit-error", "Không kết nối được máy chủ. Vui lòng thử lại hoặc hỏi cán bộ hướng dẫn.");
    } finally {
      button.disabled = false;
    }
  }

  function jumpToErrors(errors) {
    S.errors = Object.assign({}, errors);
    const index = steps.findIndex((step) => step.fields.some((f) => f.name in errors));
    S.step = index >= 0 ? index : 0;
    drawStep();
    setText("step-error", "Vui lòng sửa các ô được đánh dấu.");
  }

  function drawDone() {
    setText("done-code", S.draft.display_code);
    setText("done-ticket", S.draft.ticket_number ? `Tờ khai đã gắn với số thứ tự ${S.draft.ticket_number}.` :
      "Nếu chưa có số thứ tự, hãy về trang chủ và chạm “Lấy số thứ tự”.");
    setText("done-expires", keptUntil(S.draft.expires_at || ""));
    setText("print-status", "");
    show("done");
  }

  /** "Tờ khai được giữ đến hết ngày 22/11." for a midnight expiry, else the time and day. */
  function keptUntil(exp) {
    if (!exp) return "";
    if (exp.slice(11, 16) === "00:00") {
      const day = new Date(Date.UTC(Number(exp.slice(0, 4)), Number(exp.slice(5, 7)) - 1, Number(exp.slice(8, 10)) - 1));
      return `Tờ khai được giữ đến hết ngày ${String(day.getUTCDate()).padStart(2, "0")}/${String(day.getUTCMonth() + 1).padStart(2, "0")}.`;
    }
    return `Tờ khai được giữ đến ${exp.slice(11, 16)} ngày ${exp.slice(8, 10)}/${exp.slice(5, 7)}.`;
  }

  async function printDraft() {
    setText("print-status", "Đang chuẩn bị bản in…");
    try {
      const response = await fetch(S.draft.pdf_url, { headers: { "X-Draft-Key": S.draft.key }, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      if (S.printUrl) URL.revokeObjectURL(S.printUrl);
      S.printUrl = URL.createObjectURL(await response.blob());
      const frame = $("print-frame");
      frame.onload = () => {
        try { frame.contentWindow.focus(); frame.contentWindow.print(); setText("print-status", "Đã gửi lệnh in. Mời bạn nhận tờ khai ở máy in."); }
        catch (e) { setText("print-status", "Không in được tại kiosk; cán bộ sẽ in giúp bạn tại quầy."); }
      };
      frame.src = S.printUrl;
    } catch (e) {
      setText("print-status", "Không in được tại kiosk; cán bộ sẽ in giúp bạn tại quầy.");
    }
  }

  // --- CCCD scan (keyboard wedge) ---------------------------------------------------------------
  let scanBuffer = "";
  function prefillStep() {
    const has = (i) => steps[i].fields.some((f) => f.prefill);
    if (S.screen === "step" && has(S.step)) return S.step;
    return steps.findIndex((_, i) => has(i));
  }

  function handleScan(raw) {
    let data;
    try {
      data = FormsCccd.parse(raw);
    } catch (e) {
      setText(S.screen === "step" ? "step-error" : "scan-error", e.message);
      return;
    } finally {
      raw = null;  // the scanned string is dropped here
    }
    const index = prefillStep();
    if (index < 0) return;
    const pairs = steps[index].fields.filter((f) => f.prefill && data[f.prefill])
      .map((f) => [f.name, f.label, data[f.prefill]]);
    data = null;
    S.pending = { index, pairs };
    setText("cccd-step", steps[index].title);
    $("cccd-list").replaceChildren(...pairs.map(([, label, value]) =>
      el("div", {}, el("dt", { text: label }), el("dd", { text: value }))));
    setText("scan-error", "");
    $("cccd-dialog").hidden = false;
    $("cccd-yes").focus();
  }

  function acceptScan(yes) {
    const pending = S.pending;
    S.pending = null;
    $("cccd-list").replaceChildren();
    $("cccd-dialog").hidden = true;
    if (!yes || !pending) { if (S.screen === "intro") $("scan-input").focus(); return; }
    for (const [name, , value] of pending.pairs) { S.values[name] = value; delete S.errors[name]; }
    S.step = pending.index;
    drawStep();
  }

  function onKeydown(event) {
    const target = event.target;
    const isField = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA");
    if (event.key === "Enter") {
      const text = isField ? target.value : scanBuffer;
      const at = FormsCccd.looksLikeScan(text);
      if (at >= 0) {
        event.preventDefault();
        const raw = text.slice(at);
        if (isField) {
          target.value = text.slice(0, at);  // the field keeps only what the citizen typed
          if (target.name && target.name in S.values) S.values[target.name] = target.value;
        }
        scanBuffer = "";
        handleScan(raw);
        return;
      }
      scanBuffer = "";
      if (isField && target.id === "scan-input") { event.preventDefault(); target.value = ""; return; }
      if (isField && S.screen === "step") { event.preventDefault(); nextFieldOrStep(); }
      return;
    }
    if (!isField && event.key.length === 1) scanBuffer = (scanBuffer + event.key).slice(-1000);
  }

  // --- wipe and idle ----------------------------------------------------------------------------
  function wipe() {
    S = fresh();
    scanBuffer = "";
    activeInput = null;
    for (const id of ["fields", "review", "cccd-list"]) $(id).replaceChildren();
    for (const id of ["done-code", "done-ticket", "done-expires", "print-status", "scan-error", "submit-error", "step-error"]) setText(id, "");
    $("scan-input").value = "";
    const frame = $("print-frame");
    frame.removeAttribute("src");
    $("cccd-dialog").hidden = true;
    $("idle").hidden = true;
  }

  function leave() {
    if (S.printUrl) URL.revokeObjectURL(S.printUrl);
    wipe();
    location.replace(config.home_url);
  }

  let lastActivity = Date.now();
  function touched() { lastActivity = Date.now(); if (!$("idle").hidden) $("idle").hidden = true; }
  function pristine() {
    const defaults = fieldDefaults();
    return S.screen === "intro" && !S.draft && !$("scan-input").value
      && Object.keys(defaults).every((k) => (S.values[k] || "") === defaults[k]);
  }
  function idleTick() {
    const quiet = (Date.now() - lastActivity) / 1000;
    const left = Math.ceil(config.idle_seconds - quiet);
    if (left <= 0) { leave(); return; }
    if (!pristine() && left <= config.idle_warning_seconds) {
      $("idle").hidden = false;
      setText("idle-text", `Màn hình sẽ trở về trang chủ sau ${left} giây.`);
    }
  }

  // --- wiring -------------------------------------------------------------------------------------
  function toggle(button, cls) {
    const on = document.body.classList.toggle(cls);
    button.setAttribute("aria-pressed", String(on));
  }

  $("start").addEventListener("click", () => { S.step = 0; drawStep(); });
  $("next").addEventListener("click", goNext);
  $("prev").addEventListener("click", goPrev);
  $("review-back").addEventListener("click", () => { S.step = steps.length - 1; drawStep(); });
  $("submit").addEventListener("click", submit);
  $("print").addEventListener("click", printDraft);
  $("edit").addEventListener("click", drawReview);
  $("finish").addEventListener("click", leave);
  $("go-home").addEventListener("click", leave);
  $("cccd-yes").addEventListener("click", () => acceptScan(true));
  $("cccd-no").addEventListener("click", () => acceptScan(false));
  $("idle-stay").addEventListener("click", touched);
  $("text-size").addEventListener("click", (e) => toggle(e.currentTarget, "k-large"));
  $("contrast").addEventListener("click", (e) => toggle(e.currentTarget, "k-contrast"));
  document.addEventListener("keydown", onKeydown, true);
  for (const type of ["pointerdown", "keydown", "input"]) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  }
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  window.addEventListener("pageshow", (e) => { if (e.persisted) { wipe(); show("intro"); } });
  setInterval(idleTick, 1000);
  show("intro");
  document.body.dataset.ready = "1";
  window.MotCuaForms = { state: () => S, wipe };
})();
