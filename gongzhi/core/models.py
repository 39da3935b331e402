from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import actors

# Actions apps record besides AuditRecord.Action (the column is free text), as people read them.
OTHER_ACTIONS = {
    "check_in": _("checked in"),
    "complete": _("complete"),
    "disclose": _("disclose"),
    "override": _("override"),
    "tick": _("tick"),
    "transition": _("state change"),
    "nominated": _("nominated"),
    "vetted": _("vetted"),
    "appointed": _("appointed"),
    "exited": _("exited"),
    "rewarded": _("rewarded"),
    "trained": _("trained"),
    "allowance": _("allowance"),
    "rejected": _("not approved"),
    "vote": _("vote"),
    "void": _("void"),
    "propose": _("propose"),
    "discard": _("discard"),
    "add_projects": _("projects added to the round"),
    "adopt": _("adopted"),
    "close": _("record closed"),
    "comment": _("comment added"),
    "configure": _("settings changed"),
    "link": _("records linked"),
    "notify": _("notice sent"),
    "open": _("opening"),
    "preview": _("preview run"),
    "publish": _("made public"),
    "reply": _("reply sent"),
    "schedule": _("schedule drawn up"),
    "score": _("score entered"),
    "supersede": _("replaced by a new version"),
    "withdraw": _("withdraw"),
}


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
        VIEW = "view", _("view")
        APPROVE = "approve", _("approve")
        REFUSE = "refuse", _("refuse")
        DOWNLOAD = "download", _("download")
        UPLOAD = "upload", _("upload")
        PURGE = "purge", _("purge")
        ARCHIVE = "archive", _("archive")

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
    # Tamper evidence: each record's keyed hash covers its content and the previous record's hash
    # in its chain (core/audit.py: parallel chains, one head row each).
    chain = models.PositiveSmallIntegerField(default=1, editable=False)
    prev_hash = models.CharField(max_length=64, null=True, editable=False)
    hash = models.CharField(max_length=64, null=True, editable=False)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "audit"

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.summary}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language, also for the actions apps record beyond the choices
        (a workforce vetting, a check-in): the stored code is never shown."""
        if self.action in self.Action.values:
            return self.get_action_display()
        return str(OTHER_ACTIONS.get(self.action, _("other")))

    @property
    def actor_name(self) -> str:
        """The actor as people read it: "system" reads 系统 (core.actors)."""
        return actors.actor_name(self.actor_label)


class AuditChainHead(models.Model):
    """The newest link of one audit chain (its pk is the chain's number); its row lock puts the
    audit writes of that chain in order."""

    last_hash = models.CharField(max_length=64, default="")
    last_record_id = models.BigIntegerField(null=True)
    # HMAC with the audit key over (chain, last record id, last hash): core/audit_anchor.py.
    mac = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain head at record {self.last_record_id}"


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored. It stops working at `expires_at`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=64)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Narrower than the user: only safe requests, and/or only the API sections named.
    read_only = models.BooleanField(_("read-only"), default=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return self.name


class ExportRequest(models.Model):
    """A bulk export of personal data: asked for by one person with a purpose, approved by a
    second, then produced once, watermarked and downloadable by the requester for a while."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting approval")
        PRODUCING = "producing", _("approved, file being produced")
        REFUSED = "refused", _("refused")
        READY = "ready", _("ready to download")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    kind = models.CharField(_("kind of export"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    purpose = models.CharField(_("purpose"), max_length=255)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="export_requests"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    # Where the exported records lie: who may approve depends on it.
    subdistrict_id = models.BigIntegerField(null=True, blank=True)
    neighborhood_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=255, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    stored_name = models.CharField(max_length=80, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField(_("download until"), null=True, blank=True)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    # Who decides: the area's own exporters, or the next level up (the subdistrict) when nobody in
    # the area but the requester may; decided by `due_at`, else the request shows as overdue.
    approver_level = models.CharField(_("approved at"), max_length=16, default="area")
    due_at = models.DateTimeField(_("approve by"), null=True, blank=True)
    # Rows: the kind's count when asked (if it can tell), the file's own once produced.
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    # While the file is produced in the background: which step, for the page's progress bar.
    progress_step = models.PositiveSmallIntegerField(default=0)

    scope_paths = {"subdistrict": "subdistrict_id", "neighborhood": "neighborhood_id"}
    data_class = "export"

    class Meta:
        verbose_name = _("export request")
        verbose_name_plural = _("export requests")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class StoredFile(models.Model):
    """An uploaded file kept outside the web root under a generated name."""

    kind = models.CharField(_("kind"), max_length=16)
    name = models.CharField(max_length=80, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Who else may download it: readers of `data_class` in the area.
    data_class = models.CharField(max_length=32, blank=True)
    subdistrict_id = models.BigIntegerField(null=True, blank=True)
    neighborhood_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return self.original_name or self.name


class WorkerHeartbeat(models.Model):
    """A task worker's last sign of life (core/jobs.py): running tasks of a silent worker go back
    in the queue."""

    worker_id = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField()
    tag = models.CharField(max_length=8, blank=True)  # the process's claim tag (core/jobs.py)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.seen_at:%H:%M:%S}"


class AuditVerification(models.Model):
    """One check of the audit chain (the same as `gongzhi audit verify`), started from the web by
    an auditor and run as a background task; the page shows its progress, result and history."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        INTACT = "intact", _("intact")
        BROKEN = "broken", _("broken")
        FAILED = "failed", _("failed")

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_verifications"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveBigIntegerField(_("records to check"), default=0)
    checked = models.PositiveBigIntegerField(_("records checked"), default=0)
    broken_at = models.BigIntegerField(_("broken at record"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=255, blank=True)
    missing = models.JSONField(_("missing"), default=list, blank=True)

    class Meta:
        verbose_name = _("audit chain verification")
        verbose_name_plural = _("audit chain verifications")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"

    @property
    def done(self) -> bool:
        return self.status in (self.Status.INTACT, self.Status.BROKEN, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.done:
            return 100
        return min(99, int(self.checked * 100 / self.total)) if self.total else 0
