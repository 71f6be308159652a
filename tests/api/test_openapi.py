"""The served OpenAPI document: valid, complete (every /api/v1 route), and true (real answers
of a seeded server match the documented schemas)."""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from support import socket_messages

from queue_server.service_layer import COUNTER_ACTIONS, TICKET_ACTIONS

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def doc(app):
    response = app.test_client().get("/api/v1/openapi.json")  # anonymous on purpose
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json


def test_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    validate(doc)  # raises OpenAPIValidationError with the offending path


def _template(rule_path: str) -> str:
    """/api/v1/tickets/<int:ticket_id> → /tickets/{ticket_id}"""
    path = rule_path.removeprefix("/api/v1")
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", path)


def _concrete(template: str) -> str:
    return re.sub(r"\{[^}]+\}", "7", template)


def test_every_route_is_documented_and_every_documented_path_exists(app, doc):
    adapter = app.url_map.bind("localhost")
    documented: dict[str, set[tuple[str, str]]] = {}  # endpoint → {(method, doc path)}
    for path, item in doc["paths"].items():
        for method in item:
            endpoint, args = adapter.match("/api/v1" + _concrete(path), method=method.upper())
            documented.setdefault(endpoint, set()).add((method.upper(), path))
            # a free <action> segment must be one the route really accepts
            if "action" in args:
                allowed = TICKET_ACTIONS if endpoint == "api.ticket_action" else COUNTER_ACTIONS
                assert args["action"] in allowed, path
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(rule.methods - IGNORED_METHODS):
            paths = {p for m, p in documented.get(rule.endpoint, set()) if m == method}
            if not paths:
                missing.append(f"{method} {rule.rule}")
            elif "<action>" in rule.rule:
                # one documented path per action the route accepts
                allowed = TICKET_ACTIONS if "tickets" in rule.rule else COUNTER_ACTIONS
                wanted = {_template(rule.rule).replace("{action}", a) for a in allowed}
                assert wanted <= paths, (rule.rule, wanted - paths)
            else:
                assert _template(rule.rule) in paths, (rule.rule, paths)
    assert not missing, f"routes missing from openapi.py: {missing}"


def test_public_paths_are_marked_public(doc):
    for path in ("/health", "/openapi.json"):
        assert doc["paths"][path]["get"]["security"] == []
    assert doc["paths"]["/tickets"]["post"]["security"]
    rating = doc["paths"]["/tickets/{ticket_id}/rating"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in rating["parameters"])


class Checker:
    """Validates real answers against the document's schema for (path, method, status)."""

    def __init__(self, doc):
        self.doc = doc
        self.seen: set[tuple[str, str, int]] = set()

    def __call__(self, response, path: str, method: str = "post", status: int | None = None):
        if status is not None:
            assert response.status_code == status, (path, response.status_code, response.get_json())
        answers = self.doc["paths"][path][method]["responses"]
        code = str(response.status_code)
        assert code in answers, f"{method.upper()} {path} answered {code}, not documented"
        spec = answers[code]
        if "$ref" in spec:
            spec = self.doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
        self.seen.add((path, method, response.status_code))
        if "content" not in spec:
            assert response.data == b"", f"{path} {code} should have no body"
            return None
        schema = spec["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.doc["components"]})
        body = response.get_json()
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{method.upper()} {path} {code}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])
        return body


