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


# The years a date archive answers for: four digits, and a year whose next January still exists (9999 has none).
ARCHIVE_YEARS = range(1000, 9999)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The JST month as [start, end): aware datetimes a query compares published_at with (ValueError if no such month)."""
    if year not in ARCHIVE_YEARS or not 1 <= month <= 12:
        raise ValueError(f"no archive month {year}-{month}")
    start = datetime(year, month, 1, tzinfo=JST)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=JST)
    return start, end


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The JST year as [start, end) (ValueError outside ARCHIVE_YEARS)."""
    if year not in ARCHIVE_YEARS:
        raise ValueError(f"no archive year {year}")
    return datetime(year, 1, 1, tzinfo=JST), datetime(year + 1, 1, 1, tzinfo=JST)
