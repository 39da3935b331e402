"""What the concern-intelligence engine tells staff and residents at intake and before closing.

Reads only: the suggested category (classifier), similar open concerns to join (duplicates) and
the reply check of the handler's resolution note (replies). The engine is pure; this module feeds
it rows the caller may see and maps its answers onto the subdistrict's own taxonomy.
"""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from gongzhi.concerns import lifecycle
from gongzhi.concerns.models import Category, Concern, ConcernEvent

# Below this the classifier's guess is shown, but not preselected in the category field.
PRESELECT_CONFIDENCE = 0.5
DUPLICATE_DAYS = 30
DUPLICATE_CANDIDATES = 200
# The public page offers only clear matches: a resident should not be pushed onto another matter.
RESIDENT_MIN_SCORE = 0.5
_SPLIT = re.compile(r"[、，,；;\s/]+")


def _model():
    from gongzhi.concerns.intelligence import classifier  # numpy and scipy: only when asked

    return classifier.shipped()


@dataclass(frozen=True)
class Suggestion:
    category: Category | None  # of the subdistrict's taxonomy; None when nothing maps
    data_category: str  # the classifier's first-level category (城乡建设 …)
    confidence: float

    @property
    def percent(self) -> int:
        return round(100 * self.confidence)

    @property
    def preselect(self) -> bool:
        return self.category is not None and self.confidence >= PRESELECT_CONFIDENCE


def _keywords(category: Category) -> list[str]:
    words = [category.name, *_SPLIT.split(category.description or "")]
    return [w for w in words if len(w) >= 2]


def _hits(category: Category, text: str) -> int:
    return sum(text.count(w) for w in _keywords(category))


def suggest(text: str, categories) -> Suggestion | None:
    """The classifier's first-level category of `text` (one of the 7 of the data), mapped onto
    `categories`, the subdistrict's own taxonomy. The taxonomy is finer, so the category whose name
    or description words the text names wins, those mapped to the predicted first-level category
    first; naming none, the category mapped to it (`Category.data_category`), else "other".
    None for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    return _map(text, *_model().predict([text])[0], list(categories))


def suggest_many(texts: list[str], categories) -> list[Suggestion | None]:
    """`suggest` for a batch: one pass of the classifier (a single call costs about the same as a
    batch of dozens, the weights are multiplied once)."""
    categories = list(categories)
    texts = [(t or "").strip() for t in texts]
    predictions = iter(_model().predict([t for t in texts if t]))
    return [_map(t, *next(predictions), categories) if t else None for t in texts]


def _map(text: str, data_category: str, confidence: float, categories: list) -> Suggestion:
    hits = {c.pk: _hits(c, text) for c in categories}
    mapped = [c for c in categories if c.data_category == data_category]
    named = [c for c in categories if hits[c.pk]]

    def best(pool):
        return min(pool, key=lambda c: (-hits[c.pk], c.order, c.code)) if pool else None

    choice = (
        best([c for c in mapped if hits[c.pk]])
        or best(named)
        or best(mapped)
        or next((c for c in categories if c.code == "other"), None)
    )
    return Suggestion(choice, data_category, float(confidence))


# ---- duplicates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    concern: Concern
    score: float
    same_building: bool
    distance_m: float | None

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def open_candidates(
    base_qs, *, subdistrict_id: int, neighborhood_id: int | None, now=None, same_neighborhood: bool = False
):
    """Open concerns of the `DUPLICATE_DAYS` days up to `now` near the new one, that are not
    themselves joined to another (one joins the main concern); `base_qs` is already scoped to the
    caller. `same_neighborhood` leaves out those placed only on the subdistrict."""
    now = now or timezone.now()
    qs = base_qs.filter(
        subdistrict_id=subdistrict_id,
        state__in=lifecycle.OPEN_STATES,
        joined_to__isnull=True,
        accepted_at__gte=now - timedelta(days=DUPLICATE_DAYS),
        accepted_at__lte=now,
    )
    if neighborhood_id and same_neighborhood:
        qs = qs.filter(neighborhood_id=neighborhood_id)
    elif neighborhood_id:
        qs = qs.filter(Q(neighborhood_id=neighborhood_id) | Q(neighborhood__isnull=True))
    return qs.select_related("category", "building", "neighborhood").order_by("-accepted_at")[
        :DUPLICATE_CANDIDATES
    ]


def similar_open(
    text: str,
    candidates,
    *,
    building_id: int | None = None,
    lat: float | None = None,
    lng: float | None = None,
    now=None,
    min_score: float | None = None,
    limit: int = 3,
    exclude_id: int | None = None,
) -> list[Similar]:
    """Open concerns `text` probably repeats, best first (engine: intelligence/duplicates.py)."""
    from gongzhi.concerns.intelligence import duplicates

    text = (text or "").strip()
    if not text:
        return []
    rows = {c.pk: c for c in candidates if c.pk != exclude_id}
    new = duplicates.ConcernText(
        id="new",
        text=text,
        time=now or timezone.now(),
        building_id=str(building_id) if building_id else None,
        lon=lng,
        lat=lat,
    )
    others = [
        duplicates.ConcernText(
            id=str(c.pk),
            text=f"{c.title}\n{c.description}",
            time=c.accepted_at,
            building_id=str(c.building_id) if c.building_id else None,
            lon=c.lng,
            lat=c.lat,
        )
        for c in rows.values()
    ]
    kwargs = {"limit": limit}
    if min_score is not None:
        kwargs["min_score"] = min_score
    matches = duplicates.find_duplicates(new, others, **kwargs)
    return [Similar(rows[int(m.id)], m.score, m.same_building, m.distance_m) for m in matches]


# ---- reply check --------------------------------------------------------------------------------

BLOCKING_FLAGS = frozenset({"unrelated"})


@dataclass(frozen=True)
class ReplyReview:
    event: ConcernEvent
    score: float
    relevance: float
    completeness: float
    timeliness: float | None
    flags: list[str]

    @property
    def flagged(self) -> bool:
        """The reply does not talk about the concern at all: closing needs a reason. The other
        flags (short, no measures named, late) are shown as warnings: a neighbourhood handler's
        "已更换东门路灯灯泡" is short but answers."""
        return any(f in BLOCKING_FLAGS for f in self.flags)

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def last_reply(concern: Concern) -> ConcernEvent | None:
    """The handler's latest resolution note: what the resident will read as the answer."""
    return concern.events.filter(action="resolve").order_by("-at", "-id").first()


def review_reply(concern: Concern) -> ReplyReview | None:
    """Relevance, completeness and timeliness of the reply (engine: intelligence/replies.py)."""
    from gongzhi.concerns.intelligence import replies

    event = last_reply(concern)
    if event is None:
        return None
    check = replies.check_reply(
        f"{concern.title}\n{concern.description}",
        event.note,
        asked_at=concern.accepted_at,
        replied_at=event.at,
    )
    return ReplyReview(
        event=event,
        score=check.score,
        relevance=check.relevance,
        completeness=check.completeness,
        timeliness=check.timeliness,
        flags=list(check.flags),
    )
