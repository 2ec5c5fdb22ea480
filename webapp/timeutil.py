"""Time is stored as naive UTC and shown in Asia/Shanghai; 'today' is always China's today."""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC).astimezone(LOCAL)


def today_local() -> date:
    return datetime.now(LOCAL).date()


def local_day_start_utc(day: date) -> datetime:
    """The UTC instant at which a China-local day begins."""
    return datetime.combine(day, time.min, LOCAL).astimezone(UTC).replace(tzinfo=None)


def local_day_range_utc(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """[start, end) in UTC covering China-local days day_from..day_to inclusive."""
    return local_day_start_utc(day_from), local_day_start_utc(day_to + timedelta(days=1))


def local_minute(dt: datetime) -> str:
    """A naive-UTC instant as China time to the minute, as receipts and the audit print it."""
    return to_local(dt).strftime("%Y-%m-%d %H:%M")
