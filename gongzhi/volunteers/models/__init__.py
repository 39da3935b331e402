"""Volunteers, teams, activities with sign-ups, the points and time-bank ledger, emergency call-ups,
micro-wishes, rosters and the honour roll: one module per part, all re-exported here, so callers and
migrations import `gongzhi.volunteers.models` as before."""

from gongzhi.volunteers.models.common import MAX_SHIFTS_PER_EMERGENCY, NEIGHBORHOOD_SCOPE, new_token
from gongzhi.volunteers.models.emergencies import (
    DRILL_MARK,
    EMERGENCY_SCOPE,
    CallUpAnswer,
    Emergency,
    EmergencyPost,
    EmergencyShift,
    KindFixed,
    PostAssignment,
    PostNeed,
)
from gongzhi.volunteers.models.honour import EmergencySquad, HonourRollEntry, HouseholdRating
from gongzhi.volunteers.models.people import Activity, SignUp, Volunteer, VolunteerTeam
from gongzhi.volunteers.models.points import (
    AppendOnlyError,
    Balance,
    LedgerEntry,
    PointRule,
    Redemption,
    RedemptionItem,
)
from gongzhi.volunteers.models.rosters import RosterDuty, RosterPattern, RosterShift, SwapRequest
from gongzhi.volunteers.models.wishes import MicroWish

__all__ = [
    "DRILL_MARK",
    "KindFixed",
    "new_token",
    "MAX_SHIFTS_PER_EMERGENCY",
    "NEIGHBORHOOD_SCOPE",
    "Volunteer",
    "VolunteerTeam",
    "Activity",
    "SignUp",
    "PointRule",
    "RedemptionItem",
    "Redemption",
    "Balance",
    "AppendOnlyError",
    "LedgerEntry",
    "Emergency",
    "EmergencyPost",
    "EmergencyShift",
    "PostNeed",
    "CallUpAnswer",
    "PostAssignment",
    "EMERGENCY_SCOPE",
    "MicroWish",
    "RosterPattern",
    "RosterShift",
    "RosterDuty",
    "SwapRequest",
    "HouseholdRating",
    "HonourRollEntry",
    "EmergencySquad",
]
