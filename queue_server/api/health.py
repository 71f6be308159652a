"""Liveness for load balancers and the technician: is the server up and its database reachable."""

from flask import jsonify
from sqlalchemy import text

from . import bp
from .common import service


@bp.get("/health")
def health():
    with service().uow(read_only=True) as uow:
        uow.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
