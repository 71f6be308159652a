"""Scanned dossiers: a kiosk or staff member scans pages, finishes, and the PDF reaches the counter.

Photos are sent as the raw request body (`Content-Type: image/jpeg`, `image/png`…) or as the
`file` field of a multipart form. The image work runs in the scan worker process
(queue_server.scanworker); a refused photo is a 4xx whose message is the retake advice.
"""

from __future__ import annotations

from flask import current_app, jsonify, request, send_file

from ..domain.errors import InvalidInput
from ..scans import ImageRejected, scan_service
from . import bp
from .common import caller, json_body, parse_int
from .openapi import _errors, _json, _op, extend, obj, ref

PREVIEW_MAX_BYTES = 4 * 1024 * 1024


def _scans():
    return scan_service(current_app._get_current_object())


def _photo(limit: int) -> bytes:
    """The uploaded photo's bytes, refusing an oversize body before reading it."""
    too_big = ImageRejected(f"Tệp ảnh quá lớn (tối đa {limit // (1024 * 1024)} MB). Hãy chụp lại với "
                            "độ phân giải thấp hơn.", "too_large", 413)
    if request.content_length is not None and request.content_length > limit:
        raise too_big
    request.max_content_length = limit
    upload = request.files.get("file") if request.mimetype == "multipart/form-data" else None
    data = upload.read(limit + 1) if upload is not None else request.get_data(cache=False)
    if len(data) > limit:
        raise too_big
    return data


@bp.post("/scans")
def create_scan():
    principal = caller()
    body = json_body()
    return jsonify(_scans().create(principal, body.get("mode", "grey"), body.get("dpi", 200))), 201


@bp.get("/scans")
def list_scans():
    principal = caller()
    ticket_id = parse_int(request.args.get("ticket_id"), "ticket_id", default=None, low=1, high=2**31 - 1)
    if ticket_id is not None:
        return jsonify(_scans().for_ticket(principal, ticket_id))
    if request.args.get("draft"):
        return jsonify(_scans().for_draft(principal, request.args["draft"]))
    raise InvalidInput("Gửi ?ticket_id=N (bản quét của một số thứ tự) hoặc ?draft=MÃ (của một tờ khai).")


@bp.post("/scans/detect")
def detect_page():
    principal = caller()
    data = _photo(PREVIEW_MAX_BYTES)
    return jsonify(_scans().detect(principal, data, request.args.get("session"),
                                   shutter=request.args.get("shutter") == "1"))


@bp.delete("/scans/detect/<session>")
def reset_detect(session: str):
    _scans().reset_capture(caller(), session)
    return "", 204


@bp.get("/scans/<scan_id>")
def get_scan(scan_id: str):
    return jsonify(_scans().get(caller(), scan_id))


@bp.delete("/scans/<scan_id>")
def delete_scan(scan_id: str):
    _scans().discard(caller(), scan_id)
    return "", 204


@bp.post("/scans/<scan_id>/pages")
def add_page(scan_id: str):
    principal = caller()
    scans = _scans()
    scans.get(principal, scan_id)  # unknown scan or wrong caller: say so before reading the photo
    data = _photo(scans.max_upload_bytes)
    return jsonify(scans.add_page(principal, scan_id, data, request.args.get("replace"))), 201


@bp.put("/scans/<scan_id>/pages/<page_id>/corners")
def set_corners(scan_id: str, page_id: str):
    principal = caller()
    return jsonify(_scans().set_corners(principal, scan_id, page_id, json_body().get("corners")))


@bp.delete("/scans/<scan_id>/pages/<page_id>")
def delete_page(scan_id: str, page_id: str):
    principal = caller()
    return jsonify(_scans().delete_page(principal, scan_id, page_id))


@bp.put("/scans/<scan_id>/order")
def reorder_pages(scan_id: str):
    principal = caller()
    return jsonify(_scans().reorder(principal, scan_id, json_body().get("order")))


def _image(scan_id: str, page_id: str, kind: str):
    path, mimetype = _scans().page_file(caller(), scan_id, page_id, kind)
    reply = send_file(path, mimetype=mimetype, max_age=0)
    reply.headers["Cache-Control"] = "private, no-store"
    return reply


@bp.get("/scans/<scan_id>/pages/<page_id>/image")
def page_image(scan_id: str, page_id: str):
    return _image(scan_id, page_id, "image")


@bp.get("/scans/<scan_id>/pages/<page_id>/thumb")
def page_thumb(scan_id: str, page_id: str):
    return _image(scan_id, page_id, "thumb")


