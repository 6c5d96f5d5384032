"""Dates as Japanese readers see them: JST, 2026年11月30日 11:25."""

from datetime import datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")


def to_jst(value: datetime) -> datetime:
    return value.astimezone(JST)


def format_jst(value: datetime | None) -> str:
    if value is None:
        return ""
    v = to_jst(value)
    return f"{v.year}年{v.month}月{v.day}日 {v.hour:02d}:{v.minute:02d}"


def iso_jst(value: datetime | None) -> str:
    return to_jst(value).isoformat(timespec="seconds") if value else ""
