"""The one household search: what a worker types to find a flat ("5 301", "5-301", "5号楼301",
"宝杨路3158弄5号301", "康城 12 301", a resident's name), parsed once and ranked so that the flat meant
comes first. Visits, intake, ledgers and the API all use it.

Building numbers are stored as people write them ("5号楼", a village house "5号"); the typed number
matches only the same number with one of the usual suffixes, never a longer one (typing 5 must
never offer 105号楼 before 5号楼, nor at all as the building meant).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from gongzhi.core import minors
from gongzhi.org.models import Resident

BUILDING_SUFFIXES = ("", "号楼", "号", "幢", "栋", "楼")
MAX_TEXT = 64  # longer input is no address anyone types
MAX_NAME_WORDS = 3

_SUFFIX = r"(?:号楼|号|幢|栋|楼)"
# [place] building (suffix [sep] | sep) room [室]: a building and a room need a suffix or a separator
# between them ("5301" alone could be 5-301 or 53-01, so it is read as one number).
_FLAT = re.compile(
    rf"^(?P<place>.*?[^\d\s\-/])??\s*(?P<building>\d{{1,6}})"
    rf"(?:\s*{_SUFFIX}\s*[-/]?\s*|\s*[-/\s]\s*)(?P<room>\d{{1,5}})\s*室?$"
)
# [place] building with its suffix, no room ("12号楼", "宝杨路3158弄5号").
_BUILDING = re.compile(rf"^(?P<place>.*?[^\d\s\-/])??\s*(?P<building>\d{{1,6}})\s*{_SUFFIX}$")
_NUMBER = re.compile(r"^\d{1,5}$")
# The exact flat, its building, the same room elsewhere; then by address (pk: a stable page order).
RANKED_ORDER = ("rank", "building__compound__name", "building__number", "room", "pk")
_SEPARATORS = str.maketrans({c: " " for c in "，,、;；"})


@dataclass(frozen=True)
class HouseholdQuery:
    """What was typed, understood: a place (compound name or address), a building number, a room,
    a lone number (building or room), and name words."""

    place: str = ""
    building: str = ""
    room: str = ""
    number: str = ""
    names: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.place or self.building or self.room or self.number or self.names)


@dataclass(frozen=True)
class SearchResult:
    households: list
    hint: str = ""


def normalize(text) -> str:
    """Full-width digits and letters to ASCII (NFKC), dashes to '-', no control characters or lone
    surrogates, runs of space folded."""
    text = str(text or "")[: MAX_TEXT * 2]
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cs", "Cf"))
    text = unicodedata.normalize("NFKC", text).translate(_SEPARATORS)
    text = re.sub(r"[‐-―−－]", "-", text)
    return " ".join(text.split())


def parse(text) -> HouseholdQuery:
    """Read typed text as a flat, a building, a lone number or a place and names."""
    text = normalize(text)
    if not text or len(text) > MAX_TEXT:
        return HouseholdQuery()
    for pattern in (_FLAT, _BUILDING):
        match = pattern.match(text)
        if match:
            found = match.groupdict()
            return HouseholdQuery(
                place=(found.get("place") or "").strip(),
                building=str(int(found["building"])),
                room=found.get("room") or "",
            )
    words = text.split()
    numbers = [w for w in words if _NUMBER.match(w)]
    others = [w for w in words if not _NUMBER.match(w) and not any(c.isdigit() for c in w)]
    places = [w for w in words if not _NUMBER.match(w) and any(c.isdigit() for c in w)]
    if len(numbers) > 1 or len(places) > 1:
        return HouseholdQuery()
    return HouseholdQuery(
        place=places[0] if places else "",
        number=numbers[0] if numbers else "",
        names=tuple(others[:MAX_NAME_WORDS]),
    )


def building_numbers(number: str) -> list[str]:
    """The stored spellings of one building number: 5, 5号楼, 5号, 5幢, 5栋, 5楼."""
    return [number + suffix for suffix in BUILDING_SUFFIXES]


def _place_q(place: str) -> Q:
    return Q(building__compound__name__contains=place) | Q(building__compound__address__contains=place)


def _name_q(word: str) -> Q:
    named = Resident.objects.filter(household=OuterRef("pk"), name__contains=word)
    return Q(Exists(named.filter(minors.not_minor_q())))  # a child's name finds nothing


def _ranked(households: QuerySet, query: HouseholdQuery) -> QuerySet:
    """Filter and rank: the exact flat, then its building, then the same room elsewhere."""
    if query.place:
        households = households.filter(_place_q(query.place) | _name_q(query.place))
    for word in query.names:
        households = households.filter(_place_q(word) | _name_q(word))
    building = query.building or query.number
    room = query.room or query.number
    if not building:
        return households.annotate(rank=Value(3, output_field=IntegerField()))
    in_building = Q(building__number__in=building_numbers(building))
    households = households.filter(in_building | Q(room=room))
    exact = in_building & Q(room=room)
    return households.annotate(
        rank=Case(
            When(exact, then=Value(0)),
            When(in_building, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )


def matching(households: QuerySet, text) -> QuerySet:
    """Every household of `households` matching `text`, best first (no limit: a paged list or the
    API's window); none for text that reads as no address or name."""
    query = parse(text)
    if query.empty:
        return households.none()
    return _ranked(households, query).order_by(*RANKED_ORDER)


def search(households: QuerySet, text, *, limit: int = 15) -> SearchResult:
    """Households of `households` (already scoped to the user) matching `text`, best first."""
    if parse(text).empty:
        hint = _("Type a building and room, e.g. 5 301 or 5号楼301, or a resident's name.")
        return SearchResult([], hint if str(text or "").strip() else "")
    rows = list(matching(households, text)[:limit])
    hint = "" if rows else _("No household matches. Check the building and room, e.g. 5 301.")
    return SearchResult(rows, hint)


def one_flat(households: QuerySet, building, room="") -> tuple[object | None, str]:
    """The one household a typed building and room name ("5号楼" + "301", "5-301", "5 301", "5号楼
    301" in either box), and a hint when there is none or more than one (the same building number in
    two compounds: add the compound's name). Only the exact flat counts, never a neighbour."""
    text = normalize(f"{building or ''} {room or ''}")
    query = parse(text)
    if not (query.building and query.room):
        return None, _("Type the building and the room, e.g. 5号楼 301 or 5-301.")
    rows = list(_ranked(households, query).filter(rank=0).order_by(*RANKED_ORDER)[:2])
    if not rows:
        return None, _("No household %(flat)s in your area.") % {"flat": text}
    if len(rows) > 1:
        return None, _("%(flat)s is in more than one compound: add the compound's name.") % {"flat": text}
    return rows[0], ""
