"""`motcua printer …` commands: print a sample ticket, write a PNG preview, read a printer's status.

The group is plain click so the lead can attach it to the Flask CLI with ``cli.add_command(printer)``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from .layout import WIDTH_80MM, check_width, render_png
from .profile import PrinterProfile
from .service import print_ticket, printer_status
from .ticket import sample_ticket


def _width(ctx: click.Context, param: click.Parameter, value: int) -> int:
    try:
        return check_width(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


width_option = click.option(
    "--width",
    type=int,
    default=WIDTH_80MM,
    show_default=True,
    callback=_width,
    help="Raster width in dots: 576 for 80 mm paper, 384 for 58 mm, 512 for Epson TM-T88.",
)


@click.group("printer")
def printer() -> None:
    """Thermal ticket printer tools."""


@printer.command("test")
@click.option(
    "--printer", "url", required=True, help="Printer URL, e.g. tcp://192.168.1.50:9100 or usb://04b8:0202."
)
@width_option
@click.option(
    "--impl",
    type=click.Choice(["bitImageRaster", "graphics"]),
    default="bitImageRaster",
    show_default=True,
    help="Raster command: GS v 0 (bitImageRaster) or GS ( L (graphics).",
)
def test_command(url: str, width: int, impl: str) -> None:
    """Print a sample Vietnamese ticket on PRINTER and report the result."""
    result = print_ticket(url, sample_ticket(), PrinterProfile(width_px=width, impl=impl))
    click.echo(result.message)
    if result.warning:
        click.echo(result.warning)
    if result.detail:
        click.echo(result.detail, err=True)
    if not result.ok:
        raise SystemExit(1)


@printer.command("preview")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=Path("ticket-preview.png"),
    show_default=True,
    help="PNG file to write.",
)
@width_option
def preview_command(out: Path, width: int) -> None:
    """Write a PNG preview of the sample ticket exactly as it would print."""
    out.write_bytes(render_png(sample_ticket(), width))
    click.echo(f"Đã ghi ảnh xem trước: {out}")


@printer.command("status")
@click.option("--printer", "url", required=True, help="Printer URL.")
def status_command(url: str) -> None:
    """Ask PRINTER for its status (DLE EOT) and print it as JSON."""
    status = printer_status(url)
    click.echo(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
    if not status.ok:
        raise SystemExit(1)