def test_real_answers_match_the_documented_schemas(doc, api_as, seed, app):
    check = Checker(doc)
    anon, kiosk, agent2, agent3 = api_as(None), api_as("kiosk"), api_as("agent2"), api_as("agent3")
    display, reports = api_as("display"), api_as("reports")
    c2, c3 = seed.counters[2], seed.counters[3]

    check(anon.get("/health"), "/health", "get", 200)
    check(anon.get("/openapi.json"), "/openapi.json", "get", 200)
    check(anon.get("/services"), "/services", "get", 401)

    first = check(kiosk.post("/tickets", {"service": "HT", "priority": None}), "/tickets", status=201)
    assert first["status"] == "waiting" and first["people_ahead"] == 0
    second = check(kiosk.post("/tickets", {"service": "HT", "priority": "elderly"}), "/tickets",
                   status=201)
    third = check(kiosk.post("/tickets", {"service": "CT"}), "/tickets", status=201)
    check(kiosk.post("/tickets", {"service": "NOPE"}), "/tickets", status=404)
    check(kiosk.post("/tickets", {"priority": "x"}), "/tickets", status=422)
    check(display.post("/tickets", {"service": "HT"}), "/tickets", status=403)

    services = check(display.get("/services"), "/services", "get", 200)
    assert {s["code"]: s["waiting"] for s in services} == {"HT": 2, "CT": 1, "DD": 0}

    check(agent2.post(f"/counters/{c2}/call-next"), "/counters/{counter_id}/call-next", status=409)
    check(agent2.post(f"/counters/{c2}/open"), "/counters/{counter_id}/open", status=200)
    check(agent3.post(f"/counters/{c3}/open"), "/counters/{counter_id}/open", status=200)
    check(agent2.post(f"/counters/{c3}/pause"), "/counters/{counter_id}/pause", status=403)
    called = check(agent2.post(f"/counters/{c2}/call-next"), "/counters/{counter_id}/call-next",
                   status=200)
    assert called["status"] == "called" and called["counter"] == 2
    check(agent2.post(f"/tickets/{called['id']}/recall"), "/tickets/{ticket_id}/recall", status=200)
    check(agent2.post(f"/tickets/{called['id']}/start"), "/tickets/{ticket_id}/start", status=200)
    check(agent2.post(f"/tickets/{called['id']}/start"), "/tickets/{ticket_id}/start", status=409)
    done = check(agent2.post(f"/tickets/{called['id']}/finish", {"dossier_code": "H01.1/2"}),
                 "/tickets/{ticket_id}/finish", status=200)
    assert done["status"] == "done" and done["dossier_code"] == "H01.1/2"
    rating_path = "/tickets/{ticket_id}/rating"
    rated = check(agent2.post(f"/tickets/{done['id']}/rating", {"level": 3},
                              headers={"Idempotency-Key": "k-1"}), rating_path, status=201)
    assert rated["replaced"] is False and rated["counter"] == 2
    again = check(agent2.post(f"/tickets/{done['id']}/rating", {"level": 1},
                              headers={"Idempotency-Key": "k-1"}), rating_path)
    assert again == rated  # a repeated key changes nothing
    replaced = check(agent2.post(f"/tickets/{done['id']}/rating", {"level": 2, "reason": None}),
                     rating_path, status=200)
    assert replaced["replaced"] is True and replaced["level"] == 2
    check(agent2.post(f"/tickets/{done['id']}/rating", {"level": 9}), rating_path, status=422)

    nxt = check(agent2.post(f"/counters/{c2}/call-next"), "/counters/{counter_id}/call-next",
                status=200)
    assert nxt["id"] in (first["id"], second["id"])
    moved = check(agent2.post(f"/tickets/{nxt['id']}/transfer", {"counter": 3}),
                  "/tickets/{ticket_id}/transfer", status=200)
    assert moved["status"] == "waiting" and moved["transfer_count"] == 1
    assert moved["target_counter"] == {"number": 3, "name": "Quầy 3"}
    # sent to counter 3: counter 2 no longer acts on it; counter 3 does (and gets 422 for no target)
    check(agent2.post(f"/tickets/{nxt['id']}/transfer", {}), "/tickets/{ticket_id}/transfer",
          status=403)
    check(agent3.post(f"/tickets/{nxt['id']}/transfer", {}), "/tickets/{ticket_id}/transfer",
          status=422)
    at3 = check(agent3.post(f"/counters/{c3}/call-next"), "/counters/{counter_id}/call-next",
                status=200)
    check(agent3.post(f"/tickets/{at3['id']}/skip"), "/tickets/{ticket_id}/skip", status=200)
    requeued = check(kiosk.post(f"/tickets/{at3['id']}/requeue"), "/tickets/{ticket_id}/requeue",
                     status=200)
    assert requeued["status"] == "waiting"
    check(kiosk.post(f"/tickets/{at3['id']}/recall"), "/tickets/{ticket_id}/recall", status=403)
    cancelled = check(agent3.post(f"/tickets/{third['id']}/cancel", {"reason": "left"}),
                      "/tickets/{ticket_id}/cancel", status=200)
    assert cancelled["cancel_reason"] == "left"
    check(agent3.post(f"/tickets/{third['id']}/cancel"), "/tickets/{ticket_id}/cancel", status=409)

    one = check(display.get(f"/tickets/{done['id']}"), "/tickets/{ticket_id}", "get", 200)
    assert one["counter"] == 2 and one["status"] == "done"
    check(display.get("/tickets/999999"), "/tickets/{ticket_id}", "get", 404)
    counters = check(display.get("/counters"), "/counters", "get", 200)
    assert {c["number"]: c["status"] for c in counters}[2] == "open"
    state = check(display.get("/state"), "/state", "get", 200)
    assert state["recent_calls"] and state["waiting"]["HT"] >= 1

    # close while serving is refused; after finishing it works
    busy = check(agent3.post(f"/counters/{c3}/call-next"), "/counters/{counter_id}/call-next",
                 status=200)
    check(agent3.post(f"/counters/{c3}/close"), "/counters/{counter_id}/close", status=409)
    check(agent3.post(f"/tickets/{busy['id']}/finish"), "/tickets/{ticket_id}/finish", status=200)
    check(agent3.post(f"/counters/{c3}/close"), "/counters/{counter_id}/close", status=200)
    empty = agent3.post(f"/counters/{c3}/open")
    assert empty.status_code == 200
    while (r := agent3.post(f"/counters/{c3}/call-next")).status_code == 200:
        agent3.post(f"/tickets/{r.json['id']}/finish")
    check(r, "/counters/{counter_id}/call-next", status=204)

    page = check(reports.get("/events", query_string={"limit": 5}), "/events", "get", 200)
    assert len(page["items"]) == 5 and page["next"] == page["items"][-1]["id"]
    rest = check(reports.get("/events", query_string={"after": page["next"], "limit": 10000}),
                 "/events", "get", 200)
    assert rest["next"] is None and rest["items"][0]["id"] > page["next"]
    types = {e["type"] for e in page["items"] + rest["items"]}
    assert {"ticket.issued", "ticket.called", "ticket.finished", "ticket.rated",
            "counter.changed", "ticket.requeued", "ticket.transferred"} <= types
    check(reports.get("/events", query_string={"from": "yesterday"}), "/events", "get", 422)
    check(kiosk.get("/events"), "/events", "get", 403)

    from queue_server.demo import load_demo_catalog

    assert load_demo_catalog(app.extensions["motcua_catalog"].store(seed.centre_id))
    found = check(kiosk.get("/procedures", query_string={"q": "khai sinh", "limit": 3}),
                  "/procedures", "get", 200)
    assert 1 <= len(found) <= 3
    check(kiosk.get("/procedures", query_string={"q": "x" * 201}), "/procedures", "get", 422)
    fields = check(kiosk.get("/procedures/fields"), "/procedures/fields", "get", 200)
    assert fields and all(f["count"] > 0 for f in fields)
    record = check(display.get(f"/procedures/{found[0]['code']}"), "/procedures/{code}", "get", 200)
    assert record["code"] == found[0]["code"] and record["dossier_cases"]
    check(display.get("/procedures/KHONG-CO"), "/procedures/{code}", "get", 404)
    check(anon.get("/procedures"), "/procedures", "get", 401)

    # every documented path got at least one real answer checked
    exercised = {p for p, _, _ in check.seen}
    # The core paths, that is; the paths a feature adds with openapi.extend() are checked against
    # their schemas by that feature's tests (tests/devices, tests/kiosk, tests/forms, …).
    from queue_server.api.openapi import document

    core = set(document()["paths"])
    assert core <= set(doc["paths"])
    assert exercised == core, core - exercised


