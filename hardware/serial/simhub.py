"""Simulated counter hardware in-process, for ``make run`` and demo pages.

Give it the same ``[[display]]`` / ``[[keypad]]`` entries a real agent would use; it creates a
virtual serial line per distinct ``port`` (several displays with one port share one simulated
RS-485 bus), starts the simulated devices on the device side and hands back the entries
rewritten to point at the host side. The agent then drives them through the real drivers, byte
for byte as it would real boards::

    hub = SimulatedHardware(displays=[{"id": "quay-1", "protocol": "ascii-stx",
                                       "port": "/dev/ttyUSB0", "address": 1}],
                            keypads=[{"id": "pad-1", "port": "/dev/ttyUSB1", "address": 1}])
    display = create_display(hub.display_configs[0])   # talks to the simulated board
    hub.press("pad-1", 3)                               # simulated button press
    hub.snapshot()                                       # {"displays": {...}} for a page
    hub.close()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .display import DisplaySimulator, create_display_simulator
from .errors import DeviceConfigError
from .keypad import KeypadSimulator
from .simulator import BusSimulator
from .virtual import PtyPair, SocatPair


class SimulatedHardware:
    """Virtual lines + simulated boards and pads; ``use_socat`` picks socat over Python ptys."""

    def __init__(self, displays: Iterable[Mapping[str, Any]] = (),
                 keypads: Iterable[Mapping[str, Any]] = (), *, use_socat: bool = False) -> None:
        self._pairs: list[PtyPair | SocatPair] = []
        self._buses: list[BusSimulator] = []
        self._host_for: dict[str, str] = {}
        self.displays: dict[str, DisplaySimulator] = {}
        self.keypads: dict[str, KeypadSimulator] = {}
        self.display_configs: list[dict[str, Any]] = []
        self.keypad_configs: list[dict[str, Any]] = []
        self._use_socat = use_socat
        try:
            self._build(list(displays), list(keypads))
        except BaseException:
            self.close()
            raise

    def _line(self) -> PtyPair | SocatPair:
        pair: PtyPair | SocatPair = SocatPair().start() if self._use_socat else PtyPair()
        self._pairs.append(pair)
        return pair

    def _build(self, displays: list[Mapping[str, Any]], keypads: list[Mapping[str, Any]]) -> None:
        by_port: dict[str, list[Mapping[str, Any]]] = {}
        for cfg in displays:
            by_port.setdefault(str(cfg.get("port")), []).append(cfg)
        for port, cfgs in by_port.items():
            pair = self._line()
            self._host_for[port] = pair.host
            bus = BusSimulator(pair.device, baudrate=int(cfgs[0].get("baudrate", 9600)))
            for cfg in cfgs:
                name = str(cfg.get("id") or f"display-{len(self.displays) + 1}")
                if name in self.displays:
                    raise DeviceConfigError(f"Trùng id thiết bị: {name}")
                self.displays[name] = bus.add(create_display_simulator(cfg))
                self.display_configs.append({**cfg, "id": name, "port": pair.host})
            self._buses.append(bus.start())
        for cfg in keypads:
            name = str(cfg.get("id") or f"keypad-{len(self.keypads) + 1}")
            if name in self.keypads:
                raise DeviceConfigError(f"Trùng id thiết bị: {name}")
            pair = self._line()
            address = cfg.get("address")
            self.keypads[name] = KeypadSimulator(pair.device, 1 if address is None else int(address))
            self.keypad_configs.append({**cfg, "id": name, "port": pair.host})
        for bus in self._buses:
            bus.connected.wait(2)

    def press(self, keypad_id: str, key: int, *, repeats: int = 1) -> None:
        """Press button ``key`` on a simulated pad (``repeats`` > 1 simulates contact bounce)."""
        if keypad_id not in self.keypads:
            raise KeyError(f"Không có bàn phím mô phỏng {keypad_id!r}")
        self.keypads[keypad_id].press(key, repeats=repeats)

    def snapshot(self) -> dict[str, Any]:
        """What every simulated display shows now (for the simulated-hardware page)."""
        return {"displays": {name: {"text": sim.text, "history": list(sim.history[-20:]),
                                    "frames_ok": sim.frames_ok,
                                    "frames_rejected": sim.frames_rejected}
                             for name, sim in self.displays.items()},
                "keypads": sorted(self.keypads)}

    def close(self) -> None:
        for bus in self._buses:
            bus.stop()
        for pad in self.keypads.values():
            pad.close()
        for pair in self._pairs:
            pair.close()
        self._buses, self._pairs, self.keypads = [], [], {}

    def __enter__(self) -> SimulatedHardware:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
