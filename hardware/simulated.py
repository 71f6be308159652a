"""The whole centre's hardware simulated in-process, for `make run` (MOTCUA_SIMULATED_HARDWARE=1).

Every demo counter gets a simulated ASCII-STX LED board and a 3-button rating pad on virtual
serial lines (:class:`hardware.serial.simhub.SimulatedHardware`), the demo kiosk a simulated
ESC/POS network printer that answers DLE EOT (paper out can be switched on from the simulator
page) and keeps the raw bytes it received in ``DATA_DIR/simulated/kiosk-printer.bin``. Each
counter and the kiosk run a real :class:`~hardware.agent.Agent` that talks to the server over
HTTP and Socket.IO exactly as it would from a counter PC; only the configuration differs.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from .agent import Agent
from .agent_config import from_dict
from .printer.simulator import PrinterState, TcpPrinterSimulator
from .serial.simhub import SimulatedHardware

log = logging.getLogger(__name__)


class RecordingPrinter(TcpPrinterSimulator):
    """A simulated network printer that also appends every byte it receives to a file."""

    def __init__(self, path: Path, state: PrinterState | None = None) -> None:
        super().__init__(state=state)
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file_lock = threading.Lock()

    def feed(self, data: bytes) -> bytes:
        with self._file_lock, self.path.open("ab") as fh:
            fh.write(data)
        return super().feed(data)


class SimulatedCentre:
    """Simulated devices + one agent per counter token and one for the kiosk token."""

    def __init__(self, server_url: str, data_dir: str | Path, counters: list[tuple[int, str]],
                 kiosk_token: str | None = None, *, health_interval: float = 5.0) -> None:
        self.data_dir = Path(data_dir)
        self.counters = sorted(counters)
        displays = [{"id": f"quay-{n}-led", "protocol": "ascii-stx", "port": f"sim-line-{n}",
                     "address": n, "format": "{ticket}>{counter}", "width": 16}
                    for n, _ in self.counters]
        keypads = [{"id": f"quay-{n}-pad", "port": f"sim-pad-{n}", "address": n, "levels": 3}
                   for n, _ in self.counters]
        self.hub = SimulatedHardware(displays=displays, keypads=keypads)
        self.printer: RecordingPrinter | None = None
        self.preview_dir = self.data_dir / "tickets"
        self.agents: dict[str, Agent] = {}
        by_id = {c["id"]: c for c in self.hub.display_configs + self.hub.keypad_configs}
        base = {"agent": {"health_interval": health_interval}}
        try:
            for n, token in self.counters:
                config = from_dict({
                    **base, "server": {"url": server_url, "token": token},
                    "agent": {**base["agent"], "data_dir": str(self.data_dir / "agents" / f"quay-{n}")},
                    "display": [by_id[f"quay-{n}-led"]], "keypad": [by_id[f"quay-{n}-pad"]]})
                self.agents[f"quay-{n}"] = Agent(config)
            if kiosk_token:
                self.printer = RecordingPrinter(self.data_dir / "kiosk-printer.bin")
                config = from_dict({
                    "server": {"url": server_url, "token": kiosk_token},
                    "agent": {**base["agent"], "data_dir": str(self.data_dir / "agents" / "kiosk")},
                    "printer": {"url": self.printer.url, "preview_dir": str(self.preview_dir)}})
                self.agents["kiosk"] = Agent(config)
        except BaseException:
            self.close()
            raise

    def start(self) -> SimulatedCentre:
        for agent in self.agents.values():
            agent.start()
        return self

    def press(self, counter: int, key: int) -> None:
        """Press button ``key`` (1 = left) on the rating pad of ``counter``."""
        self.hub.press(f"quay-{counter}-pad", key)

    def set_paper_out(self, value: bool) -> None:
        if self.printer is not None:
            self.printer.state.paper_out = bool(value)

    def latest_preview(self) -> Path | None:
        path = self.preview_dir / "latest.png"
        return path if path.exists() else None

    def snapshot(self) -> dict[str, Any]:
        """What the simulator page draws: LED texts, pads, the printer, the agents."""
        hub = self.hub.snapshot()["displays"]
        counters = []
        for n, _token in self.counters:
            led = hub.get(f"quay-{n}-led", {})
            agent = self.agents.get(f"quay-{n}")
            finished = agent.last_finished if agent else None
            counters.append({"number": n, "led": led.get("text", ""),
                             "history": led.get("history", [])[-5:],
                             "connected": bool(agent and agent.connected.is_set()),
                             "pending": agent.outbox.pending() if agent else 0,
                             "rating_for": finished[1] if finished else None})
        kiosk = self.agents.get("kiosk")
        printer = None
        if self.printer is not None:
            printer = {"paper_out": self.printer.state.paper_out,
                       "bytes": self.printer.path.stat().st_size if self.printer.path.exists() else 0,
                       "printed": list(kiosk.printed)[-10:] if kiosk else [],
                       "connected": bool(kiosk and kiosk.connected.is_set()),
                       "preview": self.latest_preview() is not None}
        return {"counters": counters, "printer": printer}

    def close(self) -> None:
        for agent in self.agents.values():
            try:
                agent.stop()
            except Exception:  # noqa: BLE001
                log.exception("stopping a simulated agent failed")
        self.agents = {}
        if self.printer is not None:
            self.printer.close()
        self.hub.close()


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def start_simulation(app) -> SimulatedCentre | None:
    """Start the demo's simulated devices and agents for a serving app (``SIMULATED_HARDWARE``).

    Only the demo tokens (queue_server.demo.TOKENS) are used, and only those present in the
    database; the agents reach the server at ``SIMULATED_SERVER_URL`` or http://HOST:PORT.
    """
    if not _truthy(app.config.get("SIMULATED_HARDWARE", "")):
        return None
    from queue_server.auth import hash_token
    from queue_server.demo import TOKENS

    svc = app.extensions["motcua"]
    with svc.uow() as uow:
        present = [(role, number, token) for _name, role, number, token in TOKENS
                   if role in ("agent", "kiosk") and uow.repo.token_by_hash(hash_token(token))]
    if not present:
        log.warning("SIMULATED_HARDWARE is on but the demo tokens are missing: run `motcua init --demo`")
        return None
    host = app.config.get("HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    url = app.config.get("SIMULATED_SERVER_URL") or f"http://{host}:{app.config['PORT']}"
    sim = SimulatedCentre(url, Path(app.config["DATA_DIR"]) / "simulated",
                          [(n, t) for role, n, t in present if role == "agent"],
                          next((t for role, _n, t in present if role == "kiosk"), None))
    app.extensions["motcua_simulation"] = sim.start()
    log.warning("simulated hardware: %d counters and %s, agents → %s", len(sim.counters),
                "the kiosk printer" if sim.printer else "no kiosk", url)
    return sim
