"""Printer URLs → python-escpos objects, clear errors for bad ones; the `printer` click group; light imports."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from hardware.printer import PrinterUrlError, create_printer, decode_receipts, parse_printer_url
from hardware.printer.cli import printer
from hardware.printer.errors import PrinterUnavailableError
from hardware.printer.simulator import PrinterState, TcpPrinterSimulator


@pytest.mark.parametrize(
    ("url", "kind", "expected"),
    [
        ("usb://04b8:0202", "usb", {"idVendor": 0x04B8, "idProduct": 0x0202}),
        ("usb://0x0416:0x5011?out_ep=0x03", "usb", {"idVendor": 0x0416, "idProduct": 0x5011, "out_ep": 3}),
        ("tcp://192.168.1.50:9100", "tcp", {"host": "192.168.1.50", "port": 9100, "timeout": 5.0}),
        ("tcp://printer.local?timeout=2.5", "tcp", {"host": "printer.local", "port": 9100, "timeout": 2.5}),
        (
            "serial:///dev/ttyUSB0?baudrate=115200",
            "serial",
            {"devfile": "/dev/ttyUSB0", "baudrate": 115200, "parity": "N", "dsrdtr": False},
        ),
        (
            "serial://COM3?baudrate=9600&parity=e&dsrdtr=1",
            "serial",
            {"devfile": "COM3", "parity": "E", "dsrdtr": True},
        ),
        ("cups://KIOSK_RAW", "cups", {"printer_name": "KIOSK_RAW"}),
        ("file:///var/spool/motcua/k%201.bin", "file", {"devfile": "/var/spool/motcua/k 1.bin"}),
        ("dummy://", "dummy", {}),
        ("  TCP://10.0.0.9  ", "tcp", {"host": "10.0.0.9"}),
    ],
)
def test_valid_urls(url, kind, expected):
    target = parse_printer_url(url)
    assert target.kind == kind
    assert expected.items() <= target.options.items()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("", "empty"),
        ("lpt://1", "unknown scheme"),
        ("/dev/usb/lp0", "unknown scheme"),
        ("usb://04b8", "VID:PID"),
        ("usb://zzzz:0202", "must be a number"),
        ("tcp://", "HOST:PORT"),
        ("tcp://host:99999", "port"),
        ("tcp://host:9100/queue", "no path"),
        ("tcp://host?timeout=soon", "seconds"),
        ("serial://", "ttyUSB0"),
        ("serial:///dev/ttyUSB0?baudrate=12345", "standard rate"),
        ("serial:///dev/ttyUSB0?baud=9600", "unknown parameter"),
        ("serial:///dev/ttyUSB0?parity=X", "parity"),
        ("file://relative/path.bin", "three slashes"),
        ("file:///tmp/", "name a file"),
        ("dummy://x", "no host"),
        ("cups://", "QUEUE"),
    ],
)
def test_invalid_urls_say_what_is_wrong(url, why):
    with pytest.raises(PrinterUrlError, match=why) as info:
        parse_printer_url(url)
    assert "Examples:" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_urls_become_python_escpos_printers(tmp_path):
    from escpos.printer import Dummy, File, Network, Serial

    assert isinstance(create_printer("dummy://"), Dummy)
    net = create_printer("tcp://127.0.0.1:9101")
    assert isinstance(net, Network) and (net.host, net.port) == ("127.0.0.1", 9101)
    ser = create_printer("serial:///dev/ttyS9?baudrate=115200")
    assert isinstance(ser, Serial) and ser.baudrate == 115200 and ser.dsrdtr is False
    f = create_printer(f"file://{tmp_path}/x.bin")
    assert isinstance(f, File)
    assert not (tmp_path / "x.bin").exists()  # constructing does not connect or create anything
    assert net.profile.profile_data["media"]["width"]["pixels"] == 576


def test_usb_without_pyusb_is_a_clear_error():
    from escpos.printer import Usb

    if Usb.is_usable():
        pytest.skip("pyusb is installed here")
    with pytest.raises(PrinterUnavailableError, match="pyusb"):
        create_printer("usb://04b8:0202")


def test_cli_preview_writes_the_png(tmp_path):
    out = tmp_path / "preview.png"
    result = CliRunner().invoke(printer, ["preview", "--out", str(out), "--width", "384"])
    assert result.exit_code == 0, result.output
    img = Image.open(io.BytesIO(out.read_bytes()))
    assert img.width == 384 and img.height > 400


def test_cli_test_prints_a_sample_ticket_to_a_file(tmp_path):
    out = tmp_path / "p.bin"
    result = CliRunner().invoke(printer, ["test", "--printer", f"file://{out}"])
    assert result.exit_code == 0, result.output
    assert "Đã in phiếu" in result.output
    (img,) = decode_receipts(out.read_bytes())
    assert img.width == 576


def test_cli_reports_paper_out_and_bad_input():
    with TcpPrinterSimulator(PrinterState(paper_out=True)) as sim:
        result = CliRunner().invoke(printer, ["test", "--printer", sim.url, "--width", "384"])
        assert result.exit_code == 1
        assert "Máy in hết giấy" in result.output
        status = CliRunner().invoke(printer, ["status", "--printer", sim.url])
        assert status.exit_code == 1 and '"code": "paper_out"' in status.output
    bad = CliRunner().invoke(printer, ["test", "--printer", "lpt://1"])
    assert bad.exit_code == 1 and "unknown scheme" in bad.output
    narrow = CliRunner().invoke(printer, ["preview", "--width", "50"])
    assert narrow.exit_code == 2 and "576 for 80 mm" in narrow.output


def test_importing_the_package_stays_light():
    code = (
        "import sys, hardware.printer as p; "
        "heavy = [m for m in ('cv2', 'numpy', 'escpos', 'serial') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, timeout=60, cwd=Path(__file__).resolve().parents[2]
    )
