"""The four declarations: real catalogue procedures, sane fields, JSON for the browser."""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.forms import FORMS, forms_for_procedure, get_form
from kiosk.forms.cccd import CccdData
from kiosk.forms.model import KINDS

CATALOG = json.loads((Path(__file__).resolve().parents[2] / "kiosk/catalog/data/catalog-v1.json").read_text())


def test_the_four_required_declarations_exist():
    titles = {f.title for f in FORMS.values()}
    assert {"Tờ khai đăng ký khai sinh", "Tờ khai đăng ký kết hôn",
            "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)",
            "Giấy đề nghị đăng ký hộ kinh doanh"} <= titles


def test_every_form_names_catalogue_procedures_that_list_it():
    procedures = {p["code"]: p for p in CATALOG["procedures"]}
    for form in FORMS.values():
        assert form.procedures
        for code in form.procedures:
            assert code in procedures, (form.code, code)
            refs = {f["ref"] for f in procedures[code]["forms"]}
            assert form.form_ref in refs, (form.code, code, refs)
    assert forms_for_procedure("1.001193") == [FORMS["khai-sinh"]]
    assert get_form("nope") is None and get_form(None) is None


def test_fields_are_well_formed():
    prefillable = set(CccdData.__dataclass_fields__)
    for form in FORMS.values():
        for field in form.fields():
            assert field.kind in KINDS
            assert field.prefill is None or field.prefill in prefillable
            assert field.label and (not field.help or len(field.help) < 200)
        assert form.field(form.signer) is not None
        for copy in form.copies:
            for target, source in copy.targets:
                assert form.field(target) and form.field(source)


def test_to_dict_is_json_and_complete():
    for form in FORMS.values():
        doc = json.loads(json.dumps(form.to_dict(), ensure_ascii=False))
        assert [f["name"] for s in doc["steps"] for f in s["fields"]] == [f.name for f in form.fields()]
        assert doc["uncertain"]
