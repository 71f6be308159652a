"""Per-service priority settings: a service may issue no priority tickets, or only some groups.
The engine refuses what the service does not accept; the services list tells the kiosk."""

from __future__ import annotations

import pytest

from queue_server.domain.model import Service


def _set(app, service_id: int, *, enabled: bool = True, groups: list[str] | None = None) -> None:
    with app.extensions["motcua"].uow() as uow:
        service = uow.session.get(Service, service_id)
        service.priority_enabled = enabled
        service.priority_groups = list(groups or [])
        uow.commit()


def test_default_service_accepts_every_priority_group(seed, api_as):
    kiosk = api_as("kiosk")
    listed = {s["code"]: s for s in kiosk.get("/services").json}
    assert listed["HT"]["priority_enabled"] is True and listed["HT"]["priority_groups"] == []
    for group in ("elderly", "pregnant", "disability"):
        r = kiosk.post("/tickets", {"service": "HT", "priority": group})
        assert r.status_code == 201 and r.json["priority"] == group


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_service_with_priority_off_refuses_priority_but_issues_normal(app, seed, api_as):
    _set(app, seed.services["HT"], enabled=False)
    kiosk = api_as("kiosk")
    assert {s["code"]: s for s in kiosk.get("/services").json}["HT"]["priority_enabled"] is False
    r = kiosk.post("/tickets", {"service": "HT", "priority": "elderly"})
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid"
    assert "không phát số ưu tiên" in r.json["error"]["message"]
    assert kiosk.post("/tickets", {"service": "HT"}).status_code == 201
    # other services are not affected
    assert kiosk.post("/tickets", {"service": "CT", "priority": "elderly"}).status_code == 201


def test_restricted_service_accepts_only_its_groups(app, seed, api_as):
    _set(app, seed.services["HT"], groups=["elderly", "disability"])
    kiosk = api_as("kiosk")
    assert {s["code"]: s for s in kiosk.get("/services").json}["HT"]["priority_groups"] == [
        "elderly", "disability"]
    assert kiosk.post("/tickets", {"service": "HT", "priority": "elderly"}).status_code == 201
    r = kiosk.post("/tickets", {"service": "HT", "priority": "pregnant"})
    assert r.status_code == 422
    message = r.json["error"]["message"]
    assert "chỉ nhận số ưu tiên cho: Người cao tuổi, Người khuyết tật" in message
    assert "mang thai" not in message
    assert kiosk.post("/tickets", {"service": "HT"}).status_code == 201
