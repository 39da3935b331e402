"""Small per-process caches for rule tables that every request reads and staff rarely change
(categories, time limits, the holiday calendar, routing rules).

A cached function forgets everything when one of its models is saved or deleted in this process,
and at the latest after `seconds` in the other server processes: a rule changed by the secretary
applies to new intake in every worker within that time. Values must be treated as read-only.
"""

import threading
import time
from collections.abc import Callable
from functools import wraps

from django.db.models.signals import post_delete, post_save

_ALL: list["_Memo"] = []


class _Memo:
    def __init__(self, func: Callable, seconds: float) -> None:
        self.func, self.seconds = func, seconds
        self.values: dict = {}
        self.lock = threading.Lock()

    def __call__(self, *args):
        now = time.monotonic()
        hit = self.values.get(args)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = self.func(*args)
        with self.lock:
            if len(self.values) > 10_000:  # bounded: a cache of rules, not of data
                self.values.clear()
            self.values[args] = (now + self.seconds, value)
        return value

    def clear(self, **_kwargs) -> None:
        with self.lock:
            self.values.clear()


def memo(*models, seconds: float = 30.0):
    """Cache by positional arguments; cleared on save/delete of any of `models`."""

    def wrap(func: Callable) -> Callable:
        cached = _Memo(func, seconds)
        for model in models:
            post_save.connect(cached.clear, sender=model, weak=False)
            post_delete.connect(cached.clear, sender=model, weak=False)
        _ALL.append(cached)
        wrapper = wraps(func)(lambda *args: cached(*args))
        wrapper.cache_clear = cached.clear
        return wrapper

    return wrap


def clear_all() -> None:
    """Tests that change rule rows with queryset.update() (no signals) call this."""
    for cached in _ALL:
        cached.clear()
