"""A volunteer's availability as daily time windows, e.g. "08:00-12:00, 18:00-06:00". No Django.

A window whose end is not after its start runs past midnight ("22:00-06:00"); "00:00-24:00" is
all day. A shift fits when it lies wholly inside one window, starting on any day.
"""

import re

DAY = 24 * 60
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–~～至]\s*(\d{1,2}):(\d{2})$")


def parse(text: str) -> list[tuple[int, int]]:
    """Windows as (start minute of day, length in minutes); [] for blank (any time).

    Raises ValueError naming the piece that is not a window."""
    windows = []
    for piece in re.split(r"[,，;；、]", text or ""):
        piece = piece.strip()
        if not piece:
            continue
        match = _WINDOW.match(piece)
        if match is None:
            raise ValueError(piece)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise ValueError(piece)
        start, end = h1 * 60 + m1, h2 * 60 + m2
        length = (end - start) % DAY or DAY
        windows.append((start, length))
    return windows


def fits(windows: list[tuple[int, int]], start_minute_of_day: int, duration_minutes: int) -> bool:
    """Whether a shift starting at that minute of the day and lasting that long fits a window."""
    if not windows:
        return True
    return any(
        length == DAY or (start_minute_of_day - start) % DAY + duration_minutes <= length
        for start, length in windows
    )
