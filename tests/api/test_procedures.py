"""The procedure catalogue through the API and the CLI, stored in the server's database."""

import json

from click.testing import CliRunner

from kiosk.catalog import load_sample
from queue_server.cli import main


def load(app, seed):
    app.extensions["motcua_catalog"].store(seed.centre_id).replace_all(load_sample())


def test_search_is_accent_insensitive_and_ranked(app, seed, api_as):
    load(app, seed)
    kiosk = api_as("kiosk")
    for query, expected in [("đăng ký khai sinh", "khai sinh"), ("dang ky ket hon", "kết hôn"),
                            ("khai sinhh", "khai sinh"), ("chung thuc", "Chứng thực")]:
        r = kiosk.get(f"/procedures?q={query}&limit=5")
        assert r.status_code == 200
        assert expected.lower() in r.json[0]["name"].lower(), (query, r.json[0]["name"])
        assert {"code", "name", "field", "level"} <= set(r.json[0])
    assert len(kiosk.get("/procedures?limit=3").json) == 3
    assert len(kiosk.get("/procedures").json) == len(load_sample().procedures)


def test_whole_record_and_unknown_code(app, seed, api_as):
    load(app, seed)
    kiosk = api_as("kiosk")
    code = kiosk.get("/procedures?q=khai sinh").json[0]["code"]
    record = kiosk.get(f"/procedures/{code}").json
    assert record["code"] == code and record["dossier_cases"] and record["channels"]
    r = kiosk.get("/procedures/9.999999")
    assert r.status_code == 404 and "9.999999" in r.json["error"]["message"]


def test_limits_and_auth(app, seed, api_as):
    load(app, seed)
    assert api_as(None).get("/procedures").status_code == 401
    assert api_as("kiosk").get("/procedures?limit=501").status_code == 422
    assert api_as("kiosk").get("/procedures?limit=abc").status_code == 422


def test_import_replaces_and_index_follows(app, seed, api_as, tmp_path):
    load(app, seed)
    kiosk = api_as("kiosk")
    sample = load_sample().to_dict()
    sample["procedures"] = sample["procedures"][:2]
    app.extensions["motcua_catalog"].store(seed.centre_id).replace_all(
        type(load_sample()).from_dict(sample))
    assert len(kiosk.get("/procedures").json) == 2


def test_cli_import_refuses_a_bad_file_and_keeps_the_old_catalogue(app, seed, tmp_path, monkeypatch):
    monkeypatch.setenv("MOTCUA_DATA_DIR", app.config["DATA_DIR"])
    monkeypatch.setenv("MOTCUA_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("MOTCUA_CENTRE_CODE", "test")
    runner = CliRunner()
    good = tmp_path / "good.json"
    good.write_text(json.dumps(load_sample().to_dict(), ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(main, ["catalog", "import", str(good)])
    assert r.exit_code == 0, r.output
    bad = load_sample().to_dict()
    bad["procedures"][0]["name"] = ""
    bad["procedures"][1]["level"] = "galaxy"
    bad_file = tmp_path / "bad.json"
    bad_file.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    r = runner.invoke(main, ["catalog", "import", str(bad_file)])
    assert r.exit_code != 0 and "Dòng" in r.output
    stored = app.extensions["motcua_catalog"].store(seed.centre_id).load_all()
    assert len(stored.procedures) == len(load_sample().procedures)
    assert stored.procedures[0].name
