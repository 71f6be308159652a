"""Queue-server benchmark: issue/call throughput, latency, memory and display fan-out.

Starts a real `motcua serve` (gunicorn gthread, one worker, SQLite) in its own temporary data
directory and drives it over loopback with keep-alive HTTP client threads, each alternating
"issue a ticket" (kiosk token) and "call next" (the agent token of its own counter, which also
finishes the counter's previous ticket). An "op" is one HTTP request. Then it connects Socket.IO
display clients from a separate process, measures how long a call takes to reach all of them,
runs the load again, and repeats everything with 100,000 old tickets in the database.

    .venv/bin/python bench/bench_queue.py             # full run, about 3-4 minutes
    .venv/bin/python bench/bench_queue.py --quick     # smoke run, under a minute
    .venv/bin/python bench/bench_queue.py --profile   # also py-spy the worker under load

Every loop is bounded by time; every process started here is stopped at the end. Figures are
printed and written as JSON to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import http.client
import json
import os
import queue
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
KIOSK = "demo-kiosk"
DISPLAY = "demo-display"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

TARGETS = {
    "ops_plain": 400.0,        # ops/s without sockets
    "p99_plain_ms": 30.0,      # p99 without sockets
    "ops_sockets": 250.0,      # ops/s with the display clients connected
    "fanout_p99_ms": 50.0,     # call-next -> ticket.called at every client
    "rss_mb": 200.0,           # server worker peak RSS
    "history_ratio": 0.20,     # median latency and throughput within 20% of the empty run
    "history_p99_ms": 5.0,     # p99 within +5 ms of the empty run
}


# --- small helpers -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of an unsorted list; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def motcua_executable() -> str:
    here = Path(sys.executable).parent / "motcua"
    found = str(here) if here.exists() else shutil.which("motcua")
    if not found:
        raise SystemExit("bench_queue: the `motcua` command is not installed in this environment "
                         "(run `make test` once, or use .venv/bin/python).")
    return found


def proc_status(pid: int, key: str) -> int | None:
    """A kB figure (VmRSS, VmHWM) from /proc/<pid>/status, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_of(pids: list[int]) -> float | None:
    """CPU seconds of these processes together (None when none is readable)."""
    values = [v for v in (proc_cpu_seconds(pid) for pid in pids) if v is not None]
    return sum(values) if values else None


def children_of(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(p) for p in (task / "children").read_text().split()]
    return out


# --- the server under test ---------------------------------------------------------------------
@dataclass
class CounterPlan:
    """One client thread: the counter it calls at, its agent token, the service it issues."""

    number: int
    counter_id: int
    token: str
    service: str


