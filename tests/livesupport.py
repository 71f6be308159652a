"""Real server processes for the live tests: start `motcua serve`, kill it, restart it, and
drive it with many HTTP clients at once.

Each server runs in its own process group (gunicorn master + worker), so `kill9()` takes the
whole server down the way a power cut or the OOM killer would, and `stop()` never leaves a
stray worker behind.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MOTCUA = ROOT / ".venv" / "bin" / "motcua"

# Tokens seeded next to the demo centre's own, so the tests do not depend on the demo's list.
KIOSK, DISPLAY, MANAGER = "live-kiosk", "live-display", "live-manager"


def agent_token(number: int) -> str:
    """The agent token seeded for counter `number` (every counter has one)."""
    return f"live-agent-{number}"


def seed_live_centre(database_url: str, data_dir: Path, *, counters: int = 0) -> None:
    """Migrate the database and load the demo centre; add counters serving every service until
    there are at least `counters`; add the device tokens above (an agent token per counter).

    Done in-process through the app factory: one `motcua init --demo` subprocess would cost as
    much as the whole seeding, and counters have no CLI.
    """
    import datetime as dt

    from queue_server.app import create_app
    from queue_server.auth import hash_token
    from queue_server.demo import ensure_centre, load_demo
    from queue_server.domain.model import Counter, DeviceToken
    from queue_server.store.migrate import upgrade

    app = create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
                      "BACKGROUND_JOBS": False, "REDIS_URL": None})
    engine = app.extensions["motcua_engine"]
    now = dt.datetime.now(dt.UTC)
    try:
        upgrade(engine)
        with app.extensions["motcua"].uow() as uow:
            cfg = app.config
            centre = ensure_centre(uow, cfg["CENTRE_CODE"], cfg["CENTRE_NAME"], cfg["TIMEZONE"])
            load_demo(uow, centre)
            uow.flush()
            services = list(uow.repo.services(centre.id))
            existing = list(uow.repo.counters(centre.id))
            number = max((c.number for c in existing), default=0)
            while len(existing) < counters:
                number += 1
                counter = Counter(centre_id=centre.id, number=number, name=f"Quầy {number}",
                                  priority=False, services=services)
                uow.repo.add(counter)
                existing.append(counter)
            uow.flush()
            tokens = [(KIOSK, "kiosk", None), (DISPLAY, "display", None),
                      (MANAGER, "manager", None)]
            tokens += [(agent_token(c.number), "agent", c.id) for c in existing]
            for token, role, counter_id in tokens:
                uow.repo.add(DeviceToken(centre_id=centre.id, name=token, role=role,
                                         token_hash=hash_token(token), counter_id=counter_id,
                                         created_at=now))
            uow.commit()
    finally:
        engine.dispose()


class ServerFailed(RuntimeError):
    """The server process did not come up (its log tail is in the message)."""


class LiveServer:
    """One `motcua serve` process on a free port with its own data dir and database."""

    def __init__(self, database_url: str, data_dir: Path, port: int, *,
                 redis_url: str | None = None, threads: int = 64, secret_key: str | None = None,
                 workers: int = 1):
        self.database_url = database_url
        self.data_dir = Path(data_dir)
        self.port = port
        self.redis_url = redis_url
        self.threads = threads
        self.workers = workers
        self.secret_key = secret_key
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log_path = self.data_dir / f"server-{port}.log"
        self.starts = 0

    # --- process control -------------------------------------------------------------------
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        env.update(MOTCUA_DATA_DIR=str(self.data_dir), MOTCUA_DATABASE_URL=self.database_url)
        if self.redis_url:
            env["MOTCUA_REDIS_URL"] = self.redis_url
        if self.secret_key:
            env["MOTCUA_SECRET_KEY"] = self.secret_key
        return env

    def start(self, timeout: float = 30.0) -> LiveServer:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        with open(self.log_path, "ab") as log:
            log.write(f"\n--- start #{self.starts} ---\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [str(MOTCUA), "serve", "--port", str(self.port), "--threads", str(self.threads),
                 "--workers", str(self.workers)],
                env=self.env(), cwd=self.data_dir, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self.wait_healthy(timeout)
        return self

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ServerFailed(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                r = requests.get(f"{self.url}/api/v1/health", timeout=1)
                if r.status_code == 200 and r.json() == {"status": "ok"}:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self._signal_group(signal.SIGKILL)
        raise ServerFailed(f"no healthy answer within {timeout} s:\n{self.log_tail()}")

    def signal(self, sig: int) -> None:
        """Send `sig` to the server's whole process group (if it is running)."""
        self._signal_group(sig)

    def _signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def kill9(self) -> None:
        """SIGKILL the whole process group: master and worker die mid-request."""
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, grace: float = 10.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        self._signal_group(signal.SIGKILL)  # a worker that outlived its master
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass

    def restart(self, timeout: float = 30.0) -> LiveServer:
        """Start again on the same database, data dir and port."""
        self.stop()
        return self.start(timeout)

    def worker_pids(self) -> set[int]:
        """The gunicorn worker processes of the running server (children of its master)."""
        if self.proc is None:
            return set()
        return {int(p) for task in Path(f"/proc/{self.proc.pid}/task").iterdir()
                for p in (task / "children").read_text().split()}

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    # --- clients ---------------------------------------------------------------------------
    def session(self, token: str | None) -> requests.Session:
        s = requests.Session()
        if token:
            s.headers["Authorization"] = f"Bearer {token}"
        return s

    def api(self, path: str) -> str:
        return f"{self.url}/api/v1{path}"

    def read(self, path: str, token: str = KIOSK):
        r = requests.get(self.api(path), headers={"Authorization": f"Bearer {token}"}, timeout=10)
        r.raise_for_status()
        return r.json()

    def counter_ids(self) -> dict[int, int]:
        """Counter number → id (API paths use the id)."""
        return {c["number"]: c["id"] for c in self.read("/counters")}

    def prefixes(self) -> dict[str, str]:
        """Service code → ticket prefix."""
        return {s["code"]: s["prefix"] for s in self.read("/services")}

    def events(self, token: str = MANAGER) -> list[dict]:
        """The whole event log, paged by id."""
        items: list[dict] = []
        after = 0
        with self.session(token) as s:
            while True:
                r = s.get(self.api("/events"), params={"after": after, "limit": 10000}, timeout=30)
                r.raise_for_status()
                page = r.json()
                items.extend(page["items"])
                if page["next"] is None:
                    return items
                after = page["next"]


