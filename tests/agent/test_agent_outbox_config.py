"""The agent's durable outbox against a real local HTTP server that answers as scripted (5xx and
refused connections are retried, 4xx is final, nothing is sent twice after a 2xx, rows survive a
restart of the agent), and its configuration file (the example loads, mistakes are named)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hardware.agent_config import AgentConfigError, from_dict, load_config
from hardware.outbox import Outbox, OutboxSender

ROOT = Path(__file__).resolve().parents[2]


class Scripted:
    """A tiny HTTP server answering POSTs with the next status of `script` (then 201)."""

    def __init__(self, script: list[int]):
        self.script = list(script)
        self.received: list[tuple[str, str, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.received.append((self.path, self.headers.get("Idempotency-Key"), body))
                status = outer.script.pop(0) if outer.script else 201
                payload = json.dumps({"error": {"code": "x", "message": "không được"}} if status >= 400
                                     else {"ok": True}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted():
    servers: list[Scripted] = []

    def factory(script=()):
        server = Scripted(list(script))
        servers.append(server)
        return server

    yield factory
    for server in servers:
        server.close()


def test_server_errors_are_retried_a_refusal_is_final_and_order_is_kept(tmp_path, scripted):
    server = scripted([503, 500, 409])
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    first = outbox.put("/tickets/1/rating", {"level": 3})
    second = outbox.put("/tickets/2/rating", {"level": 1})
    sender = OutboxSender(outbox, server.url, "tok", max_backoff=0.05)
    item = outbox.head()
    assert not sender.send(item) and not sender.send(item)  # 503, 500: kept for later
    assert outbox.pending() == 2 and sender.last_error == "HTTP 500"
    assert sender.send(item)  # 409: final, kept as failed for the technician
    assert outbox.failed() == [{"path": "/tickets/1/rating", "body": {"level": 3},
                                "error": "HTTP 409: không được"}]
    assert sender.send(outbox.head())  # 201
    assert outbox.pending() == 0 and outbox.head() is None
    keys = [key for _, key, _ in server.received]
    assert keys == [first, first, first, second]  # the same key on every retry
    assert all(p.startswith("/api/v1/tickets/") for p, _, _ in server.received)


def test_an_unreachable_server_keeps_rows_across_an_agent_restart(tmp_path, scripted):
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path)
    key = outbox.put("/tickets/5/rating", {"level": 2, "pressed_at": "2026-11-21T09:00:00+07:00"})
    sender = OutboxSender(outbox, "http://127.0.0.1:9", "tok", timeout=1)  # nothing listens there
    assert not sender.send(outbox.head()) and "ConnectionError" in sender.last_error
    outbox.close()

    server = scripted()
    reopened = Outbox(path)  # the agent PC rebooted
    assert reopened.pending() == 1
    background = OutboxSender(reopened, server.url, "tok").start()
    try:
        deadline = threading.Event()
        for _ in range(100):
            if reopened.pending() == 0:
                break
            deadline.wait(0.05)
        assert reopened.pending() == 0
    finally:
        background.stop()
    assert server.received == [("/api/v1/tickets/5/rating", key,
                                {"level": 2, "pressed_at": "2026-11-21T09:00:00+07:00"})]


def test_the_example_config_loads(tmp_path):
    shutil.copy(ROOT / "hardware" / "agent.example.toml", tmp_path / "agent.toml")
    (tmp_path / "agent.token").write_text("mc_secret\n")
    config = load_config(tmp_path / "agent.toml")
    assert config.token == "mc_secret" and config.server_url == "http://10.0.0.2:5000"
    assert config.data_dir == tmp_path / "motcua-agent-data"
    assert [d["id"] for d in config.displays] == ["quay-3-led"]
    assert config.keypads[0]["key_map"] == {"1": 3, "2": 2, "3": 1}
    assert config.printer is None and config.rating_window == 30


@pytest.mark.parametrize(("data", "words"), [
    ({}, "[server]"),
    ({"server": {"url": "10.0.0.2:5000", "token": "t"}}, "http(s)"),
    ({"server": {"url": "http://h:1"}}, "token"),
    ({"server": {"url": "http://h:1", "token": "t"}, "agent": {"health_interval": 0}}, "health_interval"),
    ({"server": {"url": "http://h:1", "token": "t"}, "printer": {}}, "[printer] cần url"),
    ({"server": {"url": "http://h:1", "token": "t"}, "printer": {"url": "dummy://", "width": 80}}, "width"),
    ({"server": {"url": "http://h:1", "token": "t"}, "display": {"id": "x"}}, "[[display]]"),
    ({"server": {"url": "http://h:1", "token": "t"},
      "printer": {"url": "tcp://10.0.0.9:9100", "require_status": "true"}}, "require_status phải là true"),
    ({"server": {"url": "http://h:1", "token": "t"},
      "printer": {"url": "cups://KIOSK", "require_status": True}}, "bỏ require_status hoặc đổi url"),
    ({"server": {"url": "http://h:1", "token": "t"},
      "printer": {"url": "file:///srv/tickets.bin", "require_status": True}}, "require_status = true"),
    ({"server": {"url": "http://h:1", "token": "t"},
      "printer": {"url": "tcp://", "require_status": True}}, "[printer] url"),
    ({"server": {"url": "http://h:1", "token_file": "missing.token"}}, "token_file"),
])
def test_config_mistakes_are_named(tmp_path, data, words):
    with pytest.raises(AgentConfigError) as info:
        from_dict(data, base=tmp_path)
    assert words in str(info.value)


def test_printer_require_status_from_the_file(tmp_path):
    """Off unless asked; on for every transport that reads status, a missing /dev node included
    (an unplugged USB printer)."""
    toml = tmp_path / "agent.toml"
    head = '[server]\nurl = "http://10.0.0.2:5000"\ntoken = "t"\n[printer]\n'
    toml.write_text(head + 'url = "tcp://10.0.0.9:9100"\n')
    assert load_config(toml).printer.require_status is False
    for url in ("tcp://10.0.0.9:9100", "serial:///dev/ttyUSB0?baudrate=115200", "usb://04b8:0202",
                "file:///dev/usb/lp9"):
        toml.write_text(head + f'url = "{url}"\nrequire_status = true\n')
        assert load_config(toml).printer.require_status is True, url


def test_a_broken_config_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "agent.toml"
    bad.write_text("[server\nurl = 1")
    with pytest.raises(AgentConfigError, match="TOML"):
        load_config(bad)
    with pytest.raises(AgentConfigError, match="Không đọc được"):
        load_config(tmp_path / "nope.toml")


def test_motcua_agent_stops_on_a_sigterm_the_kernel_hands_to_another_thread(server, tmp_path):
    """A process-directed SIGTERM may be delivered to any thread. Python then runs its handler
    in the main thread only when that thread next runs Python code: an agent waiting without a
    timeout ignored it (seen as a stop that never came). Sent here to a worker thread on purpose."""
    import ctypes
    import signal
    import sys
    import time

    tgkill = getattr(ctypes.CDLL(None, use_errno=True), "tgkill", None)
    if tgkill is None:
        pytest.skip("this C library has no tgkill() (glibc >= 2.30) to aim a signal at one thread")
    (tmp_path / "kiosk.token").write_text("demo-kiosk")
    config = tmp_path / "agent.toml"
    config.write_text(f'[server]\nurl = "{server.url}"\ntoken_file = "kiosk.token"\n'
                      f'[agent]\ndata_dir = "data"\n')
    proc = subprocess.Popen([str(Path(sys.executable).parent / "motcua"), "agent", "--config",
                             str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        task = Path(f"/proc/{proc.pid}/task")
        deadline = time.monotonic() + 20
        while len(list(task.iterdir())) < 3 and time.monotonic() < deadline:  # threads started
            time.sleep(0.1)
        worker = next(int(t.name) for t in task.iterdir() if int(t.name) != proc.pid)
        assert tgkill(proc.pid, worker, signal.SIGTERM) == 0, ctypes.get_errno()
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
