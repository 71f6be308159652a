"""Flask extensions, created unbound and attached in the app factory."""

from flask_babel import Babel
from flask_socketio import SocketIO
from flask_wtf.csrf import CSRFProtect

socketio = SocketIO()
csrf = CSRFProtect()
babel = Babel()
