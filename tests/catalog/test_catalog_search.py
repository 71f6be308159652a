"""Search ranking: accent-insensitive, typo-tolerant, strongest matches first."""

import dataclasses

import pytest

from kiosk.catalog.model import Document, DossierCase, Form
from kiosk.catalog.sample import load_sample
from kiosk.catalog.search import CatalogIndex, fold, search_key


@pytest.fixture(scope="module")
def index():
    return CatalogIndex(load_sample().procedures)


@pytest.mark.parametrize("query, code", [
    ("đăng ký khai sinh", "1.001193"),
    ("dang ky khai sinh", "1.001193"),
    ("khai sinhh", "1.001193"),          # typo: extra letter
    ("khia sinh", "1.001193"),           # typo: swapped letters
    ("dang ki khai sinh", "1.001193"),   # i/y spelling
    ("thủ tục đăng ký khai sinh", "1.001193"),
    ("dang ky ket hon", "1.000894"),
    ("kết hon", "1.000894"),             # half-accented
    ("đăng kí kết hôn", "1.000894"),
    ("chung thuc", "2.000815"),          # most common chứng thực first
    ("sao y ban chinh", "2.000815"),     # everyday words (keywords)
    ("chung thuc chu ky", "2.000884"),
    ("khai tu", "1.000656"),
    ("giay doc than", "1.004873"),
    ("ho khau", "1.004222"),
    ("thuong tru", "1.004222"),
    ("tam tru", "1.004194"),
    ("ly lich tu phap", "3.000333"),
    ("so do", "1.012783"),
    ("giay phep xay dung", "1.009974"),
    ("mo cua hang", "1.001612"),
    ("con nuoi", "2.001263"),
    ("1.004222", "1.004222"),
    ("thuong t", "1.004222"),            # half typed: the kiosk searches while the citizen types
    ("dang ky khai s", "1.001193"),
    ("khai s", "1.001193"),
    ("thuong tru ho khau", "1.004222"),  # name words plus a keyword
    ("tam tru sinh vien", "1.004194"),
    ("ho tich", "2.000635"),             # the name holding the field's words first, then the field
    ("cu tru", "3.000333"),              # "cư trú" in the name, then the residence field (below)
    ("dang ky cu tru", "1.004222"),      # the field's own name: its most common procedure
    ("ho tihc", "2.000635"),             # typo in a field name
    ("giay chung sinh", "1.001193"),     # the paper in hand: a required document's name
    ("giấy báo tử", "1.000656"),
    ("giay kham suc khoe", "2.001263"),
    ("ban ve thiet ke", "1.009974"),
    ("giay chung nhan ket hon", "1.004746"),
    ("giay xac nhan hon nhan", "1.004873"),  # name first (words skipped), then Đăng ký kết hôn's document
    ("so ho khau", "1.010038"),          # a keyword ("tách sổ hộ khẩu"): no document of the sample names it
])
def test_expected_procedure_ranks_first(index, query, code):
    hits = index.search(query, limit=5)
    assert hits, query
    assert hits[0].code == code, [h.name for h in hits]


def test_exact_phrase_beats_longer_names_and_word_matches(index):
    names = [p.name for p in index.search("dang ky ket hon", 10)]
    assert names.index("Đăng ký kết hôn") < names.index("Đăng ký kết hôn có yếu tố nước ngoài") < names.index("Đăng ký lại kết hôn")


def test_tiers_order_name_fuzzy_field_text(index):
    hits = index.search_hits("khai sinhh", 10)
    assert hits[0].reason == "name_fuzzy"
    field_hits = index.search_hits("dat dai", 10)
    assert field_hits[0].reason == "field" and field_hits[0].procedure.code == "1.012783"
    assert all(a.score >= b.score for a, b in zip(field_hits, field_hits[1:], strict=False))


def test_accents_do_not_change_results(index):
    assert [p.code for p in index.search("đăng ký tạm trú", 5)] == [p.code for p in index.search("DANG KY TAM TRU", 5)]


def test_limit_blank_query_and_no_match(index):
    assert len(index.search("dang ky", limit=3)) == 3
    everything = index.search("", limit=500)
    assert len(everything) == len(index)
    assert everything[0].code == "1.001193"  # most common first
    assert index.search("xyzzy qwerty") == []
    assert index.search("khai sinh", limit=0) == []


def test_browse_by_field(index):
    fields = dict(index.fields())
    assert fields["Hộ tịch"] >= 9 and fields["Chứng thực"] == 3
    civil = index.by_field("ho tich")
    assert civil[0].code == "1.001193" and all(p.field == "Hộ tịch" for p in civil)
    assert index.by_field("không có") == []
    assert index.get("2.000815").field == "Chứng thực"


def test_fold_and_search_key():
    assert fold("Đăng Ký KẾT HÔN, (mẫu CT01)") == "dang ky ket hon mau ct01"
    assert search_key("Lý lịch, chữ ký, tuy, hay") == "li lich chu ki tuy hay"


