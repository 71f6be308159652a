"""The phone's view of a ticket: only with its random tracking code, nothing about anyone else,
following the ticket through its life, and rating from the phone under the keypad's rules."""

from __future__ import annotations

import json
import re

from support import Api

from queue_server.domain.tracking_code import ALPHABET


def issue(api_as, service="HT", priority=None):
    r = api_as("kiosk").post("/tickets", {"service": service, "priority": priority})
    assert r.status_code == 201
    return r.json


def code_of(ticket) -> str:
    return ticket["tracking_url"].rsplit("/t/", 1)[1]


def test_codes_are_random_and_unique(app, seed, api_as):
    tickets = [issue(api_as) for _ in range(30)]
    codes = [code_of(t) for t in tickets]
    assert len(set(codes)) == 30
    for ticket, code in zip(tickets, codes, strict=True):
        assert ticket["tracking_url"] == f"{app.config['PUBLIC_URL']}/t/{code}"
        assert re.fullmatch(f"[{ALPHABET}]{{16}}", code), code
    # Nothing shared between consecutive tickets' codes (an id or counter would show here).
    assert len({c[:6] for c in codes}) == 30 and len({c[0] for c in codes}) >= 10
    with app.extensions["motcua"].uow() as uow:
        stored = {t.id: t.tracking_code for t in map(uow.repo.ticket, (t["id"] for t in tickets))}
    assert stored == {t["id"]: c for t, c in zip(tickets, codes, strict=True)}


def test_bad_codes_are_404_and_reveal_nothing(app, seed, api_as):
    ticket = issue(api_as)
    public = Api(app.test_client())
    good = code_of(ticket)
    tid = ticket["id"]
    other = "".join("0" if c != "0" else "1" for c in good)  # well formed, nobody's
    for bad in (str(tid), f"{tid}-000000000000", "abc", good[:-1], good + "0", other,
                good[:-1] + "u", "9" * 30 + "-" + good, f"{tid}-{good}"):
        r = public.get(f"/track/{bad}")
        assert r.status_code == 404, bad
        assert ticket["number"] not in r.get_data(as_text=True)
    assert public.get(f"/track/{good}").status_code == 200
    # As a person might type it off the screen: capitals, dashes, o/i/l for 0/1/1.
    typed = "-".join(good[i:i + 4] for i in range(0, 16, 4)).upper()
    typed = typed.replace("0", "O").replace("1", "l")
    assert public.get(f"/track/{typed}").json["number"] == ticket["number"]


def test_links_printed_before_tracking_codes_still_work(app, seed, api_as):
    """A ticket printed just before the upgrade carries /q/<id>-<HMAC>: the API still answers
    it, and the page redirects to the ticket's /t/ page; a forged signature is a 404."""
    ticket = issue(api_as)
    links = app.extensions["motcua_links"]
    old = links.legacy_code(ticket["id"])
    public = Api(app.test_client())
    assert public.get(f"/track/{old}").json["number"] == ticket["number"]
    r = app.test_client().get(f"/q/{old}?lang=en")
    assert r.status_code == 302 and r.headers["Location"] == f"/t/{code_of(ticket)}?lang=en"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    forged = f"{ticket['id']}-{'0' * 12}"
    assert public.get(f"/track/{forged}").status_code == 404
    assert app.test_client().get(f"/q/{forged}").status_code == 404


def test_the_view_holds_only_this_ticket(app, seed, api_as):
    first = issue(api_as)
    second = issue(api_as, priority="elderly")
    r = Api(app.test_client()).get(f"/track/{code_of(second)}")
    body = r.json
    assert r.headers["Cache-Control"] == "no-store"
    assert body["number"] == "A002" and body["status"] == "waiting"
    assert body["people_ahead"] == 0  # elderly: called before A001; a count, never who
    assert Api(app.test_client()).get(f"/track/{code_of(first)}").json["people_ahead"] == 1
    text = json.dumps(body, ensure_ascii=False)
    for leak in (first["number"], "priority", "elderly", '"id"', "tracking_url", "dossier", "actor"):
        assert leak not in text, leak
    assert set(body) == {"number", "service_name", "status", "people_ahead",
                         "estimated_wait_minutes", "counter", "counter_name", "target_counter",
                         "transferred_to", "issued_at", "called_at", "appointment_at",
                         "centre_name", "server_time", "rating"}
    assert (body["target_counter"], body["transferred_to"]) == (None, None)


