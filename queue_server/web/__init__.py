"""Pages for people: login, the start page. Consoles and displays add their own blueprints."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from . import login  # noqa: E402,F401
