"""What an offline phone can have missed while it saved an item: the household moved out, a grid
redraw put the building in another grid, (in volunteers' own check-in) the activity was cancelled.
Each is a refusal with a reason the worker reads next to the queued item and a way out: choose
another household, confirm the new grid and send again, or discard the item (docs/field.md)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import permissions
from gongzhi.grids.models import MicroGrid
from gongzhi.org.models import Building, Household, Resident


def moved_out(household: Household) -> bool:
    """Everyone on record for the household no longer lives there (a household with nobody on
    record is an empty flat, still visited)."""
    living = set(Resident.objects.filter(household=household).values_list("lives_here", flat=True).distinct())
    return living == {False}


def check_household(household: Household) -> None:
    if moved_out(household):
        raise ValidationError(
            {
                "household_id": _(
                    "This household has moved out (nobody on record lives here now): "
                    "choose the household you visited, or discard this item."
                )
            }
        )


def check_grid(actor, payload) -> None:
    """A concern saved for a place in the grid the phone knew (`seen_grid_id`) whose building a
    redraw has since put in another grid (its own grid merged away or redrawn): refused, naming
    the grid it is in now; sending it again with that grid confirms it. Told only to someone who
    could see the grid they saw it in, so the answer reveals nothing beyond their own grid."""
    seen = getattr(payload, "seen_grid_id", None)
    if not seen:
        return
    building = None
    if getattr(payload, "household_id", None):
        household = Household.objects.filter(pk=payload.household_id).select_related("building").first()
        if household is None:
            return
        now = household.micro_grid_id
        building = household.building
    elif getattr(payload, "building_id", None):
        building = Building.objects.filter(pk=payload.building_id).first()
        if building is None:
            return
        now = building.micro_grid_id
    else:
        return
    if now == seen:
        return
    old = MicroGrid.objects.filter(pk=seen).first()
    if not permissions.can(actor, building) and (old is None or not permissions.can(actor, old)):
        return  # neither the building nor the grid is theirs: the scope check that follows answers
    current = MicroGrid.objects.filter(pk=now).first() if now else None
    raise ValidationError(
        {
            "seen_grid_id": _(
                "%(building)s is no longer in the grid you saved this in: a grid redraw put it in "
                "%(grid)s. Send it again to confirm, or discard this item."
            )
            % {"building": building, "grid": current.name if current else _("no grid")}
        }
    )
