"""Where a vote, meeting or duty sits: the unit ids that decide who may create it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# The words for refusing a change to a vote the actor may read (the 404 needs none: core.permissions).
VOTE_DENIED = gettext_lazy("You may not change this vote.")


def _place_path(*, compound=None, neighborhood=None, party_org=None) -> dict:
    if compound is not None:
        neighborhood = compound.neighborhood
    if party_org is not None and neighborhood is None:
        neighborhood = party_org.neighborhood
    subdistrict_id = (
        neighborhood.subdistrict_id if neighborhood else getattr(party_org, "subdistrict_id", None)
    )
    return {
        "subdistrict": subdistrict_id,
        "neighborhood": neighborhood.pk if neighborhood else None,
        "compound": compound.pk if compound else None,
    }
