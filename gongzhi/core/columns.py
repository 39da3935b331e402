"""Every row saved fits its columns, on both engines (issue 19, finding 3).

PostgreSQL refuses a value longer than its `varchar(n)` (a server error, far from the field that
carried it) and any NUL byte; SQLite stores both. So a `reporter_name` of 1,000 characters was
kept on SQLite although its column says 64. Checking each form and schema would leave the next
path open; instead every model save passes through `check_instance` (a `pre_save` receiver,
connected in `CoreConfig.ready`): a CharField longer than its max_length, or any text with a NUL
or an unpaired surrogate (`core.inputs.text_problem`), raises a ValidationError naming the field,
which pages answer with 400 (`ScopeErrorsMiddleware`) and the API with its validation answer.
Services save inside transactions, so nothing of a refused write stays. Bulk writes
(`bulk_create`, `update`) send no signal: their callers check with `check_instance` themselves.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from gongzhi.core.inputs import text_problem

# PostgreSQL's integer ranges, held on SQLite too (whose integers are all 64-bit), so a number
# that one engine stores is never refused by the other. Narrowest class first: the auto and
# positive fields subclass these three.
INTEGER_RANGES = [
    (models.SmallIntegerField, -(2**15), 2**15 - 1),
    (models.BigIntegerField, -(2**63), 2**63 - 1),
    (models.IntegerField, -(2**31), 2**31 - 1),
]
POSITIVE = (models.PositiveSmallIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField)


def integer_range(field) -> tuple[int, int] | None:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    found = next(((lo, hi) for kind, lo, hi in INTEGER_RANGES if isinstance(field, kind)), None)
    if found is None:
        return None
    return (0, found[1]) if isinstance(field, POSITIVE) else found


def _number_problem(field, value) -> str | None:
    bounds = integer_range(field)
    if bounds is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    low, high = bounds
    if low <= value <= high:
        return None
    return _("%(field)s is %(value)s; it must lie between %(low)s and %(high)s.") % {
        "field": field.name,
        "value": value,
        "low": low,
        "high": high,
    }


def column_problems(instance) -> dict[str, list[str]]:
    """Field name → why its value cannot be stored as it is."""
    problems: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if problem := _number_problem(field, value):
            problems[field.name] = [problem]
            continue
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if not isinstance(value, str):
            continue
        if isinstance(field, models.CharField) and field.max_length and len(value) > field.max_length:
            problems[field.name] = [
                _("%(field)s is %(length)s characters long; at most %(limit)s are allowed.")
                % {"field": field.name, "length": len(value), "limit": field.max_length}
            ]
        elif problem := text_problem(value):
            problems[field.name] = [_("%(field)s %(reason)s.") % {"field": field.name, "reason": problem}]
    return problems


def check_instance(instance) -> None:
    if problems := column_problems(instance):
        raise ValidationError(problems)


def guard(sender, instance, raw=False, **kwargs) -> None:
    # Fixtures (`raw`) load stored rows as they are.
    if not raw:
        check_instance(instance)
