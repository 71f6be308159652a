"""The scans API: who may do what, bad photos → 4xx with the original kept, pages → PDF attached
to a ticket or a form draft and downloadable by staff, the scan.finished event, retention."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from support import Api, Seed

DATA = json.loads((Path(__file__).resolve().parents[2] / "kiosk/forms/data/validation_cases.json")
                  .read_text())
BIRTH = {**DATA["valid"]["khai-sinh"], "child_birth_date": "05/09/2026"}


@pytest.fixture(scope="module")
def photos() -> dict:
    """Three page photos and an empty desk (seeded synthetic scenes), as JPEG bytes + corners."""
    import cv2

    from hardware.scan.synth import NO_PAGE, make_scene

    out = {}
    for i in range(3):
        scene = make_scene("plain", 40 + i, (1280, 720), doc_seed=i)
        out[f"page{i}"] = (cv2.imencode(".jpg", scene.image)[1].tobytes(), scene.corners.tolist())
    desk = make_scene(NO_PAGE, 7, (1280, 720))
    out["desk"] = (cv2.imencode(".jpg", desk.image)[1].tobytes(), None)
    return out


class Person(Api):
    """Logged in through /login, with the CSRF header for writes."""

    def __init__(self, client, username: str):
        super().__init__(client)
        page = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = client.post("/login", data={"csrf_token": token, "username": username, "password": Seed.password})
        assert r.status_code == 302
        self.headers = {"X-CSRFToken": re.search(r'<meta name="csrf-token" content="([^"]+)"',
                                                 client.get("/").text).group(1)}


def send(api: Api, method: str, path: str, **kw):
    return api.client.open(f"/api/v1{path}", method=method, headers={**api.headers, **kw.pop("headers", {})}, **kw)


def fetch(api: Api, url: str):
    """GET a URL the API returned (it already starts with /api/v1)."""
    return api.client.get(url, headers=api.headers)


def upload(api: Api, scan_id: str, data: bytes, **query):
    q = "&".join(f"{k}={v}" for k, v in query.items())
    return send(api, "POST", f"/scans/{scan_id}/pages" + (f"?{q}" if q else ""), data=data,
                headers={"Content-Type": "image/jpeg"})


@pytest.fixture
def kiosk(api_as):
    return api_as("kiosk")


@pytest.fixture
def staff(app, seed):
    return Person(app.test_client(), "staff2")


def new_scan(kiosk, **body) -> dict:
    r = kiosk.post("/scans", body or {})
    assert r.status_code == 201, r.get_json()
    return r.json


def test_roles(api_as, kiosk, staff, photos):
    anon = api_as(None)
    assert anon.post("/scans", {}).status_code == 401
    assert anon.get("/scans?ticket_id=1").status_code == 401
    assert send(anon, "POST", "/scans/detect", data=photos["page0"][0]).status_code == 401
    assert api_as("display").post("/scans", {}).status_code == 403
    scan = new_scan(kiosk)
    assert scan["status"] == "open" and scan["pages"] == [] and scan["created_by"] == "device:kiosk"
    assert anon.get(f"/scans/{scan['id']}").status_code == 401
    assert kiosk.get(f"/scans/{scan['id']}").status_code == 200  # its own open scan
    assert kiosk.get("/scans?ticket_id=1").status_code == 403  # reading lists is for staff
    assert staff.get(f"/scans/{scan['id']}").status_code == 200
    # only the creator changes an open scan
    r = upload(staff, scan["id"], photos["page0"][0])
    assert r.status_code == 403, r.get_json()
    assert kiosk.get("/scans/20261118-0000000000000000").status_code == 404
    assert kiosk.get("/scans/..%2F..%2Fetc").status_code == 404
    for body in ({"mode": "sepia"}, {"dpi": 7}, {"dpi": "200"}):
        assert kiosk.post("/scans", body).status_code == 422


def test_three_pages_reorder_delete_finish_to_ticket_and_download(app, kiosk, staff, api_as, photos):
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    scan = new_scan(kiosk)
    pages = []
    for i in range(3):
        r = upload(kiosk, scan["id"], photos[f"page{i}"][0])
        assert r.status_code == 201, r.get_json()
        page = r.json
        assert page["index"] == i + 1 and page["bytes"] < 300_000
        assert page["width"] > page["height"] * 0.6  # a page, portrait or landscape, flattened
        assert page["issues"] == [] or all(issue["message"] for issue in page["issues"])
        assert fetch(kiosk, page["thumb_url"]).mimetype == "image/jpeg"
        pages.append(page["id"])
    # reorder: 3, 1, 2; then delete the middle one (1)
    r = send(kiosk, "PUT", f"/scans/{scan['id']}/order", json={"order": [pages[2], pages[0], pages[1]]})
    assert [p["id"] for p in r.json["pages"]] == [pages[2], pages[0], pages[1]]
    assert send(kiosk, "PUT", f"/scans/{scan['id']}/order", json={"order": pages[:2]}).status_code == 422
    r = send(kiosk, "DELETE", f"/scans/{scan['id']}/pages/{pages[0]}")
    assert [p["id"] for p in r.json["pages"]] == [pages[2], pages[1]]
    assert send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket": "Z999"}).status_code == 422
    r = send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket": ticket["number"].lower()})
    assert r.status_code == 200, r.get_json()
    done = r.json
    assert done["status"] == "finished" and done["ticket_id"] == ticket["id"]
    assert done["pdf"]["pages"] == 2
    # the kiosk cannot read it back or change it any more
    assert kiosk.get(f"/scans/{scan['id']}").status_code == 403
    assert kiosk.get(f"/scans/{scan['id']}/pdf").status_code == 403
    assert upload(kiosk, scan["id"], photos["page0"][0]).status_code in (403, 409)
    # staff: the ticket's scans, the PDF inline and as a download
    listed = staff.get(f"/scans?ticket_id={ticket['id']}").json
    assert [s["id"] for s in listed] == [scan["id"]]
    r = fetch(staff, done["pdf"]["url"])
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    assert len(reader.pages) == 2
    r = fetch(staff, done["pdf"]["download_url"])
    assert "attachment" in r.headers["Content-Disposition"] and ticket["number"] in r.headers["Content-Disposition"]
    # the digitisation count: one scan.finished event, on the ticket
    events = api_as("reports").get("/events").json["items"]
    finished = [e for e in events if e["type"] == "scan.finished"]
    assert len(finished) == 1 and finished[0]["ticket_id"] == ticket["id"] and finished[0]["pages"] == 2
    from queue_server.scans import digitised_per_day

    svc = app.extensions["motcua"]
    now = svc.clock()
    counts = digitised_per_day(svc, ticket_id_centre(app, ticket["id"]), now - dt.timedelta(days=1),
                               now + dt.timedelta(days=1))
    assert sum(counts.values()) == 1


def ticket_id_centre(app, ticket_id: int) -> int:
    with app.extensions["motcua"].uow() as uow:
        return uow.repo.ticket(ticket_id).centre_id


def test_bad_photos_are_4xx_with_a_message_and_keep_the_scan(app, kiosk, photos):
    from PIL import Image

    scan = new_scan(kiosk)
    assert upload(kiosk, scan["id"], photos["page0"][0]).status_code == 201
    huge = io.BytesIO()
    Image.new("L", (10_000, 10_000), 200).save(huge, format="PNG")  # 100 megapixels, small file
    cases = {
        "empty": (b"", 422, "rỗng"),
        "text": (b"hello, this is not a photo" * 10, 422, "không đọc được"),
        "pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" * 4, 422, "PDF"),
        "corrupt": (photos["page1"][0][:600], 422, "ảnh"),
        "huge": (huge.getvalue(), 413, "quá lớn"),
        "desk": (photos["desk"][0], 422, "không tìm thấy trang giấy"),
    }
    for name, (data, status, words) in cases.items():
        r = upload(kiosk, scan["id"], data)
        assert r.status_code == status, (name, r.get_json())
        assert words.lower() in r.json["error"]["message"].lower(), (name, r.json)
    r = kiosk.get(f"/scans/{scan['id']}")
    assert len(r.json["pages"]) == 1  # nothing lost, nothing half-added
    originals = list((Path(app.config["DATA_DIR"]) / "scans").rglob("originals/*"))
    assert len(originals) == 1
    # detect: a still with no page is a null, not an error; junk is a 4xx
    r = send(kiosk, "POST", "/scans/detect", data=photos["desk"][0])
    assert r.status_code == 200 and r.json["corners"] is None
    assert send(kiosk, "POST", "/scans/detect", data=b"junk").status_code == 422
    assert send(kiosk, "POST", "/scans/detect?session=x", data=photos["desk"][0]).status_code == 422


def test_upload_limit(database_url, tmp_path, clock, photos):
    from support import make_app, seed_centre

    app = make_app(database_url, tmp_path, clock, SCAN_MAX_UPLOAD_MB=1)
    seed = seed_centre(app)
    kiosk = Api(app.test_client(), seed.tokens["kiosk"])
    scan = new_scan(kiosk)
    r = upload(kiosk, scan["id"], b"\xff\xd8" + b"0" * (2 * 1024 * 1024))
    assert r.status_code == 413 and "MB" in r.json["error"]["message"]
    app.extensions["motcua_engine"].dispose()


def test_detect_auto_capture_fires_once_per_still_page(kiosk, photos):
    session = "test-session-1"
    fired = []
    for _ in range(6):
        r = send(kiosk, "POST", f"/scans/detect?session={session}", data=photos["page0"][0])
        assert r.status_code == 200, r.get_json()
        assert r.json["corners"] is not None and len(r.json["corners"]) == 4
        fired.append(r.json["capture"])
    assert fired.count(True) == 1 and fired.index(True) >= 2  # still for a few frames, then once
    r = send(kiosk, "POST", f"/scans/detect?session={session}&shutter=1", data=photos["page0"][0])
    assert r.json["capture"] and r.json["reason"] == "manual"


def test_manual_corners_remake_the_page(kiosk, photos):
    scan = new_scan(kiosk)
    data, corners = photos["page1"]
    page = upload(kiosk, scan["id"], data).json
    assert page["corners"] is not None
    bad = send(kiosk, "PUT", f"/scans/{scan['id']}/pages/{page['id']}/corners", json={"corners": [[1, 2]]})
    assert bad.status_code == 422
    # shrink the outline to the page's upper half: the page comes out about half as tall
    tl, tr, br, bl = corners
    half = [tl, tr, [(tr[0] + br[0]) / 2, (tr[1] + br[1]) / 2], [(tl[0] + bl[0]) / 2, (tl[1] + bl[1]) / 2]]
    r = send(kiosk, "PUT", f"/scans/{scan['id']}/pages/{page['id']}/corners", json={"corners": half})
    assert r.status_code == 200, r.get_json()
    assert r.json["id"] != page["id"] and r.json["index"] == 1
    assert r.json["height"] < page["height"] * 0.75
    assert len(kiosk.get(f"/scans/{scan['id']}").json["pages"]) == 1


def test_attach_to_form_draft_reaches_the_ticket(kiosk, staff, photos):
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    draft = kiosk.post("/drafts", {"form": "khai-sinh", "data": BIRTH, "ticket_id": ticket["id"]}).json
    scan = new_scan(kiosk, mode="colour")
    assert upload(kiosk, scan["id"], photos["page2"][0]).status_code == 201
    assert send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"draft": "AAAAAA"}).status_code == 422
    r = send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"draft": draft["display_code"].lower()})
    assert r.status_code == 200, r.get_json()
    assert r.json["draft_code"] == draft["code"] and r.json["ticket_id"] == ticket["id"]
    assert [s["id"] for s in staff.get(f"/scans?draft={draft['code']}").json] == [scan["id"]]
    assert [s["id"] for s in staff.get(f"/scans?ticket_id={ticket['id']}").json] == [scan["id"]]
    # the staff page lists it with the PDF link; everything shown is escaped
    page = staff.client.get(f"/counter/scans?ticket_id={ticket['id']}")
    assert page.status_code == 200 and f"/api/v1/scans/{scan['id']}/pdf" in page.text


def test_staff_finish_defaults_to_the_ticket_being_served(app, seed, kiosk, photos):
    staff = Person(app.test_client(), "staff2")
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    counter = seed.counters[2]
    assert send(staff, "POST", f"/counters/{counter}/open").status_code == 200
    called = send(staff, "POST", f"/counters/{counter}/call-next").json
    assert called["id"] == ticket["id"], called
    r = staff.post("/scans", {"mode": "bw"})
    scan = r.json
    assert upload(staff, scan["id"], photos["page0"][0]).status_code == 201
    r = send(staff, "POST", f"/scans/{scan['id']}/finish", json={})
    assert r.status_code == 200 and r.json["ticket_id"] == ticket["id"]
    page = staff.client.get("/counter/scans")
    assert ticket["number"] in page.text and scan["id"] in page.text


def test_retention(app, kiosk, staff, photos, clock):
    from queue_server.ops.retention import purge

    svc = app.extensions["motcua"]
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    scan = new_scan(kiosk)
    upload(kiosk, scan["id"], photos["page0"][0])
    send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket_id": ticket["id"]})
    abandoned = new_scan(kiosk)
    root = Path(app.config["DATA_DIR"]) / "scans"
    # within the period nothing goes
    assert purge(svc, app.config, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=29)).scans == 0
    assert staff.get(f"/scans/{scan['id']}").status_code == 200
    # the ScanService's own sweep: abandoned open scans after SCAN_OPEN_HOURS, finished after 30 days
    scans = app.extensions["motcua_scans"]
    assert scans.purge_expired(clock() + dt.timedelta(hours=13)) == 1
    assert kiosk.get(f"/scans/{abandoned['id']}").status_code == 404
    # the ops purge (by file age) removes the rest; the API then says it is gone
    counts = purge(svc, app.config, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    assert counts.scans >= 3
    assert staff.get(f"/scans/{scan['id']}").status_code == 404
    assert staff.get(f"/scans?ticket_id={ticket['id']}").json == []
    assert not any(p.is_file() for p in root.rglob("*"))


def test_staff_page_escapes_what_it_shows(app, seed, staff, photos):
    """A device named with markup: the staff page shows the text, never the markup."""
    from queue_server.auth import hash_token
    from queue_server.domain.model import DeviceToken

    with app.extensions["motcua"].uow() as uow:
        uow.repo.add(DeviceToken(centre_id=seed.centre_id, name='<img src=x onerror="alert(1)">', role="kiosk",
                                 token_hash=hash_token("evil-kiosk-token"), created_at=dt.datetime.now(dt.UTC)))
        uow.commit()
    evil = Api(app.test_client(), "evil-kiosk-token")
    ticket = evil.post("/tickets", {"service": "HT"}).json
    scan = new_scan(evil)
    assert upload(evil, scan["id"], photos["page0"][0]).status_code == 201
    assert send(evil, "POST", f"/scans/{scan['id']}/finish", json={"ticket_id": ticket["id"]}).status_code == 200
    page = staff.client.get(f"/counter/scans?ticket_id={ticket['id']}").text
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=" in page


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_finish_to_ticket_on_postgresql(kiosk, staff, photos):
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    scan = new_scan(kiosk)
    assert upload(kiosk, scan["id"], photos["page0"][0]).status_code == 201
    r = send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket": ticket["number"]})
    assert r.status_code == 200, r.get_json()
    assert [s["id"] for s in staff.get(f"/scans?ticket_id={ticket['id']}").json] == [scan["id"]]


def test_finish_to_the_ticket_of_its_qr_link_or_typed_tracking_code(app, kiosk, photos):
    """"Data entered once": the papers reach the ticket whose QR was scanned, or whose code was
    typed off the kiosk screen (capitals, dashes); a code of no ticket is refused."""
    ticket = kiosk.post("/tickets", {"service": "HT"}).json
    code = ticket["tracking_url"].rsplit("/t/", 1)[1]
    typed = "-".join(code[i:i + 4] for i in range(0, 16, 4)).upper()
    for target in (ticket["tracking_url"], typed):
        scan = new_scan(kiosk)
        assert upload(kiosk, scan["id"], photos["page0"][0]).status_code == 201
        nobody = f"{app.config['PUBLIC_URL']}/t/{'0' * 16}"
        assert send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket": nobody}).status_code == 422
        r = send(kiosk, "POST", f"/scans/{scan['id']}/finish", json={"ticket": target})
        assert r.status_code == 200 and r.json["ticket_id"] == ticket["id"], (target, r.get_json())


def test_retake_replaces_a_page_in_place(kiosk, photos):
    scan = new_scan(kiosk)
    first = upload(kiosk, scan["id"], photos["page0"][0]).json
    second = upload(kiosk, scan["id"], photos["page1"][0]).json
    assert upload(kiosk, scan["id"], photos["page2"][0], replace="0123456789ab").status_code == 404
    r = upload(kiosk, scan["id"], photos["page2"][0], replace=first["id"])
    assert r.status_code == 201 and r.json["index"] == 1 and r.json["id"] != first["id"]
    pages = kiosk.get(f"/scans/{scan['id']}").json["pages"]
    assert [p["id"] for p in pages] == [r.json["id"], second["id"]]
    assert fetch(kiosk, f"/api/v1/scans/{scan['id']}/pages/{first['id']}/image").status_code == 404
    # a failed retake keeps the page it was meant to replace
    assert upload(kiosk, scan["id"], photos["desk"][0], replace=second["id"]).status_code == 422
    assert [p["id"] for p in kiosk.get(f"/scans/{scan['id']}").json["pages"]] == [r.json["id"], second["id"]]
