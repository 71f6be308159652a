"""A ticket transferred to one counter, through the API: it shows where it was sent
(`target_counter`), only that counter acts on it while it waits (another counter serving its
service gets 403 naming it), and the kiosk's re-queue of a no-show is unchanged."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator
from support import Seed, socket_messages

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.get_json())
    return response.json


def ticket_schema(app) -> Draft202012Validator:
    doc = app.test_client().get("/api/v1/openapi.json").json
    return Draft202012Validator({"$ref": "#/components/schemas/Ticket",
                                 "components": doc["components"]})


def sent_to_three(api_as, seed: Seed) -> dict:
    """An HT ticket called at counter 2, then transferred to counter 3 (which serves HT too)."""
    kiosk, agent2 = api_as("kiosk"), api_as("agent2")
    issued = ok(kiosk.post("/tickets", {"service": "HT"}), 201)
    ok(agent2.post(f"/counters/{seed.counters[2]}/open"))
    assert ok(agent2.post(f"/counters/{seed.counters[2]}/call-next"))["id"] == issued["id"]
    return ok(agent2.post(f"/tickets/{issued['id']}/transfer", {"counter": 3}))


def test_the_ticket_shows_where_it_was_sent_until_it_is_called_there(app, api_as, seed):
    schema = ticket_schema(app)
    display, agent3 = api_as("display"), api_as("agent3")
    moved = sent_to_three(api_as, seed)
    assert moved["target_counter"] == {"number": 3, "name": "Quầy 3"}
    shown = ok(display.get(f"/tickets/{moved['id']}"))
    assert shown["status"] == "waiting" and shown["target_counter"] == {"number": 3, "name": "Quầy 3"}
    assert shown["counter"] is None and shown["counter_name"] is None  # still "called where": none
    assert not list(schema.iter_errors(shown))

    ok(agent3.post(f"/counters/{seed.counters[3]}/open"))
    called = ok(agent3.post(f"/counters/{seed.counters[3]}/call-next"))
    assert called["id"] == moved["id"]
    assert called["target_counter"] is None and called["counter"] == 3
    plain = ok(api_as("kiosk").post("/tickets", {"service": "CT"}), 201)
    assert plain["target_counter"] is None
    assert not list(schema.iter_errors(called)) and not list(schema.iter_errors(plain))


def test_another_counter_serving_the_service_is_refused_with_the_counter_named(app, api_as, seed):
    agent2, agent3, agent4 = api_as("agent2"), api_as("agent3"), api_as("agent4")
    moved = sent_to_three(api_as, seed)
    # counter 2 sent it away; it serves HT but may no longer cancel or move it
    for action, body in (("cancel", {"reason": "left"}), ("transfer", {"service": "CT"})):
        r = agent2.post(f"/tickets/{moved['id']}/{action}", body)
        assert r.status_code == 403, r.json
        assert r.json["error"]["code"] == "forbidden"
        assert r.json["error"]["message"].startswith(
            f"Số {moved['number']} đã được chuyển đến quầy số 3 (Quầy 3);")
    r = agent4.post(f"/tickets/{moved['id']}/cancel")
    assert r.status_code == 403 and "quầy số 3" in r.json["error"]["message"]
    still = ok(api_as("display").get(f"/tickets/{moved['id']}"))
    assert still["status"] == "waiting" and still["target_counter"]["number"] == 3  # untouched
    # counter 3 itself may act on it
    back = ok(agent3.post(f"/tickets/{moved['id']}/transfer", {"counter": 2}))
    assert back["target_counter"] == {"number": 2, "name": "Quầy 2"}
    assert agent3.post(f"/tickets/{moved['id']}/cancel").status_code == 403
    assert ok(agent2.post(f"/tickets/{moved['id']}/cancel"))["status"] == "cancelled"


def test_the_transferred_event_carries_the_target(app, api_as, seed):
    from queue_server.extensions import socketio

    client = socketio.test_client(app, auth={"token": seed.tokens["display"]})
    socket_messages(client, "state")
    moved = sent_to_three(api_as, seed)
    messages = socket_messages(client, "ticket.transferred")
    event = next(m["args"][0] for m in messages if m["name"] == "ticket.transferred")
    assert event["ticket"]["id"] == moved["id"]
    assert event["ticket"]["target_counter"] == {"number": 3, "name": "Quầy 3"}
    assert event["to_counter"] == 3 and event["counter"]["number"] == 2
    client.disconnect()


def test_kiosk_requeue_of_a_no_show_is_unchanged(app, api_as, seed):
    kiosk, agent2, agent3 = api_as("kiosk"), api_as("agent2"), api_as("agent3")
    moved = sent_to_three(api_as, seed)
    ok(agent3.post(f"/counters/{seed.counters[3]}/open"))
    ok(agent3.post(f"/counters/{seed.counters[3]}/call-next"))
    ok(agent3.post(f"/tickets/{moved['id']}/skip"))
    back = ok(kiosk.post(f"/tickets/{moved['id']}/requeue"))
    # back in its service's queue, as before this rule: any counter serving HT may act on it
    assert back["status"] == "waiting" and back["target_counter"] is None
    assert ok(agent2.post(f"/tickets/{moved['id']}/cancel"))["status"] == "cancelled"
