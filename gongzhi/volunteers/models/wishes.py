"""Micro-wishes (微心愿)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.org.models import Neighborhood, PartnerUnit, PartyMember, Resident
from gongzhi.volunteers.models.common import NEIGHBORHOOD_SCOPE, new_token


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
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The resident's confirmation link carries this; it is the credential, so no sign-in.
    confirm_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    scope_paths = NEIGHBORHOOD_SCOPE
    data_class = "volunteer"

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
