"""Helpers the test suites of every app share."""

import threading

from django.db import connection


def run_together(*calls, timeout: float = 60) -> list:
    """Start the calls in threads at one barrier so their transactions overlap; return each
    call's result or the exception it raised, in order. Each thread closes its own connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            outcomes[i] = call()
        except Exception as exc:  # noqa: BLE001  (the outcome is what the test inspects)
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes
