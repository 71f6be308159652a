"""Setting up a centre through the admin forms: changes are live at once, bad input gets a
Vietnamese message next to its field, two admins never overwrite each other silently, and
what has tickets is archived, not deleted. Every change leaves an audit row."""

from __future__ import annotations

import re

import pytest
from support import Api

from queue_server.store import tables as t


def _audit(app, action: str) -> list:
    with app.extensions["motcua"].uow() as uow:
        return uow.session.execute(t.audit_log.select().where(
            t.audit_log.c.action == action).order_by(t.audit_log.c.id)).all()


def _service_id(app, code: str) -> int:
    with app.extensions["motcua"].uow() as uow:
        return uow.repo.service_by_code(uow.repo.centres()[0].id, code).id


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_new_service_and_counter_are_live_without_restart(app, seed, admin_ui, api_as):
    kiosk = api_as("kiosk")
    r = admin_ui.post("/admin/services", {"code": "TP", "name": "Tư pháp", "prefix": "T",
                                          "daily_cap": "50", "windows": "07:30-11:00\n13:30-16:00"})
    assert r.status_code == 302, r.text
    services = {s["code"]: s for s in kiosk.get("/services").json}
    assert services["TP"]["prefix"] == "T" and services["TP"]["daily_cap"] == 50
    assert services["TP"]["windows"] == [["07:30", "11:00"], ["13:30", "16:00"]]
    ticket = kiosk.post("/tickets", {"service": "TP"})
    assert ticket.status_code == 201 and ticket.json["number"] == "T001"

    tp = _service_id(app, "TP")
    r = admin_ui.post("/admin/counters", {"number": "9", "name": "Quầy Tư pháp", "services": [tp],
                                          "zone": "Tầng 2"})
    assert r.status_code == 302, r.text
    counter = next(c for c in kiosk.get("/counters").json if c["number"] == 9)
    assert counter["services"] == ["TP"]
    # the admin may act at any counter: open it and call the new service's ticket
    session = Api(admin_ui.client)
    session.headers = {"X-CSRFToken": admin_ui.csrf}
    assert session.post(f"/counters/{counter['id']}/open").status_code == 200
    called = session.post(f"/counters/{counter['id']}/call-next")
    assert called.status_code == 200 and called.json["number"] == "T001"
    after = _audit(app, "service.create")[-1].after
    assert after["code"] == "TP" and after["prefix"] == "T"
    assert _audit(app, "counter.create")[-1].after["zone"] == "Tầng 2"