FUZZY = {"name_fuzzy", "keyword_fuzzy", "field_fuzzy", "words_fuzzy", "text", "partial"}
RESIDENCE = "Đăng ký, quản lý cư trú"


def codes(index, query, limit=12):
    return [p.code for p in index.search(query, limit)]


def field_codes(field):
    return {p.code for p in load_sample().procedures if p.field == field}


def test_query_naming_a_field_lists_the_field_after_name_matches(index):
    """"cư trú" and "hộ tịch" name fields: every procedure of the field is listed (the kiosk asks for 12),
    after those whose name holds the words, the rest most common first as when browsing."""
    residence = field_codes(RESIDENCE)
    assert len(residence) == 5
    hits = index.search_hits("cu tru", 12)
    assert [h.procedure.code for h in hits[:1]] == ["3.000333"] and hits[0].reason == "name_phrase"
    rest = hits[1:]
    assert {h.procedure.code for h in rest} == residence and all(h.reason == "field" for h in rest)
    assert [h.procedure.code for h in rest] == [p.code for p in index.by_field(RESIDENCE)]
    assert set(codes(index, "cư trú")) == set(codes(index, "CU TRU")) == residence | {"3.000333"}

    civil = field_codes("Hộ tịch")
    assert len(civil) == 11
    hits = index.search_hits("ho tich", 12)
    assert {h.procedure.code for h in hits} == civil  # "Tách hộ" (tich ≈ tach) is gone
    reasons = [h.reason for h in hits]
    assert reasons[:3] == ["name_phrase", "name_phrase", "keyword"] and set(reasons[3:]) == {"field"}
    field_part = [h.procedure.code for h in hits[3:]]
    assert field_part == [p.code for p in index.by_field("Hộ tịch") if p.code in field_part]
    assert set(codes(index, "hộ tịch", 50)) == civil


def test_field_listed_even_when_names_fill_most_of_the_screen(index):
    """"đăng ký" is in most names and in the residence field's name: names first, then the rest of the field."""
    found = codes(index, "dang ky", 50)
    assert field_codes(RESIDENCE) <= set(found)
    name_matches = [c for c in found if index.get(c).name.startswith("Đăng ký")]
    assert found[:len(name_matches)] == name_matches
    assert "2.000884" not in found  # "Chứng thực chữ ký": only a fuzzy guess (ký ≈ ky, dang ≈ đang)


def test_fuzzy_guesses_never_join_real_matches(index):
    """"thuong tru" ≈ "trường hợp" in the long "Chứng thực chữ ký" name: a guess, shown only when nothing matches."""
    assert codes(index, "thuong tru") == ["1.004222"]
    assert codes(index, "thường trú", 20) == ["1.004222"]
    for query in ("thuong tru", "ho tich", "cu tru", "dang ky", "ho khau", "tam tru", "chung thuc", "so do",
                  "dat dai", "ho tich khai sinh"):
        hits = index.search_hits(query, 20)
        assert hits and not {h.reason for h in hits} & FUZZY, (query, [(h.procedure.name, h.reason) for h in hits])
    assert codes(index, "ho khau") == ["1.004222", "1.010038"]  # not "hộ tịch" (khau ≈ khai)


def test_guesses_keep_only_close_tiers(index):
    """With a typo nothing matches exactly; the name guesses lead and loose text matches are dropped."""
    hits = index.search_hits("khia sinh", 20)
    assert hits[0].procedure.code == "1.001193" and hits[0].reason == "name_fuzzy"
    assert {h.reason for h in hits} <= {"name_fuzzy", "keyword_fuzzy", "field_fuzzy"}
    assert all(h.procedure.field == "Hộ tịch" for h in hits)
    typo = index.search_hits("cu truu", 20)  # typo in a field's words: the field still comes
    assert field_codes(RESIDENCE) <= {h.procedure.code for h in typo}
    assert all(h.procedure.code in field_codes(RESIDENCE) | {"3.000333"} for h in typo)


def test_name_and_field_words_together(index):
    """"hộ tịch khai sinh": the field plus words of the name is a real match, not a loose text one."""
    found = codes(index, "ho tich khai sinh")
    assert {"2.000635", "1.001193", "1.004884"} <= set(found)
    assert all(index.get(c).field == "Hộ tịch" for c in found)


def test_exact_name_beats_a_more_common_longer_name():
    """A rare procedure named exactly as typed outranks a popular one whose name only contains it."""
    base = load_sample().procedures[0]
    rare = dataclasses.replace(base, code="9.000001", name="Chứng thực di chúc", popularity=1)
    common = dataclasses.replace(base, code="9.000002", name="Chứng thực di chúc cho người nước ngoài", popularity=100)
    index = CatalogIndex([common, rare])
    hits = index.search_hits("chứng thực di chúc", 5)
    assert [(h.procedure.code, h.reason) for h in hits] == [("9.000001", "name_exact"), ("9.000002", "name_phrase")]
    assert [p.code for p in index.search("chung thuc di", 5)] == ["9.000002", "9.000001"]  # half typed: by popularity


