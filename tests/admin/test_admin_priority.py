"""The admin service form edits per-service priority settings (validated next to the field,
audited, conflict-checked), and counters get a drag-and-drop order like services."""

from __future__ import annotations

from queue_server.store import tables as t


def _audit(app, action: str) -> list:
    with app.extensions["motcua"].uow() as uow:
        return uow.session.execute(t.audit_log.select().where(
            t.audit_log.c.action == action).order_by(t.audit_log.c.id)).all()


def _form(name: str, prefix: str, version, **extra) -> dict:
    return {"name": name, "prefix": prefix, "version": str(version), "priority_shown": "1", **extra}


def test_service_form_turns_priority_off_and_restricts_groups(app, seed, admin_ui, api_as,
                                                               field_error):
    sid = seed.services["HT"]
    page = admin_ui.get(f"/admin/services/{sid}")
    assert 'name="priority_enabled" value="1" id="f-priority_enabled" checked' in page.text
    assert 'value="pregnant"' in page.text  # the centre's groups are offered

    r = admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 1, priority_enabled="1",
                                                      priority_groups=["elderly", "child"]))
    assert r.status_code == 302, r.text
    kiosk = api_as("kiosk")
    listed = {s["code"]: s for s in kiosk.get("/services").json}["HT"]
    assert (listed["priority_enabled"], listed["priority_groups"]) == (True, ["elderly", "child"])
    assert kiosk.post("/tickets", {"service": "HT", "priority": "pregnant"}).status_code == 422
    row = _audit(app, "service.update")[-1]
    assert row.before["priority_groups"] == [] and row.after["priority_groups"] == ["elderly", "child"]

    # checkbox unticked (browsers send nothing) → priority off, live at once
    r = admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 2))
    assert r.status_code == 302, r.text
    assert {s["code"]: s for s in kiosk.get("/services").json}["HT"]["priority_enabled"] is False
    assert kiosk.post("/tickets", {"service": "HT", "priority": "elderly"}).status_code == 422
    row = _audit(app, "service.update")[-1]
    assert row.before["priority_enabled"] is True and row.after["priority_enabled"] is False

    # a form without the priority fields (older page, script) leaves them alone
    r = admin_ui.post(f"/admin/services/{sid}", {"name": "Hộ tịch mới", "prefix": "A", "version": "3"})
    assert r.status_code == 302, r.text
    listed = {s["code"]: s for s in kiosk.get("/services").json}["HT"]
    assert listed["name"] == "Hộ tịch mới" and listed["priority_enabled"] is False


def test_service_priority_validation_and_conflict(app, seed, admin_ui, api_as, field_error):
    sid = seed.services["HT"]
    r = admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 1, priority_groups=["elderly"]))
    assert r.status_code == 422
    assert "tắt số ưu tiên thì không chọn nhóm" in field_error(r.text, "priority_groups")
    assert 'name="priority_enabled" value="1" id="f-priority_enabled" >' in r.text  # kept unticked
    r = admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 1, priority_enabled="1",
                                                      priority_groups=["vip"]))
    assert r.status_code == 422
    assert "Nhóm ưu tiên vip không có" in field_error(r.text, "priority_groups")
    assert {s["code"]: s for s in api_as("kiosk").get("/services").json}["HT"]["priority_groups"] == []
    assert _audit(app, "service.update") == []

    # two admins: the second, still on version 1, does not overwrite the first
    assert admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 1)).status_code == 302
    r = admin_ui.post(f"/admin/services/{sid}", _form("Hộ tịch", "A", 1, priority_enabled="1"))
    assert r.status_code == 409 and "vừa được người khác sửa" in r.text
    assert {s["code"]: s for s in api_as("kiosk").get("/services").json}["HT"]["priority_enabled"] is False


def test_new_service_priority_settings(app, seed, admin_ui, api_as):
    page = admin_ui.get("/admin/services")
    assert 'name="priority_enabled" value="1" id="f-priority_enabled" checked' in page.text
    r = admin_ui.post("/admin/services", {"code": "TP", "name": "Tư pháp", "prefix": "T",
                                          "priority_shown": "1"})
    assert r.status_code == 302, r.text
    r = admin_ui.post("/admin/services", {"code": "XX", "name": "Khác", "prefix": "X",
                                          "priority_shown": "1", "priority_enabled": "1",
                                          "priority_groups": ["merit"]})
    assert r.status_code == 302, r.text
    listed = {s["code"]: s for s in api_as("kiosk").get("/services").json}
    assert listed["TP"]["priority_enabled"] is False
    assert (listed["XX"]["priority_enabled"], listed["XX"]["priority_groups"]) == (True, ["merit"])
    assert _audit(app, "service.create")[-1].after["priority_groups"] == ["merit"]


def test_reorder_counters(app, seed, admin_ui, api_as):
    numbers = sorted(seed.counters)
    assert len(numbers) >= 3
    wanted = [numbers[2], numbers[0], numbers[1]]
    r = admin_ui.post_json("/admin/counters/order", {"ids": [seed.counters[n] for n in wanted]})
    assert r.status_code == 200 and r.json["order"][:3] == wanted
    listed = [c["number"] for c in api_as("kiosk").get("/counters").json]
    assert listed[:3] == wanted
    page = admin_ui.get("/admin/counters").text
    positions = [page.index(f'data-number="{n}"') for n in wanted]
    assert positions == sorted(positions)
    assert 'id="counter-rows"' in page and 'draggable="true"' in page
    row = _audit(app, "counter.reorder")[-1]
    assert row.before[:3] == numbers[:3] and row.after[:3] == wanted
    assert admin_ui.post_json("/admin/counters/order", {"ids": [999999]}).status_code == 422
    assert admin_ui.post_json("/admin/counters/order", {"ids": "x"}).status_code == 422

    # a counter added later goes last
    r = admin_ui.post("/admin/counters", {"number": "77", "name": "Quầy 77",
                                          "services": [seed.services["HT"]]})
    assert r.status_code == 302, r.text
    assert [c["number"] for c in api_as("kiosk").get("/counters").json][-1] == 77
