"""Confirm staffing advice with the real engine: simulate the same days again (same seed, so the
same citizens arrive at the same moments) in a scratch database, with the advised counters
added for the advised hours, and compare the mean wait in those hours before and after."""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..domain.model import Centre
from ..reports import build, data
from ..service_layer import QueueService
from ..simulation.profile import CounterProfile, Profile
from ..simulation.run import simulate
from ..store.db import make_engine, make_session_factory
from ..store.migrate import upgrade

FIRST_EXTRA_COUNTER = 900


def with_advice(profile: Profile, advice: Sequence[Mapping]) -> Profile:
    """The profile plus, for each advice line, its extra counters serving that service only in
    the advised hours."""
    extra: list[CounterProfile] = []
    number = max([FIRST_EXTRA_COUNTER, *(c.number for c in profile.counters)])
    for item in advice:
        if item["service"] not in profile.services:
            continue
        start = dt.time(int(item["from"].split(":")[0]))
        end_hour = int(item["to"].split(":")[0])
        end = dt.time.max if end_hour >= 24 else dt.time(end_hour)
        for _ in range(item["extra"]):
            number += 1
            extra.append(CounterProfile(number=number, name=f"Quầy thêm {number}",
                                        services=(item["service"],), hours=((start, end),)))
    return replace(profile, counters=(*profile.counters, *extra))


def _waits(svc: QueueService, centre_id: int, start: dt.datetime, end: dt.datetime) -> dict:
    ctx, _ = data.context(svc, centre_id)
    records = build.records_for(data.events(svc, centre_id, start, end), ctx, start, end)
    out: dict[tuple[str, int], list[float]] = {}
    for r in records:
        if r.wait_minutes is not None:
            out.setdefault((r.service, r.issued_at.hour), []).append(r.wait_minutes)
    return out


def confirm(profile: Profile, advice: Sequence[Mapping], days: Sequence[dt.date], seed: int,
            centre: Centre) -> list[dict]:
    """For each advice line: mean wait in its hours without and with the advised counters, both
    simulated through QueueService on a scratch SQLite database with the centre's settings."""
    if not advice:
        return []
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="motcua-confirm-") as tmp:
        engine = make_engine(f"sqlite:///{tmp}/confirm.db")
        try:
            upgrade(engine)
            sessions = make_session_factory(engine)
            for label, plan in (("before", profile), ("after", with_advice(profile, advice))):
                code = f"kiem-tra-{label}"
                svc = QueueService(sessions)
                with svc.uow() as uow:
                    uow.repo.add(Centre(code=code, name=centre.name, timezone=centre.timezone,
                                        settings=dict(centre.settings or {})))
                    uow.commit()
                run = simulate(sessions, code, plan, list(days), seed)
                results[label] = _waits(svc, run.layout.centre_id, run.start, run.end)
        finally:
            engine.dispose()
    out = []
    for item in advice:
        first, last = int(item["from"].split(":")[0]), int(item["to"].split(":")[0])

        def mean(waits: dict, item=item, first=first, last=last) -> float | None:
            values = [w for h in range(first, last) for w in waits.get((item["service"], h), [])]
            return round(statistics.fmean(values), 2) if values else None

        out.append({**item, "wait_before_minutes": mean(results["before"]),
                    "wait_after_minutes": mean(results["after"])})
    return out
