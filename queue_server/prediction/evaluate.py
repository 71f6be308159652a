"""How good the estimate is: mean absolute error of the minutes promised at issue against the
real wait (issue → first call, from the event log through `reports.metrics`), next to the naive
formula, overall and per hour of issue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from ..reports.metrics import TicketRecord


class Promise(Protocol):
    ticket_id: int
    issued_at: dt.datetime
    estimate: int | None
    naive: int


def _row(pairs: list[tuple[float, float, float]]) -> dict:
    n = len(pairs)
    model = sum(abs(m - w) for m, _, w in pairs) / n if n else None
    naive = sum(abs(v - w) for _, v, w in pairs) / n if n else None
    return {"tickets": n,
            "mean_wait_minutes": round(sum(w for *_, w in pairs) / n, 2) if n else None,
            "model_mae": None if model is None else round(model, 2),
            "naive_mae": None if naive is None else round(naive, 2),
            "improvement": round(1 - model / naive, 4) if n and naive else None}


def evaluate(promises: Iterable[Promise], records: Sequence[TicketRecord]) -> dict:
    """{"overall": row, "by_hour": [row + "hour"]} for tickets that were called (a ticket never
    called has no real wait to compare with)."""
    waits = {r.id: r.wait_minutes for r in records if r.wait_minutes is not None}
    everything: list[tuple[float, float, float]] = []
    hours: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
    for p in promises:
        wait = waits.get(p.ticket_id)
        if wait is None or p.estimate is None:
            continue
        item = (float(p.estimate), float(p.naive), wait)
        everything.append(item)
        hours[p.issued_at.hour].append(item)
    return {"overall": _row(everything),
            "by_hour": [{"hour": h, **_row(hours[h])} for h in sorted(hours)]}


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def format_table(result: dict) -> str:
    """The evaluation as a plain-text table (Vietnamese headings)."""
    lines = ["Giờ lấy số  Số phiếu  Chờ TB  Sai số dự báo  Sai số cách cũ  Giảm",
             "----------  --------  ------  -------------  --------------  -----"]

    def fmt(label: str, row: dict) -> str:
        # Beside a naive error under a tenth of a minute a ratio says nothing: no figure.
        small = row["naive_mae"] is None or row["naive_mae"] < 0.1
        imp = "–" if row["improvement"] is None or small else f"{row['improvement'] * 100:.0f}%"
        return (f"{label:<10}  {row['tickets']:>8}  {_num(row['mean_wait_minutes']):>6}  "
                f"{_num(row['model_mae']):>13}  {_num(row['naive_mae']):>14}  {imp:>5}")

    for row in result["by_hour"]:
        lines.append(fmt(f"{row['hour']:02d}:00", row))
    lines.append(fmt("Cả ngày", result["overall"]))
    return "\n".join(lines)
