"""Messages sent to people: in-platform inbox, email, webhook, SMS and the development file outbox.

One `Message` per logical notification, unique on its `key`: whoever sends the same key again
gets the same row back, and delivery claims a row with a conditional update, so a message is
never handed to its channel twice by two workers at once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import EncryptedTextField


class Message(models.Model):
    class Channel(models.TextChoices):
        INBOX = "inbox", _("in-platform")
        EMAIL = "email", _("email")
        WEBHOOK = "webhook", _("webhook")
        SMS = "sms", _("SMS")
        FILE = "file", _("development file")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # Phones and emails of residents are personal data: every address is encrypted at rest.
    address = EncryptedTextField(_("address"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # A queued message is due from here on; a sending one belongs to its worker until here.
    due_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="notify_due_idx"),
            models.Index(fields=["user", "channel", "read_at"], name="notify_inbox_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="inbox") | models.Q(user__isnull=False),
                name="notify_inbox_has_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.subject}"
