from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.passwords import ROTATION_DAYS
from gongzhi.core.fields import EncryptedTextField


class User(AbstractUser):
    """A person who signs in: staff (roles come from RoleAssignment) or a resident."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        RESIDENT = "resident", _("Resident")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField(_("display name"), max_length=64, blank=True)
    # Part of the session hash: raising it ends every session of the account at once.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Residents sign in with their phone: kept encrypted, found by the same keyed hash as
    # org.Resident.phone_digest, which links the account to the registry.
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_digest"], condition=~models.Q(phone_digest=""), name="user_unique_phone"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        # The 等保 profile rotates passwords; the clock starts at every change.
        self.password_changed_at = timezone.now()

    def password_expired(self) -> bool:
        days = ROTATION_DAYS[settings.PASSWORD_PROFILE]
        if days is None or not self.has_usable_password():
            return False
        changed = self.password_changed_at or self.date_joined
        return timezone.now() - changed > timedelta(days=days)

    def get_session_auth_hash(self) -> str:
        return f"{super().get_session_auth_hash()}:{self.session_epoch}"

    def get_session_auth_fallback_hash(self):
        for fallback in super().get_session_auth_fallback_hash():
            yield f"{fallback}:{self.session_epoch}"

    def end_sessions(self) -> None:
        """Every session of the account stops being valid on its next request (a new epoch changes
        the session hash). On the model so org, below accounts, can end a holder's sessions."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)


class LoginThrottle(models.Model):
    """Failed sign-ins of one account, or of one account from one client, in the current window.

    Kept in the database (not in a process) so every server process counts the same failures.
    """

    key = models.CharField(max_length=200, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.failures}"


class TotpDevice(models.Model):
    """A staff member's authenticator app. The shared secret is encrypted like personal data."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = EncryptedTextField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"TOTP of {self.user}"


class RecoveryCode(models.Model):
    """One-time codes for a lost phone; only their hashes are kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user}"


class PhoneCode(models.Model):
    """A one-time sign-in code sent by SMS. Only its keyed hash is kept; it lapses after five
    minutes, counts once, and dies after five wrong tries."""

    phone_digest = models.CharField(max_length=64, db_index=True)
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"code {self.pk}"


class DataSubjectRequest(models.Model):
    """A resident's request to correct or delete what the platform holds about them (PIPL arts.
    46-47), handled in the neighborhood's queue within 15 working days."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        DELETION = "deletion", _("deletion")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")

    CORRECTABLE = {
        "name": _("Name"),
        "gender": _("Gender"),
        "birth_date": _("Birth date"),
        "phone": _("Phone"),
    }

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="subject_requests")
    resident = models.ForeignKey(
        "org.Resident", on_delete=models.SET_NULL, null=True, blank=True, related_name="subject_requests"
    )
    subdistrict = models.ForeignKey("org.Subdistrict", on_delete=models.PROTECT, related_name="+")
    neighborhood = models.ForeignKey("org.Neighborhood", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=32, blank=True)
    # The value asked for may be a phone number: encrypted like the registry's.
    new_value = EncryptedTextField(_("correct value"), blank=True)
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("filed at"), default=timezone.now)
    due_on = models.DateField(_("answer by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_reason = models.TextField(_("reason for the decision"), max_length=1000, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "subject_request"

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def field_label(self) -> str:
        return str(self.CORRECTABLE.get(self.field, ""))

    @property
    def concerns_label(self) -> str:
        """What the request is about: the field to correct, or the account a deletion removes."""
        if self.kind == self.Kind.DELETION:
            return str(_("sign-in account and contact data"))
        return self.field_label or "—"