class Server:
    """`motcua init --demo` then `motcua serve` in a private data directory."""

    def __init__(self, data_dir: Path, threads: int, workers: int = 1):
        self.data_dir = data_dir
        self.port = free_port()
        self.threads = threads
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
        self.env["MOTCUA_DATA_DIR"] = str(data_dir)
        self.motcua = motcua_executable()
        self.log_path = data_dir / "server.log"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "motcua.db"

    def cli(self, *args: str) -> str:
        done = subprocess.run([self.motcua, *args], env=self.env, capture_output=True, text=True,
                              timeout=120, cwd=self.data_dir)
        if done.returncode != 0:
            raise RuntimeError(f"motcua {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def prepare(self, n_counters: int) -> dict[int, str]:
        """Load the demo, add counters beyond the demo's six, give each an agent token."""
        self.cli("init", "--demo")
        tokens = {n: f"demo-agent-{n}" for n in range(1, 7)}
        con = sqlite3.connect(self.db_path)
        try:
            centre_id = con.execute("SELECT id FROM centres ORDER BY id LIMIT 1").fetchone()[0]
            service_ids = [r[0] for r in con.execute(
                "SELECT id FROM services WHERE centre_id=? ORDER BY sort_order", (centre_id,))]
            with con:
                for number in range(7, n_counters + 1):
                    cur = con.execute(
                        "INSERT INTO counters (centre_id, number, name, priority, status, "
                        "priority_streak, active) VALUES (?, ?, ?, 0, 'closed', 0, 1)",
                        (centre_id, number, f"Quầy đo tải {number}"))
                    con.executemany("INSERT INTO counter_services VALUES (?, ?)",
                                    [(cur.lastrowid, s) for s in service_ids])
        finally:
            con.close()
        for number in range(7, n_counters + 1):
            tokens[number] = self.cli("token", "add", f"bench-agent-{number}", "--role", "agent",
                                      "--counter", str(number)).strip().splitlines()[-1]
        return tokens

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.motcua, "serve", "--port", str(self.port), "--threads", str(self.threads),
             "--workers", str(self.workers)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=self.data_dir,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited at start:\n{self.log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/api/v1/health")
                if conn.getresponse().status == 200 and len(self.worker_pids()) == self.workers:
                    conn.close()
                    return
            time.sleep(0.2)
        raise RuntimeError("server did not answer /api/v1/health within 60 s")

    def worker_pids(self) -> list[int]:
        return children_of(self.proc.pid) if self.proc else []

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):  # a worker orphaned by its master
            os.killpg(self.proc.pid, signal.SIGKILL)


def api(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, object]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        data = b""
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        return resp.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


def plan_clients(port: int, tokens: dict[int, str], n_threads: int) -> list[CounterPlan]:
    """Open every counter with its agent token; thread i works counter i (round robin)."""
    status, counters = api(port, "GET", "/api/v1/counters", KIOSK)
    if status != 200:
        raise RuntimeError(f"GET /api/v1/counters -> {status}: {counters}")
    by_number = {c["number"]: c for c in counters}
    plans = []
    for i in range(n_threads):
        number = sorted(tokens)[i % len(tokens)]
        c = by_number[number]
        status, body = api(port, "POST", f"/api/v1/counters/{c['id']}/open", tokens[number])
        if status != 200:
            raise RuntimeError(f"open counter {number} -> {status}: {body}")
        plans.append(CounterPlan(number, c["id"], tokens[number], c["services"][0]))
    return plans


# --- history -------------------------------------------------------------------------------------
def insert_history(db_path: Path, n_tickets: int, per_day: int = 400, seed: int = 7) -> float:
    """Previous days' tickets (served, no-show, cancelled) and their events, by direct SQL.

    About a year of a busy centre at 400 tickets a working day. Returns the seconds it took.
    """
    from queue_server.domain.tracking_code import new_tracking_code

    started = time.monotonic()
    rng = random.Random(seed)
    con = sqlite3.connect(db_path)
    try:
        centre_id = con.execute("SELECT id FROM centres ORDER BY id LIMIT 1").fetchone()[0]
        services = con.execute("SELECT id, code, prefix FROM services WHERE centre_id=?",
                               (centre_id,)).fetchall()
        serving: dict[int, list[tuple[int, int]]] = {}
        for service_id, counter_id, number in con.execute(
                "SELECT cs.service_id, c.id, c.number FROM counter_services cs "
                "JOIN counters c ON c.id = cs.counter_id WHERE c.centre_id=?", (centre_id,)):
            serving.setdefault(service_id, []).append((counter_id, number))
        next_ticket = (con.execute("SELECT max(id) FROM tickets").fetchone()[0] or 0) + 1
        fmt = "%Y-%m-%d %H:%M:%S.%f"
        tickets, events, sequences = [], [], []
        day = dt.datetime.now(TZ).date()
        made = 0
        while made < n_tickets:
            day -= dt.timedelta(days=1)
            if day.weekday() >= 5:
                continue
            opening = dt.datetime.combine(day, dt.time(7, 30), TZ).astimezone(dt.UTC)
            seqs: Counter = Counter()
            for j in range(min(per_day, n_tickets - made)):
                service_id, code, prefix = rng.choice(services)
                seqs[service_id] += 1
                seq = seqs[service_id]
                number = f"{prefix}{seq:03d}"
                issued = opening + dt.timedelta(seconds=j * 45 + rng.randint(0, 30))
                called = issued + dt.timedelta(seconds=rng.randint(60, 1800))
                ended = called + dt.timedelta(seconds=rng.randint(120, 900))
                counter_id, counter_number = rng.choice(serving[service_id])
                roll = rng.random()
                status = "done" if roll < 0.9 else ("no_show" if roll < 0.96 else "cancelled")
                tid = next_ticket
                next_ticket += 1
                tickets.append((
                    tid, centre_id, service_id, day.isoformat(), seq, number, issued.strftime(fmt),
                    status, counter_id if status != "cancelled" else None,
                    called.strftime(fmt) if status != "cancelled" else None,
                    ended.strftime(fmt) if status == "done" else None,
                    ended.strftime(fmt) if status == "no_show" else None,
                    "closed" if status == "cancelled" else None, service_id))
                base = {"number": number, "service": code}
                events.append((centre_id, "ticket.issued", issued.strftime(fmt), "device:kiosk-sanh",
                               tid, None, None, json.dumps({**base, "status": "waiting",
                                                            "priority": None, "source": "kiosk"})))
                if status == "cancelled":
                    events.append((centre_id, "ticket.cancelled", ended.strftime(fmt), "system",
                                   tid, None, None, json.dumps({**base, "status": status,
                                                                "reason": "closed"})))
                    continue
                actor = f"device:agent-quay-{counter_number}"
                events.append((centre_id, "ticket.called", called.strftime(fmt), actor, tid,
                               counter_id, counter_number, json.dumps({**base, "status": "called"})))
                events.append((centre_id, f"ticket.{'finished' if status == 'done' else 'no_show'}",
                               ended.strftime(fmt), actor, tid, counter_id, counter_number,
                               json.dumps({**base, "status": status})))
            made += min(per_day, n_tickets - made)
            sequences += [(sid, day.isoformat(), last) for sid, last in seqs.items()]
        with con:
            con.executemany(
                "INSERT INTO tickets (id, centre_id, service_id, day, seq, number, issued_at, status,"
                " counter_id, called_at, finished_at, no_show_at, cancel_reason, issued_service_id,"
                " tracking_code, recall_count, transfer_count, source) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,0,'kiosk')",
                [(*row, new_tracking_code()) for row in tickets])
            con.executemany(
                "INSERT INTO events (centre_id, type, at, actor, ticket_id, counter_id,"
                " counter_number, data) VALUES (?,?,?,?,?,?,?,?)", events)
            con.executemany("INSERT INTO ticket_sequences (service_id, day, last) VALUES (?,?,?)",
                            sequences)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    return time.monotonic() - started


# --- the HTTP load ------------------------------------------------------------------------------
ISSUE, CALL = 0, 1


def client_loop(port: int, plan: CounterPlan, t_end: float, ops: list, calls: list) -> None:
    """Alternate issue and call-next on one keep-alive connection until t_end."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    issue_body = json.dumps({"service": plan.service}).encode()
    kiosk = {"Authorization": f"Bearer {KIOSK}", "Content-Type": "application/json"}
    agent = {"Authorization": f"Bearer {plan.token}"}
    call_path = f"/api/v1/counters/{plan.counter_id}/call-next"
    kind = ISSUE
    try:
        while True:
            t0 = time.monotonic()
            if t0 >= t_end:
                return
            try:
                if kind == ISSUE:
                    conn.request("POST", "/api/v1/tickets", body=issue_body, headers=kiosk)
                else:
                    conn.request("POST", call_path, body=b"", headers=agent)
                resp = conn.getresponse()
                raw = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                raw, status = b"", -1
            t1 = time.monotonic()
            ops.append((t0, kind, t1 - t0, status))
            if kind == CALL and status == 200:
                calls.append((json.loads(raw)["id"], t0))
            kind ^= 1
    finally:
        conn.close()


@dataclass
class LoadResult:
    duration_s: float
    ops: int
    ops_per_s: float
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    issue_p50_ms: float | None
    issue_p99_ms: float | None
    call_p50_ms: float | None
    call_p99_ms: float | None
    errors: int
    error_statuses: dict = field(default_factory=dict)
    worker_cpu_pct: float | None = None
    worker_cpu_ms_per_op: float | None = None  # steadier than ops/s when the machine is shared
    loadgen_cpu_pct: float | None = None


def run_load(port: int, plans: list[CounterPlan], warmup: float, duration: float,
             workers: list[int]) -> tuple[LoadResult, list[tuple[int, float]]]:
    t_start = time.monotonic()
    t_measure = t_start + warmup
    t_end = t_measure + duration
    per_thread = [([], []) for _ in plans]
    threads = [threading.Thread(target=client_loop, args=(port, plan, t_end, ops, calls),
                                daemon=True)
               for plan, (ops, calls) in zip(plans, per_thread, strict=True)]
    for th in threads:
        th.start()
    time.sleep(max(0.0, t_measure - time.monotonic()))
    cpu0 = cpu_of(workers)
    own0 = time.process_time()
    wall0 = time.monotonic()
    for th in threads:
        th.join(timeout=duration + warmup + 60)
    wall = time.monotonic() - wall0
    cpu1 = cpu_of(workers)
    own1 = time.process_time()
    ops = [op for thread_ops, _ in per_thread for op in thread_ops if op[0] >= t_measure]
    calls = [c for _, thread_calls in per_thread for c in thread_calls]
    ok = [op for op in ops if 200 <= op[3] < 300]
    bad = Counter(str(op[3]) for op in ops if not 200 <= op[3] < 300)

    def ms(kind: int | None, q: float) -> float | None:
        values = [op[2] * 1000 for op in ok if kind is None or op[1] == kind]
        value = percentile(values, q)
        return round(value, 2) if value is not None else None

    result = LoadResult(
        duration_s=duration, ops=len(ok), ops_per_s=round(len(ok) / duration, 1),
        p50_ms=ms(None, 50), p99_ms=ms(None, 99), max_ms=ms(None, 100),
        issue_p50_ms=ms(ISSUE, 50), issue_p99_ms=ms(ISSUE, 99),
        call_p50_ms=ms(CALL, 50), call_p99_ms=ms(CALL, 99),
        errors=sum(bad.values()), error_statuses=dict(bad),
        worker_cpu_pct=round(100 * (cpu1 - cpu0) / wall, 1) if cpu0 is not None and cpu1 else None,
        loadgen_cpu_pct=round(100 * (own1 - own0) / wall, 1),
    )
    if result.worker_cpu_pct is not None and ok:
        result.worker_cpu_ms_per_op = round((cpu1 - cpu0) * 1000 / len(ok), 2)
    return result, calls


def run_floor(port: int, n_threads: int, seconds: float, workers: list[int]) -> dict:
    """The server's ceiling on this machine: `GET /api/v1/health` (one trivial query, no write,
    no auth) from the same number of keep-alive clients. What a request costs before any queue
    work is done bounds what the issue/call load can reach."""
    t_end = time.monotonic() + seconds
    counts: list[int] = []

    def loop() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        n = 0
        try:
            while time.monotonic() < t_end:
                conn.request("GET", "/api/v1/health")
                resp = conn.getresponse()
                resp.read()
                n += resp.status == 200
        finally:
            conn.close()
            counts.append(n)

    cpu0, wall0 = cpu_of(workers), time.monotonic()
    threads = [threading.Thread(target=loop, daemon=True) for _ in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=seconds + 60)
    wall = time.monotonic() - wall0
    cpu1 = cpu_of(workers)
    done = sum(counts)
    return {"req_per_s": round(done / wall, 1),
            "worker_cpu_ms_per_req": (round((cpu1 - cpu0) * 1000 / done, 2)
                                      if done and cpu0 is not None and cpu1 else None)}


# --- memory sampling ----------------------------------------------------------------------------
class RssSampler(threading.Thread):
    """Peak VmRSS per phase, every 50 ms: of the largest gunicorn worker (`worker_mb`) and of
    the workers and master together (`total_mb`)."""

    def __init__(self, server: Server):
        super().__init__(daemon=True, name="rss-sampler")
        self.server = server
        self.phase = "start"
        self.peaks: dict[str, dict[str, float]] = {}
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.wait(0.05):
            master = self.server.proc.pid if self.server.proc else None
            rss = [v for v in (proc_status(pid, "VmRSS") for pid in self.server.worker_pids())
                   if v is not None]
            m = proc_status(master, "VmRSS") if master else None
            if not rss:
                continue
            peak = self.peaks.setdefault(self.phase, {"worker_mb": 0.0, "total_mb": 0.0})
            peak["worker_mb"] = max(peak["worker_mb"], round(max(rss) / 1024, 1))
            peak["total_mb"] = max(peak["total_mb"], round((sum(rss) + (m or 0)) / 1024, 1))

    def peak(self, *phases: str) -> dict[str, float]:
        rows = [self.peaks[p] for p in phases if p in self.peaks]
        return {k: max((r[k] for r in rows), default=0.0) for k in ("worker_mb", "total_mb")}


# --- Socket.IO display clients (run in a child process) -----------------------------------------
async def socket_child(url: str, n: int, token: str) -> None:
    """Connect n display clients, record when each ticket.called arrives, obey stdin commands.

    Commands (one per line): `idle QUIET MAX` waits until no event came for QUIET seconds (at most
    MAX); `dump PATH` writes the records as JSON; `reset` forgets them; `quit` disconnects all.
    """
    import logging

    import socketio

    # A dropped connection is counted below (with its reason), not logged once per client.
    for name in ("engineio", "socketio", "engineio.client", "socketio.client"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    called: dict[int, list[float]] = {}
    dropped: list[tuple[float, str]] = []
    events: Counter = Counter()
    last = [time.monotonic()]

    def on_any(event, data=None):
        now = time.monotonic()
        events[event] += 1
        last[0] = now
        if event == "ticket.called":
            tid = data["ticket"]["id"]
            rec = called.get(tid)
            if rec is None:
                called[tid] = [1, now, now]
            else:
                rec[0] += 1
                rec[2] = now

    clients = []
    errors: list[str] = []

    async def connect_one() -> None:
        sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        sio.on("*", on_any)
        sio.on("disconnect", lambda reason=None: dropped.append((time.monotonic(), str(reason))))
        try:
            await sio.connect(url, transports=["websocket"], auth={"token": token},
                              wait_timeout=30)
            clients.append(sio)
        except Exception as exc:  # report, do not hide: the parent prints it
            errors.append(repr(exc))

    t0 = time.monotonic()
    for start in range(0, n, 25):
        await asyncio.gather(*(connect_one() for _ in range(min(25, n - start))))
    print(f"ready {len(clients)} {time.monotonic() - t0:.2f} {json.dumps(errors[:3])}", flush=True)

    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "quit":
            break
        if line[0] == "idle":
            quiet, limit = float(line[1]), float(line[2])
            begin = time.monotonic()
            while time.monotonic() - last[0] < quiet and time.monotonic() - begin < limit:
                await asyncio.sleep(0.05)
            print(f"ok {time.monotonic() - begin:.2f} {last[0]:.6f}", flush=True)
        elif line[0] == "dump":
            Path(line[1]).write_text(json.dumps({
                "called": called, "events": events, "connected": sum(c.connected for c in clients),
                "errors": errors, "last": last[0], "dropped": dropped}))
            print("ok", flush=True)
        elif line[0] == "reset":
            called.clear()
            events.clear()
            print("ok", flush=True)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(asyncio.gather(*(c.disconnect() for c in clients),
                                              return_exceptions=True), 20)


class SocketChild:
    """The parent's handle on one socket child process (n clients, one asyncio loop)."""

    def __init__(self, port: int, n: int, dump_path: Path):
        self.dump_path = dump_path
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--socket-child", f"http://{HOST}:{port}", str(n)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put("")

    def read(self, timeout: float) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"socket clients did not answer within {timeout:.0f} s") from None

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, RuntimeError):
                self.send("quit")
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


