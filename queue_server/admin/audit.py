"""The audit trail: who changed what in the centre's set-up, when, and the row before and after.

Set-up changes are written here in the same transaction as the change itself. Counter work
(calls, transfers, finishes…) is already an event with its actor in `events`; the search below
merges both, so one page answers "who did this" for admins and staff alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, or_, select

from ..domain.access import Principal
from ..store import tables as t

SECRET_KEYS = {"password", "password_hash", "token", "token_hash"}


def _clean(value: Any) -> Any:
    """Never keep a secret in the log, even hashed."""
    if isinstance(value, dict):
        return {k: ("***" if k in SECRET_KEYS else _clean(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def record(uow, principal: Principal | str, action: str, target: str, *, centre_id: int,
           at: dt.datetime, before: Any = None, after: Any = None) -> None:
    """One audit row, inside the caller's transaction (it commits or rolls back with the change)."""
    actor = principal if isinstance(principal, str) else principal.actor
    uow.session.execute(t.audit_log.insert().values(
        centre_id=centre_id, at=at, actor=actor[:160], action=action[:60], target=target[:200],
        before=_clean(before), after=_clean(after)))


def search(svc, centre_id: int, *, q: str = "", actor: str = "", start: dt.datetime | None = None,
           end: dt.datetime | None = None, limit: int = 500,
           include_events: bool = True) -> list[dict]:
    """Newest first: set-up changes and queue events matching every given filter."""
    a, e = t.audit_log.c, t.events.c
    with svc.uow() as uow:
        centre = uow.repo.centre(centre_id)
        tz = ZoneInfo(centre.timezone)
        query = select(a.id, a.at, a.actor, a.action, a.target, a.before, a.after).where(
            a.centre_id == centre_id)
        if actor:
            query = query.where(a.actor.contains(actor, autoescape=True))
        if start:
            query = query.where(a.at >= start)
        if end:
            query = query.where(a.at < end)
        if q:
            like = or_(a.action.contains(q, autoescape=True), a.target.contains(q, autoescape=True),
                       cast(a.before, String).contains(q, autoescape=True),
                       cast(a.after, String).contains(q, autoescape=True))
            query = query.where(like)
        rows = [{"source": "admin", "id": r.id, "at": r.at, "actor": r.actor, "action": r.action,
                 "target": r.target, "before": r.before, "after": r.after}
                for r in uow.session.execute(query.order_by(a.at.desc(), a.id.desc()).limit(limit))]
        if include_events:
            query = select(e.id, e.at, e.actor, e.type, e.counter_number, e.data).where(
                e.centre_id == centre_id)
            if actor:
                query = query.where(e.actor.contains(actor, autoescape=True))
            if start:
                query = query.where(e.at >= start)
            if end:
                query = query.where(e.at < end)
            if q:
                query = query.where(or_(e.type.contains(q, autoescape=True),
                                        cast(e.data, String).contains(q, autoescape=True)))
            for r in uow.session.execute(query.order_by(e.id.desc()).limit(limit)):
                data = r.data or {}
                target = data.get("number") or data.get("device") or ""
                if r.counter_number:
                    target = f"{target} · quầy {r.counter_number}".strip(" ·")
                rows.append({"source": "event", "id": r.id, "at": r.at, "actor": r.actor,
                             "action": r.type, "target": target,
                             "before": {"status": data["from"]} if "from" in data else None,
                             "after": data})
    rows.sort(key=lambda row: (row["at"], row["id"]), reverse=True)
    for row in rows[:limit]:
        row["at_local"] = row["at"].astimezone(tz).isoformat(timespec="seconds")
    return rows[:limit]


def _cell(value: str) -> str:
    """A cell Excel will not run as a formula (names typed by people may start with = + - @)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: list[dict]) -> str:
    """UTF-8 with a BOM so Excel shows Vietnamese correctly."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(["thoi_gian", "nguon", "nguoi_thuc_hien", "thao_tac", "doi_tuong", "truoc", "sau"])
    for row in rows:
        writer.writerow([_cell(str(x)) for x in (
            row["at_local"], row["source"], row["actor"], row["action"], row["target"],
            json.dumps(row["before"], ensure_ascii=False) if row["before"] else "",
            json.dumps(row["after"], ensure_ascii=False) if row["after"] else "")])
    return out.getvalue()
