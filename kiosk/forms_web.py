"""Pages of guided form preparation: the kiosk wizard (/kiosk/forms…) and the staff view of a
prepared form (/counter/drafts…).

The kiosk pages are enrolled like the kiosk home (kiosk.web: `?token=` once, then the device
cookie). The wizard runs in the browser (static/js/forms.js) from the form definitions rendered
here as JSON; it saves through the drafts API. Staff open a draft by its reference code or, from
the counter console, as the draft of the ticket they are serving.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from kiosk.forms import FORMS, NOTICE, forms_for_procedure, get_form
from kiosk.web import IDLE_SECONDS, IDLE_WARNING_SECONDS, _int_setting, _viewer
from queue_server.auth import current_principal
from queue_server.domain.errors import DomainError, NotFound
from queue_server.drafts import READ_ROLES, draft_service, normalise_code

bp = Blueprint("kiosk_forms", __name__, template_folder="templates")

STAFF_ROLES = tuple(r for r in READ_ROLES if r.startswith("user:"))


def _no_store(page: str) -> Response:
    reply = Response(page, mimetype="text/html")
    reply.headers["Cache-Control"] = "no-store"  # nothing a citizen typed stays in a cache
    return reply


def _ticket_arg() -> int | None:
    raw = request.args.get("ticket", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 2**31 else None


def _home_url() -> str:
    return url_for("kiosk.kiosk") if "kiosk.kiosk" in current_app.view_functions else url_for(".choose")


@bp.get("/kiosk/forms")
def choose():
    principal, response = _viewer()
    if response is not None:
        return response
    ticket = _ticket_arg()
    procedure = request.args.get("procedure", "")
    matches = forms_for_procedure(procedure) if procedure else []
    if len(matches) == 1:
        query = {"ticket": ticket} if ticket else {}
        return redirect(url_for(".wizard", code=matches[0].code) + (f"?{urlencode(query)}" if query else ""))
    return _no_store(render_template("forms/list.html", forms=list(FORMS.values()), ticket=ticket,
                                     home_url=_home_url()))


@bp.get("/kiosk/forms/<code>")
def wizard(code: str):
    principal, response = _viewer()
    if response is not None:
        return response
    form = get_form(code)
    if form is None:
        raise NotFound("Không có mẫu tờ khai này. Hãy chọn lại tại /kiosk/forms.")
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        centre_name = svc.centre(uow, principal.centre_id).name
    config = {
        "form": form.to_dict(),
        "ticket_id": _ticket_arg(),
        "home_url": _home_url(),
        "list_url": url_for(".choose"),
        "idle_seconds": _int_setting("KIOSK_IDLE_SECONDS", IDLE_SECONDS, 5, 3600),
        "idle_warning_seconds": _int_setting("KIOSK_IDLE_WARNING_SECONDS", IDLE_WARNING_SECONDS, 1, 120),
        "notice": NOTICE,
        "authority": current_app.config.get("FORMS_AUTHORITY") or "",
    }
    return _no_store(render_template("forms/wizard.html", form=form, fconfig=config,
                                     centre_name=centre_name, home_url=config["home_url"]))


# --- staff ---------------------------------------------------------------------------------
def _staff():
    principal = current_principal()
    if principal is None or principal.kind != "user":
        return None, redirect(url_for("web.login", next=request.full_path.rstrip("?")))
    if not principal.has(*STAFF_ROLES):
        return None, (render_template("error.html", status=403,
                                      message="Chỉ cán bộ đăng nhập mới xem được tờ khai."), 403)
    return principal, None


def _lookup_page(message: str | None = None, status: int = 200, code: str = ""):
    return render_template("forms/staff_lookup.html", message=message, code=code), status


@bp.get("/counter/drafts")
def staff_lookup():
    principal, response = _staff()
    if response is not None:
        return response
    raw = request.args.get("code")
    if raw is None:
        return _lookup_page()
    code = normalise_code(raw)
    if code is None:
        return _lookup_page("Mã tờ khai gồm 6 ký tự, ví dụ K7M-4PX.", 404, raw[:20])
    return redirect(url_for(".staff_draft", code=code))


@bp.get("/counter/drafts/current")
def staff_current():
    """The draft of the ticket this person is serving (or has called) at their counter."""
    principal, response = _staff()
    if response is not None:
        return response
    svc = current_app.extensions["motcua"]
    with svc.uow(read_only=True) as uow:
        counter = uow.repo.counter_of_staff(principal.user_id)
        current = uow.repo.current_at(counter.id) if counter else []
        ticket = current[-1] if current else None
        ticket_id, number = (ticket.id, ticket.number) if ticket else (None, None)
    if ticket_id is None:
        return _lookup_page("Quầy của bạn chưa gọi số nào. Nhập mã tờ khai công dân đưa cho bạn.", 404)
    found = draft_service(current_app).for_ticket(principal, ticket_id)
    if not found:
        return _lookup_page(f"Số {number} không có tờ khai chuẩn bị trước. Nếu công dân có mã tờ khai, "
                            "hãy nhập mã.", 404)
    return redirect(url_for(".staff_draft", code=found[0]["code"]))


@bp.get("/counter/drafts/<code>")
def staff_draft(code: str):
    principal, response = _staff()
    if response is not None:
        return response
    try:
        draft = draft_service(current_app).get(principal, code)
    except DomainError as exc:  # unknown or expired code: say so and offer the lookup again
        return _lookup_page(exc.message, exc.status, code[:20])
    form = get_form(draft["form"])
    return _no_store(render_template("forms/staff_draft.html", draft=draft, form=form))
