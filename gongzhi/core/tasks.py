"""Background work of core on Django's tasks framework, on the `background` backend (work a person
waits on; core/task_backends.py): the audit chain check and producing an approved export's file."""

from django.tasks import task


@task(backend="background")
def verify_audit_chain(run_id: int) -> str:
    from gongzhi.core.audit_verification import run_verification

    return run_verification(run_id)


@task(backend="background")
def produce_export(request_id: int) -> str:
    from gongzhi.core.exports import produce_approved

    return produce_approved(request_id)
