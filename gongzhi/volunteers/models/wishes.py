"""Micro-wishes (微心愿)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.org.models import Building, Neighborhood, PartnerUnit, PartyMember, Resident, Stairwell
from gongzhi.volunteers.models.common import NEIGHBORHOOD_SCOPE, new_token


def _wish_in_grid(grid_id) -> Q:
    """A wish of a building the grid holds (a split building: every grid with one of its stairwells)."""
    return Q(
        building_id__in=Building.objects.filter(Building.scope_paths["micro_grid"](grid_id)).values("pk")
    )


def _wish_in_stairwell(stairwell_id) -> Q:
    """A party group chief's stairwell: its residents' wishes, and wishes of its building."""
    return Q(resident__household__stairwell_id=stairwell_id) | Q(
        building_id__in=Stairwell.objects.filter(pk=stairwell_id).values("building_id")
    )


def _wish_of_unit(unit_id) -> Q:
    """A partner unit sees the wishes of its subdistrict (to claim one) and those it claimed."""
    return Q(
        neighborhood__subdistrict_id__in=PartnerUnit.objects.filter(pk=unit_id).values("subdistrict_id")
    ) | Q(claimed_by_unit_id=unit_id)


class MicroWish(models.Model):
    """A small wish of a resident in need, posted by them or by a worker for them; a party member
    or a partner unit claims it (one claimer wins) and the resident or a worker confirms it done.
    The public list shows only the masked name and the building."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for a claimer")
        CLAIMED = "claimed", _("claimed")
        FULFILLED = "fulfilled", _("fulfilled")
        WITHDRAWN = "withdrawn", _("withdrawn")

    neighborhood = models.ForeignKey(Neighborhood, on_delete=models.PROTECT, related_name="micro_wishes")
    building = models.ForeignKey(
        "org.Building", on_delete=models.SET_NULL, null=True, blank=True, related_name="micro_wishes"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="micro_wishes"
    )
    wisher_name = models.CharField(_("name of the person wishing"), max_length=64)
    title = models.CharField(_("wish"), max_length=128)
    description = models.TextField(_("details"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_by_member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_wishes"
    )
    claimed_by_unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="claimed_wishes"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The account that recorded the claim: it may not also confirm the wish fulfilled.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The claimer says it is done (a partner unit from its own account); the resident then confirms.
    delivered_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The resident's confirmation link carries this; it is the credential, so no sign-in.
    confirm_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Its own data class, "wish" (core/roles.py): run by the neighborhood's staff, the grid chief for
    # the grid and the party group chief for the stairwell; partner units read their subdistrict's.
    scope_paths = {
        **NEIGHBORHOOD_SCOPE,
        "micro_grid": _wish_in_grid,
        "stairwell": _wish_in_stairwell,
        "partner_unit": _wish_of_unit,
    }
    data_class = "wish"

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="claimed")
                | models.Q(claimed_by_member__isnull=False)
                | models.Q(claimed_by_unit__isnull=False),
                name="micro_wish_claimed_has_claimer",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def masked_name(self) -> str:
        return pii.mask_name(self.wisher_name)

    @property
    def claimer(self) -> str:
        return str(self.claimed_by_member or self.claimed_by_unit or "")