def _validate(doc, name: str, value) -> None:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                      "components": doc["components"]})
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(value)]
    assert not errors, (name, errors[:5])


def test_socketio_payloads_match_the_documented_schemas(doc, app, seed, api_as):

    from queue_server.extensions import socketio

    client = socketio.test_client(app, auth={"token": seed.tokens["display"]})
    received = socket_messages(client, "state")
    assert [m["name"] for m in received] == ["state"]
    state = received[0]["args"][0]
    _validate(doc, "State", state)
    assert state["client"]["role"] == "display"
    agent, counter = api_as("agent2"), seed.counters[2]
    api_as("kiosk").post("/tickets", {"service": "HT"})
    agent.post(f"/counters/{counter}/open")
    ticket = agent.post(f"/counters/{counter}/call-next").json
    agent.post(f"/tickets/{ticket['id']}/finish")
    wanted = {"ticket.issued", "ticket.called", "ticket.finished", "queue.changed",
              "counter.changed"}
    messages = socket_messages(client, *wanted)
    assert wanted <= {m["name"] for m in messages}
    schema = {"queue.changed": "QueueMessage", "counter.changed": "CounterMessage"}
    for message in messages:
        _validate(doc, schema.get(message["name"], "TicketMessage"), message["args"][0])
    called = next(m["args"][0] for m in messages if m["name"] == "ticket.called")
    assert called["ticket"]["id"] == ticket["id"] and called["counter"]["number"] == 2
    client.emit("sync")
    again = socket_messages(client, "state")
    assert again and again[-1]["name"] == "state"
    _validate(doc, "State", again[-1]["args"][0])
    client.disconnect()
