"""The device agent: owns one counter's (or one kiosk's) devices and talks to the server like a browser.

It connects over Socket.IO with its device token (``auth={"token": …}``, websocket transport) and
reconnects by itself; the ``state`` it gets on connect says who it is (``state.client``: name, role,
counter) and what its counter shows now. Then:

- ``ticket.called`` / ``ticket.recalled`` at its counter → the LED displays show the number
  (a :class:`DisplayWorker` per display retries an unplugged board with backoff, and re-sends the
  number every ``display_refresh`` seconds so a replugged or power-cycled board catches up);
- ``ticket.finished`` at its counter → remembered; a keypad press within the centre's rating window
  (``state.client.rating_window_seconds``, refreshed by every health answer; the file's
  ``rating_window`` only until the server has said it) becomes a rating for that ticket, stored
  first in the durable :class:`~hardware.outbox.Outbox` with its press time and an
  Idempotency-Key, then sent (none lost, none doubled);
- ``ticket.issued`` by its own kiosk, or ``ticket.print_requested`` naming it → the ticket is
  printed (:func:`hardware.printer.print_ticket`) and the result posted to ``print-result``;
- every ``health_interval`` seconds → ``POST /api/v1/devices/health`` with each device's status.

Nothing a device or the network does may stop it: every handler logs and carries on.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
import socketio

from .agent_config import AgentConfig, PrinterConfig
from .outbox import Item, Outbox, OutboxSender

log = logging.getLogger(__name__)

VERSION = "motcua-agent 0.1"
MSG_PAPER_OUT_SCREEN = "Máy in hết giấy — vui lòng chụp màn hình"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _safe(handler: Callable[..., None]) -> Callable[..., None]:
    """Socket.IO handlers: a malformed message is logged and ignored, never kills the agent."""
    def wrapper(*args: Any) -> None:
        try:
            handler(*args)
        except Exception:
            log.exception("agent: ignored a malformed %s message: %.300r", handler.__name__, args)
    wrapper.__name__ = handler.__name__
    return wrapper


class DisplayWorker:
    """Keeps one LED display showing what it should, whatever the cable does."""

    def __init__(self, display: Any, *, refresh: float = 10.0, max_backoff: float = 5.0) -> None:
        self.display = display
        self.name = display.name
        self.refresh = refresh
        self.max_backoff = max_backoff
        self.want: tuple[str, str] | None = None  # (counter, number); None = blank
        self.status = "ok"
        self.message = "Chưa hiển thị số nào"
        self.shown = 0
        self._dirty = False
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"display {self.name}", daemon=True)

    def start(self) -> DisplayWorker:
        self._thread.start()
        return self

    def show(self, counter: int | str, number: str) -> None:
        with self._lock:
            self.want, self._dirty = (str(counter), str(number)), True
        self._wake.set()

    def clear(self) -> None:
        with self._lock:
            self.want, self._dirty = None, True
        self._wake.set()

    def _apply(self) -> None:
        from .serial import DeviceOffline, DeviceReplyError, DisplayTextError

        with self._lock:
            want, self._dirty = self.want, False
        try:
            if want is None:
                self.display.clear()
            else:
                self.display.show(*want)
        except DeviceOffline as exc:
            with self._lock:
                self._dirty = True  # try again after the backoff
            if self.status != "offline":
                log.warning("display %s offline: %s", self.name, exc.reason)
            self.status, self.message = "offline", str(exc)
            raise
        except (DisplayTextError, DeviceReplyError, ValueError) as exc:
            log.warning("display %s refused %r: %s", self.name, want, exc)
            self.status, self.message = "error", str(exc)
            return
        self.shown += 1
        self.status = "ok"
        self.message = f"Đang hiển thị {want[1]}" if want else "Đã xoá"

    def _run(self) -> None:
        from .serial import DeviceOffline

        backoff = 0.2
        while not self._stop.is_set():
            woke = self._wake.wait(backoff if self._dirty else (self.refresh or None))
            self._wake.clear()
            if self._stop.is_set():
                return
            if not (self._dirty or (not woke and self.refresh and self.want is not None)):
                continue
            if not self._dirty:
                with self._lock:
                    self._dirty = True  # periodic refresh of the shown number
            try:
                self._apply()
                backoff = 0.2
            except DeviceOffline:
                backoff = min(backoff * 2, self.max_backoff)
            except Exception:
                log.exception("display %s: unexpected error", self.name)
                backoff = min(backoff * 2, self.max_backoff)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=3)
        try:
            self.display.close()
        except Exception:  # noqa: BLE001
            log.debug("closing display %s failed", self.name, exc_info=True)


class Agent:
    """One agent; ``start()`` returns at once, ``stop()`` releases every device and thread."""

    def __init__(self, config: AgentConfig, *, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.config = config
        self.clock = clock
        self.client: dict[str, Any] = {}
        self.centre_name = ""
        self.last_finished: tuple[int, str, dt.datetime] | None = None  # id, number, finished_at
        self.ignored_presses = 0
        # Seconds after finish a press rates the ticket: the server judges ratings by the centre's
        # setting, so its value wins as soon as it arrives; the file's value is for before that.
        self.rating_window = float(config.rating_window)
        self.printed: deque[dict[str, Any]] = deque(maxlen=100)  # recent print results, newest last
        self.connected = threading.Event()
        self.state_received = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._print_queue: queue.Queue[tuple[dict, str] | None] = queue.Queue()
        self._print_lock = threading.Lock()
        self._printed_ids: set[tuple[int, str]] = set()
        self.printer_health = ("ok", "Chưa in phiếu nào")
        self.outbox = Outbox(Path(config.data_dir) / "outbox.sqlite3")
        self.sender = OutboxSender(self.outbox, config.server_url, config.token,
                                   on_answer=self._answered)
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {config.token}"
        self.displays: list[DisplayWorker] = []
        self.keypads: list[Any] = []
        self.sio = socketio.Client(reconnection=False, logger=False, engineio_logger=False,
                                   handle_sigint=False)
        for name in ("state", "ticket.called", "ticket.recalled", "ticket.finished",
                     "counter.changed", "ticket.issued", "ticket.print_requested", "refresh"):
            self.sio.on(name, _safe(getattr(self, "_on_" + name.replace(".", "_"))))
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> Agent:
        from .serial import SerialKeypad, create_display

        for cfg in self.config.displays:
            self.displays.append(DisplayWorker(create_display(cfg),
                                               refresh=self.config.display_refresh).start())
        for cfg in self.config.keypads:
            self.keypads.append(SerialKeypad(cfg, self._on_press, clock=self.clock).start())
        self.sender.start()
        for target, name in ((self._connection_loop, "agent-socket"), (self._health_loop, "agent-health"),
                             (self._print_loop, "agent-printer")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._print_queue.put(None)
        # One deadline for all of them (daemon threads: a socket reconnect or a health POST still
        # under way ends with the process), so a stop takes seconds, not 5 s per thread in turn.
        # The disconnect too: python-socketio waits, without a time limit, for its read loop,
        # which may be inside one of our handlers.
        deadline = time.monotonic() + 5
        closer = threading.Thread(target=self._disconnect, name="agent-disconnect", daemon=True)
        closer.start()
        for thread in (closer, *self._threads):
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        for pad in self.keypads:
            pad.stop()
        for display in self.displays:
            display.stop()
        self.sender.stop()
        self.http.close()
        self.outbox.close()

    def _disconnect(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001
            log.debug("socket disconnect failed", exc_info=True)

    def __enter__(self) -> Agent:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _connection_loop(self) -> None:
        """Connect, and connect again whenever the link drops (backoff 0.2 s doubling to 5 s)."""
        backoff = 0.2
        while not self._stop.is_set():
            if self.sio.connected:
                self._stop.wait(0.5)
                continue
            try:
                if self.sio.eio.state != "disconnected":
                    self.sio.eio.disconnect(abort=True)
                self.sio.connect(self.config.server_url, auth={"token": self.config.token},
                                 transports=["websocket"], wait_timeout=5)
                backoff = 0.2
            except (socketio.exceptions.ConnectionError, ValueError, OSError) as exc:
                log.info("agent: server not reachable (%s); retry in %.1f s", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)

    def _on_connect(self) -> None:
        log.info("agent: connected to %s", self.config.server_url)
        self.connected.set()

    def _on_disconnect(self, *_reason: Any) -> None:
        log.warning("agent: disconnected from the server; reconnecting")
        self.connected.clear()
        self.state_received.clear()

    # --- who am I ----------------------------------------------------------------------------
    @property
    def counter(self) -> int | None:
        return self.client.get("counter")

    @property
    def actor(self) -> str:
        return f"device:{self.client.get('name', '')}"

    def _mine(self, payload: dict) -> bool:
        counter = payload.get("counter")
        return self.counter is not None and isinstance(counter, dict) and counter.get("number") == self.counter

    # --- server events -----------------------------------------------------------------------
    def _on_state(self, state: dict) -> None:
        self.client = dict(state["client"])
        self.centre_name = state["centre"]["name"]
        self._use_rating_window(self.client.get("rating_window_seconds"))
        if self.counter is not None:
            for counter in state["counters"]:
                if counter["number"] == self.counter and counter.get("current"):
                    self._show(counter["current"]["number"])
            for call in state.get("recent_calls", []):
                self._remember_finished(call.get("ticket") or {}, call.get("counter"))
        if self.config.printer and self.client.get("role") == "kiosk":
            for ticket in self.client.get("unprinted", []):  # issued while we were disconnected
                self._print_queue.put((ticket, "issued"))
        self.state_received.set()

    def _on_refresh(self, _payload: Any = None) -> None:
        """The centre's set-up changed (e.g. the rating window): fetch the state again."""
        self.sio.emit("sync")

    def _on_ticket_called(self, payload: dict) -> None:
        if self._mine(payload):
            self._show(payload["ticket"]["number"])

    _on_ticket_recalled = _on_ticket_called

    def _on_ticket_finished(self, payload: dict) -> None:
        if self._mine(payload):
            self._remember_finished(payload["ticket"], payload["counter"])

    def _on_counter_changed(self, payload: dict) -> None:
        counter = payload["counter"]
        if counter.get("number") == self.counter and payload.get("status") == "closed":
            for display in self.displays:
                display.clear()

    def _on_ticket_issued(self, payload: dict) -> None:
        if self.config.printer and self.client.get("role") == "kiosk" and payload.get("actor") == self.actor:
            self._print_queue.put((payload["ticket"], "issued"))

    def _on_ticket_print_requested(self, payload: dict) -> None:
        if self.config.printer and payload.get("printer") == self.actor:
            self._print_queue.put((payload["ticket"], f"reprint:{payload.get('event_id')}"))

    def _show(self, number: str) -> None:
        for display in self.displays:
            display.show(self.counter, number)

    def _use_rating_window(self, seconds: Any) -> None:
        """Take the centre's rating window from the server (ignored unless a positive number)."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
            return
        if float(seconds) != self.rating_window:
            log.info("rating window: %s s (the centre's setting)", seconds)
            self.rating_window = float(seconds)

    def _remember_finished(self, ticket: dict, counter: Any) -> None:
        if ticket.get("status") != "done" or not isinstance(counter, dict) or counter.get("number") != self.counter:
            return
        finished = _parse_time(ticket.get("finished_at"))
        if finished is None or not isinstance(ticket.get("id"), int):
            return
        if self.last_finished is None or finished >= self.last_finished[2]:
            self.last_finished = (ticket["id"], str(ticket.get("number")), finished)

    # --- keypad ------------------------------------------------------------------------------
    def _on_press(self, press: Any) -> None:
        """A rating for the ticket most recently finished here within the window, else nothing."""
        target = self.last_finished
        pressed_at = press.pressed_at
        # One second of grace for the clocks of the PC and the server.
        if target is None or not (target[2] - dt.timedelta(seconds=1) <= pressed_at
                                  <= target[2] + dt.timedelta(seconds=self.rating_window)):
            self.ignored_presses += 1
            log.info("keypad %s: level %s pressed with no ticket finished in the last %.0f s; ignored",
                     press.keypad, press.level, self.rating_window)
            return
        self.rate(target[0], press.level, pressed_at)

    def rate(self, ticket_id: int, level: int, pressed_at: dt.datetime) -> str:
        """Queue a rating durably; returns its Idempotency-Key."""
        key = self.outbox.put(f"/tickets/{ticket_id}/rating",
                              {"level": level, "pressed_at": pressed_at.isoformat(), "source": "keypad"})
        log.info("rating %s for ticket %s queued (key %s)", level, ticket_id, key)
        return key

    def _answered(self, item: Item, status: int, body: Any) -> None:
        if item.path.endswith("/rating") and status < 300:
            log.info("rating delivered: %s", body)

    # --- printer -------------------------------------------------------------------------------
    def _print_loop(self) -> None:
        while not self._stop.is_set():
            job = self._print_queue.get()
            if job is None:
                return
            ticket, why = job
            try:
                self.print_ticket(ticket, why)
            except Exception:
                log.exception("printing ticket %.200r failed unexpectedly", ticket)

    def ticket_print(self, ticket: dict) -> Any:
        """The :class:`~hardware.printer.TicketPrint` for a ticket as the API shows it."""
        from .printer import TicketPrint
        from .printer.ticket import DEFAULT_FOOTER

        pc: PrinterConfig = self.config.printer
        issued = _parse_time(ticket.get("issued_at")) or self.clock()
        # The centre's ticket template (set by its administrator) unless this PC's file overrides it.
        layout = self.client.get("ticket") or {}
        header = pc.header or tuple(layout.get("header") or ())
        footer = pc.footer if pc.footer is not None else tuple(layout.get("footer") or DEFAULT_FOOTER)
        return TicketPrint(
            centre_name=self.centre_name or "Trung tâm Phục vụ hành chính công",
            number=ticket["number"], service_name=ticket.get("service_name") or ticket.get("service") or "—",
            people_ahead=int(ticket.get("people_ahead") or 0), issued_at=issued,
            estimated_wait_minutes=ticket.get("estimated_wait_minutes"),
            # the citizen's phone page; without one no QR (an API link would reveal the ticket id
            # and needs a token anyway)
            tracking_url=ticket.get("tracking_url") or None,
            priority_label=None, header_lines=header, footer_lines=footer, logo_path=pc.logo,
            timezone=layout.get("timezone") or "Asia/Ho_Chi_Minh")

    def print_ticket(self, ticket: dict, why: str = "issued") -> dict[str, Any]:
        """Print, write the preview, post the result (through the outbox). Never raises for the device."""
        from .printer import print_ticket, render_png

        pc: PrinterConfig = self.config.printer
        if (ticket["id"], why) in self._printed_ids:
            return {}
        if len(self._printed_ids) > 20_000:  # a day's tickets many times over
            self._printed_ids.clear()
        self._printed_ids.add((ticket["id"], why))
        try:
            content = self.ticket_print(ticket)
        except (KeyError, TypeError, ValueError) as exc:  # a ticket we cannot lay out: say so
            log.error("ticket %.200r cannot be laid out: %s", ticket, exc)
            from .printer.service import MSG_RENDER, PrintResult

            content, result = None, PrintResult(ok=False, code="render", message=MSG_RENDER,
                                                detail=str(exc))
        else:
            with self._print_lock:
                result = print_ticket(pc.url, content, _profile(pc))
        if pc.preview_dir and content is not None:
            try:
                folder = Path(pc.preview_dir)
                folder.mkdir(parents=True, exist_ok=True)
                png = render_png(content, pc.width)
                (folder / f"{ticket['number']}-{ticket['id']}.png").write_bytes(png)
                (folder / "latest.png").write_bytes(png)
            except Exception:
                log.exception("writing the ticket preview failed")
        status = "printed" if result.ok else result.code
        message = result.message if result.ok else (
            MSG_PAPER_OUT_SCREEN if result.code == "paper_out" else result.message)
        if result.ok:
            self.printer_health = ("warning", result.warning) if result.warning else ("ok", result.message)
        else:
            self.printer_health = ("offline" if result.code in ("unreachable", "offline") else "error",
                                   message)
            log.warning("ticket %s not printed: %s (%s)", ticket.get("number"), result.code, result.detail)
        body = {"ok": result.ok, "status": status, "message": message}
        self.outbox.put(f"/tickets/{ticket['id']}/print-result", body)
        outcome = {"ticket_id": ticket["id"], "number": ticket.get("number"), **body}
        self.printed.append(outcome)
        return outcome

    def _printer_report(self) -> dict[str, Any]:
        from .printer import parse_printer_url, printer_status

        pc = self.config.printer
        status, message = self.printer_health
        try:
            readable = parse_printer_url(pc.url).can_read_status
        except Exception:  # noqa: BLE001 - a bad URL shows up as a failed print
            readable = False
        if readable and self._print_lock.acquire(timeout=0.1):
            try:
                now = printer_status(pc.url, _profile(pc))
            finally:
                self._print_lock.release()
            if now.known and now.ok:
                status, message = ("warning", now.warning) if now.warning else ("ok", "Sẵn sàng")
            elif now.known:
                status = "offline" if now.code == "offline" else "error"
                message = MSG_PAPER_OUT_SCREEN if now.paper_out else (now.error or now.code)
            self.printer_health = (status, message)
        return {"id": "printer", "kind": "printer", "status": status, "message": message or ""}

    # --- health ----------------------------------------------------------------------------------
    def health_report(self) -> dict[str, Any]:
        pending = self.outbox.pending()
        agent = {"id": "agent", "kind": "agent", "status": "ok",
                 "message": f"Kết nối tốt; {pending} yêu cầu chờ gửi" if pending else "Kết nối tốt"}
        devices = [agent]
        for display in self.displays:
            devices.append({"id": display.name, "kind": "display", "status": display.status,
                            "message": display.message[:300]})
        for pad in self.keypads:
            status = {True: "ok", False: "offline", None: "warning"}[pad.online]
            message = {True: "Sẵn sàng", None: "Đang mở cổng"}.get(pad.online) or \
                f"Mất kết nối — {pad.last_error}"
            devices.append({"id": pad.name, "kind": "keypad", "status": status, "message": message[:300]})
        if self.config.printer:
            devices.append(self._printer_report())
        return {"agent": VERSION, "devices": devices}

    def send_health(self) -> bool:
        try:
            r = self.http.post(self.config.server_url + "/api/v1/devices/health",
                               json=self.health_report(), timeout=3)
        except requests.RequestException as exc:
            log.debug("health report not sent: %s", exc)
            return False
        if r.status_code != 200:
            log.warning("health report refused: %s %s", r.status_code, r.text[:200])
            return False
        try:
            answer = r.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict):  # a centre that changed its window while we stay connected
            self._use_rating_window(answer.get("rating_window_seconds"))
        return True

    def _health_loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.send_health()
            except Exception:
                log.exception("health report failed")
            self._stop.wait(self.config.health_interval)


def _profile(pc: PrinterConfig) -> Any:
    from .printer import PrinterProfile

    return PrinterProfile(width_px=pc.width, require_status=pc.require_status)
