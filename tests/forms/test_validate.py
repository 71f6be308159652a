"""Field and cross-field validation per form, from the table the browser is tested against too."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.forms import FORMS, Field, FormInvalid, check_field, clean
from kiosk.forms.validate import parse_date

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/validation_cases.json")
                  .read_text())
TODAY = parse_date(DATA["today"])


def _field(spec: dict) -> Field:
    return Field(**{**spec, "options": tuple(spec.get("options", ()))})


@pytest.mark.parametrize("case", DATA["fields"],
                         ids=[f"{c['field']['kind']}:{c['value']!r}" for c in DATA["fields"]])
def test_field_table(case):
    value, error = check_field(_field(case["field"]), case["value"])
    if case.get("error"):
        assert error and case["field"]["label"].split(",")[0].lower() in error.lower() or "Vui lòng" in error
    else:
        assert error is None
        assert value == case["want"]


@pytest.mark.parametrize("case", DATA["forms"],
                         ids=[f"{c['form']}:{','.join(c['change']) or 'valid'}" for c in DATA["forms"]])
def test_form_table(case):
    data = {**DATA["valid"][case["form"]], **case["change"]}
    if not case["errors"]:
        clean(FORMS[case["form"]], data, TODAY)
        return
    with pytest.raises(FormInvalid) as caught:
        clean(FORMS[case["form"]], data, TODAY)
    assert sorted(caught.value.errors) == sorted(case["errors"])
    assert all(message and message[0].isupper() for message in caught.value.errors.values())


def test_every_form_has_a_valid_example_and_rejects_an_empty_submission():
    for code, form in FORMS.items():
        assert code in DATA["valid"]
        with pytest.raises(FormInvalid) as caught:
            clean(form, {}, TODAY)
        required = {f.name for f in form.fields() if f.required}
        assert required <= set(caught.value.errors)


def test_clean_keeps_only_the_forms_fields_and_normalises():
    data = {**DATA["valid"]["khai-sinh"], "cccd_raw": "001|x", "note": "nope",
            "requester_id": "001 190 012 345"}
    values = clean(FORMS["khai-sinh"], data, TODAY)
    assert set(values) == {f.name for f in FORMS["khai-sinh"].fields()}
    assert values["requester_id"] == "001190012345"
    assert values["child_name"] == "TRẦN MINH KHÔI"


@pytest.mark.parametrize("junk", [None, [], "x", 5, {"child_name": ["a"]}, {"child_name": True},
                                  {"child_name": {"a": 1}}, {"child_name": "A" * 5000}])
def test_junk_is_an_error_not_a_crash(junk):
    with pytest.raises(FormInvalid):
        clean(FORMS["khai-sinh"], junk, TODAY)


def test_age_rules_count_birthdays_exactly():
    form = FORMS["ket-hon"]
    base = DATA["valid"]["ket-hon"]
    today = dt.date(2026, 11, 21)
    clean(form, {**base, "bride_birth_date": "21/11/2008"}, today)  # 18 today
    with pytest.raises(FormInvalid):
        clean(form, {**base, "bride_birth_date": "22/11/2008"}, today)
