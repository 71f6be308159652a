"""Migration 0010: one head again (it merges the branches from 0003), and a database holding
tickets, events and ratings from before it comes out with a unique random tracking code on
every ticket, its rows and foreign keys intact, on SQLite (batch mode) and PostgreSQL."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from support import Api

from queue_server.domain.tracking_code import ALPHABET
from queue_server.store.migrate import alembic_config, downgrade, upgrade

HEAD = "0010_tracking_code"
MERGED = {"0004_bookings", "0005_drafts", "0006_admin", "0007_perf", "0009_service_priority"}
CODE = re.compile(f"[{ALPHABET}]{{16}}")


def versions(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())


def test_one_head_that_merges_every_branch(app):
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]
    assert set(script.get_revision(HEAD).down_revision) == MERGED
    assert versions(app.extensions["motcua_engine"]) == {HEAD}  # `alembic upgrade head` is one path


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_tickets_issued_before_get_unique_codes(app, seed, api_as):
    engine = app.extensions["motcua_engine"]
    kiosk, agent = api_as("kiosk"), api_as("agent2")
    issued = [kiosk.post("/tickets", {"service": "HT"}).json for _ in range(5)]
    agent.post(f"/counters/{seed.counters[2]}/open")
    agent.post(f"/counters/{seed.counters[2]}/call-next")
    agent.post(f"/tickets/{issued[0]['id']}/finish")
    old = issued[0]["tracking_url"].rsplit("/t/", 1)[1]
    assert Api(app.test_client()).post(f"/track/{old}/rating", {"level": 3}).status_code == 201

    def rows():
        with engine.connect() as conn:
            return {name: conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar()
                    for name in ("tickets", "events", "ratings")}

    before = rows()
    downgrade(engine, "0009_service_priority")  # back to the five heads of before
    assert versions(engine) == MERGED
    assert "tracking_code" not in {c["name"] for c in sa.inspect(engine).get_columns("tickets")}

    upgrade(engine)
    assert versions(engine) == {HEAD} and rows() == before
    with engine.connect() as conn:
        codes = dict(conn.execute(sa.text("SELECT id, tracking_code FROM tickets")).all())
    assert set(codes) == {t["id"] for t in issued}
    assert all(CODE.fullmatch(code) for code in codes.values()), codes
    assert len(set(codes.values())) == len(codes)
    column = next(c for c in sa.inspect(engine).get_columns("tickets") if c["name"] == "tracking_code")
    assert column["nullable"] is False
    index = next(i for i in sa.inspect(engine).get_indexes("tickets")
                 if i["name"] == "ix_tickets_tracking_code")
    assert index["column_names"] == ["tracking_code"] and index["unique"]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.text("UPDATE tickets SET tracking_code = :code WHERE id = :id"),
                     {"code": codes[issued[0]["id"]], "id": issued[1]["id"]})
    if engine.dialect.name == "sqlite":  # keys were off only while the migration ran
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []

    # The codes the migration gave are the ones the server hands out and answers.
    public = Api(app.test_client())
    for ticket in issued:
        code = codes[ticket["id"]]
        assert kiosk.get(f"/tickets/{ticket['id']}").json["tracking_url"].endswith(f"/t/{code}")
        assert public.get(f"/track/{code}").json["number"] == ticket["number"]
    new = kiosk.post("/tickets", {"service": "HT"}).json
    assert CODE.fullmatch(new["tracking_url"].rsplit("/t/", 1)[1])
