"""The bundled sample catalogue: valid, big enough, honest about its sources."""

import json

import pytest

from kiosk.catalog.importer import export_text, import_file
from kiosk.catalog.model import Catalog, Procedure
from kiosk.catalog.sample import DATA_DIR, SAMPLE_PATH, load_sample
from kiosk.catalog.services import DEFAULT_SERVICES
from kiosk.catalog.validate import CatalogValidationError, is_iso_date

# The nine procedures of domain-vn.md §5.2.
DOMAIN_CODES = ["1.001193", "1.000894", "2.000815", "1.004222", "1.004194", "1.000656", "1.001612", "1.012783", "2.001263"]


def test_sample_file_validates_and_is_versioned():
    result = import_file(SAMPLE_PATH)
    assert result.ok, [str(i) for i in result.issues]
    raw = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
    assert raw["version"] == "1"
    assert is_iso_date(raw["updated"])
    assert len(result.catalog.procedures) >= 20


def test_sample_has_the_research_procedures_and_known_services():
    cat = load_sample()
    codes = [p.code for p in cat.procedures]
    assert len(codes) == len(set(codes))
    for code in DOMAIN_CODES:
        assert code in codes
    for p in cat.procedures:
        assert p.service in DEFAULT_SERVICES, p.code
        assert p.dossier_cases and all(c.documents for c in p.dossier_cases)
        assert all(ch.fee_text.strip() and ch.time_text.strip() for ch in p.channels)


def test_sample_is_honest_about_uncertainty():
    for p in load_sample().procedures:
        assert p.source_name.strip()
        assert p.confidence in ("high", "medium", "low")
        if p.confidence != "high":
            assert p.unverified or p.note, f"{p.code}: say what is uncertain"
        assert p.checked == "" or is_iso_date(p.checked)


def test_fee_text_is_kept_verbatim():
    adoption = load_sample().get("2.001263")
    fee = adoption.channels[0].fee_text
    assert "400.000 đồng" in fee and "cô, cậu, dì, chú, bác ruột" in fee
    assert adoption.channels[0].fee_amounts == [400000]


def test_procedure_dict_round_trip_and_summary():
    p = load_sample().get("1.001193")
    again = Procedure.from_dict(json.loads(json.dumps(p.to_dict())))
    assert again == p
    s = p.summary()
    assert {k: s[k] for k in ("code", "name", "field", "level", "service")} == {
        "code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch", "level": "commune", "service": "HT"}
    assert s["level_label"] == "Cấp xã"
    assert s["channels"] == ["direct", "direct", "online"]
    assert "15 giờ" in s["time_text"]


def test_from_dict_reports_every_problem_in_vietnamese():
    d = load_sample().get("1.004222").to_dict()
    d.update(code="4222", level="huyện", service="ho tich")
    d["channels"][0]["time_value"] = -1
    d["dossier_cases"][0]["documents"][0]["form_ref"] = "CT99"
    with pytest.raises(CatalogValidationError) as e:
        Procedure.from_dict(d)
    paths = {i.path for i in e.value.issues}
    assert paths == {("code",), ("level",), ("service",), ("channels", 0, "time_value"),
                     ("dossier_cases", 0, "documents", 0, "form_ref")}
    assert "Mã thủ tục '4222' sai dạng" in str(e.value)
    assert "CT99" in str(e.value)


def test_catalog_rejects_duplicate_codes():
    d = load_sample().to_dict()
    d["procedures"].append(dict(d["procedures"][0]))
    with pytest.raises(CatalogValidationError, match="bị trùng"):
        Catalog.from_dict(d)


def test_bundled_csv_matches_the_json():
    assert (DATA_DIR / "catalog-v1.csv").read_bytes().decode("utf-8") == export_text(load_sample(), "csv")


def test_missing_documents_checklist():
    case = load_sample().get("1.004222").dossier_cases[0]  # CT01 required, two optional papers
    assert [d.form_ref for d in case.missing([])] == ["CT01"]
    assert case.missing([0]) == []
    birth = load_sample().get("1.001193").dossier_cases[0]
    assert [d.present_only for d in birth.missing([0])] == [False, True]  # certificate, and the ID to show
