"""The `motcua` command: set up the database, add users and device tokens, serve."""

from __future__ import annotations

import getpass
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .auth import hash_password, hash_token, new_token
from .domain.access import DEVICE_ROLES, USER_ROLES
from .domain.model import DeviceToken, User


def _create_app():
    from .app import create_app

    return create_app()


main = FlaskGroup(name="motcua", create_app=_create_app, load_dotenv=False,
                  set_debug_flag=False, help="MotCua queue server.")


def _service():
    return current_app.extensions["motcua"]


def _centre(uow, code: str | None):
    from .demo import ensure_centre

    cfg = current_app.config
    code = code or cfg["CENTRE_CODE"]
    centre = uow.repo.centre_by_code(code)
    if centre is None:
        if code != cfg["CENTRE_CODE"]:
            raise click.ClickException(f"No centre with code {code!r}.")
        centre = ensure_centre(uow, code, cfg["CENTRE_NAME"], cfg["TIMEZONE"])
    return centre


@main.command("init")
@click.option("--demo", is_flag=True, help="Load the demo centre, staff and device tokens.")
@with_appcontext
def init_command(demo: bool) -> None:
    """Create or upgrade the database (idempotent); optionally load the demo centre."""
    from .demo import load_demo, load_demo_catalog
    from .store.migrate import upgrade

    upgrade(current_app.extensions["motcua_engine"])
    with _service().uow() as uow:
        centre = _centre(uow, None)
        added = load_demo(uow, centre) if demo else []
        uow.commit()
    if demo and load_demo_catalog(current_app.extensions["motcua_catalog"].store(centre.id)):
        added.append("sample procedure catalogue")
    click.echo(f"Database ready: {current_app.config['DATABASE_URL']}")
    click.echo(f"Centre: {centre.code} — {centre.name}")
    if added:
        click.echo("Demo data added: " + ", ".join(added))


@main.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 5000).")
@click.option("--threads", default=None, type=int, help="Worker threads (> concurrent sockets).")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Server processes (default 1; one per CPU core uses them all).")
@click.option("--init/--no-init", "run_init", default=True, help="Upgrade the database first.")
def serve_command(host: str | None, port: int | None, threads: int | None, workers: int | None,
                  run_init: bool) -> None:
    """Serve the HTTP API, pages and Socket.IO."""
    from .app import create_app
    from .serve import MotCuaServer
    from .store.migrate import upgrade

    app = create_app()
    if run_init:
        upgrade(app.extensions["motcua_engine"])
    host = host or app.config["HOST"]
    port = port or app.config["PORT"]
    threads = threads or app.config["THREADS"]
    workers = workers or app.config["WORKERS"]
    app.extensions["motcua_engine"].dispose()
    click.echo(f"MotCua serving on http://{host}:{port}/ ({workers} × {threads} threads)")
    # Each worker builds its own app: tell it where it listens (the simulated devices connect
    # there) and how many processes share the port (they then share Socket.IO messages).
    MotCuaServer(host, port, threads, workers=workers,
                 config={"HOST": host, "PORT": port, "WORKERS": workers}).run()


@main.command("close-day")
@with_appcontext
def close_day_command() -> None:
    """Cancel tickets still waiting after closing time (the server also does this by itself)."""
    click.echo(f"Cancelled {_service().close_due()} waiting tickets.")


@main.group("user")
def user_group() -> None:
    """Staff, manager and admin accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat: "):
            raise click.ClickException("Passwords differ.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
@click.option("--full-name", default=None)
@click.option("--counters", default="", help="Counter numbers this user may open, e.g. 1,3 (default: all).")
@click.option("--centre", "centre_code", default=None)
@with_appcontext
def user_add(username: str, role: str, full_name: str | None, counters: str,
             centre_code: str | None) -> None:
    """Add a user; the password is read from standard input."""
    password = _read_password()
    if len(password) < 6:
        raise click.ClickException("The password must have at least 6 characters.")
    with _service().uow() as uow:
        centre = _centre(uow, centre_code)
        if uow.repo.user_by_username(username):
            raise click.ClickException(f"User {username!r} already exists.")
        allowed = []
        for part in filter(None, (p.strip() for p in counters.split(","))):
            counter = uow.repo.counter_by_number(centre.id, int(part))
            if counter is None:
                raise click.ClickException(f"No counter number {part}.")
            allowed.append(counter)
        uow.repo.add(User(centre_id=centre.id, username=username, full_name=full_name or username,
                          role=role, password_hash=hash_password(password),
                          allowed_counters=allowed))
        uow.commit()
    click.echo(f"User {username} ({role}) added.")


@main.group("token")
def token_group() -> None:
    """Device tokens for kiosks, displays, device agents and report integrations."""


@token_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(DEVICE_ROLES), required=True)
@click.option("--counter", "counter_number", type=int, default=None,
              help="Counter number an agent token is bound to (required for agents).")
@click.option("--centre", "centre_code", default=None)
@with_appcontext
def token_add(name: str, role: str, counter_number: int | None, centre_code: str | None) -> None:
    """Create a device token and print it (last line). It is stored hashed: keep it now."""
    if role == "agent" and counter_number is None:
        raise click.ClickException("An agent token needs --counter N.")
    if role != "agent" and counter_number is not None:
        raise click.ClickException("Only agent tokens are bound to a counter.")
    token = new_token()
    svc = _service()
    with svc.uow() as uow:
        centre = _centre(uow, centre_code)
        counter_id = None
        if counter_number is not None:
            counter = uow.repo.counter_by_number(centre.id, counter_number)
            if counter is None:
                raise click.ClickException(f"No counter number {counter_number}.")
            counter_id = counter.id
        uow.repo.add(DeviceToken(centre_id=centre.id, name=name, role=role,
                                 token_hash=hash_token(token), counter_id=counter_id,
                                 created_at=svc.clock()))
        uow.commit()
    click.echo(f"Token for {name} ({role}) created. It is shown only once:")
    click.echo(token)



try:  # the device tools need the `hardware` extra (pyserial, python-escpos, pillow)
    from hardware.cli import agent_command
    from hardware.printer.cli import printer as printer_group
except ImportError as _missing:  # pragma: no cover - a server without the hardware extra
    agent_command = printer_group = None
    _hardware_missing = str(_missing)
else:
    main.add_command(agent_command)
    main.add_command(printer_group)


def _catalog_store():
    """The current centre's catalogue in the database, for `motcua catalog import/export`."""
    with _service().uow() as uow:
        centre = _centre(uow, None)
        uow.commit()
    return current_app.extensions["motcua_catalog"].store(centre.id)


def _add_catalog_group() -> None:
    from kiosk.catalog.cli import make_catalog_group

    group = make_catalog_group(_catalog_store)
    # The group's commands need the app (database) like every other command here.
    for command in group.commands.values():
        command.callback = with_appcontext(command.callback)
    main.add_command(group)


_add_catalog_group()

from .drafts import drafts_group  # noqa: E402  (motcua drafts purge)

main.add_command(drafts_group)

from .ops.cli import COMMANDS as _ops_commands  # noqa: E402  (motcua backup / restore / purge)

for _command in _ops_commands:
    main.add_command(_command)

from .simulation.cli import simulate_command  # noqa: E402  (motcua simulate)

main.add_command(simulate_command)

from hardware.scan.cli import scan_group  # noqa: E402  (motcua scan detect / process / evaluate)

main.add_command(scan_group)
