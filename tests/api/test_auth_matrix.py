"""Auth: every /api/v1 endpoint × every kind of caller gets exactly the documented status.

The expected table follows domain/access.py and service_layer.py:
- anonymous callers get 401 everywhere except health and the OpenAPI document;
- reads (services, counters, state, a ticket) are open to any valid token or staff session;
  events to a manager (token or user) and the admin;
- issuing and requeueing belong to the kiosk and to people (staff, manager, admin users);
- counter and ticket actions at counter 2 belong to the agent bound to counter 2, to the staff
  member who opened counter 2 and to the admin; an agent bound to counter 3, staff who opened
  counter 3 and a manager holding no counter are refused (403), and so are kiosk, display and
  manager tokens, which never act at a counter;
- a waiting ticket transferred to counter 2 ({sent_c2}) is counter 2's alone: counter 3 serves
  its service (HT) but is refused;
- `open` by a person who cannot take counter 2 is a 409 (they already hold counter 3, or
  counter 2 is held by someone else), not a 403: the person may open counters, just not this one now;
- a rating comes from the counter's agent (keypad), a kiosk/tablet, the person at that counter,
  or the admin;
- procedures are readable like services; the device list is for managers and the admin; health
  reports and print results come from device agents and kiosks (any counter's agent: the report
  is about the device itself); a reprint is asked by a kiosk or a person.

Rows are endpoints, columns are callers. Every cell starts from a freshly prepared ticket/counter
state, so one cell's outcome never depends on another's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from support import Api, Seed

from queue_server.auth import clear_cache, hash_token

# Callers (columns).
ROLES = ["anon", "kiosk", "display", "agent_own", "agent_other", "staff_own", "staff_other",
         "mgr_token", "mgr_user", "admin"]

# anon kiosk display agent_own agent_other staff_own staff_other mgr_token mgr_user admin
MATRIX_TEXT = """
GET  /health                      200 200 200 200 200 200 200 200 200 200
GET  /openapi.json                200 200 200 200 200 200 200 200 200 200
GET  /services                    401 200 200 200 200 200 200 200 200 200
GET  /counters                    401 200 200 200 200 200 200 200 200 200
GET  /state                       401 200 200 200 200 200 200 200 200 200
GET  /tickets/{waiting}           401 200 200 200 200 200 200 200 200 200
GET  /events                      401 403 403 403 403 403 403 200 200 200
POST /tickets                     401 201 403 403 403 201 201 403 201 201
POST /counters/{c2}/call-next     401 403 403 200 403 200 403 403 403 200
POST /counters/{c2}/open          401 403 403 200 403 200 409 403 409 200
POST /counters/{c2}/pause         401 403 403 200 403 200 403 403 403 200
POST /counters/{c2}/close         401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/recall     401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/skip       401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/start      401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/finish     401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/transfer   401 403 403 200 403 200 403 403 403 200
POST /tickets/{called}/cancel     401 403 403 200 403 200 403 403 403 200
POST /tickets/{sent_c2}/cancel    401 403 403 200 403 200 403 403 403 200
POST /tickets/{sent_c2}/transfer  401 403 403 200 403 200 403 403 403 200
POST /tickets/{no_show}/requeue   401 200 403 403 403 200 200 403 200 200
POST /tickets/{done}/rating       401 201 403 201 403 201 403 403 403 201
GET  /procedures                  401 200 200 200 200 200 200 200 200 200
GET  /procedures/fields           401 200 200 200 200 200 200 200 200 200
GET  /procedures/{procedure}      401 200 200 200 200 200 200 200 200 200
GET  /devices                     401 403 403 403 403 403 403 200 200 200
POST /devices/health              401 200 403 200 200 403 403 403 403 403
POST /tickets/{waiting}/print-result 401 201 403 201 201 403 403 403 403 403
POST /tickets/{waiting}/reprint   401 202 403 403 403 202 202 403 202 202
"""

BODIES = {
    "/tickets": {"service": "HT"},
    "/transfer": {"service": "CT"},
    "/finish": {"dossier_code": "HS-1"},
    "/rating": {"level": 3},
    "/devices/health": {"devices": [{"id": "printer-1", "kind": "printer", "status": "ok"}]},
    "/print-result": {"ok": True, "status": "printed"},
}


def parse_matrix(text: str) -> list[tuple[str, str, dict[str, int]]]:
    rows = []
    for line in text.strip().splitlines():
        method, path, *codes = line.split()
        assert len(codes) == len(ROLES), line
        rows.append((method, path, dict(zip(ROLES, map(int, codes), strict=True))))
    return rows


MATRIX = parse_matrix(MATRIX_TEXT)


class Session(Api):
    """A person logged in through the real /login form, sending the CSRF header on writes."""

    def __init__(self, client, username: str, password: str):
        super().__init__(client)
        page = client.get("/login")
        assert page.status_code == 200
        form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": form_token, "username": username,
                                        "password": password})
        assert r.status_code == 302, (username, r.status_code)
        # login renews the session, so the CSRF token comes from a page served after it
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        self.csrf = meta.group(1)
        self.headers = {"X-CSRFToken": self.csrf}


@dataclass
class World:
    seed: Seed
    callers: dict[str, Api]

    @property
    def c2(self) -> int:
        return self.seed.counters[2]

    def ok(self, response, status: int = 200) -> dict:
        assert response.status_code == status, (response.status_code, response.get_json())
        return response.json if response.data else {}

    def ensure_c2_open(self) -> None:
        """Counter 2 open and held by staff2 (reopened after a close or pause)."""
        self.ok(self.callers["staff_own"].post(f"/counters/{self.c2}/open"))

    def waiting(self) -> int:
        return self.ok(self.callers["kiosk"].post("/tickets", {"service": "HT"}), 201)["id"]

    def called(self) -> int:
        self.ensure_c2_open()
        self.waiting()
        return self.ok(self.callers["agent_own"].post(f"/counters/{self.c2}/call-next"))["id"]

    def sent_c2(self) -> int:
        """An HT ticket transferred to counter 2 by counter 3 (which serves HT too), waiting."""
        ticket = self.waiting()
        moved = self.ok(self.callers["agent_other"].post(f"/tickets/{ticket}/transfer",
                                                         {"counter": 2}))
        assert moved["status"] == "waiting" and moved["target_counter"]["number"] == 2
        return ticket

    def no_show(self) -> int:
        ticket = self.called()
        self.ok(self.callers["agent_own"].post(f"/tickets/{ticket}/skip"))
        return ticket

    def done(self) -> int:
        ticket = self.called()
        self.ok(self.callers["agent_own"].post(f"/tickets/{ticket}/finish"))
        return ticket

    def procedure(self) -> str:
        found = self.ok(self.callers["kiosk"].get("/procedures", query_string={"q": "khai sinh"}))
        return found[0]["code"]

    def c2_idle(self) -> int:
        """Counter 2 open with nothing called or served (so close may succeed)."""
        self.ensure_c2_open()
        state = self.ok(self.callers["admin"].get("/state"))
        current = next(c["current"] for c in state["counters"] if c["number"] == 2)
        if current:
            self.ok(self.callers["agent_own"].post(f"/tickets/{current['id']}/finish"))
        return self.c2

    def c2_ready(self) -> int:
        self.ensure_c2_open()
        self.waiting()
        return self.c2

    def prepare(self, path: str) -> str:
        """Make the state the row needs and return the concrete path."""
        makers: dict[str, Callable[[], int]] = {
            "{waiting}": self.waiting, "{called}": self.called, "{no_show}": self.no_show,
            "{sent_c2}": self.sent_c2,
            "{done}": self.done, "{procedure}": self.procedure,
        }
        for slot, make in makers.items():
            if slot in path:
                return path.replace(slot, str(make()))
        if "{c2}" in path:
            make = self.c2_idle if path.endswith("/close") else self.c2_ready
            return path.replace("{c2}", str(make()))
        return path


def make_world(app, seed: Seed) -> World:
    def token(name: str | None) -> Api:
        return Api(app.test_client(), seed.tokens[name] if name else None)

    callers: dict[str, Api] = {
        "anon": token(None), "kiosk": token("kiosk"), "display": token("display"),
        "agent_own": token("agent2"), "agent_other": token("agent3"),
        "mgr_token": token("reports"),
        "staff_own": Session(app.test_client(), "staff2", Seed.password),
        "staff_other": Session(app.test_client(), "staff3", Seed.password),
        "mgr_user": Session(app.test_client(), "boss", Seed.password),
        "admin": Session(app.test_client(), "root", Seed.password),
    }
    world = World(seed, callers)
    from queue_server.demo import load_demo_catalog

    load_demo_catalog(app.extensions["motcua_catalog"].store(seed.centre_id))
    world.ensure_c2_open()
    # staff3 holds counter 3: "staff at another counter"
    r = callers["staff_other"].post(f"/counters/{seed.counters[3]}/open")
    assert r.status_code == 200, r.json
    return world


@pytest.mark.parametrize("role", ROLES)
def test_each_endpoint_answers_this_caller_as_the_table_says(app, seed, role):
    world = make_world(app, seed)
    caller = world.callers[role]
    wrong = []
    for method, template, expected in MATRIX:
        path = world.prepare(template)
        if method == "GET":
            r = caller.get(path)
        else:
            body = next((b for suffix, b in BODIES.items() if template.endswith(suffix)), None)
            r = caller.post(path, body)
        got = r.status_code
        if got != expected[role]:
            wrong.append(f"{method} {template}: expected {expected[role]}, got {got} {r.get_json()}")
        if got >= 400:
            error = r.get_json()["error"]
            assert error["code"] and error["message"], (template, error)
            if got == 401:
                assert error["code"] == "unauthenticated"
            if got == 403:
                assert error["code"] == "forbidden"
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_session_write_without_the_csrf_header_is_refused(app, seed):
    world = make_world(app, seed)
    staff = world.callers["staff_own"]
    r = staff.client.post("/api/v1/tickets", json={"service": "HT"})  # no X-CSRFToken
    assert r.status_code == 400 and r.json["error"]["code"] == "csrf"
    r = staff.client.post("/api/v1/tickets", json={"service": "HT"},
                          headers={"X-CSRFToken": "forged"})
    assert r.status_code == 400 and r.json["error"]["code"] == "csrf"
    assert staff.client.get("/api/v1/services").status_code == 200  # reads need no header
    assert staff.post("/tickets", {"service": "HT"}).status_code == 201
    # a bearer token needs no CSRF header
    assert world.callers["kiosk"].post("/tickets", {"service": "HT"}).status_code == 201


def test_a_logged_out_session_is_anonymous(app, seed):
    staff = Session(app.test_client(), "staff2", Seed.password)
    assert staff.get("/services").status_code == 200
    staff.client.post("/logout", data={"csrf_token": staff.csrf})
    r = staff.get("/services")
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"


def test_a_revoked_token_stops_working(app, seed, clock):
    kiosk = Api(app.test_client(), seed.tokens["kiosk"])
    assert kiosk.post("/tickets", {"service": "HT"}).status_code == 201
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        row = uow.repo.token_by_hash(hash_token(seed.tokens["kiosk"]))
        row.revoked_at = clock()
        uow.commit()
    clear_cache()  # the lookup cache lives a few seconds; a server restart or expiry clears it
    for r in (kiosk.get("/services"), kiosk.post("/tickets", {"service": "HT"})):
        assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"
    # other tokens are untouched
    assert Api(app.test_client(), seed.tokens["display"]).get("/services").status_code == 200


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic a2lvc2s6eA==",
                                    "Bearer " + "x" * 300])
def test_a_bad_token_is_unauthenticated(app, seed, header):
    r = app.test_client().get("/api/v1/services", headers={"Authorization": header})
    assert r.status_code == 401 and r.json["error"]["code"] == "unauthenticated"


def test_another_centres_callers_see_nothing_of_this_centre(app, seed):
    from support import seed_centre

    other = seed_centre(app, code="khac", suffix="-khac")
    ticket = Api(app.test_client(), seed.tokens["kiosk"]).post("/tickets", {"service": "HT"}).json
    foreign_kiosk = Api(app.test_client(), other.tokens["kiosk"])
    foreign_agent = Api(app.test_client(), other.tokens["agent2"])
    foreign_admin = Session(app.test_client(), "root-khac", Seed.password)
    assert foreign_kiosk.get(f"/tickets/{ticket['id']}").status_code == 404
    assert foreign_admin.post(f"/tickets/{ticket['id']}/cancel").status_code == 404
    assert foreign_agent.post(f"/counters/{seed.counters[2]}/open").status_code == 404
    assert foreign_admin.post(f"/counters/{seed.counters[2]}/call-next").status_code == 404
    services = foreign_kiosk.get("/services").json
    assert all(s["waiting"] == 0 for s in services)  # its own centre's queue, not ours




def _public(app) -> set[tuple[str, str]]:
    """(METHOD, doc path) of the routes the OpenAPI document marks as open to anyone."""
    doc = app.test_client().get("/api/v1/openapi.json").json
    return {(m.upper(), path) for path, item in doc["paths"].items()
            for m, op in item.items() if op.get("security") == []}


def _routes(app) -> list[tuple[str, str, str]]:
    """(METHOD, url with dummy ids, endpoint) for every API route, public ones marked by the doc."""
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        url = re.sub(r"<int:[^>]+>", "7", rule.rule)
        url = re.sub(r"<[^>]+>", "finish" if "tickets" in url else "pause", url, count=1) \
            if "<action>" in url else url
        url = re.sub(r"<[^>]+>", "ZZZZ0000", url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url, rule.endpoint))
    return out


def _public_endpoints(app) -> set[tuple[str, str]]:
    adapter = app.url_map.bind("localhost")
    return {(m, adapter.match("/api/v1" + re.sub(r"\{[^}]+\}", "7", path), method=m)[0])
            for m, path in _public(app)}


def test_every_route_not_documented_public_refuses_an_anonymous_caller(app, seed):
    """Covers routes without a matrix row too (new features): no token, no session → 401."""
    public = _public_endpoints(app)
    client = app.test_client()
    checked = 0
    for method, url, endpoint in _routes(app):
        if (method, endpoint) in public:
            continue
        r = client.open(url, method=method, json={} if method != "GET" else None)
        assert r.status_code == 401, (method, url, r.status_code, r.get_json())
        assert r.json["error"]["code"] == "unauthenticated"
        checked += 1
    assert checked >= 20


def test_public_routes_answer_an_anonymous_caller(app, seed):
    """Routes documented with no security never ask who is calling (no 401/403)."""
    public = _public_endpoints(app)
    client = app.test_client()
    for method, url, endpoint in _routes(app):
        if (method, endpoint) in public:
            r = client.open(url, method=method, json={} if method != "GET" else None)
            assert r.status_code not in (401, 403) and r.status_code < 500, (method, url, r.json)


def test_no_session_write_succeeds_without_the_csrf_header(app, seed):
    """Every write route, called from a staff session without X-CSRFToken: refused (400 csrf,
    or 403 when staff may not call it at all), never carried out."""
    staff = Session(app.test_client(), "staff2", Seed.password)
    public = _public_endpoints(app)
    for method, url, endpoint in _routes(app):
        if method == "GET" or (method, endpoint) in public:
            continue
        r = staff.client.open(url, method=method, json={"service": "HT"})
        assert r.status_code in (400, 403), (method, url, r.status_code, r.get_json())
        if r.status_code == 400:
            assert r.json["error"]["code"] == "csrf", (method, url)


def test_an_enrolled_page_cookie_reads_and_writes_only_from_this_server(app, seed):
    """A kiosk page enrolled with its token (cookie `motcua_device`) is that kiosk; its writes
    must come from a page of this server, like a session's CSRF rule."""
    from queue_server.auth import DEVICE_COOKIE

    client = app.test_client()
    client.set_cookie(DEVICE_COOKIE, seed.tokens["kiosk"])
    assert client.get("/api/v1/services").status_code == 200
    r = client.post("/api/v1/tickets", json={"service": "HT"})
    assert r.status_code == 403 and r.json["error"]["code"] == "csrf"
    r = client.post("/api/v1/tickets", json={"service": "HT"},
                    headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/v1/tickets", json={"service": "HT"}, headers={"Origin": "http://localhost"})
    assert r.status_code == 201, r.json
    display = app.test_client()
    display.set_cookie(DEVICE_COOKIE, seed.tokens["display"])
    assert display.post("/api/v1/tickets", json={"service": "HT"},
                        headers={"Origin": "http://localhost"}).status_code == 403
