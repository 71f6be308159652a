"""The browser halves of the shared rules, run in real Chromium against the same tables as the
Python tests: Telex (static/js/vnkeyboard.js), the CCCD parser (forms-cccd.js) and validation
(forms-validate.js). No server: the scripts are loaded into a blank page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.forms import FORMS

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "kiosk/forms/data"


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><meta charset='utf-8'><title>t</title><body></body>")
    for name in ("vnkeyboard.js", "forms-cccd.js", "forms-validate.js"):
        page.add_script_tag(path=str(ROOT / "static/js" / name))
    yield page
    context.close()


def test_telex_table_in_chromium(page):
    cases = json.loads((DATA / "telex_cases.json").read_text())["cases"]
    got = page.evaluate("cases => cases.map(([typed]) => VNKeyboard.telex(typed))", cases)
    wrong = [(typed, want, out) for (typed, want), out in zip(cases, got, strict=True) if out != want]
    assert not wrong


def test_cccd_table_in_chromium(page):
    data = json.loads((DATA / "cccd_cases.json").read_text())
    got = page.evaluate("""cases => cases.map(c => FormsCccd.parse(c.raw))""", data["good"])
    assert got == [c["want"] for c in data["good"]]
    errors = page.evaluate("""cases => cases.map(c => {
        try { FormsCccd.parse(c.raw); return null; } catch (e) { return e.message; } })""", data["bad"])
    assert all(errors), [c["name"] for c, e in zip(data["bad"], errors, strict=True) if not e]
    assert all("Hãy" in e for e in errors)
    assert page.evaluate("FormsCccd.looksLikeScan('Nguyễn 001090123456||A|01011990|Nam|HN|01012021')") == 7
    assert page.evaluate("FormsCccd.looksLikeScan('0912345678')") == -1


def test_validation_table_in_chromium(page):
    data = json.loads((DATA / "validation_cases.json").read_text())
    results = page.evaluate("cases => cases.map(c => FormsValidate.checkField(c.field, c.value))", data["fields"])
    for case, (value, error) in zip(data["fields"], results, strict=True):
        if case.get("error"):
            assert error, case
        else:
            assert error is None and value == case["want"], (case, value, error)
    day, month, year = (int(x) for x in data["today"].split("/"))
    forms = {code: form.to_dict() for code, form in FORMS.items()}
    for case in data["forms"]:
        errors = page.evaluate("""([form, values, today]) => FormsValidate.clean(form, values, today).errors""",
                               [forms[case["form"]], {**data["valid"][case["form"]], **case["change"]},
                                {"year": year, "month": month, "day": day}])
        assert sorted(errors) == sorted(case["errors"]), case


def test_python_and_js_messages_are_identical(page):
    """Not only the verdicts: the citizen reads the same words inline and from the server."""
    from kiosk.forms import check_field
    from kiosk.forms.model import Field

    data = json.loads((DATA / "validation_cases.json").read_text())
    bad = [c for c in data["fields"] if c.get("error")]
    js = page.evaluate("cases => cases.map(c => FormsValidate.checkField(c.field, c.value)[1])", bad)
    py = [check_field(Field(**{**c["field"], "options": tuple(c["field"].get("options", ()))}), c["value"])[1]
          for c in bad]
    assert js == py
