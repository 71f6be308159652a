"""The prediction's error on a fixed-seed simulated day at the demo centre: the estimate given
at issue, against the real wait from the event log, is at least 30% better than the naive
people ahead × mean service time ÷ open counters — overall, and printed per hour of day."""

from __future__ import annotations

import datetime as dt

from queue_server.demo import ensure_centre, load_demo
from queue_server.prediction.evaluate import format_table
from queue_server.simulation.figures import figures
from queue_server.simulation.profile import load_profile
from queue_server.simulation.run import simulate


def test_prediction_beats_the_naive_estimate_by_30_percent(app):
    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        load_demo(uow, ensure_centre(uow, "demo", "Trung tâm demo", "Asia/Ho_Chi_Minh"))
        uow.commit()
    result = simulate(svc.session_factory, "demo", load_profile(), [dt.date(2026, 11, 17)], 2026)
    evaluation = figures(svc, result)["prediction"]
    print("\n" + format_table(evaluation))
    overall = evaluation["overall"]
    assert overall["tickets"] > 200
    assert overall["mean_wait_minutes"] > 3          # a day with real queues, not empty counters
    assert overall["improvement"] >= 0.30, overall
    busy = [row for row in evaluation["by_hour"] if row["tickets"] >= 30]
    assert busy and all(row["model_mae"] < row["naive_mae"] for row in busy), busy
    # Every estimate the citizens were given is recorded, and they were never negative.
    assert len(result.issued) == result.tickets
    assert all(p.estimate is not None and p.estimate >= 0 for p in result.issued)
