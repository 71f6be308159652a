"""Junk in, clean answers out: generated bodies, query strings, path ids and headers against
every API endpoint never cause a 5xx, and every 4xx carries `{"error": {"code", "message"}}`.

The app is shared by the examples of one test (state piles up, which is the point: later calls
meet called, finished and cancelled tickets); hypothesis' deadline is off because a first call
may migrate or warm caches.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from support import Api

from queue_server.service_layer import COUNTER_ACTIONS, TICKET_ACTIONS

# MOTCUA_FUZZ_EXAMPLES=2000 runs a longer, randomly seeded hunt; the default is quick and fixed.
EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "0"))
FUZZ = settings(max_examples=EXAMPLES or 80, deadline=None, derandomize=not EXAMPLES, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

FIELDS = ["service", "priority", "appointment_at", "level", "pressed_at", "reason", "source",
          "dossier_code", "counter", "devices", "ok", "status", "message", "kiosk", "agent"]

# Header values must be Latin-1 on the wire; control characters are refused by the client.
header_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=200)

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=60),
    st.sampled_from(["HT", "CT", "elderly", "2026-11-18T09:00:00+07:00", "2026-11-18",
                     "9999-12-31T23:59:59", "0001-01-01T00:00:00+14:00", "", " ", "A001",
                     "too_long", "keypad", "phone", "other"]),
)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)
# Values the API accepts somewhere, so generated requests also get past validation.
plausible = st.sampled_from([None, "HT", "CT", "DD", "elderly", "child", 1, 2, 3, "keypad",
                             "tablet", "H01-0001", "left", "time", "2026-11-18T09:00:05+07:00",
                             "0001-01-01T00:05:00+00:00", "9999-12-31T23:59:00+00:00", "H\x00T"])
# Objects with the keys the API reads, holding plausible values or anything at all.
api_object = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)),
                             st.one_of(plausible, plausible, json_value), max_size=4)
raw_body = st.one_of(
    api_object.map(json.dumps), api_object.map(json.dumps), api_object.map(json.dumps),
    json_value.map(json.dumps),
    st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    st.sampled_from(["", "{", "null", "[]", '{"service": "HT"', "\ufeff{}", '{"level": 1e999}']),
)
real_id = st.integers(min_value=1, max_value=12).map(str)  # seeded counters and tickets
path_id = st.one_of(
    real_id, real_id, real_id, st.integers(min_value=0, max_value=40).map(str),
    st.sampled_from(["0", "-1", "2147483648", str(2**63 - 1), str(2**63), str(2**64),
                     "1" * 40, "1.5", "abc", "%00", "..", "1e3", "٣"]),
)
query_value = st.one_of(
    st.none(), st.integers(min_value=-(2**70), max_value=2**70).map(str), header_text,
    st.sampled_from(["2026-11-18", "2026-11-18T09:00", "2026-11-18T09:00:00+07:00",
                     "2026-13-45", "0001-01-01", "9999-12-31T23:59:59.999999", "10000", "0",
                     "1e3", "", "a\x00b"]),
)

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
JUNK_PATHS = {"POST": ["/tickets/{id}/junk", "/counters/{id}/junk", "/nope"],
              "GET": ["/nope", "/tickets/{id}/junk"]}


def api_routes(app) -> dict[str, list[str]]:
    """Every API route, by method, as a template with `{id}` for each path variable
    (a free `<action>` expanded to the actions it accepts), so a new route is fuzzed as it lands."""
    routes: dict[str, list[str]] = {m: [] for m in WRITE_METHODS + ("GET",)}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        if "<action>" in path:
            actions = TICKET_ACTIONS if path.startswith("/tickets") else COUNTER_ACTIONS
            expanded = [path.replace("<action>", a) for a in actions]
        else:
            expanded = [path]
        for method in routes:
            if method in rule.methods:
                routes[method] += [re.sub(r"<[^>]+>", "{id}", x) for x in expanded]
    return {m: sorted(set(paths)) for m, paths in routes.items()}


CALLERS = ["kiosk", "kiosk", "display", "agent1", "agent2", "agent2", "reports", None, "bogus"]
CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded",
                 "application/json; charset=latin-1", None]


def assert_clean(response, what: str) -> None:
    """No 5xx; a 4xx is a JSON error with a code and a message a person can read."""
    if currently_in_test_context():
        event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True))
    if response.status_code >= 400:
        body = response.get_json(silent=True)
        assert isinstance(body, dict) and isinstance(body.get("error"), dict), (what, response.data)
        assert isinstance(body["error"].get("code"), str) and body["error"]["code"], what
        assert isinstance(body["error"].get("message"), str) and body["error"]["message"], what
    elif response.status_code != 204 and response.status_code < 300:
        assert response.is_json, what


@pytest.fixture
def busy(app, seed):
    """A seeded centre with open counters, tickets in several states and the sample catalogue."""
    from queue_server.demo import load_demo_catalog

    load_demo_catalog(app.extensions["motcua_catalog"].store(seed.centre_id))
    kiosk, agent1, agent2 = (Api(app.test_client(), seed.tokens[n])
                             for n in ("kiosk", "agent1", "agent2"))
    for number, agent in ((1, agent1), (2, agent2)):
        assert agent.post(f"/counters/{seed.counters[number]}/open").status_code == 200
    for code in ("HT", "CT", "DD", "HT", "HT", "CT", "HT", "DD", "HT", "CT"):
        assert kiosk.post("/tickets", {"service": code}).status_code == 201
    called = agent2.post(f"/counters/{seed.counters[2]}/call-next").json
    agent2.post(f"/tickets/{called['id']}/finish")
    agent2.post(f"/counters/{seed.counters[2]}/call-next")
    agent1.post(f"/counters/{seed.counters[1]}/call-next")

    routes = api_routes(app)

    def client_for(name: str | None) -> tuple[object, dict]:
        headers = {}
        if name == "bogus":
            headers["Authorization"] = "Bearer bogus"
        elif name:
            headers["Authorization"] = f"Bearer {seed.tokens[name]}"
        return app.test_client(), headers

    client_for.post_paths = routes["POST"]
    client_for.writes = [(m, path) for m in WRITE_METHODS for path in routes[m]]
    client_for.get_paths = routes["GET"] + ["/events", "/events"]  # the richest query
    return client_for


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@FUZZ
@given(data=st.data())
def test_posts_with_junk_never_break_the_server(busy, data):
    client, headers = busy(data.draw(st.sampled_from(CALLERS), label="caller"))
    method, template = data.draw(st.sampled_from(
        busy.writes + [("POST", junk) for junk in JUNK_PATHS["POST"]]), label="route")
    path = "/api/v1" + template.replace("{id}", data.draw(path_id))
    body = data.draw(raw_body, label="body")
    content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content_type")
    if content_type:
        headers["Content-Type"] = content_type
    if data.draw(st.booleans(), label="with key"):
        headers["Idempotency-Key"] = data.draw(header_text, label="key")
    response = client.open(path, method=method, data=body.encode("utf-8"), headers=headers)
    assert_clean(response, f"{method} {path} {body!r} {headers}")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@FUZZ
@given(data=st.data())
def test_well_formed_calls_in_any_order_never_break_the_server(busy, data):
    """Right routes, real ids, JSON bodies of plausible values, by callers who may act: a random
    walk through the life cycle (calls, finishes, transfers, cancels, ratings, closes)."""
    client, headers = busy(data.draw(st.sampled_from(["agent1", "agent2", "agent2", "kiosk"]),
                                     label="caller"))
    template = data.draw(st.sampled_from(busy.post_paths), label="path")
    ident = data.draw(st.integers(min_value=1, max_value=2 if "counters" in template else 12))
    path = "/api/v1" + template.replace("{id}", str(ident))
    body = data.draw(st.one_of(st.none(), api_object), label="body")
    response = client.post(path, json=body, headers=headers)
    assert_clean(response, f"POST {path} {body!r}")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
@FUZZ
@given(data=st.data())
def test_gets_with_junk_queries_never_break_the_server(busy, data):
    client, headers = busy(data.draw(st.sampled_from(CALLERS + ["reports", "reports"])))
    template = data.draw(st.sampled_from(busy.get_paths + JUNK_PATHS["GET"]))
    path = "/api/v1" + template.replace("{id}", data.draw(path_id))
    names = ["from", "to", "after", "limit", "q", "junk"]
    query = {n: v for n in names if (v := data.draw(query_value, label=n)) is not None}
    response = client.get(path, query_string=query, headers=headers)
    assert_clean(response, f"GET {path} {query}")


@FUZZ
@given(data=st.data())
def test_ratings_with_junk_times_levels_and_keys_never_break_the_server(busy, data, seed):
    """The rating path has the most inputs: pressed_at, level, reason, source and the key."""
    client, headers = busy(data.draw(st.sampled_from(["agent2", "kiosk", "agent1"])))
    ticket = data.draw(st.integers(min_value=1, max_value=8), label="ticket")
    body = {
        "level": data.draw(st.one_of(st.integers(1, 3), st.integers(-3, 7), json_scalar),
                           label="level"),
        "pressed_at": data.draw(st.one_of(st.none(), st.none(), query_value, json_scalar),
                                label="pressed_at"),
        "reason": data.draw(st.one_of(st.none(), st.none(), st.sampled_from(["time", "contacts"]),
                                      json_value), label="reason"),
        "source": data.draw(st.one_of(st.sampled_from(["keypad", "tablet"]), json_value),
                            label="source"),
    }
    headers["Idempotency-Key"] = data.draw(st.one_of(st.sampled_from(["k1", "k2", ""]),
                                                     header_text), label="key")
    response = client.post(f"/api/v1/tickets/{ticket}/rating", json=body, headers=headers)
    assert_clean(response, f"rating {ticket} {body} {headers}")


def test_a_huge_json_body_is_a_clean_413(app, seed):
    kiosk = Api(app.test_client(), seed.tokens["kiosk"])
    r = kiosk.post("/tickets", data=b'{"service": "' + b"x" * (3 * 1024 * 1024) + b'"}',
                   headers={"Content-Type": "application/json"})
    assert_clean(r, "huge body")
    assert r.status_code == 413


@pytest.mark.parametrize("when", ["0001-01-01T00:05:00+00:00", "9999-12-31T23:59:00+00:00",
                                  "0001-01-01", "9999-12-31T23:59:59-12:00"])
def test_an_appointment_at_the_edge_of_time_does_not_wedge_call_next(app, seed, when):
    """Found by the fuzz: one such ticket made every later call-next at its counters a 500."""
    kiosk, agent = Api(app.test_client(), seed.tokens["kiosk"]), Api(app.test_client(),
                                                                      seed.tokens["agent2"])
    r = kiosk.post("/tickets", {"service": "HT", "appointment_at": when})
    assert_clean(r, when)
    assert agent.post(f"/counters/{seed.counters[2]}/open").status_code == 200
    normal = kiosk.post("/tickets", {"service": "HT"}).json
    first = agent.post(f"/counters/{seed.counters[2]}/call-next")
    assert_clean(first, when)
    second = agent.post(f"/counters/{seed.counters[2]}/call-next")
    assert_clean(second, when)
    called = {x.json["id"] for x in (first, second) if x.status_code == 200}
    assert normal["id"] in called



def test_every_api_route_is_fuzzed(app):
    """The route list comes from the app itself, including every ticket and counter action."""
    routes = api_routes(app)
    assert "/tickets" in routes["POST"] and "/events" in routes["GET"]
    for action in TICKET_ACTIONS:
        assert f"/tickets/{{id}}/{action}" in routes["POST"]
    for action in (*COUNTER_ACTIONS, "call-next"):
        assert f"/counters/{{id}}/{action}" in routes["POST"]
    assert "/tickets/{id}/rating" in routes["POST"] and "/tickets/{id}" in routes["GET"]


@pytest.mark.parametrize("ident", ["٣", "1-ábc", "%E2%80%AE1", "1" * 30, "-1"])
def test_odd_path_ids_on_every_route_are_clean(busy, ident):
    """Found by the long fuzz: "٣".isdigit() is True, and a signed-code check then compared
    non-ASCII text with compare_digest (TypeError → 500)."""
    for method, template in busy.writes + [("GET", g) for g in busy.get_paths]:
        if "{id}" not in template:
            continue
        client, headers = busy("kiosk")
        r = client.open("/api/v1" + template.replace("{id}", ident), method=method, json={},
                        headers=headers)
        assert_clean(r, f"{method} {template} {ident}")
