"""Checking the audit chain from the web: an auditor starts a verification, a background task runs
the same check as `gongzhi audit verify` (core.audit.verify_chain) and records its progress and
result on an `AuditVerification`, whose history the page lists."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import AuditRecord, AuditVerification
from gongzhi.core.permissions import assignments_of
from gongzhi.core.roles import ROLES

BATCH = 2000
STALE = timedelta(hours=1)


def may_verify(user) -> bool:
    """Readers of the audit trail on a subdistrict (the auditor): the chain is the whole town's."""
    return any(
        ROLES[a.role].unit_kind == "subdistrict" and "audit" in ROLES[a.role].read
        for a in assignments_of(user)
    )


def require_verifier(user) -> None:
    if not may_verify(user):
        raise PermissionDenied(_("Only the subdistrict's auditor may verify the audit chain."))


def _town(user) -> int | None:
    towns = [a.unit_id for a in assignments_of(user) if ROLES[a.role].unit_kind == "subdistrict"]
    return towns[0] if towns else None


def verifications_visible_to(user) -> QuerySet[AuditVerification]:
    if not may_verify(user):
        return AuditVerification.objects.none()
    return AuditVerification.objects.select_related("started_by")


def start_verification(*, actor) -> AuditVerification:
    """Queue a check; one already queued or running is returned instead of a second."""
    require_verifier(actor)
    from gongzhi.core.tasks import verify_audit_chain

    with transaction.atomic():
        running = AuditVerification.objects.select_for_update().filter(
            status__in=(AuditVerification.Status.QUEUED, AuditVerification.Status.RUNNING)
        )
        # A run unfinished after an hour was lost (a restart killed its thread or worker).
        running.filter(requested_at__lt=timezone.now() - STALE).update(
            status=AuditVerification.Status.FAILED, problem=_("Interrupted before it finished.")
        )
        if (existing := running.first()) is not None:
            return existing
        run = AuditVerification.objects.create(started_by=actor, total=AuditRecord.objects.count())
        audit.record(
            "view", run, actor=actor, summary=_("Audit chain verification started"), area=(_town(actor), None)
        )
        transaction.on_commit(lambda: verify_audit_chain.enqueue(run.pk))
    return run


def run_verification(run_id: int) -> str:
    """The task's body: mark running, check with progress, store the outcome."""
    run = AuditVerification.objects.get(pk=run_id)
    if run.done:
        return run.status
    AuditVerification.objects.filter(pk=run.pk).update(
        status=AuditVerification.Status.RUNNING, started_at=timezone.now()
    )
    try:
        report = audit.verify_chain(
            batch=BATCH, progress=lambda n: AuditVerification.objects.filter(pk=run.pk).update(checked=n)
        )
    except Exception as exc:  # the page must say it failed, not spin for ever
        AuditVerification.objects.filter(pk=run.pk).update(
            status=AuditVerification.Status.FAILED, finished_at=timezone.now(), problem=str(exc)[:255]
        )
        raise
    status = AuditVerification.Status.INTACT if report.intact else AuditVerification.Status.BROKEN
    AuditVerification.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        checked=report.checked,
        broken_at=report.broken_at,
        problem=report.problem[:255],
        missing=report.missing,
    )
    return status
