"""Numbers and dates the Vietnamese way: 1.234,5 and dd/mm/yyyy, as centres file them."""

from __future__ import annotations

import datetime as dt


def number(value: float | int | None, decimals: int = 1) -> str:
    """1234.5 → "1.234,5"; integers keep no decimals; None → "–"."""
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        decimals = 0
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(fraction: float | None, decimals: int = 1) -> str:
    """0.9523 → "95,2%"."""
    return "–" if fraction is None else number(fraction * 100, decimals) + "%"


def date(value: dt.date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"
