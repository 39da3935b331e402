"""deliberation's share of a person's data (core.personal_data): the votes they may take part in
and whether they voted (never how: ballots are secret and not linked to voters)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core.personal_data import Holding, Part, Section, hold, register
from gongzhi.deliberation.models import Elector, VoterReceipt


def votes_section(user, resident) -> Section | None:
    if resident is None:
        return None
    keys = [f"household:{resident.household_id}", f"unit:{resident.household_id}"]
    member = getattr(resident, "party_member", None)
    match = Q(key__in=keys) | (Q(party_member=member) if member is not None else Q(pk__in=[]))
    electors = Elector.objects.filter(match).select_related("vote").order_by("-vote_id")[:200]
    receipts = VoterReceipt.objects.filter(elector__in=electors, voided_at__isnull=True)
    voted = set(receipts.values_list("elector_id", flat=True))
    rows = [[str(e.vote), e.name, _("voted") if e.pk in voted else _("not voted")] for e in electors]
    return Section("votes", _("Votes you may take part in"), [_("Vote"), _("As"), _("Taking part")], rows)


register(Part("votes", 80, votes_section))

hold(
    Holding(
        "deliberation.Elector",
        ("name",),
        kept="a vote's electorate is its record (who could vote, who voted, never how); the notice "
        "shows names masked",
    ),
    Holding(
        "deliberation.Invitation", ("resident",), kept="who was invited to a meeting is its minutes' record"
    ),
)
