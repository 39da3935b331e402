"""What the field pages saved offline and the sync endpoint applied: one receipt per client key,
so a batch sent twice (a retry, two tabs, two phones of one account) applies each item once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SyncReceipt(models.Model):
    """One queued item applied: the sender's own key (a UUID made on the phone) and the record it
    became. Written in the same transaction as that record, so a receipt exists exactly when the
    item was applied; a rejected item leaves none and may be fixed and sent again with its key."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("visit")
        CONCERN = "concern", _("concern")
        CHECK_IN = "check_in", _("activity check-in")
        ROSTER_ATTENDANCE = "roster_attendance", _("roster attendance")
        CALLUP_ANSWER = "callup_answer", _("call-up answer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(null=True)
    made_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sync receipt")
        verbose_name_plural = _("sync receipts")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="sync_receipt_once_per_key")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
