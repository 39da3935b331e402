"""What services do besides writing rows: notify people after commit, keep uploaded files."""

from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core import uploads
from gongzhi.core.models import StoredFile
from gongzhi.projects.models import Project


def notify_later(user, *, key: str, subject: str, body: str, link: str = "") -> None:
    """Tell a person once the write is committed (inbox plus their contact channels); the key
    makes a retried write send nothing twice."""
    if user is None:
        return
    from gongzhi.notifications.services import notify_user

    transaction.on_commit(lambda: notify_user(user, key=key, subject=subject, body=body, link=link))


def stored(upload, *, actor, project: Project, field: str) -> StoredFile:
    """Keep an uploaded receipt or document through core.uploads (content-checked, readable by the
    project's readers in its area); a refused file is an error on `field`."""
    try:
        return uploads.store(
            upload,
            "receipt",
            actor=actor,
            data_class="project",
            area=(project.neighborhood.subdistrict_id, project.neighborhood_id),
        )
    except ValidationError as e:
        raise ValidationError({field: e.messages}) from None