def test_api_search_lists_the_named_field(app, seed, api_as):
    """The kiosk's request (``q`` and ``limit=12``) gets the same ranked summaries, shape unchanged."""
    app.extensions["motcua_catalog"].store(seed.centre_id).replace_all(load_sample())
    r = api_as("kiosk").get("/procedures?q=cư trú&limit=12")
    assert r.status_code == 200
    assert [p["code"] for p in r.json] == codes(CatalogIndex(load_sample().procedures), "cu tru")
    assert {"code", "name", "field", "level"} <= set(r.json[1]) and r.json[1]["field"] == RESIDENCE
    r = api_as("kiosk").get("/procedures?q=thuong tru&limit=12")
    assert [p["name"] for p in r.json] == ["Đăng ký thường trú"]


def test_document_name_is_a_real_match(index):
    """"giấy chứng sinh" is a paper Đăng ký khai sinh asks for: a real match, so the loose guess
    "Cấp Giấy xác nhận tình trạng hôn nhân" (sinh ≈ tình) is no longer shown, let alone first."""
    for query in ("giay chung sinh", "giấy chứng sinh", "GIAY CHUNG SINH", "giay chung si"):  # last word half typed
        hits = index.search_hits(query, 12)
        assert [(h.procedure.code, h.reason) for h in hits] == [("1.001193", "document")], query
    hits = index.search_hits("mau ct01", 12)  # "Tờ khai thay đổi thông tin cư trú (Mẫu CT01)"
    assert {h.procedure.code for h in hits} == field_codes(RESIDENCE) and {h.reason for h in hits} == {"document"}
    assert hits[0].procedure.code == "1.004222"  # most common first
    proof = index.search_hits("giay to chung minh noi cu tru", 12)
    assert [(h.procedure.code, h.reason) for h in proof] == [("1.001193", "document"), ("1.000894", "document")]


def test_document_match_does_not_push_out_a_name_match(index):
    """The procedure named by the query comes first; those that merely ask for that paper follow."""
    hits = index.search_hits("giay xac nhan tinh trang hon nhan", 12)
    assert [(h.procedure.code, h.reason) for h in hits] == [("1.004873", "name_phrase"), ("1.000894", "document")]
    assert codes(index, "giay xac nhan tinh trang hon nhan", 1) == ["1.004873"]
    hits = index.search_hits("phieu ly lich tu phap", 12)  # 2.001263 (con nuôi) asks for a Phiếu lý lịch tư pháp
    assert [(h.procedure.code, h.reason) for h in hits] == [("3.000333", "name_phrase"), ("2.001263", "document")]
    # Keywords and name-plus-keyword matches stay above documents too.
    hits = index.search_hits("giay khai sinh", 12)  # 2.001263 also asks for "Giấy khai sinh của trẻ"
    assert hits[-1].procedure.code == "2.001263" and hits[-1].reason == "document"
    assert all(h.reason in {"name_phrase", "keyword"} for h in hits[:-1])


def test_rare_named_procedure_beats_a_popular_one_asking_for_the_paper():
    base = load_sample().procedures[0]
    named = dataclasses.replace(base, code="9.000001", name="Cấp lại Giấy chứng sinh", popularity=1, keywords=[],
                                dossier_cases=[], forms=[])
    asks = dataclasses.replace(base, code="9.000002", popularity=100)  # Đăng ký khai sinh: lists "Giấy chứng sinh"
    index = CatalogIndex([asks, named])
    hits = index.search_hits("giay chung sinh", 5)
    assert [(h.procedure.code, h.reason) for h in hits] == [("9.000001", "name_phrase"), ("9.000002", "document")]


def test_form_names_count_as_documents():
    base = load_sample().procedures[0]
    proc = dataclasses.replace(base, code="9.000003", name="Thủ tục thử", keywords=[], popularity=5,
                               dossier_cases=[DossierCase("Chung", [Document("Bản sao thẻ căn cước")])],
                               forms=[Form(ref="TK-99", name="Tờ khai đề nghị nuôi ong (Mẫu TK-99)")])
    index = CatalogIndex([proc])
    assert [(h.procedure.code, h.reason) for h in index.search_hits("to khai de nghi nuoi ong", 5)] == [
        ("9.000003", "document")]
    assert [h.reason for h in index.search_hits("the can cuoc", 5)] == ["document"]


def test_document_words_must_stand_together(index):
    """Document texts are long: words far apart or out of order are a chance meeting, not the paper's name."""
    assert codes(index, "so do") == ["1.012783", "1.009974"]  # not "Giấy chứng sinh do cơ sở y tế…"; "sơ đồ" is fair
    assert "document" not in {h.reason for h in index.search_hits("sinh chung giay", 12)}  # words reversed


def test_query_naming_a_field_does_not_list_documents(index):
    """"cư trú" is the residence field; "Giấy tờ chứng minh nơi cư trú" in other dossiers does not add them."""
    assert "document" not in {h.reason for h in index.search_hits("cu tru", 20)}
    assert "1.001193" not in codes(index, "cu tru", 20)
    assert "3.000333" not in codes(index, "chung thuc", 20)  # "Văn bản ủy quyền đã công chứng, chứng thực"
