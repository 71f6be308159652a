"""Administrative procedures (TTHC): search and full records for kiosks and pages."""

from __future__ import annotations

from flask import current_app, jsonify, request

from ..domain.errors import InvalidInput
from . import bp
from .common import caller, parse_int


def _catalog():
    return current_app.extensions["motcua_catalog"]


@bp.get("/procedures")
def search_procedures():
    principal = caller()
    query = request.args.get("q", "")
    if len(query) > 200:
        raise InvalidInput("Từ khóa tìm kiếm quá dài (tối đa 200 ký tự).")
    limit = parse_int(request.args.get("limit"), "limit", default=50, low=1, high=500)
    return jsonify(_catalog().search(principal.centre_id, query, limit))


@bp.get("/procedures/fields")
def procedure_fields():
    return jsonify(_catalog().fields(caller().centre_id))


@bp.get("/procedures/<code>")
def get_procedure(code: str):
    return jsonify(_catalog().get(caller().centre_id, code))
