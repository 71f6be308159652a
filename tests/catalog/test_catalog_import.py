"""Import/export: lossless round trips, every bad row reported with its line, nothing half-imported."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kiosk.catalog.cli import catalog as catalog_cli
from kiosk.catalog.cli import make_catalog_group
from kiosk.catalog.csvio import COLUMNS
from kiosk.catalog.importer import (
    CatalogImportError,
    export_file,
    export_text,
    import_file,
    import_text,
    read_catalog,
)
from kiosk.catalog.model import Catalog
from kiosk.catalog.sample import SAMPLE_PATH, load_sample
from kiosk.catalog.store import CatalogStore, JsonFileStore


def test_json_and_csv_round_trips_are_lossless(tmp_path):
    cat = load_sample()
    for fmt in ("json", "csv"):
        path = tmp_path / f"c.{fmt}"
        export_file(cat, path)
        again = read_catalog(path)
        assert again.to_dict() == cat.to_dict(), fmt
        assert export_text(again, fmt) == path.read_bytes().decode("utf-8")  # stable output


def test_csv_to_json_to_csv(tmp_path):
    cat = load_sample()
    csv1 = export_text(cat, "csv")
    via_json = import_text(export_text(import_text(csv1, "csv").catalog, "json"), "json").catalog
    assert export_text(via_json, "csv") == csv1


def _row(**cells):
    return ",".join(_q(cells.get(c, "")) for c in COLUMNS)


def _q(v):
    v = str(v)
    return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n') else v


def _good_rows(code="1.001193"):
    return [
        _row(code=code, section="procedure", name="Đăng ký khai sinh", field="Hộ tịch", level="commune", service="HT",
             result="Giấy khai sinh", source_name="thử"),
        _row(code=code, section="channel", channel="direct", time_text="Trong ngày", fee_text="Miễn", time_value="1", time_unit="working_days"),
        _row(code=code, section="document", case="Thông thường", name="Tờ khai", originals="1", form_ref="TK"),
        _row(code=code, section="form", ref="TK", name="Tờ khai đăng ký khai sinh"),
        _row(code=code, section="step", text="Nộp hồ sơ"),
    ]


def test_small_handwritten_csv_imports():
    text = "\n".join([",".join(COLUMNS), _row(section="catalog", version="7", updated="2026-01-02"), *_good_rows()]) + "\n"
    result = import_text(text, "csv")
    assert result.ok, [str(i) for i in result.issues]
    p = result.catalog.procedures[0]
    assert (result.catalog.version, p.code, p.channels[0].time_value, p.dossier_cases[0].documents[0].form_ref) == ("7", "1.001193", 1, "TK")


def test_csv_reports_every_bad_row_with_its_line_and_imports_nothing(tmp_path):
    lines = [",".join(COLUMNS)]                                                    # 1
    lines += _good_rows()                                                          # 2-6
    lines.append(_row(code="1.001193", section="document", case="Thông thường", name="Giấy chứng sinh", originals="một"))  # 7
    lines.append(_row(code="1.001193", section="channel", channel="fax", time_text="1 ngày", fee_text="Miễn"))             # 8
    lines.append(_row(code="1.001193", section="bogus", text="?"))                # 9
    lines.append(_row(code="9.999999", section="step", text="mồ côi"))            # 10
    lines.append(_row(code="12345", section="procedure", name="", field="Hộ tịch", level="commune", service="HT",
                      result="x", source_name="y"))                                # 11 (also lacks channels/documents)
    lines.append(_row(code="1.001193", section="step", text="Nhận kết quả", fee_text="lạc cột"))  # 12
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = import_file(path)
    assert result.catalog is None and not result.ok
    by_line = {}
    for issue in result.issues:
        by_line.setdefault(issue.line, []).append(issue.message)
    assert set(by_line) == {7, 8, 9, 10, 11, 12}, by_line
    assert any("số bản chính" in m.lower() and "'một'" in m for m in by_line[7])
    assert any("'fax'" in m for m in by_line[8])
    assert any("'bogus'" in m for m in by_line[9])
    assert any("không có dòng 'procedure'" in m for m in by_line[10])
    assert {"12345"} == {i.code for i in result.issues if i.line == 11}
    assert any("sai dạng" in m for m in by_line[11]) and any("Thiếu tên" in m for m in by_line[11])
    assert any("fee_text" in m for m in by_line[12])
    assert all(str(i).startswith(f"Dòng {i.line}") for i in result.issues)

    with pytest.raises(CatalogImportError) as e:
        read_catalog(path)
    assert len(e.value.issues) == len(result.issues)


def test_csv_header_and_encoding_problems(tmp_path):
    r = import_text("code,section,fee_txt\n", "csv")
    assert not r.ok and r.issues[0].line == 1 and "fee_txt" in r.issues[0].message
    r = import_text("", "csv")
    assert not r.ok and "trống" in r.issues[0].message
    latin = tmp_path / "latin.csv"
    latin.write_bytes(("code,section,name\n1.001193,procedure,ok\n1.000894,procedure,Đăng ký\n").encode("cp1258", "replace"))
    r = import_file(latin)
    assert not r.ok and r.issues[0].line == 3 and "UTF-8" in r.issues[0].message


def test_semicolon_separated_csv_is_read():
    text = export_text(load_sample(), "csv").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    r = import_text(out.getvalue(), "csv")
    assert r.ok and r.catalog.to_dict() == load_sample().to_dict()


def _line_of(text, needle, nth=0):
    pos = -1
    for _ in range(nth + 1):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def test_json_reports_bad_values_at_their_lines():
    data = load_sample().to_dict()
    data["procedures"][2]["level"] = "huyen"
    data["procedures"][5]["channels"][1]["fee_amounts"] = [10000, "mười"]
    del data["procedures"][7]["name"]
    data["procedures"][9]["code"] = data["procedures"][1]["code"]
    text = json.dumps(data, ensure_ascii=False, indent=2)
    r = import_text(text, "json")
    assert r.catalog is None
    got = {(i.line, i.path) for i in r.issues}
    code7 = data["procedures"][7]["code"]
    assert got == {
        (_line_of(text, '"level": "huyen"'), ("procedures", 2, "level")),
        (_line_of(text, '"mười"'), ("procedures", 5, "channels", 1, "fee_amounts", 1)),
        (_line_of(text, f'"code": "{code7}"') - 1, ("procedures", 7, "name")),  # the record's opening brace
        (_line_of(text, f'"code": "{data["procedures"][1]["code"]}"', nth=1), ("procedures", 9, "code")),
    }
    assert [i.line for i in r.issues] == sorted(i.line for i in r.issues)


def test_json_syntax_error_has_a_line():
    text = SAMPLE_PATH.read_text(encoding="utf-8").replace('"version": "1",', '"version": "1"', 1)
    r = import_text(text, "json")
    assert not r.ok and r.issues[0].line == 3 and "JSON sai cú pháp" in r.issues[0].message


class MemoryStore:
    """What the server will do against its database, in memory."""

    def __init__(self):
        self.catalog = Catalog(version="", updated="", procedures=[])
        self.replaced = 0

    def load_all(self):
        return self.catalog

    def replace_all(self, catalog):
        self.catalog, self.replaced = catalog, self.replaced + 1


def test_cli_import_export_through_a_store(tmp_path):
    store = MemoryStore()
    assert isinstance(store, CatalogStore)
    group = make_catalog_group(lambda: store)
    runner = CliRunner()

    r = runner.invoke(group, ["import", str(SAMPLE_PATH), "--dry-run"])
    assert r.exit_code == 0 and "Hợp lệ: 24 thủ tục" in r.output and store.replaced == 0

    r = runner.invoke(group, ["import", str(SAMPLE_PATH)])
    assert r.exit_code == 0 and store.replaced == 1 and len(store.catalog.procedures) == 24

    out = tmp_path / "out.csv"
    r = runner.invoke(group, ["export", str(out)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("\ufeffcode,section")

    bad = tmp_path / "bad.csv"
    bad.write_text(out.read_text(encoding="utf-8").replace(",working_days,", ",tuần,", 2), encoding="utf-8")
    r = runner.invoke(group, ["import", str(bad)])
    assert r.exit_code == 1 and store.replaced == 1  # nothing imported
    assert r.stderr.count("Dòng ") == 2 and "Không nhập gì: 2 lỗi" in r.stderr

    r = runner.invoke(group, ["export", "-", "--format", "json"])
    assert json.loads(r.output)["procedures"][0]["code"] == "1.001193"
    r = runner.invoke(group, ["import", str(tmp_path / "x.txt")])
    assert r.exit_code == 2 and "--format" in r.output


def test_default_cli_uses_a_json_file_store(tmp_path):
    store_path = tmp_path / "store" / "catalog.json"
    runner = CliRunner()
    r = runner.invoke(catalog_cli, ["--store", str(store_path), "import", str(SAMPLE_PATH)])
    assert r.exit_code == 0, r.output
    assert JsonFileStore(store_path).load_all().to_dict() == load_sample().to_dict()
    assert JsonFileStore(tmp_path / "none.json").load_all().procedures == []
