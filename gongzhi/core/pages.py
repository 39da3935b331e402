"""Helpers every app's pages share: the staff-page decorator and parsing of what a form or query
string carries. Errors need no handling here: `ScopeErrorsMiddleware` answers them for every page."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from gongzhi.core import permissions

# A database key is a signed 64-bit integer; larger numbers from a form name no row.
MAX_ID = 2**63 - 1
# The years a page or API call may ask about (year pickers, `?year=`); `date(0, 1, 1)` fails.
YEARS = (2000, 2100)


def staff_page(view):
    """A signed-in page that no cache keeps (it shows personal data)."""
    return never_cache(login_required(view))


def parse_int(value, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """An integer typed in ASCII digits within [low, high]; anything else (Unicode digits such as
    '²', signs, blanks, numbers beyond 64 bits) is None, never an error page."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_month(value: str | None) -> date:
    """The first day of a `YYYY-MM` month; this month (Asia/Shanghai) when the value is not one."""
    year, _sep, month = str(value or "").partition("-")
    y, m = parse_int(year, low=1900, high=9999), parse_int(month, low=1, high=12)
    if y is None or m is None:
        return timezone.localdate().replace(day=1)
    return date(y, m, 1)


def form_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Field → messages; errors of no field under "general" (templates cannot read "__all__")."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
    return {("general" if k == "__all__" else k): v for k, v in errors.items()}


def say(request, exc: ValidationError) -> None:
    """Show a refused write's reasons as one message on the next page."""
    messages.error(request, " ".join(exc.messages))


def require_reader(user, data_class: str, refusal: str) -> None:
    """Refuse a page to users whose roles read no record of `data_class`."""
    if not permissions.may_read_class(user, data_class):
        raise PermissionDenied(refusal)


def require_concern_reader(user) -> None:
    require_reader(user, "concern", _("You do not work with concerns."))
