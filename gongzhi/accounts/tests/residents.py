"""Helpers for tests of residents' sign-in: read the code the SMS channel was handed."""

import re

from django.urls import reverse

from gongzhi.notifications.models import Message


def last_code(phone: str) -> str:
    """The code in the newest SMS to `phone` (the Message table is what the SMS channel sends)."""
    messages = [m for m in Message.objects.filter(channel="sms").order_by("-pk") if m.address == phone]
    assert messages, f"no SMS to {phone}"
    return re.search(r"\b(\d{6})\b", messages[0].body).group(1)


def send_code(client, phone: str):
    return client.post(reverse("accounts:phone"), {"step": "send", "phone": phone})


def sign_in_by_phone(client, phone: str):
    assert send_code(client, phone).status_code == 200
    response = client.post(reverse("accounts:phone"), {"step": "verify", "code": last_code(phone)})
    assert response.status_code == 302, response.content.decode()[:500]
    return response
