"""The administrator's health page: database, Redis (when configured), disk space of the data
directory, devices offline, last backup. Each check answers within a second or says it failed."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from .backup import backup_dir, last_backup

DISK_WARN_FRACTION = 0.10  # less than 10 % free
BACKUP_WARN_HOURS = 36


@dataclass
class Check:
    name: str
    status: str  # ok | warning | error | off
    detail: str
    data: dict = field(default_factory=dict)


def database(engine) -> Check:
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as exc:  # the page must render even when the database is down
        return Check("Cơ sở dữ liệu", "error", f"Không truy vấn được: {type(exc).__name__}")
    ms = (time.perf_counter() - started) * 1000
    return Check("Cơ sở dữ liệu", "ok" if ms < 500 else "warning",
                 f"{engine.dialect.name}, trả lời trong {ms:.0f} ms; phiên bản lược đồ {', '.join(sorted(version))}",
                 {"ms": round(ms, 1)})


def redis(url: str | None) -> Check:
    if not url:
        return Check("Redis", "off", "Không cấu hình (một tiến trình máy chủ, không cần Redis).")
    try:
        import redis as redis_lib

        client = redis_lib.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        started = time.perf_counter()
        client.ping()
        ms = (time.perf_counter() - started) * 1000
        client.close()
    except Exception as exc:
        return Check("Redis", "error", f"Không kết nối được: {type(exc).__name__}")
    return Check("Redis", "ok", f"Trả lời trong {ms:.0f} ms.", {"ms": round(ms, 1)})


def disk(data_dir: str) -> Check:
    usage = shutil.disk_usage(data_dir)
    free = usage.free / usage.total if usage.total else 0
    status = "ok" if free >= DISK_WARN_FRACTION else "warning" if usage.free > 1 << 30 else "error"
    return Check("Dung lượng đĩa", status,
                 f"Còn trống {usage.free / (1 << 30):.1f} GB / {usage.total / (1 << 30):.1f} GB "
                 f"({free:.0%}) tại {data_dir}", {"free": usage.free, "total": usage.total})


def devices(rows: list[dict]) -> Check:
    offline = [r for r in rows if r["status"] in ("offline", "error")]
    if not offline:
        return Check("Thiết bị", "ok", f"{len(rows)} thiết bị, không có thiết bị mất kết nối.")
    names = ", ".join(r["name"] for r in offline[:10])
    return Check("Thiết bị", "warning", f"{len(offline)} thiết bị mất kết nối hoặc lỗi: {names}",
                 {"offline": [r["name"] for r in offline]})


def backups(config, now: dt.datetime) -> Check:
    last = last_backup(backup_dir(config))
    if last is None:
        return Check("Sao lưu", "warning", "Chưa có bản sao lưu nào. Bật sao lưu hằng đêm (BACKUP_AT) "
                     "hoặc chạy `motcua backup TỆP`.")
    at = dt.datetime.fromisoformat(last["at"])
    hours = (now - at).total_seconds() / 3600
    status = "ok" if hours <= BACKUP_WARN_HOURS else "warning"
    return Check("Sao lưu", status, f"Bản gần nhất {Path(last['path']).name}, "
                 f"{last['size'] / (1 << 20):.1f} MB, cách đây {hours:.0f} giờ.", last)


def report(app, centre_id: int) -> list[Check]:
    from ..devices import device_rows

    svc = app.extensions["motcua"]
    checks = [database(app.extensions["motcua_engine"]), redis(app.config.get("REDIS_URL")),
              disk(app.config["DATA_DIR"])]
    try:
        checks.append(devices(device_rows(svc, centre_id)))
    except Exception as exc:
        checks.append(Check("Thiết bị", "error", f"Không đọc được: {type(exc).__name__}"))
    checks.append(backups(app.config, dt.datetime.now(dt.UTC)))
    return checks
