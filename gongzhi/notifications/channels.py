"""Delivery channels, pluggable. Each logical channel of a message ("inbox", "email", "webhook",
"sms", "file") is carried by one transport class chosen from the environment:

- ``GONGZHI_WEBHOOK_URL``: where the webhook transport POSTs; without it (development, tests)
  "webhook" and "sms" go to the file outbox.
- ``GONGZHI_SMS_CHANNEL``: "webhook" or "file" (default: "webhook" when a URL is set, else "file").
- ``GONGZHI_NOTIFY_CHANNELS``: overrides, e.g. ``"sms=file,webhook=myproject.sms.Gateway"``
  (a short name of this module or a dotted path to a class).
- ``GONGZHI_WEBHOOK_SECRET`` (HMAC key, default derived from SECRET_KEY),
  ``GONGZHI_WEBHOOK_TIMEOUT`` (seconds, default 5),
  ``GONGZHI_WEBHOOK_RATE`` (most messages a second one process hands to the gateway, default 0:
  no limit).

A Django setting of the same name wins over the environment, so tests can use ``settings``.
"""

import hashlib
import hmac
import http.client
import json
import os
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class TransientError(Exception):
    """Try again later (timeout, 5xx, refused connection)."""


class PermanentError(Exception):
    """Retrying cannot help (4xx, no address)."""


def conf(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


class Transport:
    name = ""

    def deliver(self, message) -> None:
        raise NotImplementedError


class InboxTransport(Transport):
    """The row itself is the inbox entry: nothing to carry."""

    name = "inbox"

    def deliver(self, message) -> None:
        if message.user_id is None:
            raise PermanentError("inbox message without a user")


class EmailTransport(Transport):
    """SMTP through Django's mail (locmem in tests)."""

    name = "email"

    def deliver(self, message) -> None:
        if not message.address:
            raise PermanentError("no email address")
        body = message.body + (f"\n\n{message.link}" if message.link else "")
        try:
            send_mail(message.subject, body, None, [message.address])
        except OSError as exc:
            raise TransientError(str(exc)) from exc


_file_lock = threading.Lock()


def outbox_dir() -> Path:
    base = getattr(settings, "VAR_DIR", None) or conf("GONGZHI_VAR_DIR", "var")
    return Path(base) / "outbox"


def payload(message) -> dict:
    return {
        "key": message.key,
        "channel": message.channel,
        "address": message.address,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
    }


class FileTransport(Transport):
    """Development: one JSON line per message in ``$GONGZHI_VAR_DIR/outbox/<channel>.jsonl``."""

    name = "file"

    def deliver(self, message) -> None:
        folder = outbox_dir()
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps(payload(message), ensure_ascii=False) + "\n"
        with _file_lock, open(folder / f"{message.channel}.jsonl", "a", encoding="utf-8") as out:
            out.write(line)


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_secret() -> str:
    configured = conf("GONGZHI_WEBHOOK_SECRET")
    if configured:
        return configured
    return hashlib.sha256(f"webhook:{settings.SECRET_KEY}".encode()).hexdigest()


class Pacer:
    """Spaces the requests of all sending threads of a process at most `rate` a second. An SMS
    gateway's contract caps the rate (and answers 429 above it); keeping under it also keeps a
    20,000-person call-up from taking every core the residents' requests need. Each caller is
    given the next free slot and sleeps outside the lock until it."""

    def __init__(self):
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self, rate: float) -> None:
        if rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + 1.0 / rate
        if slot > now:
            time.sleep(slot - now)


class WebhookTransport(Transport):
    """HTTP POST of the message as JSON. ``Idempotency-Key`` carries the message key, so a
    receiver recognises a retry after a lost answer; ``X-Gongzhi-Signature`` is an HMAC-SHA256
    of the body with the shared secret.

    Each sending thread keeps one keep-alive connection to the gateway: a call-up of 20,000
    messages is 20,000 requests, and a new TCP (and TLS) connection for each cost the sender and the
    gateway more than the requests themselves. A connection the gateway closed while idle is
    noticed on the next request, which is sent once more on a new connection; the key makes that
    safe even if the first attempt had arrived."""

    name = "webhook"
    _local = threading.local()
    pacer = Pacer()

    def deliver(self, message) -> None:
        url = conf("GONGZHI_WEBHOOK_URL")
        if not url:
            raise PermanentError("GONGZHI_WEBHOOK_URL is not set")
        body = json.dumps(payload(message), ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
            "X-Gongzhi-Signature": signature(body, webhook_secret()),
        }
        self.pacer.wait(float(conf("GONGZHI_WEBHOOK_RATE", "0") or 0))
        status = self._post(url, body, headers)
        if status >= 500 or status in (408, 429):
            raise TransientError(f"HTTP {status}")
        if status >= 400:
            raise PermanentError(f"HTTP {status}")

    def _post(self, url: str, body: bytes, headers: dict) -> int:
        target = urlsplit(url)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        for fresh in (False, True):
            reused = not fresh and target.netloc in getattr(self._local, "conns", {})
            conn = self._connection(target, fresh)
            try:
                conn.request("POST", path, body, headers)
                with conn.getresponse() as answer:
                    answer.read()
                    return answer.status
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                self._local.conns.pop(target.netloc, None)
                # A reused connection may have been closed by the gateway while idle: once more anew.
                if not reused or isinstance(exc, TimeoutError):
                    raise TransientError(str(exc) or type(exc).__name__) from exc
        raise AssertionError("unreachable")

    def _connection(self, target, fresh: bool) -> http.client.HTTPConnection:
        conns = getattr(self._local, "conns", None)
        if conns is None:
            conns = self._local.conns = {}
        if fresh or target.netloc not in conns:
            timeout = float(conf("GONGZHI_WEBHOOK_TIMEOUT", "5"))
            kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
            conns[target.netloc] = kind(target.hostname, target.port, timeout=timeout)
        return conns[target.netloc]


SHORT_NAMES = {
    "inbox": InboxTransport,
    "email": EmailTransport,
    "file": FileTransport,
    "webhook": WebhookTransport,
}


def _overrides() -> dict[str, str]:
    pairs = [p.split("=", 1) for p in conf("GONGZHI_NOTIFY_CHANNELS").split(",") if "=" in p]
    return {k.strip(): v.strip() for k, v in pairs}


def transport_for(channel: str) -> Transport:
    choice = _overrides().get(channel)
    if choice is None:
        has_url = bool(conf("GONGZHI_WEBHOOK_URL"))
        if channel == "sms":
            choice = conf("GONGZHI_SMS_CHANNEL") or ("webhook" if has_url else "file")
        elif channel == "webhook":
            choice = "webhook" if has_url else "file"
        else:
            choice = channel
    cls = SHORT_NAMES.get(choice) or import_string(choice)
    return cls()
