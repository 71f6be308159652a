"""The target figures of a simulated period, read back from the database's event log through
the same report code the dashboard and the exports use (`reports.data`, `build`, `metrics`)."""

from __future__ import annotations

from ..prediction.evaluate import evaluate
from ..reports import build, data, metrics
from ..service_layer import QueueService
from .run import SimulationResult


def figures(svc: QueueService, result: SimulationResult) -> dict:
    """Summary, gauges, per-hour and per-service breakdowns, and the prediction's accuracy."""
    ctx, _ = data.context(svc, result.layout.centre_id)
    events = data.events(svc, result.layout.centre_id, result.start, result.end)
    records = build.records_for(events, ctx, result.start, result.end)
    summary = metrics.summary(records, ctx.targets, levels=ctx.levels)
    return {
        "records": records,
        "context": ctx,
        "summary": summary,
        "gauges": metrics.gauges(summary, ctx.targets),
        "by_hour": metrics.breakdown(records, "hour", ctx.targets),
        "by_service": metrics.breakdown(records, "service", ctx.targets),
        "prediction": evaluate(result.issued, records),
    }


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%".replace(".", ",")


def _min(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",") + " phút"


STATE = {"green": "đạt", "amber": "gần đạt", "red": "chưa đạt", "none": "chưa có số liệu"}


def format_figures(f: dict) -> str:
    s, g, ctx = f["summary"], f["gauges"], f["context"]
    t = ctx.targets
    lines = [
        f"Số phiếu: {s['tickets']} · đã phục vụ: {s['served']} · vắng mặt: {s['no_show']} · "
        f"hủy cuối ngày: {s['cancelled']}",
        f"Thời gian chờ: TB {_min(s['wait']['mean_minutes'])}, trung vị "
        f"{_min(s['wait']['median_minutes'])}, P90 {_min(s['wait']['p90_minutes'])}; "
        f"chờ ≤ {t.wait_minutes:g} phút: {_pct(s['wait']['share_within_target'])} "
        f"({STATE[g['wait_share']['state']]})",
        f"Thời gian phục vụ: TB {_min(s['service_time']['mean_minutes'])}, P90 "
        f"{_min(s['service_time']['p90_minutes'])}; ≤ {t.service_minutes:g} phút: "
        f"{_pct(s['service_time']['share_within_target'])} ({STATE[g['service_share']['state']]})",
        f"Hài lòng: {_pct(s['satisfaction']['rate'])} của {s['satisfaction']['rated']} đánh giá "
        f"({STATE[g['satisfaction']['state']]})",
        f"Hồ sơ/cán bộ/năm (dự kiến): {g['dossiers_per_staff_year']['value'] or '–'} "
        f"({STATE[g['dossiers_per_staff_year']['state']]}, chỉ tiêu "
        f"{t.dossiers_per_staff_year.green:g})",
        "",
        "Theo dịch vụ:",
    ]
    for row in f["by_service"]:
        name = ctx.service_names.get(row["key"], row["label"])
        lines.append(f"  {row['key']:<4} {name[:40]:<40} {row['tickets']:>5} phiếu, chờ TB "
                     f"{_min(row['wait']['mean_minutes'])}, ≤ {t.wait_minutes:g} phút "
                     f"{_pct(row['wait']['share_within_target'])}")
    lines += ["", "Theo giờ lấy số:"]
    for row in f["by_hour"]:
        lines.append(f"  {row['key']:02d}:00 {row['tickets']:>5} phiếu, chờ TB "
                     f"{_min(row['wait']['mean_minutes'])}")
    return "\n".join(lines)
