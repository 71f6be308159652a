"""Device endpoints on a real app: health reports, the device list, print results, reprints —
with the roles allowed to call them, the stored events, the Socket.IO messages, and answers that
match the served OpenAPI schemas."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from support import socket_messages

from queue_server.extensions import socketio

REPORT_OK = {"agent": "motcua-agent 0.1", "devices": [
    {"id": "agent", "kind": "agent", "status": "ok", "message": ""},
    {"id": "quay-1-led", "kind": "display", "status": "ok", "message": ""},
    {"id": "quay-1-pad", "kind": "keypad", "status": "ok", "message": ""},
]}


def _with(report: dict, device: str, status: str, message: str = "") -> dict:
    return {**report, "devices": [{**d, "status": status, "message": message} if d["id"] == device
                                  else d for d in report["devices"]]}


@pytest.fixture
def schema_check(app):
    doc = app.test_client().get("/api/v1/openapi.json").json

    def check(response, path: str, method: str, status: int):
        assert response.status_code == status, (path, response.status_code, response.get_json())
        spec = doc["paths"][path][method]["responses"][str(status)]
        if "$ref" in spec:
            spec = doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
        schema = spec["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": doc["components"]})
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(response.json)]
        assert not errors, (path, errors)
        return response.json

    return check


def _events(api_as, types: tuple[str, ...]) -> list[dict]:
    items = api_as("reports").get("/events?limit=10000").json["items"]
    return [e for e in items if e["type"] in types]


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_health_is_stored_and_a_status_change_is_one_event(api_as, login, schema_check):
    agent = api_as("agent1")
    answer = schema_check(agent.post("/devices/health", REPORT_OK), "/devices/health", "post", 200)
    assert answer["status"] == "ok" and set(answer["changed"]) == {"agent", "quay-1-led", "quay-1-pad"}
    # the same report again changes nothing and records nothing
    assert agent.post("/devices/health", REPORT_OK).json["changed"] == []
    unplugged = _with(REPORT_OK, "quay-1-led", "offline", "Thiết bị quay-1-led mất kết nối")
    answer = agent.post("/devices/health", unplugged).json
    assert answer == {**answer, "status": "offline", "changed": ["quay-1-led"]}

    devices = schema_check(api_as("reports").get("/devices"), "/devices", "get", 200)
    row = next(d for d in devices if d["name"] == "agent1")
    assert row["role"] == "agent" and row["counter"] == 1 and row["status"] == "offline"
    assert row["last_contact_at"] and row["agent"] == "motcua-agent 0.1"
    led = next(d for d in row["devices"] if d["id"] == "quay-1-led")
    assert led["message"] == "Thiết bị quay-1-led mất kết nối"
    never = next(d for d in devices if d["name"] == "display")
    assert never["status"] == "unknown" and never["last_contact_at"] is None

    health = _events(api_as, ("device.health",))
    assert [e["status"] for e in health] == ["ok", "offline"]
    assert health[1]["changes"] == [{"id": "quay-1-led", "kind": "display", "status": "offline",
                                     "message": "Thiết bị quay-1-led mất kết nối", "previous": "ok"}]
    assert health[1]["counter"] == 1 and health[1]["actor"] == "device:agent1"


def test_a_silent_agent_is_offline_on_the_device_list(api_as, clock):
    api_as("agent2").post("/devices/health", REPORT_OK)
    assert _row(api_as, "agent2")["status"] == "ok"
    clock.advance(seconds=31)
    assert _row(api_as, "agent2")["status"] == "offline"


def _row(api_as, name: str) -> dict:
    return next(d for d in api_as("reports").get("/devices").json if d["name"] == name)


@pytest.mark.parametrize("body", [
    {}, {"devices": []}, {"devices": "x"}, {"devices": [{"id": "a", "status": "broken"}]},
    {"devices": [{"id": "", "status": "ok"}]}, {"devices": [{"id": "a", "status": "ok", "kind": "toaster"}]},
    {"devices": [{"id": "a", "status": "ok"}, {"id": "a", "status": "ok"}]},
    {"devices": [{"id": "a", "status": "ok", "message": "x" * 301}]}, {"devices": [7]},
])
def test_a_malformed_health_report_is_a_clear_422(api_as, body):
    r = api_as("agent1").post("/devices/health", body)
    assert r.status_code == 422 and r.json["error"]["code"] == "invalid", r.json
    assert r.json["error"]["message"]


def test_who_may_report_health_and_read_the_device_list(api_as, login):
    assert api_as("kiosk").post("/devices/health", REPORT_OK).status_code == 200
    assert api_as(None).post("/devices/health", REPORT_OK).status_code == 401
    for name in ("display", "reports"):
        assert api_as(name).post("/devices/health", REPORT_OK).status_code == 403
    assert login("staff2").post("/devices/health", REPORT_OK).status_code == 403
    for caller in (api_as("reports"), login("boss"), login("root")):
        assert caller.get("/devices").status_code == 200
    for caller in (api_as("kiosk"), api_as("agent1"), api_as("display"), login("staff2")):
        assert caller.get("/devices").status_code == 403
    assert api_as(None).get("/devices").status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_paper_out_is_a_print_failed_event_and_the_ticket_stays_valid(api_as, schema_check):
    kiosk = api_as("kiosk")
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    path = "/tickets/{ticket_id}/print-result"
    body = {"ok": False, "status": "paper_out", "message": "Máy in hết giấy — vui lòng chụp màn hình"}
    first = schema_check(kiosk.post(f"/tickets/{ticket['id']}/print-result", body,
                                    headers={"Idempotency-Key": "p-1"}), path, "post", 201)
    assert first["event"] == "ticket.print_failed" and first["ticket_status"] == "waiting"
    again = kiosk.post(f"/tickets/{ticket['id']}/print-result", body, headers={"Idempotency-Key": "p-1"})
    assert again.status_code == 201 and again.json == first
    ok = schema_check(kiosk.post(f"/tickets/{ticket['id']}/print-result", {"ok": True}), path, "post", 201)
    assert ok["event"] == "ticket.printed" and ok["status"] == "printed"

    events = _events(api_as, ("ticket.print_failed", "ticket.printed"))
    assert [e["type"] for e in events] == ["ticket.print_failed", "ticket.printed"]
    assert events[0]["message"] == body["message"] and events[0]["print_status"] == "paper_out"
    assert events[0]["number"] == ticket["number"] and events[0]["ticket_id"] == ticket["id"]
    # the ticket is still waiting and can be called
    assert kiosk.get(f"/tickets/{ticket['id']}").json["status"] == "waiting"
    agent = api_as("agent2")
    agent.post(f"/counters/{_counter_id(api_as, 2)}/open")
    assert agent.post(f"/counters/{_counter_id(api_as, 2)}/call-next").json["id"] == ticket["id"]


def _counter_id(api_as, number: int) -> int:
    return next(c["id"] for c in api_as("kiosk").get("/counters").json if c["number"] == number)


def test_print_result_callers_and_bad_input(api_as, login):
    ticket = api_as("kiosk").post("/tickets", {"service": "HT"}).json
    url = f"/tickets/{ticket['id']}/print-result"
    assert api_as("agent1").post(url, {"ok": True}).status_code == 201
    for name in ("display", "reports"):
        assert api_as(name).post(url, {"ok": True}).status_code == 403
    assert login("staff2").post(url, {"ok": True}).status_code == 403
    assert api_as(None).post(url, {"ok": True}).status_code == 401
    kiosk = api_as("kiosk")
    assert kiosk.post("/tickets/999999/print-result", {"ok": True}).status_code == 404
    for body in ({}, {"ok": "yes"}, {"ok": False, "status": "on_fire"}, {"ok": True, "message": 5}):
        r = kiosk.post(url, body)
        assert r.status_code == 422 and r.json["error"]["message"], body
    r = kiosk.post(url, {"ok": True}, headers={"Idempotency-Key": "x" * 129})
    assert r.status_code == 422


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_reprint_goes_to_the_right_kiosk(api_as, login, schema_check):
    kiosk = api_as("kiosk")
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    path = "/tickets/{ticket_id}/reprint"
    asked = schema_check(kiosk.post(f"/tickets/{ticket['id']}/reprint"), path, "post", 202)
    assert asked["printer"] == "device:kiosk" and asked["event"] == "ticket.print_requested"
    by_staff = schema_check(login("staff2").post(f"/tickets/{ticket['id']}/reprint"), path, "post", 202)
    assert by_staff["printer"] == "device:kiosk"  # the kiosk that issued it

    staff = login("root")
    at_counter = staff.post("/tickets", {"service": "CT"}).json
    r = staff.post(f"/tickets/{at_counter['id']}/reprint")
    assert r.status_code == 409 and "kiosk" in r.json["error"]["message"]
    assert staff.post(f"/tickets/{at_counter['id']}/reprint", {"kiosk": "kiosk"}).json["printer"] == \
        "device:kiosk"
    assert staff.post(f"/tickets/{at_counter['id']}/reprint", {"kiosk": "display"}).status_code == 404
    for name in ("display", "agent1", "reports"):
        assert api_as(name).post(f"/tickets/{ticket['id']}/reprint").status_code == 403
    kiosk.post(f"/tickets/{ticket['id']}/cancel")  # kiosks may not cancel: still waiting
    cancelled = staff.post(f"/tickets/{ticket['id']}/cancel").json
    assert cancelled["status"] == "cancelled"
    assert kiosk.post(f"/tickets/{ticket['id']}/reprint").status_code == 409
    requested = _events(api_as, ("ticket.print_requested",))
    assert [e["actor"] for e in requested] == ["device:kiosk", "user:staff2", "user:root"]


def test_socketio_clients_get_who_they_are_and_the_device_events(app, api_as, seed):
    agent_client = socketio.test_client(app, auth={"token": seed.tokens["agent1"]})
    kiosk_client = socketio.test_client(app, auth={"token": seed.tokens["kiosk"]})
    try:
        (state,) = [m["args"][0] for m in socket_messages(agent_client, "state") if m["name"] == "state"]
        assert state["client"] == {**state["client"], "name": "agent1", "role": "agent", "counter": 1}
        assert state["client"]["public_url"].startswith("http")
        (kstate,) = [m["args"][0] for m in socket_messages(kiosk_client, "state") if m["name"] == "state"]
        assert kstate["client"]["role"] == "kiosk" and kstate["client"]["counter"] is None

        ticket = api_as("kiosk").post("/tickets", {"service": "HT"}).json
        api_as("kiosk").post(f"/tickets/{ticket['id']}/print-result",
                             {"ok": False, "status": "paper_out", "message": "Máy in hết giấy"})
        api_as("agent1").post("/devices/health", REPORT_OK)
        got = _wait_for(kiosk_client, {"ticket.issued", "ticket.print_failed", "device.health"})
        issued = got["ticket.issued"]
        assert issued["actor"] == "device:kiosk" and issued["ticket"]["number"] == ticket["number"]
        failed = got["ticket.print_failed"]
        assert failed["ticket"]["id"] == ticket["id"] and failed["message"] == "Máy in hết giấy"
        assert got["device.health"]["device"] == "agent1" and got["device.health"]["status"] == "ok"
    finally:
        agent_client.disconnect()
        kiosk_client.disconnect()


def _wait_for(client, names: set[str], timeout: float = 3.0) -> dict[str, dict]:
    got: dict[str, dict] = {}
    for m in socket_messages(client, *names, timeout=timeout):
        got.setdefault(m["name"], m["args"][0])
    assert names <= set(got), (names, set(got))
    return got


@pytest.mark.parametrize("database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_kiosk_agent_connecting_gets_the_tickets_it_has_not_printed(app, api_as, seed, clock):
    kiosk = api_as("kiosk")
    too_old = kiosk.post("/tickets", {"service": "DD"}).json
    clock.advance(seconds=61)
    printed = kiosk.post("/tickets", {"service": "HT"}).json
    kiosk.post(f"/tickets/{printed['id']}/print-result", {"ok": True})
    failed = kiosk.post("/tickets", {"service": "HT"}).json
    kiosk.post(f"/tickets/{failed['id']}/print-result", {"ok": False, "status": "paper_out"})
    missed = kiosk.post("/tickets", {"service": "DD"}).json
    svc = app.extensions["motcua"]
    with svc.uow() as uow:  # the administrator's ticket template
        centre = uow.repo.centre(seed.centre_id)
        centre.settings = {**centre.settings, "ticket_header": ["UBND XÃ DEMO"], "ticket_footer": []}
        uow.commit()
    client = socketio.test_client(app, auth={"token": seed.tokens["kiosk"]})
    try:
        (state,) = [m["args"][0] for m in socket_messages(client, "state") if m["name"] == "state"]
    finally:
        client.disconnect()
    unprinted = state["client"]["unprinted"]
    assert [t["id"] for t in unprinted] == [missed["id"]], (too_old["id"], unprinted)
    assert unprinted[0]["service_name"] == "Đất đai" and unprinted[0]["people_ahead"] == 1
    assert state["client"]["ticket"] == {"header": ["UBND XÃ DEMO"], "footer": [],
                                         "timezone": "Asia/Ho_Chi_Minh"}
    agent = socketio.test_client(app, auth={"token": seed.tokens["agent1"]})
    try:
        (agent_state,) = [m["args"][0] for m in socket_messages(agent, "state") if m["name"] == "state"]
    finally:
        agent.disconnect()
    assert "unprinted" not in agent_state["client"]