@bp.post("/scans/<scan_id>/finish")
def finish_scan(scan_id: str):
    principal = caller()
    return jsonify(_scans().finish(principal, scan_id, json_body()))


@bp.get("/scans/<scan_id>/pdf")
def scan_pdf(scan_id: str):
    path, filename = _scans().pdf(caller(), scan_id)
    reply = send_file(path, mimetype="application/pdf", as_attachment=request.args.get("download") == "1",
                      download_name=filename, max_age=0)
    reply.headers["Cache-Control"] = "private, no-store"
    return reply


# --- OpenAPI -------------------------------------------------------------------------------
STR = {"type": "string"}
INT = {"type": "integer"}
SCAN_ID = {"name": "scan_id", "in": "path", "required": True, "schema": STR,
           "description": "Scan id, e.g. 20261121-0123456789abcdef."}
PAGE_ID = {"name": "page_id", "in": "path", "required": True, "schema": STR,
           "description": "Page id (12 hex digits)."}
CREATOR = "the kiosk or staff member who started the scan (while it is open)"
READERS = "staff, manager, admin of the centre; the creating kiosk while the scan is open"
_GONE = {"description": "Deleted by the retention period (code `gone`).",
         "content": {"application/json": {"schema": ref("Error")}}}
_TOO_BIG = {"description": "Photo too large (code `too_large`).",
            "content": {"application/json": {"schema": ref("Error")}}}
_BUSY = {"description": "The image worker restarted; try again (code `worker_unavailable`).",
         "content": {"application/json": {"schema": ref("Error")}}}
_PHOTO = {"required": True, "content": {
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}}}
CORNERS = {"type": ["array", "null"], "items": {"type": "array", "items": {"type": "number"}}}
_PAGE = {"id": STR, "index": INT, "width": INT, "height": INT, "bytes": INT, "original_bytes": INT,
         "paper": STR, "width_mm": {"type": "number"}, "height_mm": {"type": "number"},
         "corners": CORNERS, "source": {"type": "object"},
         "issues": {"type": "array", "items": obj({"code": STR, "message": STR})},
         "image_url": STR, "thumb_url": STR}
NULLABLE_STR = {"type": ["string", "null"]}
_SCAN = {"id": STR, "status": {"enum": ["open", "finished"]}, "mode": STR, "dpi": INT,
         "created_at": STR, "created_by": STR, "finished_at": NULLABLE_STR,
         "ticket_id": {"type": ["integer", "null"]}, "ticket_number": NULLABLE_STR,
         "draft_code": NULLABLE_STR, "draft_display_code": NULLABLE_STR,
         "pages": {"type": "array", "items": ref("ScanPage")},
         "pdf": {"type": ["object", "null"]}}


def _with_photo(op: dict) -> dict:
    op["requestBody"] = _PHOTO
    return op


