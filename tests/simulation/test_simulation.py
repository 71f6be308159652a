"""The simulation drives the real engine: same seed, same day; the figures it prints agree with
the event log the API serves; refused and bad input are explained."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from support import HCM, Api, make_app, seed_centre

from queue_server.simulation.arrivals import plan_day
from queue_server.simulation.figures import figures
from queue_server.simulation.profile import ProfileError, load_profile, parse_profile
from queue_server.simulation.run import SimulationError, simulate, simulation_days

MONDAY = dt.date(2026, 11, 16)


def _event_log(app) -> list[tuple]:
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        centre = uow.repo.centre_by_code("test")
        rows = uow.repo.events(centre.id, start=None, end=None, after=None, limit=100000)
        return [(e.type, e.at, e.ticket_id, e.counter_number, e.actor, e.data) for e in rows]


def test_same_seed_same_day_different_seed_different_day(tmp_path, small_profile):
    logs = []
    for n, rng_seed in enumerate((11, 11, 12)):
        app = make_app(f"sqlite:///{tmp_path / f'{n}.db'}", tmp_path / str(n))
        seed_centre(app)
        result = simulate(app.extensions["motcua"].session_factory, "test", small_profile(0.6),
                          [MONDAY], rng_seed)
        assert result.tickets > 40 and result.ops > 2 * result.tickets
        logs.append(_event_log(app))
        app.extensions["motcua_engine"].dispose()
    assert logs[0] == logs[1]
    assert logs[0] != logs[2]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_figures_agree_with_the_event_log(app, seed, run_day):
    result = run_day(7)
    f = figures(app.extensions["motcua"], result)
    api = Api(app.test_client(), seed.tokens["reports"])
    events, after = [], None
    while True:
        r = api.get("/events", query_string={"from": "2026-11-16", "to": "2026-11-17",
                                             "limit": 5000, **({"after": after} if after else {})})
        assert r.status_code == 200
        events += r.json["items"]
        after = r.json["next"]
        if after is None:
            break
    # Recompute the key figures by hand from the raw event log.
    issued = {e["ticket_id"]: dt.datetime.fromisoformat(e["at"]) for e in events
              if e["type"] == "ticket.issued"}
    first_call: dict[int, dt.datetime] = {}
    last_status: dict[int, str] = {}
    levels: dict[int, int] = {}
    for e in events:
        tid = e["ticket_id"]
        if e["type"] == "ticket.called":
            first_call.setdefault(tid, dt.datetime.fromisoformat(e["at"]))
        if e["type"] == "ticket.rated":
            levels[tid] = e["level"]
        elif tid is not None:
            last_status[tid] = e["status"]
    waits = [(first_call[t] - issued[t]).total_seconds() / 60 for t in issued if t in first_call]
    s = f["summary"]
    assert s["tickets"] == len(issued) == result.tickets
    assert s["served"] == sum(1 for v in last_status.values() if v == "done")
    assert s["no_show"] == sum(1 for v in last_status.values() if v == "no_show") > 0
    assert s["served"] + s["no_show"] + s["cancelled"] == s["tickets"]
    assert s["wait"]["mean_minutes"] == pytest.approx(statistics.fmean(waits), abs=0.01)
    assert s["wait"]["share_within_target"] == pytest.approx(
        sum(1 for w in waits if w <= 15) / len(waits), abs=1e-4)
    assert s["satisfaction"]["rated"] == len(levels) > 0
    assert s["satisfaction"]["rate"] == pytest.approx(
        sum(1 for v in levels.values() if v >= 2) / len(levels), abs=1e-4)
    # The report API reads the same log and gives the same numbers.
    summary = api.get("/reports/summary", query_string={"from": "2026-11-16", "to": "2026-11-16"}).json
    assert (summary["tickets"], summary["served"], summary["no_show"]) == \
        (s["tickets"], s["served"], s["no_show"])
    assert summary["wait"]["mean_minutes"] == s["wait"]["mean_minutes"]
    # Every simulated event lies inside the day's sessions plus the overtime.
    local = [dt.datetime.fromisoformat(e["at"]).astimezone(HCM) for e in events]
    assert all(x.date() == MONDAY and dt.time(7, 30) <= x.time() <= dt.time(17, 45) for x in local)
    # Counters were put back as they were (closed) after the run.
    counters = Api(app.test_client(), seed.tokens["kiosk"]).get("/counters").json
    assert {c["status"] for c in counters} == {"closed"}


def test_a_day_that_has_tickets_is_refused(app, seed, run_day, small_profile):
    run_day(7, profile=small_profile(0.3))
    with pytest.raises(SimulationError, match="16/11/2026"):
        run_day(8, profile=small_profile(0.3))


def test_days_end_yesterday_and_skip_closed_weekdays(small_profile):
    profile = small_profile()
    today = dt.date(2026, 11, 21)  # a Saturday
    days = simulation_days(7, None, today, profile)
    assert days == [dt.date(2026, 11, d) for d in (16, 17, 18, 19, 20)]
    assert simulation_days(2, dt.date(2026, 11, 2), today, profile) == [dt.date(2026, 11, 2),
                                                                       dt.date(2026, 11, 3)]
    with pytest.raises(SimulationError):
        simulation_days(0, None, today, profile)


def test_arrivals_follow_the_profile():
    profile = load_profile()   # the bundled demo profile
    days = [plan_day(profile, dt.date(2026, 11, 16) + dt.timedelta(days=7 * i), i, HCM)
            for i in range(8)]
    mean = statistics.fmean(len(d) for d in days)
    assert mean == pytest.approx(profile.expected_tickets(), rel=0.1)
    assert plan_day(profile, MONDAY, 5, HCM) == plan_day(profile, MONDAY, 5, HCM)
    for day in days:
        for c in day:
            t = c.at.astimezone(HCM).time()
            assert dt.time(7, 30) <= t < dt.time(11, 30) or dt.time(13, 30) <= t < dt.time(17, 0)
    people = [c for d in days for c in d]
    assert 0.03 < sum(1 for c in people if c.priority) / len(people) < 0.15
    assert 0.02 < sum(1 for c in people if c.no_show) / len(people) < 0.09
    ht = [c.service_minutes for c in people if c.service == "HT"]
    assert statistics.fmean(ht) == pytest.approx(profile.services["HT"].service_mean, rel=0.15)


@pytest.mark.parametrize("raw, message", [
    ({}, "ít nhất một dịch vụ"),
    ({"services": {"HT": {"arrivals": {"08": 5}}}}, "ít nhất một quầy"),
    ({"services": {"HT": {"arrivals": {"25": 5}}}, "counters": [{"number": 1, "services": ["HT"]}]},
     "giờ '25'"),
    ({"services": {"HT": {"arrivals": {"08": 5}, "priority_share": 2}},
      "counters": [{"number": 1, "services": ["HT"]}]}, "priority_share"),
    ({"services": {"HT": {"arrivals": {"08": 5}}}, "counters": [{"number": 1, "services": ["XX"]}]},
     "không có dịch vụ XX"),
    ({"services": {"HT": {"arrivals": {"08": 5}}, "CT": {"arrivals": {"08": 5}}},
      "counters": [{"number": 1, "services": ["HT"]}]}, "Không quầy nào phục vụ dịch vụ CT"),
    ({"services": {"CT": {"arrivals": {"08": 5}}, "CA": {"arrivals": {"08": 5}}},
      "counters": [{"number": 1, "services": ["CT", "CA"]}]}, "chữ đầu số 'C' đã dùng"),
    ({"centre": {"sessions": [["11:00", "08:00"]]}, "services": {"HT": {"arrivals": {"08": 5}}},
      "counters": [{"number": 1, "services": ["HT"]}]}, "kết thúc trước"),
])
def test_bad_profiles_say_what_to_fix(raw, message):
    with pytest.raises(ProfileError, match=message):
        parse_profile(raw)


def test_missing_or_broken_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="Không tìm thấy"):
        load_profile(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[services\n")
    with pytest.raises(ProfileError, match="TOML"):
        load_profile(bad)


def test_a_running_servers_closing_job_is_survived_and_reported(app, seed, run_day, monkeypatch):
    """`make run` in another terminal: its closing-time job cancels tickets still waiting on
    past days — the simulated day, mid-run. The run goes on and says how many it lost."""
    from queue_server.simulation import run as sim_run

    original = sim_run._Day.arrive
    calls = {"n": 0}

    def arrive(self, citizen):
        original(self, citizen)
        calls["n"] += 1
        if calls["n"] == 60 and self.waiting_ids:
            assert app.extensions["motcua"].close_due() > 0   # the server's clock is 18/11

    monkeypatch.setattr(sim_run._Day, "arrive", arrive)
    result = run_day(9)
    assert result.cancelled_elsewhere > 0
    assert result.tickets > 100


def test_an_undisturbed_run_reports_no_foreign_cancellations(app, seed, run_day, small_profile):
    assert run_day(3, profile=small_profile(0.5)).cancelled_elsewhere == 0
