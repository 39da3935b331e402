"""What the volunteer pages share: the reader check, and a refused write's errors put on its form."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.pages import require_reader


def require_volunteer_reader(user) -> None:
    """Refuse the page to users whose roles read no volunteer."""
    require_reader(user, "volunteer", _("You may not see volunteers."))


def errors_to(form, exc: ValidationError) -> None:
    """Put a refused write's errors on the form: under their field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, " ".join(exc.messages))