extend(
    tags=["scans"],
    event_types=["scan.finished"],
    schemas={"ScanPage": obj(_PAGE, closed=False), "Scan": obj(_SCAN, closed=False),
             "ScanDetection": obj({"corners": CORNERS, "width": INT, "height": INT,
                                   "capture": {"type": "boolean"}, "progress": {"type": "number"}})},
    paths={
        "/scans": {
            "post": _op("Start a scan (mode grey|colour|bw, dpi 150|200|300).", "a kiosk, staff, manager, admin",
                        {"201": _json(ref("Scan"), "The new, empty scan."), **_errors(400, 401, 403, 422)},
                        tag="scans", write=True, body=obj({"mode": STR, "dpi": INT}, required=[])),
            "get": _op("Finished scans of a ticket (?ticket_id=) or of a form draft (?draft=).",
                       "staff, manager, admin",
                       {"200": _json({"type": "array", "items": ref("Scan")}, "Scans, newest first."),
                        **_errors(401, 403, 404, 422)}, tag="scans",
                       params=[{"name": "ticket_id", "in": "query", "schema": INT},
                               {"name": "draft", "in": "query", "schema": STR}]),
        },
        "/scans/detect": {"post": _with_photo(_op(
            "Page corners in a small preview still; `capture` when the page has been still long "
            "enough (auto-capture, per ?session=).", "a kiosk, staff, manager, admin",
            {"200": _json(ref("ScanDetection"), "Corners or null."), "413": _TOO_BIG, "503": _BUSY,
             **_errors(400, 401, 403, 422)}, tag="scans", write=True,
            params=[{"name": "session", "in": "query", "schema": STR},
                    {"name": "shutter", "in": "query", "schema": {"enum": ["1"]},
                     "description": "Manual shutter: this frame is the shot."}]))},
        "/scans/detect/{session}": {"delete": _op(
            "Forget a preview session's auto-capture state.", "a kiosk, staff, manager, admin",
            {"204": {"description": "Done."}, **_errors(400, 401, 403)}, tag="scans", write=True,
            params=[{"name": "session", "in": "path", "required": True, "schema": STR}])},
        "/scans/{scan_id}": {
            "get": _op("One scan.", READERS, {"200": _json(ref("Scan"), "The scan."), "410": _GONE,
                                              **_errors(401, 403, 404)}, tag="scans", params=[SCAN_ID]),
            "delete": _op("Discard an open scan (its creator) or a finished one (staff).", CREATOR,
                          {"204": {"description": "Deleted."}, **_errors(400, 401, 403, 404, 409)},
                          tag="scans", write=True, params=[SCAN_ID]),
        },
        "/scans/{scan_id}/pages": {"post": _with_photo(_op(
            "Add a photo (or ?replace=PAGE to retake one): detect, flatten, clean up; the page "
            "with its quality issues (retake messages).", CREATOR,
            {"201": _json(ref("ScanPage"), "The clean page."), "413": _TOO_BIG, "503": _BUSY,
             **_errors(400, 401, 403, 404, 409, 422)}, tag="scans", write=True,
            params=[SCAN_ID, {"name": "replace", "in": "query", "schema": STR}]))},
        "/scans/{scan_id}/pages/{page_id}/corners": {"put": _op(
            "Re-make a page from its kept photo with corners set by hand.", CREATOR,
            {"200": _json(ref("ScanPage"), "The page."), "503": _BUSY,
             **_errors(400, 401, 403, 404, 409, 422)}, tag="scans", write=True,
            params=[SCAN_ID, PAGE_ID], body=obj({"corners": CORNERS}), body_required=True)},
        "/scans/{scan_id}/pages/{page_id}": {"delete": _op(
            "Delete a page.", CREATOR, {"200": _json(ref("Scan"), "The scan."),
                                        **_errors(400, 401, 403, 404, 409)},
            tag="scans", write=True, params=[SCAN_ID, PAGE_ID])},
        "/scans/{scan_id}/pages/{page_id}/image": {"get": _op(
            "A clean page (JPEG or 1-bit PNG).", READERS,
            {"200": {"description": "Image.", "content": {"image/jpeg": {"schema": STR}}}, "410": _GONE,
             **_errors(401, 403, 404)}, tag="scans", params=[SCAN_ID, PAGE_ID])},
        "/scans/{scan_id}/pages/{page_id}/thumb": {"get": _op(
            "A page's thumbnail (JPEG, 240 px).", READERS,
            {"200": {"description": "Image.", "content": {"image/jpeg": {"schema": STR}}}, "410": _GONE,
             **_errors(401, 403, 404)}, tag="scans", params=[SCAN_ID, PAGE_ID])},
        "/scans/{scan_id}/order": {"put": _op(
            "Put the pages in a new order.", CREATOR,
            {"200": _json(ref("Scan"), "The scan."), **_errors(400, 401, 403, 404, 409, 422)},
            tag="scans", write=True, params=[SCAN_ID],
            body=obj({"order": {"type": "array", "items": STR}}), body_required=True)},
        "/scans/{scan_id}/finish": {"post": _op(
            "Assemble the PDF and attach it to a ticket (`ticket_id`, or `ticket`: printed number or "
            "tracking code) and/or a form draft (`draft`); staff default to the ticket they serve. "
            "Records a `scan.finished` event.", CREATOR,
            {"200": _json(ref("Scan"), "The finished scan."), "503": _BUSY,
             **_errors(400, 401, 403, 404, 409, 422)}, tag="scans", write=True, params=[SCAN_ID],
            body=obj({"ticket_id": INT, "ticket": STR, "draft": STR}, required=[]))},
        "/scans/{scan_id}/pdf": {"get": _op(
            "The scan as one PDF (?download=1 for an attachment).", "staff, manager, admin",
            {"200": {"description": "PDF.", "content": {"application/pdf": {"schema": STR}}},
             "410": _GONE, **_errors(401, 403, 404, 409)}, tag="scans", params=[SCAN_ID])},
    },
)
