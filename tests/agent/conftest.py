"""Fixtures for the device agent tests: one real `motcua serve` process (demo centre) for the
session, real socat pty pairs for the serial devices, and agents built from a config dict.

Helpers are fixtures because tests run with --import-mode=importlib (this directory has no
__init__.py on purpose).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
import serial
from livesupport import LiveServer, seed_live_centre
from support import eventually, free_port, need_tool

from hardware.agent import Agent
from hardware.agent_config import from_dict
from hardware.serial.virtual import SocatPair

# The demo centre's own tokens (queue_server.demo), which the agents use like a real centre.
KIOSK, MANAGER = "demo-kiosk", "demo-manager"


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[LiveServer]:
    """The demo centre on SQLite behind a real server process (restartable by a test), shared by
    the agent tests: each uses its own counters and services (HT at 2, CT at 3, KD at 5, XH at 6,
    DD only from the kiosk), so they never call each other's tickets."""
    data_dir = tmp_path_factory.mktemp("agent-server")
    url = f"sqlite:///{data_dir / 'motcua.db'}"
    seed_live_centre(url, data_dir)
    live = LiveServer(url, data_dir, free_port(), secret_key="agent-test-secret")
    live.start()
    yield live
    live.stop()


@pytest.fixture
def pty(tmp_path) -> Callable[[str], SocatPair]:
    """pty("led") → a running socat pair (`.host` for the agent, `.device` for the test)."""
    need_tool("socat")
    pairs: list[SocatPair] = []

    def factory(name: str) -> SocatPair:
        pair = SocatPair(tmp_path, name).start()
        pairs.append(pair)
        return pair

    yield factory
    for pair in pairs:
        pair.close()


@pytest.fixture
def device_port() -> Callable[[str], serial.Serial]:
    """device_port(path) → the device end opened raw (closed after the test)."""
    ports: list[serial.Serial] = []

    def factory(path: str) -> serial.Serial:
        port = serial.serial_for_url(path, baudrate=9600, timeout=0.2)
        ports.append(port)
        return port

    yield factory
    for port in ports:
        port.close()


@pytest.fixture
def agent(server: LiveServer, tmp_path: Path) -> Callable[..., Agent]:
    """agent(token, displays=[…], keypads=[…], printer={…}, clock=None, **agent_options) → a
    started Agent whose `state` has arrived (`clock`: the agent's, which times keypad presses);
    stopped after the test."""
    agents: list[Agent] = []

    def factory(token: str, *, displays=(), keypads=(), printer=None, clock=None,
                **options) -> Agent:
        data = {"server": {"url": server.url, "token": token},
                "agent": {"data_dir": str(tmp_path / f"agent-{len(agents)}"), "health_interval": 0.5,
                          **options},
                "display": list(displays), "keypad": list(keypads)}
        if printer:
            data["printer"] = printer
        started = Agent(from_dict(data), **({"clock": clock} if clock else {})).start()
        agents.append(started)
        assert started.state_received.wait(10), "the agent got no state from the server"
        return started

    yield factory
    for started in agents:
        started.stop()


@pytest.fixture
def wait_until() -> Callable[..., object]:
    return functools.partial(eventually, timeout=10.0, step=0.05)


@pytest.fixture
def events(server: LiveServer) -> Callable[..., list[dict]]:
    """events("ticket.rated", ticket_id=7) → the stored events of those types (manager token)."""

    def fetch(*types: str, ticket_id: int | None = None) -> list[dict]:
        r = requests.get(server.api("/events"), params={"limit": 10000},
                         headers={"Authorization": f"Bearer {MANAGER}"}, timeout=10)
        r.raise_for_status()
        return [e for e in r.json()["items"] if (not types or e["type"] in types)
                and (ticket_id is None or e["ticket_id"] == ticket_id)]

    return fetch


@pytest.fixture
def call(server: LiveServer) -> Callable[..., dict]:
    """call(token, method, path, json=None, status=200) → the JSON answer, status checked."""

    def do(token: str, method: str, path: str, json=None, status: int = 200) -> dict:
        r = requests.request(method, server.api(path), json=json, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == status, (method, path, r.status_code, r.text[:300])
        return r.json() if r.content else {}

    return do
