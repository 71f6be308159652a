"""Scheduled operations in the server process: the nightly backup with rotation and the hourly
retention purge.

Configuration (config file or MOTCUA_* variables):
- BACKUP_AT: local time of the nightly backup, "HH:MM" in TIMEZONE (empty = no nightly backup);
- BACKUP_DIR: where backups go (default DATA_DIR/backups); BACKUP_KEEP: how many to keep (7);
- RETENTION_CHECK_SECONDS: how often the retention purge runs (3600; 0 = never), with the
  periods RETENTION_SCAN_DAYS, RETENTION_DRAFT_DAYS, RETENTION_IDENTITY_DAYS (ops.retention).

`start(app)` starts one daemon thread; `app.start_background_jobs` calls it in the serving
process only, so CLI commands never run a backup by accident.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from zoneinfo import ZoneInfo

from . import backup as backups
from . import retention

log = logging.getLogger(__name__)
_started: set[int] = set()
_lock = threading.Lock()


def _due(now_local: dt.datetime, at: str, last_day: dt.date | None) -> bool:
    hours, minutes = (int(x) for x in at.split(":"))
    return now_local.time() >= dt.time(hours, minutes) and last_day != now_local.date()


def run_nightly_backup(app) -> backups.BackupResult:
    folder = backups.backup_dir(app.config)
    now = dt.datetime.now(dt.UTC)
    result = backups.backup(app.config["DATABASE_URL"],
                            folder / backups.nightly_name(now, app.config["DATABASE_URL"]))
    backups.remember(folder, result)
    removed = backups.rotate(folder, int(app.config.get("BACKUP_KEEP", 7)))
    log.info("nightly backup: %s (%d bytes), %d old backups removed", result.path.name,
             result.size, len(removed))
    return result


def start(app) -> threading.Thread | None:
    if id(app) in _started:  # once per app
        return None
    with _lock:
        if id(app) in _started:
            return None
        _started.add(id(app))
    at = str(app.config.get("BACKUP_AT") or "").strip()
    interval = int(app.config.get("RETENTION_CHECK_SECONDS", 3600) or 0)
    if not at and not interval:
        return None
    tz = ZoneInfo(app.config.get("TIMEZONE") or "Asia/Ho_Chi_Minh")
    stop = threading.Event()

    def loop() -> None:
        last = backups.last_backup(backups.backup_dir(app.config))
        last_backup_day = dt.datetime.fromisoformat(last["at"]).astimezone(tz).date() if last else None
        next_purge = 0.0
        while not stop.wait(30):
            now = dt.datetime.now(tz)
            if at:
                try:
                    if _due(now, at, last_backup_day):
                        last_backup_day = now.date()
                        run_nightly_backup(app)
                except Exception:
                    log.exception("nightly backup failed; will retry tomorrow")
            if interval and now.timestamp() >= next_purge:
                next_purge = now.timestamp() + interval
                try:
                    with app.app_context():
                        retention.purge(app.extensions["motcua"], app.config)
                except Exception:
                    log.exception("retention purge failed; will retry")

    thread = threading.Thread(target=loop, name="motcua-ops", daemon=True)
    thread.start()
    app.extensions["motcua_ops_stop"] = stop
    return thread
