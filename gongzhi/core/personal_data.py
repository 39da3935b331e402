"""What the platform holds about one person, gathered from every app (PIPL arts. 44-50).

accounts answers a resident's data-subject rights (see the copy, ask for deletion) but sits low in
the layers (docs/architecture.md): it may not import concerns, volunteers, surveys or
deliberation. So the gathering is inverted: each app keeps a `personal_data.py` that registers its
part here, and core's AppConfig.ready() imports every installed app's `personal_data` module (as the
admin autodiscovers `admin.py`). accounts asks `parts()` and never names the apps.

A part gives the section the resident reads in their copy and, optionally, how to blank the contact
details the person left in that app when their account is deleted, and where a person with no
register entry is handled (the neighborhood of their newest concern). The answer deadline of a
request counts working days on the holiday calendar, which concerns keeps today: it hands its
counter in with `register_calendar`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@dataclass
class Section:
    """One table of the copy: a key, a title, column names and rows of text."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class Part:
    """One app's share of a person's data. `copy(user, resident)` returns its section, or None when
    it has nothing to say (`resident` is the register entry or None)."""

    key: str
    order: int  # place in the copy: account 10, household 20, ... requests 110
    copy: Callable[..., Section | None]
    erase_contacts: Callable[..., dict[str, int]] | None = None
    home_area: Callable[..., object | None] | None = None
    # Other sign-in accounts of the same person this app knows of (user ids), e.g. a volunteer's.
    linked_accounts: Callable[..., set[int]] | None = None


@dataclass(frozen=True)
class Holding:
    """A model that holds personal data, declared by its app (issue 19, finding 11).

    `reaching(user, resident)` returns the rows that would still reach the person once their
    deletion is approved (given the account and register entry as they were before): a deletion
    leaves it empty. `kept` says instead why the rows stay (the law, the ledger, the statistics)
    and what is blanked. `core/tests/test_deletion_reach.py` checks both, and fails on a model
    with a personal field that no app declared."""

    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]
    reaching: Callable[..., object] | None = None
    kept: str = ""


_parts: dict[str, Part] = {}
_holdings: dict[str, Holding] = {}
_calendar: list[Callable[[datetime, int], datetime]] = []


def register(part: Part) -> Part:
    """Add (or replace, on a second import) an app's part."""
    _parts[part.key] = part
    return part


def hold(*holdings: Holding) -> None:
    """Declare an app's models holding personal data (or replace them, on a second import)."""
    for holding in holdings:
        _holdings[holding.model] = holding


def holdings() -> list[Holding]:
    return sorted(_holdings.values(), key=lambda h: h.model)


def parts() -> list[Part]:
    """Every registered part, in the order of the copy."""
    return sorted(_parts.values(), key=lambda p: p.order)


def register_calendar(end_of_working_day: Callable[[datetime, int], datetime]) -> None:
    """The app keeping the holiday calendar hands in its working-day counter (one calendar)."""
    _calendar[:] = [end_of_working_day]


def end_of_working_day(start: datetime, days: int) -> datetime:
    """End of the working day `days` working days after `start`, on the platform's calendar."""
    if not _calendar:
        raise ImproperlyConfigured("No working-day calendar registered (concerns/personal_data.py).")
    return _calendar[0](start, days)


def local(value) -> str:
    """A time or date as the copy shows it: Asia/Shanghai, to the minute; empty for None."""
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def discover() -> None:
    """Import every installed app's `personal_data` module (from core's AppConfig.ready())."""
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("personal_data")
