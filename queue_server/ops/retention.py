"""Retention: personal data is deleted once its period is over, by a scheduled job or
`motcua purge`. The log and the audit trail get counts only, never what was deleted.

- scans: files under DATA_DIR/scans older than RETENTION_SCAN_DAYS (default 30);
- form drafts: expired drafts (their own expiry, DRAFT_TTL), and any draft older than
  RETENTION_DRAFT_DAYS (default 1) whatever its expiry;
- identity data: the keyed ID-number hash of bookings whose slot is more than
  RETENTION_IDENTITY_DAYS (default 30) in the past is blanked (the booking row stays for reports).

A table or folder another feature has not created (yet) is simply skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import delete, inspect, update

from ..store import tables as t

log = logging.getLogger(__name__)

DEFAULTS = {"RETENTION_SCAN_DAYS": 30, "RETENTION_DRAFT_DAYS": 1, "RETENTION_IDENTITY_DAYS": 30}


@dataclass
class PurgeCounts:
    scans: int = 0
    drafts: int = 0
    identity: int = 0

    def total(self) -> int:
        return self.scans + self.drafts + self.identity


def _days(config, key: str) -> int:
    try:
        return max(0, int(config.get(key, DEFAULTS[key])))
    except (TypeError, ValueError):
        return DEFAULTS[key]


def purge_scans(folder: Path, older_than: dt.datetime) -> int:
    if not folder.is_dir():
        return 0
    limit = older_than.timestamp()
    count = 0
    for path in sorted(folder.rglob("*"), reverse=True):  # files before their folders
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                count += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        except OSError:
            log.warning("retention: could not remove a scan file")  # never the name: it may say who
    return count


def purge(svc, config, now: dt.datetime | None = None) -> PurgeCounts:
    """Delete what is past its retention period, everywhere; returns the counts."""
    now = now or svc.clock()
    counts = PurgeCounts()
    counts.scans = purge_scans(Path(config["DATA_DIR"]) / "scans",
                               now - dt.timedelta(days=_days(config, "RETENTION_SCAN_DAYS")))
    with svc.uow() as uow:
        inspector = inspect(uow.session.connection())
        if inspector.has_table("drafts") and "drafts" in t.metadata.tables:
            d = t.metadata.tables["drafts"]
            old = now - dt.timedelta(days=_days(config, "RETENTION_DRAFT_DAYS"))
            counts.drafts = uow.session.execute(delete(d).where(
                (d.c.expires_at <= now) | (d.c.created_at <= old))).rowcount or 0
        if inspector.has_table("bookings") and "bookings" in t.metadata.tables:
            b = t.metadata.tables["bookings"]
            old = now - dt.timedelta(days=_days(config, "RETENTION_IDENTITY_DAYS"))
            counts.identity = uow.session.execute(update(b).where(
                b.c.slot_at < old, b.c.id_hash != "").values(id_hash="")).rowcount or 0
        if counts.total():
            from ..admin import audit

            for centre in uow.repo.centres():
                audit.record(uow, "system:retention", "retention.purge", "personal-data",
                             centre_id=centre.id, at=now, after=asdict(counts))
        uow.commit()
    log.info("retention purge: %d scan files, %d drafts, %d identity hashes",
             counts.scans, counts.drafts, counts.identity)
    return counts
