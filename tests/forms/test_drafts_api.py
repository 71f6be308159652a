"""The drafts API: who may create and read, expiry and purge, bad input → 4xx, PDF download."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from support import HCM, Api, Seed

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/validation_cases.json")
                  .read_text())
# The test clock's day (Wednesday 18/11/2026): a valid birth date on or before it.
BIRTH = {**DATA["valid"]["khai-sinh"], "child_birth_date": "05/09/2026"}


class Person(Api):
    """Logged in through /login, with the CSRF header for writes."""

    def __init__(self, client, username: str):
        super().__init__(client)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": token, "username": username,
                                        "password": Seed.password})
        assert r.status_code == 302
        self.headers = {"X-CSRFToken": re.search(r'<meta name="csrf-token" content="([^"]+)"',
                                                 client.get("/").text).group(1)}


def put(api: Api, path: str, body, key: str | None = None):
    headers = {**api.headers, **({"X-Draft-Key": key} if key else {})}
    return api.client.put(f"/api/v1{path}", json=body, headers=headers)


def delete(api: Api, path: str, key: str | None = None):
    headers = {**api.headers, **({"X-Draft-Key": key} if key else {})}
    return api.client.delete(f"/api/v1{path}", headers=headers)


@pytest.fixture
def kiosk(api_as):
    return api_as("kiosk")


@pytest.fixture
def staff(app, seed):
    return Person(app.test_client(), "staff2")


def create(kiosk, form="khai-sinh", data=None, **extra):
    r = kiosk.post("/drafts", {"form": form, "data": data if data is not None else BIRTH, **extra})
    assert r.status_code == 201, r.get_json()
    return r.json


def test_kiosk_creates_staff_reads_by_code(kiosk, staff, api_as):
    made = create(kiosk, data={**BIRTH, "cccd_raw": "001190012345||X|01011990|Nữ|Y|01012021"})
    assert re.fullmatch(r"[A-Z0-9]{6}", made["code"]) and made["key"]
    assert made["display_code"] == f"{made['code'][:3]}-{made['code'][3:]}"
    assert "cccd_raw" not in made["data"] and made["data"]["child_name"] == "TRẦN MINH KHÔI"
    assert made["expires_at"] == "2026-11-19T00:00:00+07:00"  # end of the local day
    for reader in (staff, api_as("agent1")):
        got = reader.get(f"/drafts/{made['display_code'].lower()}")
        assert got.status_code == 200, got.get_json()
        assert got.json["data"] == made["data"] and "key" not in got.json


def test_roles(kiosk, api_as, staff, app, seed):
    made = create(kiosk)
    code = made["code"]
    assert api_as(None).get(f"/drafts/{code}").status_code == 401
    assert api_as(None).post("/drafts", {"form": "khai-sinh", "data": BIRTH}).status_code == 401
    for name in ("display", "agent1", "reports"):
        assert api_as(name).post("/drafts", {"form": "khai-sinh", "data": BIRTH}).status_code == 403
    assert api_as("display").get(f"/drafts/{code}").status_code == 403
    assert api_as("reports").get(f"/drafts/{code}").status_code == 403
    # the kiosk reads its own draft back only with the key
    assert kiosk.get(f"/drafts/{code}").status_code == 403
    assert kiosk.get(f"/drafts/{code}", headers={"X-Draft-Key": "wrong"}).status_code == 403
    assert kiosk.get(f"/drafts/{code}", headers={"X-Draft-Key": made["key"]}).status_code == 200
    # staff cannot change a citizen's draft; the kiosk can with its key
    assert put(staff, f"/drafts/{code}", {"data": BIRTH}).status_code == 403
    changed = put(kiosk, f"/drafts/{code}", {"data": {**BIRTH, "child_name": "Lê An"}}, made["key"])
    assert changed.status_code == 200 and changed.json["data"]["child_name"] == "LÊ AN"
    # a session write needs the CSRF header
    bare = Api(staff.client)
    assert bare.post("/drafts", {"form": "khai-sinh", "data": BIRTH}).status_code == 400


def test_another_centre_sees_nothing(app, kiosk, seed):
    from support import seed_centre

    other = seed_centre(app, code="other", suffix="-o")
    made = create(kiosk)
    them = Api(app.test_client(), other.tokens["agent1"])
    assert them.get(f"/drafts/{made['code']}").status_code == 404


def test_link_to_ticket_and_read_by_ticket(kiosk, staff, api_as):
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    made = create(kiosk, ticket_id=ticket["id"])
    assert made["ticket_id"] == ticket["id"] and made["ticket_number"] == ticket["number"]
    later = create(kiosk, form="ct01", data=DATA["valid"]["ct01"])
    assert put(kiosk, f"/drafts/{later['code']}", {"ticket_id": ticket["id"]}, later["key"]).status_code == 200
    listed = staff.get(f"/drafts?ticket_id={ticket['id']}")
    assert listed.status_code == 200
    assert [d["code"] for d in listed.json] == [later["code"], made["code"]]
    assert api_as("agent1").get(f"/drafts?ticket_id={ticket['id']}").status_code == 200
    assert kiosk.get(f"/drafts?ticket_id={ticket['id']}").status_code == 403
    assert staff.get("/drafts?ticket_id=999999").json == []


@pytest.mark.parametrize(("body", "code"), [
    ({"form": "khai-sinh", "data": {}}, "invalid_form"),
    ({"form": "khai-sinh", "data": {**BIRTH, "requester_id": "123"}}, "invalid_form"),
    ({"form": "khai-sinh", "data": {**BIRTH, "child_birth_date": "19/11/2026"}}, "invalid_form"),
    ({"form": "nope", "data": BIRTH}, "invalid"),
    ({"form": ["khai-sinh"], "data": BIRTH}, "invalid"),
    ({"form": "khai-sinh", "data": "x"}, "invalid_form"),
    ({"form": "khai-sinh", "data": BIRTH, "ticket_id": "1"}, "invalid"),
    ({"form": "khai-sinh", "data": BIRTH, "ticket_id": 2**40}, "invalid"),
    ({"form": "khai-sinh", "data": BIRTH, "ticket_id": 424242}, "invalid"),
    ({"form": "khai-sinh", "data": BIRTH, "ticket_id": True}, "invalid"),
])
def test_bad_input_is_422_with_reasons(kiosk, body, code):
    r = kiosk.post("/drafts", body)
    assert r.status_code == 422, r.get_json()
    assert r.json["error"]["code"] == code and r.json["error"]["message"]
    if code == "invalid_form":
        assert r.json["error"]["fields"]
        assert all(isinstance(m, str) and m for m in r.json["error"]["fields"].values())


def test_field_errors_name_the_fields(kiosk):
    r = kiosk.post("/drafts", {"form": "khai-sinh", "data": {**BIRTH, "requester_id": "12 34"}})
    assert r.json["error"]["fields"] == {
        "requester_id": "Số định danh cá nhân: phải gồm đúng 12 chữ số (số trên thẻ căn cước)."}


@pytest.mark.parametrize("raw", ["", "{", "null", "[]", '"x"', "\ufeff{}"])
def test_junk_bodies(kiosk, raw):
    r = kiosk.client.post("/api/v1/drafts", data=raw, headers={**kiosk.headers,
                                                               "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and r.json["error"]["code"]


@pytest.mark.parametrize("code", ["x", "AAAAAAA", "000000", "../../etc", "K7M4P%00", "é" * 6])
def test_bad_codes_are_4xx(staff, code):
    r = staff.get(f"/drafts/{code}")
    if "%00" in code:  # a NUL anywhere in a request is refused before routing
        assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    else:
        assert r.status_code == 404 and r.json["error"]["code"] in ("not_found", "http_404")


def test_expiry_and_purge(app, kiosk, staff, clock):
    made = create(kiosk)
    clock.set_local(dt.datetime(2026, 11, 18, 23, 59, tzinfo=HCM))
    assert staff.get(f"/drafts/{made['code']}").status_code == 200
    clock.set_local(dt.datetime(2026, 11, 19, 0, 0, tzinfo=HCM))
    gone = staff.get(f"/drafts/{made['code']}")
    assert gone.status_code == 410 and gone.json["error"]["code"] == "expired"
    assert put(kiosk, f"/drafts/{made['code']}", {"data": BIRTH}, made["key"]).status_code == 410
    from queue_server.drafts import draft_service

    assert draft_service(app).purge() == 1
    assert staff.get(f"/drafts/{made['code']}").status_code == 404
    assert draft_service(app).purge() == 0


def test_ttl_in_minutes_and_purge_command(database_url, tmp_path, clock):
    from support import make_app, seed_centre

    from queue_server.drafts import drafts_group

    app = make_app(database_url, tmp_path, clock, DRAFT_TTL="30")
    try:
        seed = seed_centre(app)
        kiosk = Api(app.test_client(), seed.tokens["kiosk"])
        made = create(kiosk)
        assert made["expires_at"] == "2026-11-18T09:30:00+07:00"
        create(kiosk)
        clock.advance(minutes=31)
        from queue_server.cli import main

        assert main.get_command(None, "drafts") is drafts_group  # `motcua drafts purge`
        result = app.test_cli_runner().invoke(drafts_group, ["purge"])
        assert result.exit_code == 0 and "Deleted 2 expired drafts." in result.output
    finally:
        app.extensions["motcua_engine"].dispose()


def test_delete(kiosk, staff):
    made = create(kiosk)
    assert delete(kiosk, f"/drafts/{made['code']}").status_code == 403
    assert delete(kiosk, f"/drafts/{made['code']}", made["key"]).status_code == 204
    assert staff.get(f"/drafts/{made['code']}").status_code == 404


def test_pdf_for_staff_and_kiosk(kiosk, staff):
    made = create(kiosk)
    r = staff.get(f"/drafts/{made['code']}/pdf?download=1")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages).split())
    assert "TRẦN MINH KHÔI" in text and made["display_code"] in text
    assert kiosk.get(f"/drafts/{made['code']}/pdf").status_code == 403
    assert kiosk.get(f"/drafts/{made['code']}/pdf", headers={"X-Draft-Key": made["key"]}).status_code == 200


def test_forms_list(kiosk, api_as):
    r = kiosk.get("/forms")
    assert r.status_code == 200
    assert {f["code"] for f in r.json} == {"khai-sinh", "ket-hon", "ct01", "ho-kinh-doanh"}
    assert api_as(None).get("/forms").status_code == 401


def test_openapi_documents_the_routes(app):
    doc = app.test_client().get("/api/v1/openapi.json").json
    for path in ("/forms", "/drafts", "/drafts/{code}", "/drafts/{code}/pdf"):
        assert path in doc["paths"]
    assert set(doc["paths"]["/drafts/{code}"]) == {"get", "put", "delete"}


def test_real_answers_match_the_documented_schemas(app, kiosk, staff, api_as):
    from jsonschema import Draft202012Validator

    doc = app.test_client().get("/api/v1/openapi.json").json
    seen = set()

    def check(response, path, method, status):
        assert response.status_code == status, (path, method, response.get_json())
        spec = doc["paths"][path][method]["responses"][str(status)]
        if "$ref" in spec:
            spec = doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
        seen.add((path, method))
        content = spec.get("content", {})
        if "application/json" in content:
            validator = Draft202012Validator({**content["application/json"]["schema"],
                                              "components": doc["components"]})
            errors = [e.message for e in validator.iter_errors(response.get_json())]
            assert not errors, (path, method, status, errors[:3])
        elif "application/pdf" in content:
            assert response.data.startswith(b"%PDF")
        else:
            assert response.data == b""
        return response.get_json()

    check(kiosk.get("/forms"), "/forms", "get", 200)
    check(api_as(None).get("/forms"), "/forms", "get", 401)
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    made = check(kiosk.post("/drafts", {"form": "khai-sinh", "data": BIRTH, "ticket_id": ticket["id"]}),
                 "/drafts", "post", 201)
    check(kiosk.post("/drafts", {"form": "khai-sinh", "data": {}}), "/drafts", "post", 422)
    check(api_as("display").post("/drafts", {"form": "khai-sinh", "data": BIRTH}), "/drafts", "post", 403)
    check(staff.get(f"/drafts?ticket_id={ticket['id']}"), "/drafts", "get", 200)
    check(staff.get("/drafts"), "/drafts", "get", 422)
    code = made["code"]
    check(staff.get(f"/drafts/{code}"), "/drafts/{code}", "get", 200)
    check(staff.get("/drafts/AAAAAA"), "/drafts/{code}", "get", 404)
    check(put(kiosk, f"/drafts/{code}", {"data": BIRTH}, made["key"]), "/drafts/{code}", "put", 200)
    check(put(kiosk, f"/drafts/{code}", {"data": {}}, made["key"]), "/drafts/{code}", "put", 422)
    check(put(kiosk, f"/drafts/{code}", {"data": BIRTH}), "/drafts/{code}", "put", 403)
    check(staff.get(f"/drafts/{code}/pdf"), "/drafts/{code}/pdf", "get", 200)
    check(delete(kiosk, f"/drafts/{code}", made["key"]), "/drafts/{code}", "delete", 204)
    check(staff.get(f"/drafts/{code}/pdf"), "/drafts/{code}/pdf", "get", 404)
    documented = {(p, m) for p, item in doc["paths"].items() for m, op in item.items()
                  if "forms" in op.get("tags", [])}
    assert seen == documented


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_drafts_on_postgresql(kiosk, staff, app, clock):
    """The same life cycle on PostgreSQL: JSON data, aware times, purge's row count."""
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    made = create(kiosk, ticket_id=ticket["id"])
    got = staff.get(f"/drafts/{made['code']}")
    assert got.status_code == 200 and got.json["data"]["child_name"] == "TRẦN MINH KHÔI"
    assert staff.get(f"/drafts?ticket_id={ticket['id']}").json[0]["code"] == made["code"]
    clock.set_local(dt.datetime(2026, 11, 19, 0, 0, tzinfo=HCM))
    assert staff.get(f"/drafts/{made['code']}").status_code == 410
    from queue_server.drafts import draft_service

    assert draft_service(app).purge() == 1


def test_pdf_without_a_font_is_a_clear_503(kiosk, staff, monkeypatch):
    from kiosk.forms import pdf as pdf_module

    made = create(kiosk)

    def missing():
        raise pdf_module.PdfFontMissing("Không tìm thấy phông chữ tiếng Việt.")

    monkeypatch.setattr(pdf_module, "font_files", missing)
    r = staff.get(f"/drafts/{made['code']}/pdf")
    assert r.status_code == 503 and r.json["error"]["code"] == "pdf_unavailable"
    assert "phông chữ" in r.json["error"]["message"]
