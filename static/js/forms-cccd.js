/* The CCCD QR parser in the browser: a mirror of kiosk/forms/cccd.py (same cases, tested in
 * Chromium), so the scanned string is read on the kiosk page and never sent or stored.
 * FormsCccd.parse(raw) → {id_number, old_id, full_name, birth_date, gender, address, issue_date}
 * or throws an Error whose message (Vietnamese) never quotes the scan. */
(function () {
  "use strict";

  function fail(message) { const e = new Error(message); e.name = "CccdError"; throw e; }

  function date(value, what, required) {
    value = value.trim();
    if (!value && !required) return "";
    if (!/^\d{8}$/.test(value)) fail(`Mã QR có ${what} không đúng dạng ngàythángnăm (8 chữ số). Hãy quét lại hoặc nhập tay.`);
    const day = Number(value.slice(0, 2)), month = Number(value.slice(2, 4)), year = Number(value.slice(4));
    const d = new Date(Date.UTC(year, month - 1, day));
    if (month < 1 || month > 12 || d.getUTCDate() !== day || d.getUTCMonth() !== month - 1) {
      fail(`Mã QR có ${what} không phải ngày có thật. Hãy quét lại hoặc nhập tay.`);
    }
    if (year < 1900 || year > 2100) fail(`Mã QR có ${what} ngoài khoảng hợp lệ. Hãy quét lại hoặc nhập tay.`);
    return `${value.slice(0, 2)}/${value.slice(2, 4)}/${value.slice(4)}`;
  }

  function gender(value) {
    const key = value.trim().normalize("NFC").toLowerCase();
    if (["nam", "male", "m"].includes(key)) return "Nam";
    if (["nữ", "nu", "nư", "female", "f"].includes(key)) return "Nữ";
    return "";
  }

  function text(value) { return value.normalize("NFC").split(/\s+/).filter(Boolean).join(" "); }

  function parse(raw) {
    if (typeof raw !== "string") fail("Không đọc được mã QR. Hãy quét lại mặt trước thẻ căn cước.");
    const fields = raw.trim().split("|").map((f) => f.trim());
    if (fields.length < 6) {
      fail("Đây không phải mã QR trên thẻ căn cước công dân (cần ít nhất 6 phần ngăn cách bởi dấu |). Hãy quét mã QR ở mặt thẻ có ảnh.");
    }
    if (!/^\d{12}$/.test(fields[0])) fail("Số căn cước trong mã QR phải gồm đúng 12 chữ số. Hãy quét lại.");
    let oldId, rest;
    if (/^(\d{9}|\d{12})?$/.test(fields[1])) { oldId = fields[1]; rest = fields.slice(2); }
    else { oldId = ""; rest = fields.slice(1); }
    if (rest.length < 4) fail("Mã QR thiếu thông tin (họ tên, ngày sinh, giới tính, nơi thường trú). Hãy quét lại.");
    const name = text(rest[0]);
    if (!name || /\d/.test(name)) fail("Mã QR không có họ tên hợp lệ. Hãy quét lại hoặc nhập tay.");
    return {
      id_number: fields[0],
      old_id: oldId,
      full_name: name,
      birth_date: date(rest[1], "ngày sinh", true),
      gender: gender(rest[2]),
      address: text(rest[3]),
      issue_date: rest.length > 4 ? date(rest[4], "ngày cấp", false) : "",
    };
  }

  /** Does typed text look like a scanned CCCD string? (12 digits then at least five "|") */
  function looksLikeScan(value) {
    const at = value.search(/\d{12}\|/);
    return at >= 0 && (value.slice(at).match(/\|/g) || []).length >= 5 ? at : -1;
  }

  window.FormsCccd = { parse, looksLikeScan };
})();
