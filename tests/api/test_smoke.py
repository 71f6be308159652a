"""The basic path through the API: issue, call, finish."""


def test_issue_call_finish(api_as, seed):
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    r = kiosk.post("/tickets", {"service": "HT"})
    assert r.status_code == 201, r.json
    ticket = r.json
    assert ticket["number"] == "A001" and ticket["status"] == "waiting"
    assert agent.post(f"/counters/{seed.counters[2]}/open").status_code == 200
    r = agent.post(f"/counters/{seed.counters[2]}/call-next")
    assert r.status_code == 200 and r.json["id"] == ticket["id"] and r.json["counter"] == 2
    r = agent.post(f"/tickets/{ticket['id']}/finish", {"dossier_code": "H01-0001"})
    assert r.status_code == 200 and r.json["status"] == "done"
    assert agent.post(f"/counters/{seed.counters[2]}/call-next").status_code == 204
