"""org's models holding personal data (core.personal_data): the register and party records.

The register entry stays after a deletion (the residents' committee keeps it by law); the
deletion blanks its phone and unlinks its account (accounts/rights.py)."""

from django.db.models import Q

from gongzhi.core.personal_data import Holding, hold
from gongzhi.org.models import Resident


def _register_reaching(user, resident):
    if resident is None:
        return Resident.objects.none()
    return Resident.objects.filter(pk=resident.pk).filter(~Q(phone_digest="") | Q(user__isnull=False))


hold(
    Holding(
        "org.Resident",
        ("name", "birth_date", "id_number", "id_number_digest", "phone", "phone_digest", "user"),
        _register_reaching,
        kept="the register entry the residents' committee must keep (name, ID number, household); "
        "its phone is blanked and its account unlinked",
    ),
    Holding("org.ResidentTag", ("resident",), kept="care tags belong to the register entry"),
    Holding(
        "org.PartyMember",
        ("resident", "name"),
        kept="party membership records kept by the party organisation",
    ),
)