def test_service_change_reaches_the_next_ticket_at_once(seed, admin_ui, api_as):
    """Issuing reads services from a short-lived snapshot; an admin's save must clear it."""
    kiosk = api_as("kiosk")
    assert kiosk.post("/tickets", {"service": "HT"}).status_code == 201  # snapshot taken
    ht = seed.services["HT"]
    version = re.search(r'name="version" value="(\d+)"',
                        admin_ui.get(f"/admin/services/{ht}").text).group(1)
    r = admin_ui.post(f"/admin/services/{ht}", {"name": "Hộ tịch", "prefix": "A",
                                                "daily_cap": "1", "version": version})
    assert r.status_code == 302, r.text
    refused = kiosk.post("/tickets", {"service": "HT"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "cap_reached"


def test_service_form_errors_are_next_to_their_fields(seed, admin_ui, api_as, field_error):
    r = admin_ui.post("/admin/services", {"code": "hộ tịch", "name": "", "prefix": "a1",
                                          "daily_cap": "-3", "windows": "11:00-07:00"})
    assert r.status_code == 422
    assert "Mã dịch vụ không hợp lệ" in field_error(r.text, "code")
    assert field_error(r.text, "name") == "Hãy nhập tên dịch vụ."
    assert "Chữ cái đầu số không hợp lệ" in field_error(r.text, "prefix")
    assert field_error(r.text, "daily_cap") == "Số phiếu tối đa mỗi ngày phải từ 1 đến 100000."
    assert "giờ kết thúc phải sau giờ bắt đầu" in field_error(r.text, "windows")
    assert 'value="hộ tịch"' in r.text  # what was typed stays in the form
    r = admin_ui.post("/admin/services", {"code": "HT", "name": "Trùng", "prefix": "B"})
    assert r.status_code == 422
    assert field_error(r.text, "code") == "Mã HT đã có dịch vụ khác dùng."
    assert field_error(r.text, "prefix") == "Chữ B đang dùng cho dịch vụ Chứng thực."
    assert len(api_as("kiosk").get("/services").json) == 3  # nothing saved


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_admins_editing_one_service_conflict(app, seed, admin_ui, login):
    other = login("root")
    ht = seed.services["HT"]
    page = admin_ui.get(f"/admin/services/{ht}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    first = admin_ui.post(f"/admin/services/{ht}", {"name": "Hộ tịch (sửa 1)", "prefix": "A",
                                                    "version": version})
    assert first.status_code == 302
    second = other.post(f"/admin/services/{ht}", {"name": "Hộ tịch (sửa 2)", "prefix": "A",
                                                  "version": version})
    assert second.status_code == 409
    assert "vừa được người khác sửa" in second.text and "chưa được lưu" in second.text
    names = {s["code"]: s["name"] for s in Api(app.test_client(), seed.tokens["kiosk"]).get("/services").json}
    assert names["HT"] == "Hộ tịch (sửa 1)"
    assert len(_audit(app, "service.update")) == 1


def test_service_with_tickets_today_is_archived_not_deleted(app, seed, admin_ui, api_as):
    kiosk = api_as("kiosk")
    assert kiosk.post("/tickets", {"service": "DD"}).status_code == 201
    dd = seed.services["DD"]
    r = admin_ui.post(f"/admin/services/{dd}/delete")
    assert r.status_code == 409
    assert "hôm nay đã có 1 số thứ tự" in r.text and "Lưu trữ thay vì xóa" in r.text
    assert f'action="/admin/services/{dd}/archive"' in r.text
    assert "DD" in [s["code"] for s in kiosk.get("/services").json]
    assert admin_ui.post(f"/admin/services/{dd}/archive").status_code == 302
    assert "DD" not in [s["code"] for s in kiosk.get("/services").json]
    refused = kiosk.post("/tickets", {"service": "DD"})
    assert refused.status_code == 404
    assert admin_ui.post(f"/admin/services/{dd}/restore").status_code == 302
    assert kiosk.post("/tickets", {"service": "DD"}).json["number"] == "C002"


def test_unused_service_is_deleted(app, seed, admin_ui, api_as):
    admin_ui.post("/admin/services", {"code": "XX", "name": "Thử", "prefix": "X"})
    xx = _service_id(app, "XX")
    assert admin_ui.post(f"/admin/services/{xx}/delete").status_code == 302
    assert "XX" not in [s["code"] for s in api_as("kiosk").get("/services").json]
    assert _audit(app, "service.delete")[-1].before["code"] == "XX"


def test_counter_with_tickets_today_is_refused(app, seed, admin_ui, api_as):
    agent = api_as("agent2")
    c2 = seed.counters[2]
    api_as("kiosk").post("/tickets", {"service": "HT"})
    agent.post(f"/counters/{c2}/open")
    assert agent.post(f"/counters/{c2}/call-next").status_code == 200
    r = admin_ui.post(f"/admin/counters/{c2}/delete")
    assert r.status_code == 409 and "hôm nay quầy đã gọi 1 số" in r.text
    r = admin_ui.post(f"/admin/counters/{c2}/archive")
    assert r.status_code == 409 and "đang mở" in r.text


def test_counter_validation_and_edit(seed, admin_ui, api_as, field_error):
    r = admin_ui.post("/admin/counters", {"number": "2", "name": "", "services": []})
    assert r.status_code == 422
    assert field_error(r.text, "number") == "Số quầy 2 đã có (Quầy 2)."
    assert field_error(r.text, "name") == "Hãy nhập tên quầy."
    assert field_error(r.text, "services") == "Hãy chọn ít nhất một dịch vụ quầy phục vụ."
    c4 = seed.counters[4]
    r = admin_ui.post(f"/admin/counters/{c4}", {"number": "4", "name": "Quầy Đất đai",
                                                "services": [seed.services["DD"], seed.services["CT"]],
                                                "priority": "1"})
    assert r.status_code == 302
    counter = next(c for c in api_as("display").get("/counters").json if c["number"] == 4)
    assert counter["name"] == "Quầy Đất đai" and counter["priority"] is True
    assert set(counter["services"]) == {"DD", "CT"}


def test_reorder_services(seed, admin_ui, api_as):
    order = [seed.services["DD"], seed.services["HT"], seed.services["CT"]]
    r = admin_ui.post_json("/admin/services/order", {"ids": order})
    assert r.status_code == 200 and r.json["order"] == ["DD", "HT", "CT"]
    assert [s["code"] for s in api_as("kiosk").get("/services").json] == ["DD", "HT", "CT"]
    assert admin_ui.post_json("/admin/services/order", {"ids": [999]}).status_code == 422


def test_staff_account_created_and_used(app, seed, admin_ui, login, field_error):
    r = admin_ui.post("/admin/staff", {"username": "Cán Bộ", "full_name": "", "role": "boss",
                                       "password": "123", "password2": "456"})
    assert r.status_code == 422
    assert "Tên đăng nhập không hợp lệ" in field_error(r.text, "username")
    assert field_error(r.text, "role") == "Hãy chọn vai trò."
    assert "ít nhất 8 ký tự" in field_error(r.text, "password")
    r = admin_ui.post("/admin/staff", {"username": "canbo9", "full_name": "Cán bộ chín",
                                       "role": "staff", "password": "mat-khau-chin",
                                       "password2": "mat-khau-chin",
                                       "counters": [seed.counters[3]]})
    assert r.status_code == 302
    person = login("canbo9", "mat-khau-chin")
    api = Api(person.client)
    api.headers = {"X-CSRFToken": person.csrf}
    assert api.post(f"/counters/{seed.counters[2]}/open").status_code == 403  # not allowed there
    assert api.post(f"/counters/{seed.counters[3]}/open").status_code == 200
    row = _audit(app, "user.create")[-1]
    assert row.after["username"] == "canbo9" and "mat-khau" not in str(row)


def test_device_token_shown_once_then_revoked(app, seed, admin_ui):
    r = admin_ui.post("/admin/devices", {"name": "tv-tang-2", "role": "display"})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    token = re.search(r'<code id="token-value" class="token">([^<]+)</code>', r.text).group(1)
    assert f"/display?token={token}" in r.text and "<svg" in r.text
    assert token not in admin_ui.get("/admin/devices").text  # never shown again
    with app.extensions["motcua"].uow() as uow:
        stored = [row.token_hash for row in uow.repo.tokens(seed.centre_id)]
    assert token not in stored  # only its hash is kept
    display = Api(app.test_client(), token)
    assert display.get("/state").status_code == 200
    token_id = _tokens(app)["tv-tang-2"]
    assert admin_ui.post(f"/admin/devices/{token_id}/revoke").status_code == 302
    assert display.get("/state").status_code == 401  # at once: the auth cache was cleared
    r = admin_ui.post("/admin/devices", {"name": "agent-x", "role": "agent"})
    assert r.status_code == 422 and "phải gắn với một quầy" in r.text


def _tokens(app) -> dict[str, int]:
    with app.extensions["motcua"].uow() as uow:
        return {row.name: row.id for row in uow.repo.tokens(uow.repo.centres()[0].id)}


def test_templates_validation_preview_and_save(app, seed, admin_ui, field_error):
    base = {"announcement": "Mời số {number} đến quầy {counter}", "rating_scale": "5",
            "ticket_header": "UBND XÃ THỬ", "ticket_footer": "Cảm ơn",
            "priority_groups": "elderly = Người cao tuổi\nveteran = Cựu chiến binh",
            "rating_reasons": "", "notice": "Nghỉ trưa 11:30-13:30", "priority_interleave": "2",
            "rating_window_seconds": "30"}
    r = admin_ui.post("/admin/templates", {**base, "announcement": "Mời số {number}",
                                           "priority_groups": "Người già"})
    assert r.status_code == 422
    assert "{counter}" in field_error(r.text, "announcement")
    assert "ma_so = Nhãn" in field_error(r.text, "priority_groups")
    preview = admin_ui.post("/admin/templates/preview", base).json
    assert preview["text"] == "Mời số A025 đến quầy 3"
    assert preview["spoken"] == "mời số a không hai mươi lăm đến quầy ba"
    png = admin_ui.post("/admin/templates/ticket.png", base)
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert admin_ui.post("/admin/templates", base).status_code == 302
    state = Api(app.test_client(), seed.tokens["display"]).get("/state").json
    assert state["notice"] == "Nghỉ trưa 11:30-13:30"
    assert state["announcement"] == "Mời số {number} đến quầy {counter}"
    kiosk = Api(app.test_client(), seed.tokens["kiosk"])
    assert kiosk.post("/tickets", {"service": "HT", "priority": "veteran"}).status_code == 201


HEALTH = {"devices": [{"id": "agent", "kind": "agent", "status": "ok", "message": ""}]}


def test_rating_window_is_set_on_the_templates_page(app, seed, admin_ui, api_as, field_error,
                                                   clock):
    """The centre's rating window, edited beside the rating scale: out of range is refused with a
    message next to the field, a saved value is audited and rates (and reaches the agents) at once."""
    page = admin_ui.get("/admin/templates").text
    assert re.search(r'id="f-rating_window_seconds" name="rating_window_seconds" type="number" '
                     r'value="30"', page)
    form = {"announcement": "Mời số {number} đến quầy {counter}", "rating_scale": "3",
            "ticket_header": "", "ticket_footer": "Cảm ơn", "priority_groups": "", "notice": "",
            "rating_reasons": "", "priority_interleave": "2"}
    for bad, message in (("3", "phải từ 5 đến 600"), ("601", "phải từ 5 đến 600"),
                         ("nửa phút", "phải là số nguyên"), ("", "Hãy nhập thời gian nhận đánh giá")):
        r = admin_ui.post("/admin/templates", {**form, "rating_window_seconds": bad})
        assert r.status_code == 422, bad
        assert message in field_error(r.text, "rating_window_seconds"), bad
    assert admin_ui.post("/admin/templates/preview",
                         {**form, "rating_window_seconds": "0"}).json["errors"]
    assert _audit(app, "centre.templates") == []   # nothing refused was saved
    assert api_as("agent1").post("/devices/health", HEALTH).json[
        "rating_window_seconds"] == 30

    assert admin_ui.post("/admin/templates", {**form, "rating_window_seconds": "90"}).status_code == 302
    row = _audit(app, "centre.templates")[-1]
    assert "rating_window_seconds" not in row.before["settings"]
    assert row.after["settings"]["rating_window_seconds"] == 90
    assert 'value="90"' in admin_ui.get("/admin/templates").text
    assert api_as("agent1").post("/devices/health", HEALTH).json[
        "rating_window_seconds"] == 90

    agent = api_as("agent1")
    counter = seed.counters[1]
    agent.post(f"/counters/{counter}/open")
    ticket = api_as("kiosk").post("/tickets", {"service": "HT"}).json
    agent.post(f"/counters/{counter}/call-next")
    agent.post(f"/tickets/{ticket['id']}/finish")
    public = Api(app.test_client())
    track = f"/track/{ticket['tracking_url'].rsplit('/t/', 1)[1]}"
    clock.advance(seconds=80)   # past the default 30 s, inside the 90 s just saved
    assert public.post(f"{track}/rating", {"level": 3}).status_code == 201
    clock.advance(seconds=11)
    late = public.post(f"{track}/rating", {"level": 1})
    assert late.status_code == 409 and late.json["error"]["code"] == "rating_window_closed"
    assert "90 giây" in late.json["error"]["message"]


def test_centre_settings_and_calendar(app, seed, admin_ui, api_as, field_error, clock):
    form = {"name": "Trung tâm xã Thử", "address": "1 Đường Thử", "timezone": "Asia/Ho_Chi_Minh",
            "public_url": "https://motcua.example.vn", "open_weekdays": ["0", "1", "2", "3", "4"],
            "hours": "07:30-11:30\n13:30-17:00", "holidays": "18/11/2026", "extra_open_days": "",
            "close_action": "keep"}
    r = admin_ui.post("/admin/centre", {**form, "timezone": "Mars/Base", "hours": "7h-11h",
                                        "holidays": "31/02/2026", "public_url": "motcua"})
    assert r.status_code == 422
    assert "Không có múi giờ" in field_error(r.text, "timezone")
    assert "phải có dạng 07:30-11:30" in field_error(r.text, "hours")
    assert "không phải ngày" in field_error(r.text, "holidays")
    assert "không hợp lệ" in field_error(r.text, "public_url")
    assert admin_ui.post("/admin/centre", form).status_code == 302
    refused = api_as("kiosk").post("/tickets", {"service": "HT"})  # the test clock: 18/11/2026
    assert refused.status_code == 409 and refused.json["error"]["code"] == "closed_day"
    state = api_as("display").get("/state").json
    assert state["centre"]["name"] == "Trung tâm xã Thử"


def test_audit_search_and_csv(app, seed, admin_ui):
    admin_ui.post("/admin/services", {"code": "NK", "name": "Nhật ký thử", "prefix": "N"})
    api = Api(app.test_client(), seed.tokens["kiosk"])
    api.post("/tickets", {"service": "NK"})
    page = admin_ui.get("/admin/audit", query_string={"q": "NK"}).text
    assert "service.create" in page and "ticket.issued" in page
    only_admin = admin_ui.get("/admin/audit", query_string={"source": "admin", "actor": "root"}).text
    assert "service.create" in only_admin and "ticket.issued" not in only_admin
    csv_text = admin_ui.get("/admin/audit.csv", query_string={"q": "NK"}).get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("thoi_gian,nguon,nguoi_thuc_hien,thao_tac")
    assert any("user:root" in line and "service.create" in line for line in lines[1:])
    assert any("device:kiosk" in line and "ticket.issued" in line for line in lines[1:])
    assert admin_ui.get("/admin/audit", query_string={"start": "hôm qua"}).status_code == 422
    from queue_server.admin.audit import to_csv

    row = {"at_local": "2026-11-18T09:00:00+07:00", "source": "admin", "actor": "user:root",
           "action": "x", "target": '=HYPERLINK("http://x")', "before": None, "after": None}
    assert ',"\'=HYPERLINK' in to_csv([row])  # a typed name never becomes a live Excel formula


def test_catalogue_dry_run_then_import(app, seed, admin_ui):
    import io

    catalog = app.extensions["motcua_catalog"]
    store = catalog.store(seed.centre_id)
    from kiosk.catalog import load_sample

    store.replace_all(load_sample())
    revision = store.revision()
    exported = admin_ui.get("/admin/catalog/export.json").data
    assert b'"procedures"' in exported
    bad = admin_ui.post("/admin/catalog/import", {"file": (io.BytesIO(b'{"version": ""}'), "x.json"),
                                                  "apply": "0"}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "Không nhập" in bad.text and "Dòng 1" in bad.text
    dry = admin_ui.post("/admin/catalog/import", {"file": (io.BytesIO(exported), "c.json"),
                                                  "apply": "0"}, content_type="multipart/form-data")
    assert dry.status_code == 200 and "chưa ghi gì" in dry.text and "Thay đổi: 0" in dry.text
    assert store.revision() == revision
    done = admin_ui.post("/admin/catalog/import", {"file": (io.BytesIO(exported), "c.json"),
                                                   "apply": "1"}, content_type="multipart/form-data")
    assert done.status_code == 200 and "Đã nhập" in done.text
    assert store.revision() == revision + 1
    code = load_sample().procedures[0].code
    import json

    record = json.loads(admin_ui.get(f"/admin/catalog/{code}").text.split('name="record"')[1]
                        .split(">", 1)[1].split("</textarea>")[0].replace("&#34;", '"')
                        .replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                        .replace("&gt;", ">").replace("&#39;", "'"))
    record["name"] = record["name"] + " (đã sửa)"
    r = admin_ui.post(f"/admin/catalog/{code}", {"record": json.dumps(record, ensure_ascii=False)})
    assert r.status_code == 302
    assert catalog.get(seed.centre_id, code)["name"].endswith("(đã sửa)")
    r = admin_ui.post(f"/admin/catalog/{code}", {"record": "{"})
    assert r.status_code == 422 and "JSON không hợp lệ" in r.text