class SocketFleet:
    """n display clients spread over `procs` child processes; commands go to all of them."""

    def __init__(self, port: int, n: int, workdir: Path, procs: int = 1):
        procs = max(1, min(procs, n))
        sizes = [n // procs + (1 if i < n % procs else 0) for i in range(procs)]
        self.children = [SocketChild(port, size, workdir / f"sockets-{i}.json")
                         for i, size in enumerate(sizes)]

    def wait_ready(self, timeout: float = 180) -> tuple[int, float, list]:
        connected, seconds, errors = 0, 0.0, []
        for child in self.children:
            parts = child.read(timeout).split(" ", 3)
            if parts[0] != "ready":
                raise RuntimeError(f"socket clients failed to start: {parts}")
            connected += int(parts[1])
            seconds = max(seconds, float(parts[2]))
            errors += json.loads(parts[3])
        return connected, seconds, errors

    def command(self, line: str, timeout: float) -> list[str]:
        for child in self.children:
            child.send(line)
        return [child.read(timeout) for child in self.children]

    def idle(self, quiet: float, limit: float) -> tuple[float, float]:
        replies = [r.split() for r in self.command(f"idle {quiet} {limit}", limit + 30)]
        return max(float(r[1]) for r in replies), max(float(r[2]) for r in replies)

    def dump(self) -> dict:
        for child in self.children:
            child.send(f"dump {child.dump_path}")
        merged: dict = {"called": {}, "events": Counter(), "connected": 0, "errors": [],
                        "last": 0.0, "dropped": []}
        for child in self.children:
            child.read(60)
            part = json.loads(child.dump_path.read_text())
            for tid, (count, first, last) in part["called"].items():
                rec = merged["called"].setdefault(tid, [0, first, last])
                rec[0] += count
                rec[1], rec[2] = min(rec[1], first), max(rec[2], last)
            merged["events"].update(part["events"])
            merged["connected"] += part["connected"]
            merged["errors"] += part["errors"]
            merged["dropped"] += part["dropped"]
            merged["last"] = max(merged["last"], part["last"])
        return merged

    def cpu_seconds(self) -> float:
        return sum(proc_cpu_seconds(child.proc.pid) or 0.0 for child in self.children)

    def close(self) -> None:
        for child in self.children:
            child.close()


def fanout(calls: list[tuple[int, float]], record: dict, n: int) -> dict:
    """Call-next request start -> the last of n clients receiving that ticket.called."""
    lat, partial = [], 0
    for tid, sent in calls:
        rec = record["called"].get(str(tid))
        if rec and rec[0] >= n:
            lat.append((rec[2] - sent) * 1000)
        else:
            partial += 1

    def r(x):
        return round(x, 1) if x is not None else None

    return {"calls": len(calls), "reached_all": len(lat), "not_all": partial,
            "p50_ms": r(percentile(lat, 50)), "p99_ms": r(percentile(lat, 99)),
            "max_ms": r(percentile(lat, 100))}


def paced_calls(port: int, plan: CounterPlan, count: int, period: float) -> list[tuple[int, float]]:
    """Issue, then call next at one counter, `count` times `period` apart (a working hall)."""
    calls = []
    for _ in range(count):
        began = time.monotonic()
        api(port, "POST", "/api/v1/tickets", KIOSK, {"service": plan.service})
        time.sleep(period / 3)
        sent = time.monotonic()
        status, body = api(port, "POST", f"/api/v1/counters/{plan.counter_id}/call-next", plan.token)
        if status == 200:
            calls.append((body["id"], sent))
        time.sleep(max(0.0, period - (time.monotonic() - began)))
    return calls


# --- profiling ------------------------------------------------------------------------------
def start_profiler(pid: int, seconds: float, out: Path, mode: str) -> subprocess.Popen | None:
    """py-spy on the worker: `wall` samples every non-idle thread, `gil` only the GIL holder."""
    spy = Path(sys.executable).parent / "py-spy"
    spy = str(spy) if spy.exists() else shutil.which("py-spy")
    if not spy:
        print("  (py-spy not installed: `.venv/bin/pip install py-spy`; no profile)")
        return None
    return subprocess.Popen([spy, "record", "-p", str(pid), "-d", str(int(seconds)), "-r", "100",
                             "--nonblocking", "-f", "raw", "-o", str(out), *(["--gil"] if mode == "gil" else [])],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def summarise_profile(path: Path, top: int = 15) -> dict:
    """Inclusive and self samples per function from py-spy's collapsed stacks."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n

    def rows(counter: Counter, only_ours: bool) -> list[tuple[str, float]]:
        picked = [(f, c) for f, c in counter.most_common()
                  if not only_ours or "queue_server/" in f]
        return [(f, round(100 * c / total, 1)) for f, c in picked[:top]]

    return {"samples": total, "queue_server_inclusive": rows(inclusive, True),
            "self_any": rows(own, False)}


# --- one database state ---------------------------------------------------------------------
def run_scenario(name: str, args, workdir: Path) -> dict:
    data_dir = workdir / name
    data_dir.mkdir()
    server = Server(data_dir, args.server_threads, args.workers)
    out: dict = {"name": name, "loadavg_before": os.getloadavg()[0]}
    fleet = None
    sampler = None
    try:
        tokens = server.prepare(args.threads)
        if args.history:
            took = insert_history(server.db_path, args.history)
            out["history_tickets"] = args.history
            out["history_insert_s"] = round(took, 1)
            print(f"  inserted {args.history} old tickets in {took:.1f} s")
        out["db_mb"] = round(server.db_path.stat().st_size / 2**20, 1)
        server.start()
        sampler = RssSampler(server)
        sampler.start()
        workers = server.worker_pids()
        out["rss_idle"] = {"worker_mb": round(max(proc_status(pid, "VmRSS") or 0
                                                  for pid in workers) / 1024, 1)}
        plans = plan_clients(server.port, tokens, args.threads)
        out["workers"] = len(workers)

        sampler.phase = "plain"
        profiler = None
        if args.profile:
            profiler = start_profiler(workers[0], args.warmup + args.duration,
                                      RESULTS / f"profile-{name}-plain-{args.profile}.txt",
                                      args.profile)
        plain, _ = run_load(server.port, plans, args.warmup, args.duration, workers)
        out["plain"] = asdict(plain)
        out["rss_plain"] = sampler.peak("start", "plain")
        out["loadavg_after_plain"] = os.getloadavg()[0]
        print(f"  no sockets:    {plain.ops_per_s:7.1f} ops/s  p50 {plain.p50_ms} ms  "
              f"p99 {plain.p99_ms} ms  errors {plain.errors}  worker CPU {plain.worker_cpu_pct}% "
              f"({plain.worker_cpu_ms_per_op} ms/op)  "
              f"RSS {out['rss_plain']['worker_mb']} MB")
        if profiler:
            profiler.wait(timeout=60)
        if name == "empty":
            out["floor"] = run_floor(server.port, len(plans), max(2.0, args.duration / 2), workers)
            print(f"  floor:         {out['floor']['req_per_s']:7.1f} req/s of GET /api/v1/health "
                  f"(worker CPU {out['floor']['worker_cpu_ms_per_req']} ms/req): the most this "
                  "server process answers here")

        if args.sockets:
            sampler.phase = "sockets"
            fleet = SocketFleet(server.port, args.sockets, data_dir, args.socket_procs)
            connected, connect_s, errors = fleet.wait_ready()
            out["sockets"] = {"wanted": args.sockets, "connected": connected,
                              "connect_s": connect_s, "errors": errors}
            print(f"  {connected}/{args.sockets} display clients connected in {connect_s:.1f} s"
                  + (f"; errors: {errors}" if errors else ""))
            fleet.idle(1.0, 30)
            fleet.command("reset", 30)
            calls = paced_calls(server.port, plans[1 % len(plans)], args.calls, args.period)
            fleet.idle(1.0, 60)
            out["fanout_paced"] = fanout(calls, fleet.dump(), connected)
            f = out["fanout_paced"]
            print(f"  call -> all {connected} displays (paced, {f['calls']} calls): "
                  f"p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  max {f['max_ms']} ms  "
                  f"not reached by all: {f['not_all']}")

            fleet.command("reset", 30)
            if args.profile:
                profiler = start_profiler(workers[0], args.warmup + args.duration,
                                          RESULTS / f"profile-{name}-sockets-{args.profile}.txt",
                                          args.profile)
            fleet_cpu0, fleet_t0 = fleet.cpu_seconds(), time.monotonic()
            loaded, calls = run_load(server.port, plans, args.warmup, args.duration, workers)
            load_end = time.monotonic()
            out["socket_clients_cpu_pct"] = round(
                100 * (fleet.cpu_seconds() - fleet_cpu0) / (load_end - fleet_t0), 1)
            out["with_sockets"] = asdict(loaded)
            waited, last = fleet.idle(2.0, args.drain)
            record = fleet.dump()
            out["rss_sockets"] = sampler.peak("sockets")
            out["drain_s"] = round(max(0.0, last - load_end), 1)
            out["drained"] = waited < args.drain
            out["fanout_under_load"] = fanout(calls, record, connected)
            out["events_per_client"] = {k: round(v / max(1, connected), 1)
                                        for k, v in record["events"].items()}
            out["sockets"]["connected_after"] = record["connected"]
            out["sockets"]["dropped"] = dict(Counter(
                f"{reason} at {'load' if at <= load_end else 'drain'}"
                for at, reason in record["dropped"]))
            if record["dropped"]:
                print(f"  !! {len(record['dropped'])} display clients were disconnected: "
                      f"{out['sockets']['dropped']}")
            print(f"  {connected} sockets:   {loaded.ops_per_s:7.1f} ops/s  p50 {loaded.p50_ms} ms  "
                  f"p99 {loaded.p99_ms} ms  errors {loaded.errors}  worker CPU "
                  f"{loaded.worker_cpu_pct}% ({loaded.worker_cpu_ms_per_op} ms/op)  "
                  f"RSS {out['rss_sockets']['worker_mb']} MB  (display clients' CPU "
                  f"{out['socket_clients_cpu_pct']}%)")
            f = out["fanout_under_load"]
            print(f"  displays caught up {out['drain_s']} s after the load stopped"
                  f"{'' if out['drained'] else ' (NOT drained: gave up)'}; call -> all displays "
                  f"under load: p50 {f['p50_ms']} ms  p99 {f['p99_ms']} ms  "
                  f"({f['not_all']} of {f['calls']} calls not seen by all)")
            if profiler:
                profiler.wait(timeout=60)
        hwm = [v for v in (proc_status(pid, "VmHWM") for pid in server.worker_pids()) if v]
        out["worker_vmhwm_mb"] = round(max(hwm) / 1024, 1) if hwm else None
    finally:
        if fleet:
            fleet.close()
        if sampler:
            sampler.halt.set()
        server.stop()
    return out


# --- report ---------------------------------------------------------------------------------
def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def compare(results: dict) -> list[tuple[str, str, str, str]]:
    rows = []
    empty, hist = results.get("empty"), results.get("history")
    for label, sc in (("empty", empty), ("100k history", hist)):
        if not sc:
            continue
        p = sc["plain"]
        rows.append((f"{label}: ops/s, no sockets", f"{p['ops_per_s']}", f">= {TARGETS['ops_plain']:.0f}",
                     verdict(p["ops_per_s"] >= TARGETS["ops_plain"])))
        rows.append((f"{label}: p99, no sockets", f"{p['p99_ms']} ms", f"<= {TARGETS['p99_plain_ms']:.0f} ms",
                     verdict(p["p99_ms"] is not None and p["p99_ms"] <= TARGETS["p99_plain_ms"])))
        if "with_sockets" in sc:
            n = sc["sockets"]["connected"]
            s = sc["with_sockets"]
            rows.append((f"{label}: ops/s, {n} sockets", f"{s['ops_per_s']}",
                         f">= {TARGETS['ops_sockets']:.0f}", verdict(s["ops_per_s"] >= TARGETS["ops_sockets"])))
            f = sc["fanout_paced"]
            rows.append((f"{label}: call -> all {n} clients p99", f"{f['p99_ms']} ms",
                          f"<= {TARGETS['fanout_p99_ms']:.0f} ms",
                          verdict(f["p99_ms"] is not None and f["not_all"] == 0
                                  and f["p99_ms"] <= TARGETS["fanout_p99_ms"])))
        rss = max(sc.get("rss_plain", {}).get("worker_mb", 0), sc.get("rss_sockets", {}).get("worker_mb", 0))
        rows.append((f"{label}: worker peak RSS", f"{rss} MB", f"<= {TARGETS['rss_mb']:.0f} MB",
                     verdict(rss <= TARGETS["rss_mb"])))
    if empty and hist:
        r = TARGETS["history_ratio"]
        for phase, label in (("plain", "no sockets"), ("with_sockets", "sockets")):
            if phase not in empty or phase not in hist:
                continue
            e, h = empty[phase], hist[phase]
            rows.append((f"100k vs empty, {label}: p50", f"{h['p50_ms']} vs {e['p50_ms']} ms",
                         f"<= +{r:.0%}", verdict(h["p50_ms"] <= e["p50_ms"] * (1 + r))))
            rows.append((f"100k vs empty, {label}: ops/s", f"{h['ops_per_s']} vs {e['ops_per_s']}",
                         f">= -{r:.0%}", verdict(h["ops_per_s"] >= e["ops_per_s"] * (1 - r))))
            rows.append((f"100k vs empty, {label}: p99", f"{h['p99_ms']} vs {e['p99_ms']} ms",
                         f"<= +{TARGETS['history_p99_ms']:.0f} ms",
                         verdict(h["p99_ms"] <= e["p99_ms"] + TARGETS["history_p99_ms"])))
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8, help="HTTP client threads (default 8)")
    parser.add_argument("--duration", type=float, default=15, help="measured seconds per load run")
    parser.add_argument("--warmup", type=float, default=3, help="unmeasured seconds before each run")
    parser.add_argument("--sockets", type=int, default=200, help="display clients (0: none)")
    parser.add_argument("--socket-procs", type=int, default=1,
                        help="processes the display clients are spread over (default 1)")
    parser.add_argument("--calls", type=int, default=60, help="paced calls timed to all displays")
    parser.add_argument("--period", type=float, default=0.3, help="seconds between paced calls")
    parser.add_argument("--history", type=int, default=100_000, help="old tickets (0: skip)")
    parser.add_argument("--drain", type=float, default=60, help="max seconds to wait for displays")
    parser.add_argument("--server-threads", type=int, default=300)
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (`motcua serve --workers`; default 1)")
    parser.add_argument("--quick", action="store_true", help="short smoke run with fewer of each")
    parser.add_argument("--profile", nargs="?", const="wall", choices=("wall", "gil"),
                        help="py-spy the worker during each load run (perturbs the figures): "
                             "wall = every busy thread, gil = only the thread holding the GIL")
    parser.add_argument("--only", choices=("empty", "history"), help="run one database state")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs and server logs")
    parser.add_argument("--socket-child", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.socket_child:
        asyncio.run(socket_child(args.socket_child[0], int(args.socket_child[1]), DISPLAY))
        return 0
    if args.quick:
        args.duration, args.warmup, args.calls, args.drain = 5, 1, 20, 30
        args.sockets = min(args.sockets, 50)
        args.history = min(args.history, 10_000)
    if args.sockets + args.threads + 20 > args.server_threads:
        parser.error("--server-threads must exceed sockets + client threads (a WebSocket holds a thread)")

    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"bench_queue: 1-min load average {os.getloadavg()[0]:.1f} before starting "
          "(other processes on this machine share its CPUs and skew every figure)")
    print(f"bench_queue: {args.threads} client threads, {args.duration:.0f} s runs after "
          f"{args.warmup:.0f} s warm-up, {args.sockets} display clients, "
          f"history {args.history}, {os.cpu_count()} CPUs")
    results: dict = {"args": {k: v for k, v in vars(args).items() if k != "socket_child"},
                     "cpus": os.cpu_count(),
                     "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    if args.keep:
        print(f"bench_queue: keeping data directories and server logs in {workdir}")
    try:
        scenarios = [("empty", 0)] + ([("history", args.history)] if args.history else [])
        if args.only:
            scenarios = [sc for sc in scenarios if sc[0] == args.only]
        for name, history in scenarios:
            print(f"[{name}]")
            scenario_args = argparse.Namespace(**{**vars(args), "history": history})
            results[name] = run_scenario(name, scenario_args, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    if args.profile:
        for path in sorted(RESULTS.glob(f"profile-*-{args.profile}.txt")):
            summary = summarise_profile(path)
            results.setdefault("profiles", {})[path.stem] = summary
            print(f"\n{path.name}: {summary['samples']} samples; queue_server functions, "
                  "% of samples inclusive:")
            for frame, pct in summary["queue_server_inclusive"]:
                print(f"  {pct:5.1f}%  {frame}")
            print("  hottest leaf frames (self):")
            for frame, pct in summary["self_any"][:10]:
                print(f"  {pct:5.1f}%  {frame}")

    rows = compare(results)
    print("\nTargets (2-core machine, SQLite, load generator on the same machine):")
    print_table([("figure", "measured", "target", "")] + rows)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for path in (RESULTS / f"bench_queue-{stamp}.json", RESULTS / "bench_queue-latest.json"):
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nJSON: {RESULTS / f'bench_queue-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