def test_follows_the_ticket_and_rates_from_the_phone(app, seed, api_as, clock):
    issue(api_as)
    mine = issue(api_as)
    public = Api(app.test_client())
    path = f"/track/{code_of(mine)}"
    assert public.get(path).json["people_ahead"] == 1
    agent = api_as("agent2")
    counter = seed.counters[2]
    agent.post(f"/counters/{counter}/open")
    agent.post(f"/counters/{counter}/call-next")
    assert public.get(path).json["people_ahead"] == 0
    called = agent.post(f"/counters/{counter}/call-next").json
    assert called["number"] == mine["number"]
    body = public.get(path).json
    assert (body["status"], body["counter"], body["counter_name"]) == ("called", 2, "Quầy 2")
    early = public.post(f"{path}/rating", {"level": 3})
    assert early.status_code == 409 and early.json["error"]["code"] == "not_finished"
    agent.post(f"/tickets/{called['id']}/finish")
    body = public.get(path).json
    assert body["status"] == "done" and body["rating"]["open"] is True
    assert [lv["level"] for lv in body["rating"]["levels"]] == [3, 2, 1]
    r = public.post(f"{path}/rating", {"level": 3})
    assert r.status_code == 201 and r.json["label"] == "Rất hài lòng"
    assert public.get(path).json["rating"]["given"] == 3
    events = api_as("reports").get("/events").json["items"]
    rated = [e for e in events if e["type"] == "ticket.rated"]
    assert rated and rated[-1]["ticket_id"] == called["id"] and rated[-1]["actor"] == "device:phone"
    assert public.post(f"{path}/rating", {"level": 9}).status_code == 422
    clock.advance(seconds=31)
    late = public.post(f"{path}/rating", {"level": 1})
    assert late.status_code == 409 and late.json["error"]["code"] == "rating_window_closed"
    assert public.get(path).json["rating"]["open"] is False
    assert public.post("/track/1-nope/rating", {"level": 3}).status_code == 404
    assert public.post(f"/track/{'0' * 16}/rating", {"level": 3}).status_code == 404


def test_says_where_a_transferred_ticket_waits(app, seed, api_as):
    """Sent to one counter: that counter (number and name); sent to another service: that
    service. Once called there, or back at its own service after a requeue, no transfer note;
    and still nothing about the citizens it now waits behind."""
    first = issue(api_as)
    mine = issue(api_as)
    public = Api(app.test_client())
    path = f"/track/{code_of(mine)}"
    agent2, agent3, kiosk = api_as("agent2"), api_as("agent3"), api_as("kiosk")
    c2, c3 = seed.counters[2], seed.counters[3]
    agent2.post(f"/counters/{c2}/open")
    agent3.post(f"/counters/{c3}/open")
    assert agent2.post(f"/counters/{c2}/call-next").json["number"] == first["number"]
    assert agent2.post(f"/counters/{c2}/call-next").json["number"] == mine["number"]

    def seen() -> tuple:
        body = public.get(path).json
        return body["status"], body["service_name"], body["target_counter"], body["transferred_to"]

    assert seen() == ("called", "Hộ tịch", None, None)
    # To counter 3: the phone names it (only counter 3 will call this number).
    moved = agent2.post(f"/tickets/{mine['id']}/transfer", {"counter": 3})
    assert moved.status_code == 200
    assert seen() == ("waiting", "Hộ tịch", {"number": 3, "name": "Quầy 3"}, "counter")
    body = public.get(path).json
    assert body["counter"] is None and body["people_ahead"] == 0
    assert first["number"] not in json.dumps(body, ensure_ascii=False)
    # Called there: the counter to go to, no transfer note; missed, then back: its own service.
    assert agent3.post(f"/counters/{c3}/call-next").json["number"] == mine["number"]
    body = public.get(path).json
    assert (body["status"], body["counter"], body["target_counter"], body["transferred_to"]) \
        == ("called", 3, None, None)
    assert agent3.post(f"/tickets/{mine['id']}/skip").status_code == 200
    assert kiosk.post(f"/tickets/{mine['id']}/requeue").status_code == 200
    assert seen() == ("waiting", "Hộ tịch", None, None)
    # To another service: the new service's name.
    assert agent2.post(f"/counters/{c2}/call-next").json["number"] == mine["number"]
    moved = agent2.post(f"/tickets/{mine['id']}/transfer", {"service": "CT"})
    assert moved.status_code == 200 and moved.json["transfer_count"] == 2
    assert seen() == ("waiting", "Chứng thực", None, "service")
    assert agent3.post(f"/counters/{c3}/call-next").json["number"] == mine["number"]
    assert seen() == ("called", "Chứng thực", None, None)
    # The phone page carries the sentences, in Vietnamese and in English.
    def strings(query: str = "") -> dict:
        html = app.test_client().get(f"/t/{code_of(mine)}{query}").get_data(as_text=True)
        return json.loads(re.search(r'id="i18n">(.*?)</script>', html).group(1))

    assert strings()["moved_counter"] == "Số của bạn đã được chuyển đến quầy %s — vui lòng chờ gọi"
    english = strings("?lang=en")
    assert english["moved_counter"].startswith("Your number has been transferred to counter %s")
    assert english["moved_service"].startswith("Your number has been transferred to the service %s")


def test_guessing_codes_is_rate_limited(app, seed, api_as):
    ticket = issue(api_as)
    public = Api(app.test_client())
    answers = [public.get(f"/track/{i:016d}").status_code for i in range(25)]
    assert answers[:20] == [404] * 20 and answers[20:] == [429] * 5
    assert public.get(f"/track/{code_of(ticket)}").status_code == 200  # a good code still works


def test_a_phone_is_answered_while_a_write_is_in_progress(app, seed, api_as):
    """Hundreds of phones poll their ticket: a poll reads beside a writer instead of waiting
    for the write lock (on SQLite, the server's in-process writer queue)."""
    import threading

    code = code_of(issue(api_as))
    public = Api(app.test_client())
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with app.extensions["motcua"].uow():  # a write transaction that takes its time
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(5)
        answer: list = []
        poll = threading.Thread(target=lambda: answer.append(public.get(f"/track/{code}")))
        poll.start()
        poll.join(5)
        assert answer and answer[0].status_code == 200, "the poll waited for the writer"
    finally:
        release.set()
        writer.join(10)
