"""Form drafts prepared at the kiosk: create/update (kiosk), read and PDF (staff, agents).

The kiosk that created a draft proves it with the `X-Draft-Key` header (the key is returned
once, by POST /drafts). A 422 for a wrong form carries `fields`: field name → message.
"""

from __future__ import annotations

from flask import Response, current_app, jsonify, request

from ..domain.errors import InvalidInput
from ..drafts import DraftFormInvalid, draft_service, forms_catalog
from . import bp
from .common import caller, json_body, parse_int
from .openapi import _errors, _json, _op, extend, obj, ref

KEY_HEADER = "X-Draft-Key"


def _drafts():
    return draft_service(current_app._get_current_object())


@bp.errorhandler(DraftFormInvalid)
def _form_invalid(exc: DraftFormInvalid):
    return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}), exc.status


@bp.get("/forms")
def list_forms():
    caller()
    return jsonify(forms_catalog())


@bp.post("/drafts")
def create_draft():
    principal = caller()
    body = json_body()
    return jsonify(_drafts().create(principal, body.get("form"), body.get("data"),
                                    body.get("ticket_id"))), 201


@bp.get("/drafts")
def drafts_of_ticket():
    principal = caller()
    ticket_id = parse_int(request.args.get("ticket_id"), "ticket_id", default=None, low=1, high=2**31 - 1)
    if ticket_id is None:
        raise InvalidInput("Gửi ?ticket_id=N để xem tờ khai của một số thứ tự, hoặc mở /drafts/<mã>.")
    return jsonify(_drafts().for_ticket(principal, ticket_id))


@bp.get("/drafts/<code>")
def get_draft(code: str):
    return jsonify(_drafts().get(caller(), code, request.headers.get(KEY_HEADER)))


@bp.put("/drafts/<code>")
def update_draft(code: str):
    principal = caller()
    return jsonify(_drafts().update(principal, code, request.headers.get(KEY_HEADER), json_body()))


@bp.delete("/drafts/<code>")
def delete_draft(code: str):
    principal = caller()
    _drafts().delete(principal, code, request.headers.get(KEY_HEADER))
    return "", 204


@bp.get("/drafts/<code>/pdf")
def draft_pdf(code: str):
    principal = caller()
    pdf, filename = _drafts().pdf(principal, code, request.headers.get(KEY_HEADER))
    disposition = "attachment" if request.args.get("download") == "1" else "inline"
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- OpenAPI -------------------------------------------------------------------------------
STR = {"type": "string"}
CODE = {"name": "code", "in": "path", "required": True, "schema": STR,
        "description": "Reference code, 6 characters (K7M4PX; K7M-4PX and lower case accepted)."}
KEY = {"name": KEY_HEADER, "in": "header", "required": False, "schema": STR,
       "description": "The key returned when the draft was created (the creating kiosk only)."}
KIOSK_OR_STAFF = ("staff (session), manager, admin, an agent token; a kiosk only with the "
                  "draft's X-Draft-Key")
_DRAFT_PROPS = {
    "code": STR, "display_code": STR, "form": STR, "form_title": STR,
    "procedures": {"type": "array", "items": STR},
    "ticket_id": {"type": ["integer", "null"]}, "ticket_number": {"type": ["string", "null"]},
    "data": {"type": "object", "additionalProperties": STR},
    "created_at": ref("DateTime"), "updated_at": ref("DateTime"), "expires_at": ref("DateTime"),
    "pdf_url": STR,
}
_FORM_ERROR = {"description": "The form's fields do not validate (code `invalid_form`, with "
                              "`fields`) or the body is wrong (code `invalid`).",
               "content": {"application/json": {"schema": ref("DraftError")}}}
_GONE = {"description": "The draft expired (code `expired`).",
         "content": {"application/json": {"schema": ref("Error")}}}

extend(
    tags=["forms"],
    schemas={
        "Draft": obj(_DRAFT_PROPS),
        "NewDraft": obj({**_DRAFT_PROPS, "key": {"type": "string", "description":
                                                 "Shown once: send as X-Draft-Key to change it."}}),
        "DraftError": obj({"error": obj({"code": STR, "message": STR,
                                         "fields": {"type": "object", "additionalProperties": STR}},
                                        required=["code", "message"])}),
        "DraftBody": obj({"form": STR, "data": {"type": "object"},
                          "ticket_id": {"type": ["integer", "null"]}},
                         required=["form", "data"], closed=False),
    },
    paths={
        "/forms": {"get": _op("The declarations the kiosk can prepare, with steps, fields and rules.",
                              "any valid token or staff session",
                              {"200": _json({"type": "array", "items": {"type": "object"}}, "Forms."),
                               **_errors(401)}, tag="forms")},
        "/drafts": {
            "post": _op("Store a prepared form (validated; only its own fields are kept).",
                        "a kiosk token, staff, manager or admin",
                        {"201": _json(ref("NewDraft"), "Stored; `key` is shown only now."),
                         "422": _FORM_ERROR, **_errors(400, 401, 403)},
                        tag="forms", write=True, body=ref("DraftBody"), body_required=True),
            "get": _op("Drafts linked to a ticket (newest first).", "staff, manager, admin, agent",
                       {"200": _json({"type": "array", "items": ref("Draft")}, "Drafts."),
                        **_errors(401, 403, 422)}, tag="forms",
                       params=[{"name": "ticket_id", "in": "query", "required": True,
                                "schema": {"type": "integer"}}]),
        },
        "/drafts/{code}": {
            "get": _op("One draft by its reference code.", KIOSK_OR_STAFF,
                       {"200": _json(ref("Draft"), "The draft."), "410": _GONE,
                        **_errors(401, 403, 404)}, tag="forms", params=[CODE, KEY]),
            "put": _op("Change a draft's fields (`data`) and/or its `ticket_id`.",
                       "the creating kiosk (X-Draft-Key)",
                       {"200": _json(ref("Draft"), "The draft after the change."), "410": _GONE,
                        "422": _FORM_ERROR, **_errors(400, 401, 403, 404)}, tag="forms",
                       write=True, params=[CODE, KEY], body={"type": "object"}, body_required=True),
            "delete": _op("Withdraw a draft.", "the creating kiosk (X-Draft-Key), staff",
                          {"204": {"description": "Deleted."}, "410": _GONE,
                           **_errors(400, 401, 403, 404)}, tag="forms", write=True, params=[CODE, KEY]),
        },
        "/drafts/{code}/pdf": {"get": _op(
            "The filled form as an A4 PDF (?download=1 for an attachment).", KIOSK_OR_STAFF,
            {"200": {"description": "PDF.", "content": {"application/pdf": {"schema": STR}}},
             "410": _GONE, "503": {"description": "No PDF library or Vietnamese font installed "
                                                  "(code `pdf_unavailable`).",
                                   "content": {"application/json": {"schema": ref("Error")}}},
             **_errors(401, 403, 404)}, tag="forms", params=[CODE, KEY])},
    },
)
