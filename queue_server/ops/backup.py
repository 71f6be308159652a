"""Backup and restore of the whole database, while the server keeps running.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page by
page even while kiosks write; the copy is checked (`PRAGMA integrity_check`) before it replaces
the target file, so a half-written backup never exists under its final name. Restoring copies
the backup into the live database the same way, inside one transaction: readers see the old or
the new database, never a mix.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists --single-transaction`,
when those tools are installed.

Nightly backups (ops.jobs) go to BACKUP_DIR (default DATA_DIR/backups) as
motcua-YYYYMMDD-HHMMSS.db / .dump, keeping the newest BACKUP_KEEP files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy.engine import make_url

REQUIRED_TABLES = {"centres", "tickets", "events", "alembic_version"}
STATE_FILE = "last-backup.json"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    size: int
    kind: str  # "sqlite" | "postgresql"
    at: dt.datetime


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(parsed.database)


def backup_dir(config) -> Path:
    return Path(config.get("BACKUP_DIR") or Path(config["DATA_DIR"]) / "backups")


def backup(database_url: str, target: str | os.PathLike[str]) -> BackupResult:
    """Write a full copy of the database to `target` (a file; its folder is created)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite_path(database_url)
    if source is None:
        _pg_dump(database_url, target)
        kind = "postgresql"
    else:
        if not source.exists():
            raise BackupError(f"Không thấy tệp cơ sở dữ liệu {source}.")
        tmp = target.with_name(f".{target.name}.part")
        tmp.unlink(missing_ok=True)
        src = sqlite3.connect(source, timeout=30)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst, pages=1024)
                dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                _check_sqlite(dst, tmp)
            finally:
                dst.close()
        finally:
            src.close()
        os.replace(tmp, target)
        kind = "sqlite"
    result = BackupResult(target, target.stat().st_size, kind, dt.datetime.now(dt.UTC))
    return result


def _check_sqlite(conn: sqlite3.Connection, path: Path) -> None:
    ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        raise BackupError(f"Bản sao {path} bị hỏng ({ok}).")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = REQUIRED_TABLES - tables
    if missing:
        raise BackupError(f"Tệp {path} không phải bản sao lưu MotCua (thiếu bảng {', '.join(sorted(missing))}).")


def restore(database_url: str, source: str | os.PathLike[str]) -> None:
    """Replace the whole database with the backup in `source`."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Không thấy tệp sao lưu {source}.")
    target = sqlite_path(database_url)
    if target is None:
        _pg_restore(database_url, source)
        return
    try:
        src = sqlite3.connect(source, timeout=30)
    except sqlite3.Error as exc:
        raise BackupError(f"Không mở được {source}: {exc}.") from None
    try:
        try:
            _check_sqlite(src, source)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"Tệp {source} không phải cơ sở dữ liệu SQLite ({exc}).") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _pg_args(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the tools (without SQLAlchemy's driver suffix) and its environment."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+")[0]
    env = dict(os.environ)
    query = parse_qs(parts.query)
    if "options" in query:  # e.g. -csearch_path=schema (the tests' per-test schema)
        env["PGOPTIONS"] = unquote(query["options"][0])
    clean = parts._replace(scheme=scheme, query="").geturl()
    return clean, env


def _schema(env: dict[str, str]) -> str | None:
    options = env.get("PGOPTIONS", "")
    if "search_path=" in options:
        return options.split("search_path=", 1)[1].split()[0].split(",")[0]
    return None


def _pg_dump(url: str, target: Path) -> None:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise BackupError("Không có pg_dump trên máy chủ; cài gói postgresql-client rồi thử lại.")
    uri, env = _pg_args(url)
    schema = _schema(env)
    tmp = target.with_name(f".{target.name}.part")
    cmd = [tool, "--format=custom", "--no-owner", "--file", str(tmp)]
    if schema:
        cmd += ["--schema", schema]
    run = subprocess.run([*cmd, uri], env=env, capture_output=True, text=True, timeout=3600)
    if run.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump thất bại: {run.stderr.strip()[:500]}")
    os.replace(tmp, target)


def _pg_restore(url: str, source: Path) -> None:
    tool = shutil.which("pg_restore")
    if tool is None:
        raise BackupError("Không có pg_restore trên máy chủ; cài gói postgresql-client rồi thử lại.")
    uri, env = _pg_args(url)
    run = subprocess.run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                          "--dbname", uri, str(source)], env=env, capture_output=True, text=True,
                         timeout=3600)
    if run.returncode != 0:
        raise BackupError(f"pg_restore thất bại: {run.stderr.strip()[:500]}")


def nightly_name(now: dt.datetime, database_url: str) -> str:
    ext = "db" if sqlite_path(database_url) else "dump"
    return f"motcua-{now:%Y%m%d-%H%M%S}.{ext}"


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` nightly backups; returns what was deleted."""
    files = sorted(folder.glob("motcua-*.*"), key=lambda p: p.name, reverse=True)
    doomed = [p for p in files if not p.name.startswith(".")][max(keep, 1):]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def remember(folder: Path, result: BackupResult) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / STATE_FILE).write_text(json.dumps({
        "path": str(result.path), "size": result.size, "kind": result.kind,
        "at": result.at.isoformat(timespec="seconds")}))


def last_backup(folder: Path) -> dict | None:
    """The newest backup known: the state file written after each one, else the newest file."""
    state = folder / STATE_FILE
    if state.is_file():
        try:
            return json.loads(state.read_text())
        except (OSError, ValueError):
            pass
    files = sorted(folder.glob("motcua-*.*"), key=lambda p: p.stat().st_mtime, reverse=True) \
        if folder.is_dir() else []
    if not files:
        return None
    newest = files[0]
    at = dt.datetime.fromtimestamp(newest.stat().st_mtime, dt.UTC)
    return {"path": str(newest), "size": newest.stat().st_size, "at": at.isoformat(timespec="seconds")}
