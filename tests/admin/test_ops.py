"""Operations: backup → wipe → restore gives back every ticket, rating and event (SQLite online
backup API, and pg_dump/pg_restore when PostgreSQL is there); rotation; retention purge with
counts only; the health report."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select, text
from support import Api, need

from queue_server.ops import backup as backups
from queue_server.ops import health, retention
from queue_server.store import tables as t

TABLES = ("tickets", "ratings", "events", "services", "counters", "users", "device_tokens")


def _busy_day(app, seed, api_as) -> None:
    """Tickets in several states, a rating, a transfer: rows in every table that matters."""
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    c2 = seed.counters[2]
    agent.post(f"/counters/{c2}/open")
    for service in ("HT", "HT", "CT", "DD"):
        assert kiosk.post("/tickets", {"service": service}).status_code == 201
    first = agent.post(f"/counters/{c2}/call-next").json["id"]
    agent.post(f"/tickets/{first}/finish", json={"dossier_code": "HS-001"})
    assert agent.post(f"/tickets/{first}/rating", json={"level": 3}).status_code == 201
    second = agent.post(f"/counters/{c2}/call-next").json["id"]
    agent.post(f"/tickets/{second}/transfer", json={"service": "CT"})


def _dump(engine) -> dict[str, list]:
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(select(t.metadata.tables[name]).order_by(
            t.metadata.tables[name].c.id))] for name in TABLES}


def test_backup_wipe_restore_sqlite(app, seed, api_as, tmp_path):
    _busy_day(app, seed, api_as)
    engine = app.extensions["motcua_engine"]
    before = _dump(engine)
    assert before["ratings"] and len(before["events"]) >= 8
    url = app.config["DATABASE_URL"]
    result = backups.backup(url, tmp_path / "b" / "motcua.db")
    assert result.kind == "sqlite" and result.size > 0
    # wipe: every row gone (the schema stays, as after a botched manual clean-up)
    with engine.begin() as conn:
        for name in ("ratings", "events", "ticket_sequences", "tickets"):
            conn.execute(t.metadata.tables[name].delete())
    assert not _dump(engine)["tickets"]
    backups.restore(url, result.path)
    engine.dispose()
    assert _dump(engine) == before
    assert api_as("kiosk").post("/tickets", {"service": "HT"}).json["number"] == "A003"


def test_backup_restore_commands(app, seed, api_as, tmp_path, monkeypatch):
    from queue_server.cli import main

    _busy_day(app, seed, api_as)
    engine = app.extensions["motcua_engine"]
    before = _dump(engine)
    db_file = backups.sqlite_path(app.config["DATABASE_URL"])
    engine.dispose()
    for key in [k for k in os.environ if k.startswith("MOTCUA_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("MOTCUA_DATA_DIR", app.config["DATA_DIR"])
    monkeypatch.setenv("MOTCUA_DATABASE_URL", app.config["DATABASE_URL"])
    runner = CliRunner()
    out = runner.invoke(main, ["backup", str(tmp_path / "night.db")])
    assert out.exit_code == 0, out.output
    assert "Đã sao lưu" in out.output
    for suffix in ("", "-wal", "-shm"):  # wipe: the database files are gone
        if os.path.exists(f"{db_file}{suffix}"):
            os.remove(f"{db_file}{suffix}")
    out = runner.invoke(main, ["restore", "--yes", str(tmp_path / "night.db")])
    assert out.exit_code == 0, out.output
    fresh = create_engine(app.config["DATABASE_URL"])
    assert _dump(fresh) == before
    fresh.dispose()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    out = runner.invoke(main, ["restore", "--yes", str(junk)])
    assert out.exit_code == 1 and "không phải cơ sở dữ liệu SQLite" in out.output


def test_backup_wipe_restore_postgresql(pg_url, tmp_path):
    need(shutil.which("pg_dump") is not None and shutil.which("pg_restore") is not None,
         "pg_dump/pg_restore are not installed (postgresql-client)")
    from support import Clock, make_app, seed_centre

    app = make_app(pg_url, tmp_path, Clock())
    try:
        seed = seed_centre(app)
        client = app.test_client()
        _busy_day(app, seed, lambda name: Api(client, seed.tokens[name]))
        engine = app.extensions["motcua_engine"]
        before = _dump(engine)
        try:
            result = backups.backup(pg_url, tmp_path / "pg.dump")
        except backups.BackupError as exc:
            pytest.skip(f"pg_dump cannot dump this server: {exc}")
        with engine.begin() as conn:
            for name in ("ratings", "events", "ticket_sequences", "tickets"):
                conn.execute(t.metadata.tables[name].delete())
        engine.dispose()
        backups.restore(pg_url, result.path)
        assert _dump(engine) == before
    finally:
        app.extensions["motcua_engine"].dispose()


def test_rotation_keeps_the_newest(tmp_path):
    for day in range(1, 10):
        (tmp_path / f"motcua-202611{day:02d}-020000.db").write_bytes(b"x")
    removed = backups.rotate(tmp_path, 3)
    assert sorted(p.name for p in tmp_path.glob("motcua-*")) == [
        "motcua-20261107-020000.db", "motcua-20261108-020000.db", "motcua-20261109-020000.db"]
    assert len(removed) == 6


def test_nightly_backup_job_writes_and_remembers(app, seed, tmp_path):
    from queue_server.ops import jobs

    app.config["BACKUP_DIR"] = str(tmp_path / "nightly")
    app.config["BACKUP_KEEP"] = 2
    folder = tmp_path / "nightly"
    folder.mkdir()
    for name in ("motcua-20200101-020000.db", "motcua-20200102-020000.db"):
        (folder / name).write_bytes(b"older")
    result = jobs.run_nightly_backup(app)
    files = sorted(p.name for p in folder.glob("motcua-*.db"))
    assert files == ["motcua-20200102-020000.db", result.path.name]
    last = backups.last_backup(tmp_path / "nightly")
    assert last["path"].endswith(files[-1])
    assert jobs._due(dt.datetime(2026, 11, 18, 2, 31), "02:30", dt.date(2026, 11, 17))
    assert not jobs._due(dt.datetime(2026, 11, 18, 2, 31), "02:30", dt.date(2026, 11, 18))
    assert not jobs._due(dt.datetime(2026, 11, 18, 2, 29), "02:30", None)


def test_retention_purge_counts_only(app, seed, clock, caplog):
    data_dir = app.config["DATA_DIR"]
    scans = os.path.join(data_dir, "scans", "2026-10")
    os.makedirs(scans)
    old_file, new_file = os.path.join(scans, "old.pdf"), os.path.join(data_dir, "scans", "new.pdf")
    for path in (old_file, new_file):
        with open(path, "wb") as fh:
            fh.write(b"%PDF-1.4 citizen papers")
    past = (clock.now - dt.timedelta(days=40)).timestamp()
    os.utime(old_file, (past, past))
    now = clock.now
    engine = app.extensions["motcua_engine"]
    with engine.begin() as conn:
        tables = set(t.metadata.tables)
        if "drafts" in tables:
            d = t.metadata.tables["drafts"]
            for code, created, expires in (("OLD1", now - dt.timedelta(days=2), now - dt.timedelta(days=1)),
                                           ("NEW1", now, now + dt.timedelta(hours=3))):
                conn.execute(d.insert().values(centre_id=seed.centre_id, code=code, key_hash="k",
                                               form="ct01", data={"ho_ten": "Nguyễn Văn A"},
                                               created_by="device:kiosk", created_at=created,
                                               updated_at=created, expires_at=expires))
        if "bookings" in tables:
            b = t.metadata.tables["bookings"]
            for code, slot in (("BK1", now - dt.timedelta(days=45)), ("BK2", now + dt.timedelta(days=1))):
                conn.execute(b.insert().values(centre_id=seed.centre_id, code=code,
                                               service_id=seed.services["HT"], slot_at=slot,
                                               id_hash="a" * 64, status="booked", created_at=now))
    with caplog.at_level("INFO"):
        counts = retention.purge(app.extensions["motcua"], app.config, now)
    assert counts.scans == 1 and not os.path.exists(old_file) and os.path.exists(new_file)
    assert counts.drafts == (1 if "drafts" in tables else 0)
    assert counts.identity == (1 if "bookings" in tables else 0)
    assert "Nguyễn" not in caplog.text and "old.pdf" not in caplog.text
    assert "retention purge: 1 scan files" in caplog.text
    with engine.connect() as conn:
        row = conn.execute(select(t.audit_log).where(t.audit_log.c.action == "retention.purge")).one()
        if "bookings" in tables:
            hashes = dict(conn.execute(text("SELECT code, id_hash FROM bookings")).all())
            assert hashes == {"BK1": "", "BK2": "a" * 64}
    assert row.after == {"scans": 1, "drafts": counts.drafts, "identity": counts.identity}
    assert retention.purge(app.extensions["motcua"], app.config, now).total() == 0


def test_health_report(app, seed, admin_ui, tmp_path):
    checks = {c.name: c for c in health.report(app, seed.centre_id)}
    assert checks["Cơ sở dữ liệu"].status == "ok" and "0010_tracking_code" in checks["Cơ sở dữ liệu"].detail
    assert checks["Redis"].status == "off"
    assert checks["Dung lượng đĩa"].data["total"] > 0
    assert checks["Sao lưu"].status == "warning"  # none yet
    assert health.redis("redis://127.0.0.1:1/0").status == "error"
    r = admin_ui.post("/admin/backup")
    assert r.status_code == 302
    checks = {c.name: c for c in health.report(app, seed.centre_id)}
    assert checks["Sao lưu"].status == "ok"
    page = admin_ui.get("/admin/health").text
    assert "Sao lưu ngay" in page and "motcua-" in page
    offline = health.devices([{"name": "agent-quay-2", "status": "offline"},
                              {"name": "tv-sanh", "status": "ok"}])
    assert offline.status == "warning" and "agent-quay-2" in offline.detail
