"""The tracking and booking routes answer what the served OpenAPI document says."""

from __future__ import annotations

import datetime as dt

from jsonschema import Draft202012Validator
from support import HCM, Api


def check(doc, response, path, method, status):
    assert response.status_code == status, (path, response.status_code, response.get_json())
    spec = doc["paths"][path][method]["responses"][str(status)]
    if "$ref" in spec:
        spec = doc["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    schema = spec["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator({**schema, "components": doc["components"]})
                  .iter_errors(response.get_json()))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    return response.get_json()


def test_tracking_and_booking_answers_match_the_document(app, seed, api_as, clock):
    public = Api(app.test_client())
    doc = public.client.get("/api/v1/openapi.json").json
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    code = ticket["tracking_url"].rsplit("/t/", 1)[1]
    check(doc, public.get(f"/track/{code}"), "/track/{code}", "get", 200)
    check(doc, public.get("/track/1-x"), "/track/{code}", "get", 404)
    check(doc, public.get(f"/track/{'0' * 16}"), "/track/{code}", "get", 404)
    check(doc, public.post(f"/track/{code}/rating", {"level": 3}), "/track/{code}/rating", "post", 409)
    agent.post(f"/counters/{seed.counters[2]}/open")
    agent.post(f"/counters/{seed.counters[2]}/call-next")
    check(doc, public.get(f"/track/{code}"), "/track/{code}", "get", 200)
    agent.post(f"/tickets/{ticket['id']}/finish")
    check(doc, public.post(f"/track/{code}/rating", {"level": 3}), "/track/{code}/rating", "post", 201)
    check(doc, public.post(f"/track/{code}/rating", {"level": 2}), "/track/{code}/rating", "post", 200)
    check(doc, public.post(f"/track/{code}/rating", {"level": "x"}), "/track/{code}/rating", "post", 422)
    check(doc, public.post("/track/1-x/rating", {"level": 3}), "/track/{code}/rating", "post", 404)

    slots = check(doc, public.get("/bookings/slots?centre=test&service=HT&date=2026-11-19"),
                  "/bookings/slots", "get", 200)
    check(doc, public.get("/bookings/slots?centre=test&service=HT&date=x"), "/bookings/slots", "get", 422)
    check(doc, public.get("/bookings/slots?centre=test&service=NO&date=2026-11-19"),
          "/bookings/slots", "get", 404)
    start = slots["slots"][0]["start"]
    booked = check(doc, public.post("/bookings?centre=test", {"service": "HT", "slot": start,
                                                               "id_number": "001190012345"}),
                   "/bookings", "post", 201)
    check(doc, public.post("/bookings?centre=test", {"service": "HT", "slot": start,
                                                      "id_number": "001190012345"}),
          "/bookings", "post", 409)
    check(doc, public.post("/bookings?centre=test", {"service": "HT"}), "/bookings", "post", 422)
    check(doc, public.post("/bookings?centre=test", {"service": "NO", "slot": start,
                                                      "id_number": "001190012346"}),
          "/bookings", "post", 404)
    check(doc, public.get(f"/bookings/{booked['code']}"), "/bookings/{code}", "get", 200)
    check(doc, public.get("/bookings/KKKKKK"), "/bookings/{code}", "get", 404)
    check(doc, public.get("/bookings/K"), "/bookings/{code}", "get", 422)
    clock.set_local(dt.datetime.fromisoformat(start).astimezone(HCM))
    check(doc, api_as("display").post("/bookings/check-in", {"code": booked["code"]}),
          "/bookings/check-in", "post", 403)
    check(doc, public.post("/bookings/check-in", {"code": booked["code"]}), "/bookings/check-in", "post", 401)
    check(doc, kiosk.post("/bookings/check-in", {}), "/bookings/check-in", "post", 422)
    check(doc, kiosk.post("/bookings/check-in", {"code": "KKKKKK"}), "/bookings/check-in", "post", 404)
    check(doc, kiosk.post("/bookings/check-in", {"code": booked["code"]}), "/bookings/check-in", "post", 201)
    check(doc, kiosk.post("/bookings/check-in", {"code": booked["code"]}), "/bookings/check-in", "post", 200)
    check(doc, public.post(f"/bookings/{booked['code']}/cancel", {"id_number": "001190012345"}),
          "/bookings/{code}/cancel", "post", 409)
    other = public.post("/bookings?centre=test", {"service": "CT", "slot": slots["slots"][3]["start"],
                                                   "id_number": "079085001122"}).json
    check(doc, public.post(f"/bookings/{other['code']}/cancel", {"id_number": "079085001122"}),
          "/bookings/{code}/cancel", "post", 200)
    check(doc, public.post(f"/bookings/{other['code']}/cancel", {"id_number": "1"}),
          "/bookings/{code}/cancel", "post", 422)
    check(doc, public.post("/bookings/KKKKKK/cancel", {"id_number": "079085001122"}),
          "/bookings/{code}/cancel", "post", 404)
