"""`motcua simulate`: simulated centre days written to the configured database, then the target
figures, the prediction's accuracy and the staffing advice for those days."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import with_appcontext

from ..domain.errors import DomainError
from ..prediction.evaluate import format_table
from ..staffing.advice import staffing_report
from ..staffing.confirm import confirm
from .figures import figures, format_figures
from .profile import ProfileError, load_profile
from .run import SimulationError, simulate, simulation_days


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' không phải ngày YYYY-MM-DD.", param_hint="--start") from None


@click.command("simulate")
@click.option("--profile", "profile_path", default=None, type=click.Path(dir_okay=False),
              help="Simulation profile (TOML); default: the bundled demo profile.")
@click.option("--days", type=click.IntRange(1, 366), required=True,
              help="Calendar days to simulate (the profile's working weekdays among them).")
@click.option("--seed", type=int, required=True, help="Random seed: the same seed gives the same days.")
@click.option("--start", "start", default=None, help="First day (YYYY-MM-DD); default: the days end yesterday.")
@click.option("--centre", "centre_code", default=None, help="Centre code (default: the configured centre).")
@with_appcontext
def simulate_command(profile_path: str | None, days: int, seed: int, start: str | None,
                     centre_code: str | None) -> None:
    """Simulate centre days through the real queue engine and print the target figures."""
    from ..cli import _centre
    from ..store.migrate import upgrade

    first = _date(start)
    try:
        profile = load_profile(profile_path)
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None
    upgrade(current_app.extensions["motcua_engine"])
    svc = current_app.extensions["motcua"]
    with svc.uow() as uow:
        centre = _centre(uow, centre_code)
        uow.commit()
    today = dt.datetime.now(ZoneInfo(centre.timezone)).date()
    try:
        chosen = simulation_days(days, first, today, profile)
        click.echo(f"Mô phỏng {len(chosen)} ngày làm việc tại {centre.code} — {centre.name} "
                   f"(hồ sơ {profile.name}, seed {seed}, khoảng {profile.expected_tickets():.0f} "
                   "phiếu/ngày)…")
        result = simulate(svc.session_factory, centre.code, profile, chosen, seed,
                          tracking_url=current_app.extensions["motcua_links"].url)
    except (SimulationError, DomainError) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from None
    if result.layout.added:
        click.echo("Đã thêm vào Trung tâm: " + ", ".join(result.layout.added))
    days_text = ", ".join(d.strftime("%d/%m/%Y") for d in result.days)
    click.echo(f"Đã ghi {result.tickets} phiếu ({result.ops} thao tác) trong {result.seconds:.1f} giây: "
               f"{days_text}")
    if result.refused:
        click.echo(f"Lưu ý: {result.refused} lượt lấy số bị từ chối (lịch làm việc của Trung tâm "
                   "khác hồ sơ mô phỏng).")
    if result.cancelled_elsewhere:
        click.echo(f"Cảnh báo: {result.cancelled_elsewhere} phiếu đang chờ của các ngày mô phỏng bị "
                   "tiến trình khác hủy (máy chủ đang chạy hủy số còn chờ của ngày đã qua). Hãy "
                   "dừng máy chủ khi mô phỏng để số liệu trọn vẹn.")
    f = figures(svc, result)
    click.echo("")
    click.echo(format_figures(f))
    click.echo("")
    click.echo("Dự báo thời gian chờ (sai số tuyệt đối trung bình, phút; cách cũ = số người trước "
               "× thời gian phục vụ TB ÷ số quầy mở):")
    click.echo(format_table(f["prediction"]))
    events_start, events_end = result.start, result.end
    from ..reports import data

    events = data.events(svc, result.layout.centre_id, events_start, events_end)
    staffing = staffing_report(
        f["records"], events, start=events_start, end=events_end,
        counter_services={n: sorted(s) for n, s in result.layout.counter_services.items()},
        names=f["context"].service_names, target=f["context"].targets.wait_minutes,
        default_minutes=f["context"].default_service_minutes, seed=seed)
    click.echo("")
    click.echo(f"Gợi ý bố trí quầy (chờ TB ≤ {staffing['target_wait_minutes']:g} phút; Erlang C, "
               "kiểm tra bằng mô phỏng):")
    if not staffing["advice"]:
        click.echo("  - Số quầy đã mở đủ cho mọi lĩnh vực.")
        return
    check_days = result.days[-2:]
    click.echo(f"  (kiểm tra lại bằng mô phỏng {len(check_days)} ngày cuối, cùng seed, có thêm quầy "
               "theo gợi ý; chờ TB trong các giờ đó, trước → sau)")
    checked = confirm(profile, staffing["advice"], check_days, seed, centre)
    for item in checked:
        before, after = item["wait_before_minutes"], item["wait_after_minutes"]
        tail = "" if before is None or after is None else \
            f": chờ TB {before:.1f} → {after:.1f} phút".replace(".", ",")
        click.echo(f"  - {item['message']}{tail}")
