"""One way to answer failures: JSON `{"error": {"code", "message"}}` for the API, a plain page
for people. Never a traceback."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .domain.errors import DomainError

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Không có quyền.",
    404: "Không tìm thấy địa chỉ này.",
    405: "Phương thức không được hỗ trợ cho địa chỉ này.",
    413: "Dữ liệu gửi lên quá lớn.",
    415: "Định dạng dữ liệu không được hỗ trợ; hãy gửi JSON.",
    429: "Quá nhiều yêu cầu; vui lòng thử lại sau ít giây.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(status: int, code: str, message: str):
    if _wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def register(app) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return _answer(exc.status, exc.code, exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return _answer(400, "csrf", "Phiên làm việc đã hết hạn hoặc thiếu mã CSRF; hãy tải lại trang.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        return _answer(status, f"http_{status}", HTTP_MESSAGES.get(status, exc.description or ""))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(500, "internal", "Lỗi máy chủ. Thao tác chưa được thực hiện; vui lòng thử lại.")
