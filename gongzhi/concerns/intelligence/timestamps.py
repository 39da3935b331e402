"""Times as the message files write them ("2019/2/28 11:25:05", "2017-06-08 17:31:20", ...)."""

from datetime import datetime

_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
)


def parse_time(value: str | None) -> datetime | None:
    """A naive datetime, or None when the cell is empty or unreadable (a message still counts)."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in _FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None
