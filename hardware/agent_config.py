"""The device agent's configuration file (``motcua agent --config agent.toml``).

One file per counter or kiosk PC; with real devices only this file changes::

    [server]
    url = "http://10.0.0.2:5000"
    token = "mc_…"                  # agent token bound to the counter, or the kiosk's token
    # token_file = "/etc/motcua/agent.token"   (instead of token; keeps the secret out of the file)

    [agent]
    data_dir = "/var/lib/motcua-agent"   # the outbox of unsent ratings lives here
    health_interval = 5                  # seconds between health reports
    rating_window = 30                   # until the server sends the centre's window: seconds
                                         # after finish a keypad press rates the ticket
    display_refresh = 10                 # re-send the shown number (finds unplugged boards)

    [printer]                            # kiosk PCs only
    url = "usb://04b8:0202"              # see hardware.printer.urls
    width = 576                          # 576 = 80 mm, 384 = 58 mm
    preview_dir = ""                     # if set, a PNG of every printed ticket is written here
    header = ["UBND XÃ DEMO"]
    footer = ["Xin cảm ơn quý công dân!"]
    require_status = false               # true: refuse to print while the printer does not answer
                                         # DLE EOT (only for models known to answer)

    [[display]]   # hardware.serial display entries (see hardware/serial/devices.example.toml)
    [[keypad]]    # hardware.serial keypad entries
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class AgentConfigError(ValueError):
    """The agent configuration cannot be used; the message names the file, key and fix."""


@dataclass(frozen=True)
class PrinterConfig:
    url: str
    width: int = 576
    preview_dir: str | None = None
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] | None = None
    logo: str | None = None
    # Silence to DLE EOT counts as offline (no ticket printed blind); see PrinterProfile.
    require_status: bool = False


@dataclass(frozen=True)
class AgentConfig:
    server_url: str
    token: str
    data_dir: Path
    health_interval: float = 5.0
    rating_window: float = 30.0
    display_refresh: float = 10.0
    displays: tuple[dict[str, Any], ...] = ()
    keypads: tuple[dict[str, Any], ...] = ()
    printer: PrinterConfig | None = None
    name: str = "agent"  # for logs; the server knows the device by its token
    extra: dict[str, Any] = field(default_factory=dict)


def _number(table: dict, key: str, default: float, where: str, *, low: float = 0.0) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
        raise AgentConfigError(f"{where}: '{key}' phải là số ≥ {low}, nhận được {value!r}")
    return float(value)


def _lines(value: Any, key: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise AgentConfigError(f"{where}: '[printer] {key}' phải là danh sách chuỗi")
    return tuple(value)


def _require_status(p: dict, where: str) -> bool:
    """`[printer] require_status`: a TOML boolean, and only where the status can be read at all
    (otherwise every ticket would still be printed blind while the file promises otherwise)."""
    value = p.get("require_status", False)
    if not isinstance(value, bool):
        raise AgentConfigError(f"{where}: [printer] require_status phải là true hoặc false "
                               f"(không đặt trong dấu nháy), nhận được {value!r}")
    if not value:
        return False
    from .printer.urls import parse_printer_url

    try:
        readable = parse_printer_url(p["url"]).can_read_status
    except ValueError as exc:   # PrinterUrlError
        raise AgentConfigError(f"{where}: [printer] url {p['url']!r} không hợp lệ: {exc}") from None
    if not readable:
        raise AgentConfigError(
            f"{where}: [printer] require_status = true cần máy in trả lời trạng thái qua "
            f"serial://, tcp://, usb:// hoặc file:///dev/… (thiết bị ký tự); với url {p['url']!r} "
            "không đọc được trạng thái nên phiếu vẫn in mà không kiểm tra — bỏ require_status "
            "hoặc đổi url")
    return True


def from_dict(data: dict[str, Any], *, where: str = "agent config", base: Path | None = None) -> AgentConfig:
    """Build and check a configuration from parsed TOML (or a dict built in code)."""
    base = base or Path.cwd()
    server = data.get("server")
    if not isinstance(server, dict):
        raise AgentConfigError(f"{where}: thiếu bảng [server] với url và token")
    url = server.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise AgentConfigError(f"{where}: [server] url phải là http(s)://MÁY:CỔNG, nhận được {url!r}")
    token = server.get("token")
    if token is None and server.get("token_file"):
        path = base / str(server["token_file"])
        try:
            token = path.read_text().strip()
        except OSError as exc:
            raise AgentConfigError(f"{where}: không đọc được token_file {path}: {exc}") from exc
    if not isinstance(token, str) or not token:
        raise AgentConfigError(f"{where}: [server] cần token (hoặc token_file) — tạo bằng "
                               "`motcua token add TÊN --role agent --counter N`")
    agent = data.get("agent", {})
    if not isinstance(agent, dict):
        raise AgentConfigError(f"{where}: [agent] phải là một bảng")
    data_dir = agent.get("data_dir", "motcua-agent-data")
    if not isinstance(data_dir, str) or not data_dir:
        raise AgentConfigError(f"{where}: [agent] data_dir phải là đường dẫn thư mục")
    displays, keypads = data.get("display", []), data.get("keypad", [])
    for key, items in (("display", displays), ("keypad", keypads)):
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise AgentConfigError(f"{where}: dùng [[{key}]] cho mỗi thiết bị")
    printer = None
    if "printer" in data:
        p = data["printer"]
        if not isinstance(p, dict) or not isinstance(p.get("url"), str) or not p["url"]:
            raise AgentConfigError(f"{where}: [printer] cần url, ví dụ 'usb://04b8:0202' hoặc "
                                   "'tcp://192.168.1.50:9100'")
        width = p.get("width", 576)
        if width not in (384, 512, 576):
            raise AgentConfigError(f"{where}: [printer] width phải là 576 (80 mm), 512 hoặc 384 (58 mm)")
        printer = PrinterConfig(
            url=p["url"], width=width,
            preview_dir=str(base / p["preview_dir"]) if p.get("preview_dir") else None,
            header=_lines(p.get("header", []), "header", where),
            footer=_lines(p["footer"], "footer", where) if "footer" in p else None,
            logo=str(base / p["logo"]) if p.get("logo") else None,
            require_status=_require_status(p, where))
    return AgentConfig(
        server_url=url.rstrip("/"), token=token, data_dir=base / data_dir,
        health_interval=_number(agent, "health_interval", 5.0, where, low=0.2),
        rating_window=_number(agent, "rating_window", 30.0, where, low=1.0),
        display_refresh=_number(agent, "display_refresh", 10.0, where),
        displays=tuple(dict(d) for d in displays), keypads=tuple(dict(k) for k in keypads),
        printer=printer, name=str(agent.get("name", "agent")))


def load_config(path: str | Path) -> AgentConfig:
    """Read ``agent.toml``; relative paths in it are relative to the file."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise AgentConfigError(f"Không đọc được tệp cấu hình {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AgentConfigError(f"Tệp cấu hình {path} sai cú pháp TOML: {exc}") from exc
    return from_dict(data, where=str(path), base=path.resolve().parent)
