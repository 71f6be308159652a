"""`motcua backup FILE`, `motcua restore FILE`, `motcua purge`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backup as backups
from . import retention


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(file: str) -> None:
    """Copy the whole database to FILE while the server keeps running."""
    try:
        result = backups.backup(current_app.config["DATABASE_URL"], file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    backups.remember(backups.backup_dir(current_app.config), result)
    click.echo(f"Đã sao lưu ({result.kind}) vào {result.path}: {result.size} byte.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(file: str, yes: bool) -> None:
    """Replace the whole database with the backup in FILE (everything since is lost)."""
    if not yes:
        click.confirm(f"Thay toàn bộ dữ liệu hiện có bằng bản sao lưu {file}?", abort=True)
    try:
        backups.restore(current_app.config["DATABASE_URL"], file)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    from ..store.migrate import upgrade

    upgrade(current_app.extensions["motcua_engine"])  # an older backup gets today's schema
    click.echo(f"Đã khôi phục dữ liệu từ {file}.")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete personal data past its retention period (scans, form drafts, ID hashes)."""
    counts = retention.purge(current_app.extensions["motcua"], current_app.config)
    click.echo(f"Đã xóa: {counts.scans} tệp ảnh quét, {counts.drafts} bản nháp biểu mẫu, "
               f"{counts.identity} dữ liệu định danh của lịch hẹn.")


COMMANDS = (backup_command, restore_command, purge_command)