# --- load: kiosks issuing while counters call ------------------------------------------------
@dataclass
class Issued:
    id: int
    number: str
    service: str
    issued_at: str
    sent: float  # time.monotonic() before the request left
    received: float  # … and after its answer arrived


@dataclass
class Called:
    id: int
    number: str
    counter: int  # counter number
    body_counter: int | None  # the `counter` field of the answer


@dataclass
class LoadResult:
    issued: list[Issued] = field(default_factory=list)
    called: list[Called] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # unexpected HTTP answers
    broken: list[str] = field(default_factory=list)  # requests whose answer never came

    def check_causal_order(self) -> list[str]:
        """A ticket whose 201 arrived before another request of its prefix was sent must have a
        smaller number: numbers of accepted tickets follow issue order."""
        problems = []
        by_prefix: dict[str, list[Issued]] = {}
        for t in self.issued:
            by_prefix.setdefault((prefix(t.number), t.issued_at[:10]), []).append(t)
        for (_prefix, day), tickets in by_prefix.items():
            for a in tickets:
                for b in tickets:
                    if a.received < b.sent and seq(a.number) >= seq(b.number):
                        problems.append(f"{a.number} answered before {b.number} was asked ({day})")
        return problems


def split_number(number: str) -> tuple[str, int]:
    """"A001" → ("A", 1): the prefix (letters) and the day's sequence number."""
    match = re.fullmatch(r"([A-Z]+)(\d{3,})", number)
    assert match, f"{number!r} is not PREFIX + 3 digits or more"
    return match[1], int(match[2])


def prefix(number: str) -> str:
    return split_number(number)[0]


def seq(number: str) -> int:
    return split_number(number)[1]


