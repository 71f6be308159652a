"""Who reaches the admin pages, login lockout, and every user's own password."""

from __future__ import annotations

import uuid

import pytest
from support import Api

from queue_server.auth import hash_password
from queue_server.domain.model import User
from queue_server.store import tables as t

ADMIN_PAGES = ["/admin", "/admin/centre", "/admin/services", "/admin/counters", "/admin/staff",
               "/admin/devices", "/admin/templates", "/admin/catalog", "/admin/audit",
               "/admin/health", "/admin/audit.csv"]


def test_anonymous_is_sent_to_login(app, seed):
    client = app.test_client()
    for path in ADMIN_PAGES:
        r = client.get(path)
        assert r.status_code == 302, path
        assert r.headers["Location"].startswith("/login?next=" + path.replace("/", "%2F")) or \
            r.headers["Location"].startswith("/login?next=" + path), r.headers["Location"]
    assert client.post("/admin/services", data={"code": "X"}).status_code in (400, 401)


@pytest.mark.parametrize("username", ["staff2", "boss"])
def test_staff_and_managers_are_refused(login, username):
    person = login(username)
    for path in ADMIN_PAGES:
        assert person.get(path).status_code == 403, path
    r = person.post("/admin/services", {"code": "XX", "name": "Lén", "prefix": "X"})
    assert r.status_code == 403
    assert "XX" not in person.client.get("/api/v1/services").text


def test_admins_reach_every_page(admin_ui):
    for path in ADMIN_PAGES:
        assert admin_ui.get(path).status_code == 200, path


def test_device_tokens_never_reach_admin(app, seed):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {seed.tokens['reports']}"}
    assert client.get("/admin/services", headers=headers).status_code == 302  # to the login form


def test_forms_without_csrf_are_refused(admin_ui):
    r = admin_ui.client.post("/admin/services", data={"code": "NC", "name": "Không CSRF", "prefix": "N"})
    assert r.status_code == 400
    assert "NC" not in admin_ui.get("/admin/services").text


def test_lockout_after_repeated_failures(app, seed, login):
    name = f"khoa{uuid.uuid4().hex[:6]}"
    with app.extensions["motcua"].uow() as uow:
        uow.repo.add(User(centre_id=seed.centre_id, username=name, full_name="Khóa thử", role="staff",
                          password_hash=hash_password("dung-mat-khau-1")))
        uow.commit()
    person = login()
    for _ in range(5):
        assert person.login(name, "sai-mat-khau") == 401
    assert person.login(name, "dung-mat-khau-1") == 429  # locked even with the right password now
    page = person.client.post("/login", data={"username": name, "password": "x"})
    assert page.status_code in (400, 429)
    assert login().login("staff3", "mat-khau-1") == 302  # other accounts are not locked


def test_own_password_change(app, seed, login, field_error):
    person = login("staff2")
    r = person.post("/account/password", {"current": "sai", "password": "moi-mat-khau-9",
                                           "password2": "moi-mat-khau-9"})
    assert r.status_code == 422
    assert field_error(r.text, "current") == "Mật khẩu hiện tại không đúng."
    r = person.post("/account/password", {"current": "mat-khau-1", "password": "ngan",
                                           "password2": "khac"})
    assert r.status_code == 422
    assert "ít nhất 8 ký tự" in field_error(r.text, "password")
    assert field_error(r.text, "password2") == "Hai lần nhập mật khẩu không giống nhau."
    r = person.post("/account/password", {"current": "mat-khau-1", "password": "moi-mat-khau-9",
                                           "password2": "moi-mat-khau-9"})
    assert r.status_code == 302
    assert login().login("staff2", "mat-khau-1") == 401
    assert login().login("staff2", "moi-mat-khau-9") == 302
    with app.extensions["motcua"].uow() as uow:
        rows = uow.session.execute(t.audit_log.select().where(
            t.audit_log.c.action == "user.password_change")).all()
    assert len(rows) == 1 and rows[0].actor == "user:staff2"
    assert "moi-mat-khau" not in str(rows[0])


def test_disabled_account_stops_at_once(app, seed, login, admin_ui):
    staff = login("staff3")
    api = Api(staff.client)
    assert api.get("/services").status_code == 200
    user_id = seed.users["staff3"]
    assert admin_ui.post(f"/admin/staff/{user_id}/disable").status_code == 302
    assert api.get("/services").status_code == 401  # the open session, no 5-second grace
    assert login().login("staff3", "mat-khau-1") == 401
    r = admin_ui.post(f"/admin/staff/{seed.users['root']}/disable")
    assert r.status_code == 409 and "chính mình" in r.text
