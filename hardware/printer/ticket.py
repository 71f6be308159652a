"""What goes on a printed queue ticket (SPEC §3 "Ticket print"), independent of the server models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_FOOTER: tuple[str, ...] = ("Xin cảm ơn quý công dân!",)
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class TicketPrint:
    """Everything printed on one ticket.

    ``issued_at`` must be timezone-aware; it is printed in ``timezone`` (the centre's local time),
    so a server running in UTC still prints the time the citizen saw on the kiosk clock.
    """

    centre_name: str
    number: str
    service_name: str
    people_ahead: int
    issued_at: datetime
    estimated_wait_minutes: int | None = None
    tracking_url: str | None = None
    priority_label: str | None = None
    header_lines: tuple[str, ...] = ()
    footer_lines: tuple[str, ...] = DEFAULT_FOOTER
    logo_path: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    title: str = "PHIẾU SỐ THỨ TỰ"

    def __post_init__(self) -> None:
        for name in ("centre_name", "number", "service_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"TicketPrint.{name} must be a non-empty string, got {value!r}")
        if (
            isinstance(self.people_ahead, bool)
            or not isinstance(self.people_ahead, int)
            or self.people_ahead < 0
        ):
            raise ValueError(f"TicketPrint.people_ahead must be an integer ≥ 0, got {self.people_ahead!r}")
        wait = self.estimated_wait_minutes
        if wait is not None and (isinstance(wait, bool) or not isinstance(wait, int) or wait < 0):
            raise ValueError(
                f"TicketPrint.estimated_wait_minutes must be None or an integer ≥ 0, got {wait!r}"
            )
        if not isinstance(self.issued_at, datetime) or self.issued_at.utcoffset() is None:
            raise ValueError(
                "TicketPrint.issued_at must be a timezone-aware datetime (e.g. datetime.now(timezone.utc))"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"TicketPrint.timezone {self.timezone!r} is not a known IANA time zone") from exc
        # Accept lists from configuration files but store tuples so the ticket stays hashable.
        object.__setattr__(self, "header_lines", tuple(str(x) for x in self.header_lines))
        object.__setattr__(self, "footer_lines", tuple(str(x) for x in self.footer_lines))

    @property
    def local_issued_at(self) -> datetime:
        """``issued_at`` in the centre's time zone."""
        return self.issued_at.astimezone(ZoneInfo(self.timezone))

    @property
    def issued_text(self) -> str:
        """Date and time as printed: dd/mm/yyyy HH:MM, local time."""
        return self.local_issued_at.strftime("%d/%m/%Y %H:%M")


def format_wait(minutes: int) -> str:
    """Vietnamese duration: "25 phút", "1 giờ 05 phút"."""
    if minutes < 60:
        return f"{minutes} phút"
    hours, rest = divmod(minutes, 60)
    return f"{hours} giờ" if rest == 0 else f"{hours} giờ {rest:02d} phút"


def sample_ticket(**overrides: object) -> TicketPrint:
    """A realistic Vietnamese ticket for `printer test`, previews and docs."""
    values: dict[str, object] = {
        "centre_name": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "header_lines": ("UBND TỈNH QUẢNG TRỊ",),
        "number": "A025",
        "service_name": "Đăng ký khai sinh, kết hôn và các thủ tục hộ tịch khác",
        "people_ahead": 7,
        "estimated_wait_minutes": 25,
        "issued_at": datetime(2026, 11, 21, 2, 41, tzinfo=UTC),
        "tracking_url": "https://motcua.example.vn/t/7k3q9xwmd2fh5b8p",
    }
    values.update(overrides)
    return TicketPrint(**values)  # type: ignore[arg-type]
