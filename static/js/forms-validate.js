/* Field and cross-field validation in the browser: a mirror of kiosk/forms/validate.py, so the
 * wizard says inline exactly what the server would say on submit (same case table, tested in
 * Chromium). Definitions come from FormDef.to_dict(). */
(function () {
  "use strict";

  const DATE = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/;
  const DATE8 = /^(\d{2})(\d{2})(\d{4})$/;
  const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  const NAME_OK = /^\p{L}+(?:[ '\-]\p{L}+)*$/u;
  const MAX_VALUE_LENGTH = 2000;

  function normaliseText(value) {
    // eslint-disable-next-line no-control-regex
    return value.normalize("NFC").replace(/[\x00-\x1f\x7f]/g, " ").split(/\s+/).filter(Boolean).join(" ");
  }

  function parseDate(value) {
    const m = DATE.exec(value) || DATE8.exec(value);
    if (!m) return null;
    const day = Number(m[1]), month = Number(m[2]), year = Number(m[3]);
    const d = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || day < 1 || d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) return null;
    if (year < 1) return null;
    return { year, month, day };
  }
  const pad = (n, w) => String(n).padStart(w, "0");
  function formatDate(d) { return `${pad(d.day, 2)}/${pad(d.month, 2)}/${pad(d.year, 4)}`; }
  function cmp(a, b) { return (a.year - b.year) || (a.month - b.month) || (a.day - b.day); }

  function lowerFirst(label) { return label.charAt(0).toLowerCase() + label.slice(1); }

  /** [normalised value, error message or null]. An empty optional field is ["", null]. */
  function checkField(field, raw) {
    const required = field.required !== false;
    if (raw === null || raw === undefined) raw = "";
    if (typeof raw === "boolean" || (typeof raw !== "string" && typeof raw !== "number")) {
      return ["", `${field.label}: giá trị không hợp lệ.`];
    }
    let value = normaliseText(String(raw));
    if (!value) {
      if (required) return ["", `Vui lòng ${field.kind === "choice" ? "chọn" : "nhập"} ${lowerFirst(field.label)}.`];
      return ["", null];
    }
    const maxLength = field.max_length || 120;
    const limit = field.kind !== "textarea" ? maxLength : Math.max(maxLength, 1000);
    if ([...value].length > Math.min(limit, MAX_VALUE_LENGTH)) return [value, `${field.label}: tối đa ${limit} ký tự.`];
    switch (field.kind) {
      case "name":
        if (!NAME_OK.test(value)) return [value, `${field.label}: chỉ gồm chữ cái và dấu cách, không có chữ số hay ký hiệu.`];
        return [field.upper ? value.toUpperCase() : value, null];
      case "date": {
        const d = parseDate(value);
        if (!d) {
          if (DATE.test(value) || DATE8.test(value)) return [value, `${field.label}: ngày ${value} không có thật.`];
          return [value, `${field.label}: ghi theo dạng ngày/tháng/năm, ví dụ 05/09/2024.`];
        }
        if (d.year < 1900 || d.year > 2100) return [value, `${field.label}: năm phải từ 1900 đến 2100.`];
        return [formatDate(d), null];
      }
      case "year":
        if (!/^\d{4}$/.test(value) || Number(value) < 1900 || Number(value) > 2100) {
          return [value, `${field.label}: ghi năm bằng 4 chữ số, ví dụ 1990.`];
        }
        return [value, null];
      case "id12": {
        const digits = value.replace(/[\s.\-]/g, "");
        if (!/^\d{12}$/.test(digits)) return [value, `${field.label}: phải gồm đúng 12 chữ số (số trên thẻ căn cước).`];
        return [digits, null];
      }
      case "phone": {
        let digits = value.replace(/[\s.\-()]/g, "");
        if (digits.startsWith("+84")) digits = "0" + digits.slice(3);
        else if (digits.startsWith("84") && digits.length === 11) digits = "0" + digits.slice(2);
        if (!(/^0[1-9]\d{8}$/.test(digits) || /^02\d{9}$/.test(digits))) {
          return [value, `${field.label}: gồm 10 chữ số, bắt đầu bằng 0, ví dụ 0912 345 678.`];
        }
        return [digits, null];
      }
      case "email":
        if (!EMAIL.test(value) || value.length > 254) return [value, `${field.label}: địa chỉ thư điện tử chưa đúng, ví dụ ten@gmail.com.`];
        return [value, null];
      case "choice":
        if (!(field.options || []).includes(value)) return [value, `${field.label}: hãy chọn một trong: ${(field.options || []).join(", ")}.`];
        return [value, null];
      case "number":
      case "money": {
        const digits = field.kind === "money" ? value.replace(/[\s.,]/g, "") : value;
        if (!/^\d{1,15}$/.test(digits)) {
          const what = field.kind === "money" ? "số tiền (đồng), chỉ gồm chữ số" : "số nguyên";
          return [value, `${field.label}: ghi ${what}.`];
        }
        const number = Number(digits);
        const min = field.min ?? null, max = field.max ?? null;
        if ((min !== null && number < min) || (max !== null && number > max)) {
          const high = max !== null ? ` đến ${max}` : " trở lên";
          return [value, `${field.label}: phải từ ${min !== null ? min : 0}${high}.`];
        }
        return [String(number), null];
      }
      default:
        return [value, null];
    }
  }

  function age(born, today) {
    return today.year - born.year - ((today.month < born.month || (today.month === born.month && today.day < born.day)) ? 1 : 0);
  }

  /** Cross-field rules over normalised values; {field: message}. `today` is {year, month, day}. */
  function checkRules(form, values, today) {
    const errors = {};
    for (const rule of form.rules || []) {
      const first = rule.fields[0];
      const a = values[first] || "";
      const b = rule.fields.length > 1 ? (values[rule.fields[1]] || "") : "";
      let broken = false;
      if (rule.kind === "not_future") {
        const d = a ? parseDate(a) : null;
        broken = !!d && cmp(d, today) > 0;
      } else if (rule.kind === "min_age") {
        const d = a ? parseDate(a) : null;
        broken = !!d && age(d, today) < Number(rule.value);
      } else if (rule.kind === "differ") {
        broken = !!a && a === b;
      } else if (rule.kind === "year_gap") {
        const d = b ? parseDate(b) : null;
        broken = !!a && /^\d+$/.test(a) && !!d && d.year - Number(a) < Number(rule.value);
      } else if (rule.kind === "required_with") {
        broken = !a && !!b;
      } else if (rule.kind === "required_if") {
        broken = !a && b === rule.value;
      } else if (rule.kind === "not_before") {
        const da = a ? parseDate(a) : null, db = b ? parseDate(b) : null;
        broken = !!da && !!db && cmp(da, db) < 0;
      }
      if (broken && !(first in errors)) errors[first] = rule.message;
    }
    return errors;
  }

  function fields(form) { return form.steps.flatMap((s) => s.fields); }

  /** {values, errors} for the whole form (errors empty when it may be submitted). */
  function clean(form, data, today) {
    const values = {}, errors = {};
    for (const field of fields(form)) {
      const [value, error] = checkField(field, data[field.name]);
      values[field.name] = value;
      if (error) errors[field.name] = error;
    }
    const ruleErrors = checkRules(form, values, today);
    for (const [name, message] of Object.entries(ruleErrors)) if (!(name in errors)) errors[name] = message;
    return { values, errors };
  }

  function todayLocal() { const d = new Date(); return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() }; }

  window.FormsValidate = { checkField, checkRules, clean, parseDate, formatDate, todayLocal, fields };
})();
