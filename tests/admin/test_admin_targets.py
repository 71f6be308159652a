"""The 'Chỉ tiêu' form on the admin centre page: messages next to the wrong fields, an audit
row, and the dashboard's gauges use the saved targets at once."""

from __future__ import annotations

from queue_server.store import tables as t

FORM = {"t_wait_minutes": "20", "t_service_minutes": "25",
        "t_wait_share_green": "85", "t_wait_share_amber": "70",
        "t_service_share_green": "90", "t_service_share_amber": "75",
        "t_satisfaction_green": "92,5", "t_satisfaction_amber": "80",
        "t_dossiers_green": "1.500", "t_dossiers_amber": "1200"}


def test_targets_form_validation_and_effect_on_gauges(app, seed, admin_ui, api_as, field_error):
    page = admin_ui.get("/admin/centre").text
    assert 'id="targets-form"' in page and 'value="15"' in page and 'value="1600"' in page

    r = admin_ui.post("/admin/centre/targets", {**FORM, "t_wait_minutes": "mười lăm",
                                                "t_satisfaction_green": "120",
                                                "t_service_share_amber": "95",
                                                "t_dossiers_amber": ""})
    assert r.status_code == 422
    assert "phải là số" in field_error(r.text, "t_wait_minutes")
    assert "phải từ 1 đến 100" in field_error(r.text, "t_satisfaction_green")
    assert "Mức gần đạt phải thấp hơn" in field_error(r.text, "t_service_share_amber")
    assert "Hãy nhập" in field_error(r.text, "t_dossiers_amber")
    assert field_error(r.text, "t_service_minutes") is None
    assert 'value="mười lăm"' in r.text   # what was typed stays in the form
    assert api_as("reports").get("/reports/dashboard").json["targets"]["wait_minutes"] == 15

    r = admin_ui.post("/admin/centre/targets", FORM)
    assert r.status_code == 302
    dash = api_as("reports").get("/reports/dashboard").json
    assert dash["targets"]["wait_minutes"] == 20 and dash["targets"]["service_minutes"] == 25
    assert dash["gauges"]["satisfaction"]["green"] == 0.925
    assert dash["gauges"]["satisfaction"]["amber"] == 0.8
    assert dash["gauges"]["dossiers_per_staff_year"]["green"] == 1500
    assert dash["gauges"]["wait_share"] == {**dash["gauges"]["wait_share"], "green": 0.85,
                                            "amber": 0.7}
    page = admin_ui.get("/admin/centre").text
    assert 'value="92,5"' in page and 'value="1500"' in page
    with app.extensions["motcua"].uow() as uow:
        rows = uow.session.execute(t.audit_log.select().where(
            t.audit_log.c.action == "centre.targets")).all()
    assert len(rows) == 1
    assert rows[0].after["settings"]["targets"]["wait_minutes"] == 20
    assert "targets" not in rows[0].before["settings"]


def test_targets_form_needs_an_admin(seed, login, api_as):
    r = login("staff2").post("/admin/centre/targets", FORM)
    assert r.status_code == 403
    assert api_as("reports").get("/reports/dashboard").json["targets"]["wait_minutes"] == 15
