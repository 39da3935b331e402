"""A real local HTTP receiver for webhook tests and the fan-out benchmark.

It answers like a careful gateway: it checks the signature, processes each ``Idempotency-Key``
once and answers a repeat with 200 without processing it again. Faults can be injected per key:
``fail_first`` keys get one 500 before succeeding, ``slow_first`` keys are processed but answered
too late (the sender times out and retries, so the receiver sees the key again).
"""

import json
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gongzhi.notifications.channels import signature


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A sender that died with its keep-alive connections open (a killed worker) resets them:
        expected, not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Receiver:
    def __init__(
        self,
        secret: str,
        *,
        fail_first=frozenset(),
        slow_first=frozenset(),
        slow_seconds: float = 1.5,
        reject=frozenset(),
    ):
        """`fail_first`, `slow_first` and `reject` are sets of keys or predicates on a key."""
        self.secret = secret
        self.fails = fail_first if callable(fail_first) else set(fail_first).__contains__
        self.slows = slow_first if callable(slow_first) else set(slow_first).__contains__
        self.slow_seconds = slow_seconds
        self.rejects = reject if callable(reject) else set(reject).__contains__
        self.lock = threading.Lock()
        self.requests: Counter = Counter()  # every request per key, including retries
        self.processed: Counter = Counter()  # what the gateway acted on, once per key if idempotent
        self.bodies: dict[str, dict] = {}
        self.bad_signatures = 0
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> "Receiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def faulted(self, key: str) -> bool:
        """Whether a fault was injected on this key's first request (so one retry is expected)."""
        return self.fails(key) or self.slows(key)

    def _handle(self, key: str, body: bytes, signed: str) -> tuple[int, float]:
        """(status, delay before answering)."""
        if signed != signature(body, self.secret):
            with self.lock:
                self.bad_signatures += 1
            return 401, 0
        with self.lock:
            self.requests[key] += 1
            first = self.requests[key] == 1
            if self.rejects(key):
                return 400, 0
            if first and self.fails(key):
                return 500, 0
            if not self.processed[key]:
                self.processed[key] += 1
                self.bodies[key] = json.loads(body)
            delay = self.slow_seconds if first and self.slows(key) else 0
        return 200, delay

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a real gateway: one thread per sender connection

            def do_POST(self):  # noqa: N802  (http.server's naming)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                status, delay = receiver._handle(
                    self.headers.get("Idempotency-Key", ""), body, self.headers.get("X-Gongzhi-Signature", "")
                )
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender gave up waiting; it will retry

            def log_message(self, *args):
                pass

        return Handler
