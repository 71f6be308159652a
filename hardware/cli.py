"""`motcua agent --config agent.toml`: run the device agent of one counter or kiosk PC.

Plain click, attached to the `motcua` group by queue_server/cli.py.
"""

from __future__ import annotations

import logging
import signal
import threading

import click

from .agent_config import AgentConfigError, load_config


@click.command("agent")
@click.option("--config", "config_path", required=True, type=click.Path(dir_okay=False),
              help="The agent's TOML file (server url and token, displays, keypads, printer).")
@click.option("--log-level", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def agent_command(config_path: str, log_level: str) -> None:
    """Drive this PC's LED displays, rating keypads and ticket printer for the server."""
    from .agent import Agent

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(config_path)
    except AgentConfigError as exc:
        raise click.ClickException(str(exc)) from None
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        agent = Agent(config).start()
    except ValueError as exc:  # a device entry the drivers refuse (DeviceConfigError)
        raise click.ClickException(str(exc)) from None
    click.echo(f"MotCua agent → {config.server_url} ({len(config.displays)} displays, "
               f"{len(config.keypads)} keypads, printer: {config.printer.url if config.printer else 'none'})")
    try:
        # Wait in short steps: a SIGTERM the kernel hands to another thread only sets Python's
        # flag, and its handler runs when this (main) thread next runs Python code. A wait
        # without a timeout never does, so such an agent ignored SIGTERM until a second signal.
        while not stop.wait(0.5):
            pass
    finally:
        agent.stop()
