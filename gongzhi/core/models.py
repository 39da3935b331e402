from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """Who did what, when, from where. Append-only: database triggers refuse UPDATE and DELETE."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        UNMASK = "unmask", _("unmask")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        LOGIN = "login", _("sign in")

    # Set by the writer, not auto_now_add, because the chained hash covers it.
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Plain ids, not foreign keys: deleting a user or a record must never rewrite the trail.
    actor_id = models.BigIntegerField(_("actor id"), null=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    ip = models.CharField(_("client address"), max_length=45, blank=True)
    subdistrict_id = models.BigIntegerField(_("subdistrict id"), null=True, db_index=True)
    neighborhood_id = models.BigIntegerField(_("neighborhood id"), null=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Tamper evidence: each record's keyed hash covers its content and the previous record's hash.
    prev_hash = models.CharField(max_length=64, null=True, editable=False)
    hash = models.CharField(max_length=64, null=True, editable=False)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "audit"

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.summary}"


class AuditChainHead(models.Model):
    """The newest link of the audit chain; its row lock puts concurrent audit writes in order."""

    last_hash = models.CharField(max_length=64, default="")
    last_record_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"audit chain head at record {self.last_record_id}"


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name