class QueueLoad:
    """`kiosks` threads issuing `per_kiosk` tickets each while one thread per counter calls next
    until nothing is left; every thread has its own keep-alive `requests.Session`."""

    def __init__(self, server: LiveServer, counters: dict[int, int], *, kiosks: int = 10,
                 per_kiosk: int = 25, services: list[str] | None = None, deadline: float = 60.0):
        self.server = server
        self.counters = counters  # number → id
        self.kiosks = kiosks
        self.per_kiosk = per_kiosk
        self.services = services or list(server.prefixes())
        self.deadline = time.monotonic() + deadline
        self.result = LoadResult()
        self.lock = threading.Lock()
        self.kiosks_done = threading.Event()
        self.dead = threading.Event()  # the server stopped answering
        self.threads: list[threading.Thread] = []

    def _note(self, attr: str, value) -> None:
        with self.lock:
            getattr(self.result, attr).append(value)

    def _kiosk(self, k: int) -> None:
        with self.server.session(KIOSK) as s:
            for i in range(self.per_kiosk):
                if self.dead.is_set() or time.monotonic() > self.deadline:
                    return
                code = self.services[(k + i) % len(self.services)]
                body = {"service": code, "priority": "elderly" if (k * 31 + i) % 9 == 0 else None}
                sent = time.monotonic()
                try:
                    r = s.post(self.server.api("/tickets"), json=body, timeout=15)
                except requests.RequestException as exc:
                    self._note("broken", f"kiosk {k}: {type(exc).__name__}")
                    self.dead.set()
                    return
                received = time.monotonic()
                if r.status_code != 201:
                    self._note("errors", f"kiosk {k}: {r.status_code} {r.text[:200]}")
                    continue
                t = r.json()
                self._note("issued", Issued(t["id"], t["number"], t["service"], t["issued_at"],
                                            sent, received))

    def _counter(self, number: int) -> None:
        counter_id = self.counters[number]
        with self.server.session(agent_token(number)) as s:
            try:
                r = s.post(self.server.api(f"/counters/{counter_id}/open"), timeout=15)
                if r.status_code != 200:
                    self._note("errors", f"open {number}: {r.status_code} {r.text[:200]}")
                    return
                while time.monotonic() < self.deadline and not self.dead.is_set():
                    finished_issuing = self.kiosks_done.is_set()
                    r = s.post(self.server.api(f"/counters/{counter_id}/call-next"), timeout=15)
                    if r.status_code == 200:
                        t = r.json()
                        self._note("called", Called(t["id"], t["number"], number, t["counter"]))
                    elif r.status_code == 204:
                        if finished_issuing:
                            return  # nothing of ours waits and nothing new can come
                        time.sleep(0.01)
                    else:
                        self._note("errors", f"call {number}: {r.status_code} {r.text[:200]}")
            except requests.RequestException as exc:
                self._note("broken", f"counter {number}: {type(exc).__name__}")
                self.dead.set()

    def start(self) -> QueueLoad:
        kiosks = [threading.Thread(target=self._kiosk, args=(k,), daemon=True)
                  for k in range(self.kiosks)]
        counters = [threading.Thread(target=self._counter, args=(n,), daemon=True)
                    for n in self.counters]
        self.threads = kiosks + counters
        for t in self.threads:
            t.start()

        def watch() -> None:
            for t in kiosks:
                t.join()
            self.kiosks_done.set()

        threading.Thread(target=watch, daemon=True).start()
        return self

    def issued_count(self) -> int:
        with self.lock:
            return len(self.result.issued)

    def join(self, timeout: float = 90.0) -> LoadResult:
        end = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, end - time.monotonic()))
        alive = [t for t in self.threads if t.is_alive()]
        assert not alive, f"{len(alive)} client threads still running"
        return self.result


# --- helpers for browser tests against a live server ------------------------------------------

def issue_ticket(server, service="HT") -> dict:
    """A ticket issued through the API with the kiosk token, as the API returns it."""
    r = requests.post(server.api("/tickets"), json={"service": service},
                      headers={"Authorization": f"Bearer {KIOSK}"}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()


def issue(server, service="HT", n=1) -> list[str]:
    return [issue_ticket(server, service)["number"] for _ in range(n)]


def login(page, server, username: str, password: str = "motcua") -> str:
    """Log `page` in through the login form; returns the page's CSRF token."""
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login" not in page.url, page.url
    return page.get_attribute('meta[name="csrf-token"]', "content")


def login_console(browser, server, user="canbo2"):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/counter")
    assert "/login" in page.url, "the console needs a login"
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", "motcua")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/counter")
    page.wait_for_selector("body[data-live='1']", timeout=10_000)
    return ctx, page, errors
