"""Reads the concern pages compose from the intelligence around a concern: similar open concerns
for what staff or a resident type, and the detail page's suggestion, joined reports, reply check
and deliberation parts. Below views.py and views_assist.py, which both show them."""

from gongzhi.concerns import assist, coordination, lifecycle, selectors
from gongzhi.concerns.models import Tier
from gongzhi.core import permissions
from gongzhi.core.pages import parse_int
from gongzhi.org import selectors as org_selectors


def typed_text(post) -> str:
    """The title and description a form carries, as one text to classify and compare."""
    return f"{post.get('title', '')}\n{post.get('description', '')}".strip()


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def staff_place(user, post) -> tuple[int | None, int | None, int | None]:
    """(subdistrict, neighborhood, building) ids of the place chosen on the staff form, in scope."""
    household_id = parse_int(post.get("household"))
    if household_id:
        household = (
            org_selectors.households_visible_to(user)
            .select_related("building__neighborhood")
            .filter(pk=household_id)
            .first()
        )
        if household is not None:
            b = household.building
            return b.neighborhood.subdistrict_id, b.neighborhood_id, b.pk
    neighborhood_id = parse_int(post.get("neighborhood"))
    if neighborhood_id:
        n = org_selectors.neighborhoods_visible_to(user).filter(pk=neighborhood_id).first()
        if n is not None:
            return n.subdistrict_id, n.pk, None
    return selectors.home_subdistrict_id(user), None, None


def staff_similar(user, post, text: str) -> list[assist.Similar]:
    subdistrict_id, neighborhood_id, building_id = staff_place(user, post)
    if subdistrict_id is None:
        return []
    candidates = assist.open_candidates(
        selectors.concerns_visible_to(user), subdistrict_id=subdistrict_id, neighborhood_id=neighborhood_id
    )
    return assist.similar_open(text, candidates, building_id=building_id)


def resident_similar(neighborhood, post, text: str) -> list[assist.Similar]:
    """Clear matches in the resident's own neighborhood (public: shown without personal data)."""
    if neighborhood is None or not text:
        return []
    candidates = assist.open_candidates(
        selectors.public_concerns(),
        subdistrict_id=neighborhood.subdistrict_id,
        neighborhood_id=neighborhood.pk,
        same_neighborhood=True,
    )
    return assist.similar_open(
        text,
        candidates,
        lat=_float(post.get("lat")),
        lng=_float(post.get("lng")),
        min_score=assist.RESIDENT_MIN_SCORE,
    )


def resident_neighborhood(post):
    return selectors.neighborhood_by_code(post.get("n", "")) or selectors.neighborhood_by_id(
        post.get("neighborhood", "")
    )


def detail_context(user, concern, parties: set[str]) -> dict:
    """What the concern page shows of the suggestion, joined reports, reply check, deliberation."""
    area = lifecycle.AREA in parties
    similar = []
    if area and concern.is_open and concern.joined_to_id is None and not concern.supporters:
        candidates = assist.open_candidates(
            selectors.concerns_visible_to(user),
            subdistrict_id=concern.subdistrict_id,
            neighborhood_id=concern.neighborhood_id,
            now=concern.accepted_at,
        )
        similar = assist.similar_open(
            f"{concern.title}\n{concern.description}",
            candidates,
            building_id=concern.building_id,
            lat=concern.lat,
            lng=concern.lng,
            now=concern.accepted_at,
            exclude_id=concern.pk,
        )
    review = assist.review_reply(concern) if concern.state in ("verifying", "closed") else None
    items = list(coordination.agenda_items_of(user, concern))
    return {
        "suggested": concern.suggested_category,
        "corrected": concern.suggested_category_id is not None
        and concern.suggested_category_id != concern.category_id,
        "categories": selectors.categories_for(concern.subdistrict_id) if area else [],
        "similar": similar,
        "joined": selectors.concerns_visible_to(user).filter(joined_to=concern) if concern.supporters else [],
        "main": selectors.concerns_visible_to(user).filter(pk=concern.joined_to_id).first()
        if concern.joined_to_id
        else None,
        "review": review,
        "review_flags": [coordination.FLAG_TEXT.get(f, f) for f in review.flags] if review else [],
        "agenda_items": items,
        "may_deliberate": area
        and not any(i.meeting_id for i in items)  # none yet, or only one waiting (待议事项)
        and concern.tier in (Tier.MAJOR, Tier.KEY)
        and permissions.may_read_class(user, "deliberation"),
    }


def joint_context(user, concern, parties: set[str]) -> dict:
    """The concern's joint case and its parts, and whether the user may open one here."""
    case = selectors.joint_case_of(user, concern)
    may_open = (
        case is None
        and lifecycle.AREA in parties
        and lifecycle.target_of("dispatch", concern.state) is not None
        and concern.neighborhood_id is not None
        and concern.neighborhood.block_id is not None
    )
    return {"joint_case": case, "may_open_joint": may_open}
