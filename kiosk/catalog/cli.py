"""``motcua catalog import|export``: load a centre's own catalogue or save the current one.

The group is built by ``make_catalog_group(store_factory)`` so the server can plug in its database
store (``app.cli.add_command(make_catalog_group(lambda: DbCatalogStore(...)))``).  The module-level
``catalog`` group works on a JSON file store chosen with ``--store`` / ``MOTCUA_CATALOG_STORE``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click

from .importer import FORMATS, detect_format, export_file, export_text, import_file
from .store import CatalogStore, JsonFileStore

StoreFactory = Callable[[], CatalogStore]


def _import(store_factory: StoreFactory, file: str, fmt: str | None, dry_run: bool) -> None:
    try:
        result = import_file(file, detect_format(file, fmt))
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    if not result.ok:
        for issue in result.issues:
            click.echo(str(issue), err=True)
        click.echo(f"Không nhập gì: {len(result.issues)} lỗi trong '{file}'. Sửa các dòng trên rồi chạy lại.", err=True)
        sys.exit(1)
    cat = result.catalog
    assert cat is not None
    if dry_run:
        click.echo(f"Hợp lệ: {len(cat.procedures)} thủ tục (phiên bản {cat.version}, cập nhật {cat.updated}). "
                   "Chưa ghi gì (--dry-run).")
        return
    store_factory().replace_all(cat)
    click.echo(f"Đã nhập {len(cat.procedures)} thủ tục (phiên bản {cat.version}, cập nhật {cat.updated}); "
               "danh mục cũ đã được thay thế.")


def _export(store_factory: StoreFactory, file: str, fmt: str | None) -> None:
    if file == "-":
        fmt = fmt or "json"
    try:
        fmt = detect_format(file, fmt)
    except ValueError as e:
        raise click.UsageError(str(e)) from e
    cat = store_factory().load_all()
    if file == "-":
        click.echo(export_text(cat, fmt).lstrip("\ufeff"), nl=False)
        return
    export_file(cat, file, fmt)
    click.echo(f"Đã xuất {len(cat.procedures)} thủ tục ra '{file}' ({fmt}).")


def make_catalog_group(store_factory: StoreFactory | None = None, name: str = "catalog") -> click.Group:
    """The ``catalog`` command group bound to a store; without a factory it takes ``--store FILE``."""

    if store_factory is None:

        @click.group(name=name, help="Nhập / xuất danh mục thủ tục hành chính.")
        @click.option("--store", "store_path", envvar="MOTCUA_CATALOG_STORE", required=True,
                      type=click.Path(dir_okay=False), help="Tệp JSON lưu danh mục (hoặc MOTCUA_CATALOG_STORE).")
        @click.pass_context
        def group(ctx: click.Context, store_path: str) -> None:
            ctx.obj = lambda: JsonFileStore(store_path)
    else:

        @click.group(name=name, help="Nhập / xuất danh mục thủ tục hành chính.")
        @click.pass_context
        def group(ctx: click.Context) -> None:
            ctx.obj = store_factory

    @group.command("import", help="Kiểm tra rồi nhập toàn bộ danh mục từ FILE (JSON hoặc CSV); có lỗi thì không nhập gì.")
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Mặc định theo phần mở rộng.")
    @click.option("--dry-run", is_flag=True, help="Chỉ kiểm tra, không ghi.")
    @click.pass_obj
    def import_cmd(factory: StoreFactory, file: str, fmt: str | None, dry_run: bool) -> None:
        _import(factory, file, fmt, dry_run)

    @group.command("export", help="Xuất danh mục hiện có ra FILE ('-' = màn hình).")
    @click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="Mặc định theo phần mở rộng.")
    @click.pass_obj
    def export_cmd(factory: StoreFactory, file: str, fmt: str | None) -> None:
        _export(factory, file, fmt)

    return group


catalog = make_catalog_group()

if __name__ == "__main__":  # pragma: no cover
    catalog()
