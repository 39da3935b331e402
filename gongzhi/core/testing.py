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


def image_bytes(fmt: str = "PNG", *, size: tuple[int, int] = (8, 8), gps: bool = False) -> bytes:
    """A real, decodable image (uploads decode every photo in full); `gps` adds an EXIF GPS block
    and a camera make such as a phone writes."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 40, 40))
    options = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (31.0, 21.0, 0.0), 3: "E", 4: (121.0, 25.0, 0.0)}  # GPSInfo
        options["exif"] = exif
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()
