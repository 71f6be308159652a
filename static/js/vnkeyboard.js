/* On-screen Vietnamese keyboard for the kiosk: Telex typing plus direct diacritic keys.
 *
 * The Telex part is a line-by-line mirror of kiosk/forms/telex.py (same rules, same table of
 * cases in kiosk/forms/data/telex_cases.json, tested in Chromium). `VNKeyboard.attach(box)`
 * draws the keys; taps edit the focused input at its caret (no native keyboard opens because
 * inputs carry inputmode="none"). */
(function () {
  "use strict";

  const TONED = {
    a: "aáàảãạ", "ă": "ăắằẳẵặ", "â": "âấầẩẫậ", e: "eéèẻẽẹ", "ê": "êếềểễệ",
    i: "iíìỉĩị", o: "oóòỏõọ", "ô": "ôốồổỗộ", "ơ": "ơớờởỡợ", u: "uúùủũụ",
    "ư": "ưứừửữự", y: "yýỳỷỹỵ",
  };
  const SPLIT = {};
  for (const base of Object.keys(TONED)) {
    [...TONED[base]].forEach((ch, tone) => { SPLIT[ch] = [base, tone]; });
  }
  const TONE_KEYS = { s: 1, f: 2, r: 3, x: 4, j: 5 };
  const CONSONANTS = new Set("bcdđfghjklmnpqrstvwxz");
  const HAT = { a: ["a", "â"], e: ["e", "ê"], o: ["o", "ô"] };
  const PLAIN_OF = { "â": "a", "ê": "e", "ô": "o", "ă": "a", "ơ": "o", "ư": "u" };
  const MARKED = new Set("ăâêôơư");
  const FINALS = new Set(["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]);

  function isLetter(ch) {
    const low = ch.toLowerCase();
    return low.length === 1 && (low in SPLIT || CONSONANTS.has(low));
  }
  function split(ch) {
    const low = ch.toLowerCase();
    const [base, tone] = SPLIT[low] || [low, 0];
    return [base, tone, ch !== low];
  }
  function join(base, tone, upper) {
    const ch = base in TONED ? TONED[base][tone] : base;
    return upper ? ch.toUpperCase() : ch;
  }
  function isVowel(base) { return base in TONED; }

  function parse(word) {
    const chars = [...word];
    const low = chars.map((c) => split(c)[0]);
    let i = 0;
    while (i < low.length && !isVowel(low[i])) {
      if (!CONSONANTS.has(low[i])) return null;
      i += 1;
    }
    if (i < low.length && i > 0) {
      const initial = low.slice(0, i).join("");
      const next = i + 1 < low.length ? low[i + 1] : "";
      if ((initial === "q" && low[i] === "u") || (initial === "g" && low[i] === "i" && isVowel(next))) i += 1;
    }
    const start = i;
    while (i < low.length && isVowel(low[i])) i += 1;
    const end = i;
    if (!FINALS.has(low.slice(end).join(""))) return null;
    if (end - start > 3) return null;
    return [start, end];
  }

  function tonePosition(chars, start, end) {
    const bases = chars.slice(start, end).map((c) => split(c)[0]);
    for (let k = 0; k < bases.length; k++) {
      if (MARKED.has(bases[k]) && !(bases[k] === "ư" && k + 1 < bases.length && bases[k + 1] === "ơ")) return start + k;
    }
    const n = bases.length;
    if (n === 1) return start;
    if (n === 3) return start + 1;
    return start + (end < chars.length ? 1 : 0);
  }

  function withTone(word, tone) {
    const parsed = parse(word);
    if (!parsed) return word;
    const [start, end] = parsed;
    const chars = [...word];
    for (let k = start; k < end; k++) {
      const [base, , upper] = split(chars[k]);
      chars[k] = join(base, 0, upper);
    }
    if (tone) {
      const pos = tonePosition(chars, start, end);
      const [base, , upper] = split(chars[pos]);
      chars[pos] = join(base, tone, upper);
    }
    return chars.join("");
  }

  function wordTone(chars, start, end) {
    for (let k = start; k < end; k++) {
      const tone = split(chars[k])[1];
      if (tone) return tone;
    }
    return 0;
  }

  function replaceAt(word, pos, base) {
    const chars = [...word];
    const [, tone, upper] = split(chars[pos]);
    chars[pos] = join(base, tone, upper);
    return chars.join("");
  }
  function retone(word, tone) { return parse(word) ? withTone(word, tone) : word; }

  function hook(word, start, end, bases, tone, key) {
    const text = bases.join("");
    if (text === "ư" && end === [...word].length) {
      return [...word].slice(0, start).join("") + (split([...word][start])[2] ? "W" : "w");
    }
    if (bases.some((b) => b === "ă" || b === "ơ" || b === "ư")) {
      let out = word;
      bases.forEach((b, k) => { if (b === "ă" || b === "ơ" || b === "ư") out = replaceAt(out, start + k, PLAIN_OF[b]); });
      return retone(out, tone) + key;
    }
    for (const pair of ["uo", "uô"]) {
      const at = text.indexOf(pair);
      if (at >= 0) return retone(replaceAt(replaceAt(word, start + at, "ư"), start + at + 1, "ơ"), tone);
    }
    if (text.startsWith("ua") && text.length === 2 && end === [...word].length) {
      return retone(replaceAt(word, start, "ư"), tone);
    }
    for (const [target, hooked] of [["a", "ă"], ["o", "ơ"], ["u", "ư"]]) {
      const at = text.lastIndexOf(target);
      if (at >= 0) return retone(replaceAt(word, start + at, hooked), tone);
    }
    return word + key;
  }

  /** The current word after typing `key` (one character) at its end. */
  function applyKey(word, key) {
    const low = key.toLowerCase();
    const upper = key !== low;
    const parsed = word ? parse(word) : null;
    const chars = [...word];
    if (low === "d" && parsed && word) {
      const first = chars[0].toLowerCase();
      if (first === "d") return join("đ", 0, chars[0] !== "d") + chars.slice(1).join("");
      if (first === "đ") return (chars[0] !== "đ" ? "D" : "d") + chars.slice(1).join("") + key;
    }
    if (!parsed || parsed[0] === parsed[1]) {
      if (low === "w" && (parsed || !word)) return word + join("ư", 0, upper);
      return word + key;
    }
    const [start, end] = parsed;
    const tone = wordTone(chars, start, end);
    if (low in TONE_KEYS) {
      if (tone === TONE_KEYS[low]) return withTone(word, 0) + key;
      return withTone(word, TONE_KEYS[low]);
    }
    if (low === "z") return tone ? withTone(word, 0) : word + key;
    const bases = chars.slice(start, end).map((c) => split(c)[0]);
    if (low in HAT) {
      const [plain, hat] = HAT[low];
      for (let k = bases.length - 1; k >= 0; k--) {
        if (bases[k] === hat) return retone(replaceAt(word, start + k, plain), tone) + key;
        if ((PLAIN_OF[bases[k]] || bases[k]) === plain) return retone(replaceAt(word, start + k, hat), tone);
      }
      return word + key;
    }
    if (low === "w") return hook(word, start, end, bases, tone, key);
    return tone ? retone(word + key, tone) : word + key;
  }

  /** Convert a whole typed string, as if each character were tapped in turn. */
  function telex(typed) {
    let out = [];
    for (const key of typed) {
      if (!isLetter(key)) { out.push(key); continue; }
      let i = out.length;
      while (i > 0 && isLetter(out[i - 1])) i -= 1;
      const word = out.slice(i).join("");
      out = out.slice(0, i).concat([...applyKey(word, key)]);
    }
    return out.join("").normalize("NFC");
  }

  /** Split text into (everything before the last word, the last word). */
  function lastWord(text) {
    const chars = [...text];
    let i = chars.length;
    while (i > 0 && isLetter(chars[i - 1])) i -= 1;
    return [chars.slice(0, i).join(""), chars.slice(i).join("")];
  }

  // --- editing an input at its caret ------------------------------------------------------------
  function edit(input, change) {
    const value = input.value;
    const startPos = input.selectionStart ?? value.length;
    const endPos = input.selectionEnd ?? value.length;
    const before = value.slice(0, startPos);
    const after = value.slice(endPos);
    const newBefore = change(before);
    input.value = newBefore + after;
    try { input.setSelectionRange(newBefore.length, newBefore.length); } catch (e) { /* not a text input */ }
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }

  /** Type `key` into `input`: Telex-converted when `telexOn` and the key is a letter. */
  function typeKey(input, key, telexOn) {
    edit(input, (before) => {
      if (!telexOn || !isLetter(key)) return before + key;
      const [head, word] = lastWord(before);
      return head + applyKey(word, key);
    });
  }
  function toneKey(input, tone) {
    edit(input, (before) => {
      const [head, word] = lastWord(before);
      return head + withTone(word, tone);
    });
  }
  function backspace(input) {
    edit(input, (before) => [...before].slice(0, -1).join(""));
  }

  // --- drawing the keys ---------------------------------------------------------------------
  const LETTER_ROWS = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
  const DIRECT = ["ă", "â", "đ", "ê", "ô", "ơ", "ư"];
  const TONES = [["sắc", 1, "á"], ["huyền", 2, "à"], ["hỏi", 3, "ả"], ["ngã", 4, "ã"], ["nặng", 5, "ạ"]];
  const DIGIT_ROWS = ["123", "456", "789"];

  function button(text, cls, data, label) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "k-key vk-key " + (cls || "");
    b.textContent = text;
    for (const [k, v] of Object.entries(data || {})) b.dataset[k] = v;
    if (label) b.setAttribute("aria-label", label);
    return b;
  }
  function row(keys) {
    const r = document.createElement("div");
    r.className = "k-keyrow vk-row";
    r.append(...keys);
    return r;
  }

  /**
   * Draw a keyboard in `box` that types into whatever `target()` returns.
   * opts: { mode: "text" | "digits", onEnter(), words: {space, backspace, shift, telex, next} }.
   */
  function attach(box, target, opts) {
    const words = Object.assign({ space: "Dấu cách", backspace: "Xóa", shift: "Chữ hoa",
      telex: "Telex", next: "Tiếp", tones: "Dấu thanh" }, opts.words || {});
    const state = { shift: false, telex: true, mode: "text" };
    box.classList.add("k-keyboard", "vk");

    function draw() {
      box.replaceChildren();
      box.dataset.mode = state.mode;
      if (state.mode === "digits") {
        for (const r of DIGIT_ROWS) box.append(row([...r].map((d) => button(d, "vk-digit", { key: d }))));
        box.append(row([button("/", "vk-digit", { key: "/" }), button("0", "vk-digit", { key: "0" }),
          button("⌫", "vk-digit vk-back", { action: "backspace" }, words.backspace)]));
        box.append(row([button(words.next + " ▸", "k-key-wide vk-enter", { action: "enter" })]));
        return;
      }
      box.append(row(DIRECT.map((ch) => button(state.shift ? ch.toUpperCase() : ch, "vk-direct", { key: ch }))));
      box.append(row(TONES.map(([name, tone, mark]) => {
        const key = button(mark, "vk-tone", { tone: String(tone) }, "Dấu " + name);
        const caption = document.createElement("span");
        caption.className = "vk-cap";
        caption.textContent = name;  // "ngã" under "ã": the tone's name, as taught at school
        key.append(caption);
        return key;
      })));
      LETTER_ROWS.forEach((letters, index) => {
        const keys = [...letters].map((ch) => button(state.shift ? ch.toUpperCase() : ch, "", { key: ch }));
        if (index === 2) {
          keys.unshift(button("⇧", "k-key-wide vk-shift", { action: "shift" }, words.shift));
          keys.push(button("⌫", "k-key-wide vk-back", { action: "backspace" }, words.backspace));
        }
        box.append(row(keys));
      });
      const telexKey = button(words.telex + (state.telex ? " ✓" : ""), "k-key-wide vk-telex", { action: "telex" });
      telexKey.setAttribute("aria-pressed", String(state.telex));
      box.append(row([telexKey, button(",", "", { key: "," }), button(words.space, "k-key-space", { key: " " }),
        button(".", "", { key: "." }), button(words.next + " ▸", "k-key-wide vk-enter", { action: "enter" })]));
      const shiftKey = box.querySelector(".vk-shift");
      if (shiftKey) shiftKey.setAttribute("aria-pressed", String(state.shift));
    }

    // pointerdown (not click) keeps the focus in the input and answers at once
    box.addEventListener("pointerdown", (event) => event.preventDefault());
    box.addEventListener("click", (event) => {
      const key = event.target.closest(".vk-key");
      const input = target();
      if (!key) return;
      const action = key.dataset.action;
      if (action === "shift") { state.shift = !state.shift; draw(); return; }
      if (action === "telex") { state.telex = !state.telex; draw(); return; }
      if (action === "enter") { if (opts.onEnter) opts.onEnter(); return; }
      if (!input) return;
      if (action === "backspace") backspace(input);
      else if (key.dataset.tone) toneKey(input, Number(key.dataset.tone));
      else if (key.dataset.key) {
        const ch = state.shift ? key.dataset.key.toUpperCase() : key.dataset.key;
        typeKey(input, ch, state.telex && state.mode === "text");
        if (state.shift) { state.shift = false; draw(); }
      }
      if (opts.afterKey) opts.afterKey(input, state);
    });

    draw();
    return {
      setMode(mode) { if (state.mode !== mode) { state.mode = mode; state.shift = false; draw(); } },
      setShift(on) { if (state.shift !== on) { state.shift = on; draw(); } },
      setTelex(on) { if (state.telex !== on) { state.telex = on; draw(); } },
      state,
    };
  }

  window.VNKeyboard = { telex, applyKey, withTone, lastWord, typeKey, toneKey, backspace, attach, isLetter };
})();
