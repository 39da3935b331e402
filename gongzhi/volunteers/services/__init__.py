"""Every write to volunteers, activities and the points ledger: check scope, validate, lock, audit.
One module per part of the domain; everything public is re-exported here so callers import
`gongzhi.volunteers.services` as before."""

from gongzhi.volunteers.services.activities import (
    CHECK_IN_GRACE,
    MIN_STAY,
    approve_hours,
    cancel_signup,
    confirm_hours,
    hours_cap,
    publish_activity,
    scan_check_in,
    served_hours,
    sign_up,
)
from gongzhi.volunteers.services.common import HOURS, MAX_SIGNUP_HOURS
from gongzhi.volunteers.services.drills import create_drill, mark_phone, run_live, run_tabletop
from gongzhi.volunteers.services.emergencies import (
    add_post,
    add_shift,
    answer_call_up,
    answer_paths,
    call_up,
    call_up_messages,
    close_emergency,
    open_emergency,
    set_need,
)
from gongzhi.volunteers.services.honour import (
    add_to_honour_roll,
    form_squad,
    household_stars,
    rate_household,
    remove_household_rating,
)
from gongzhi.volunteers.services.planning import drop_out, export_plan, plan_assignment
from gongzhi.volunteers.services.points import (
    active_rule,
    add_redemption_item,
    export_statement,
    redeem,
    reverse_entry,
    set_point_rule,
    use_banked_hours,
)
from gongzhi.volunteers.services.registration import create_team, register_volunteer
from gongzhi.volunteers.services.rosters import (
    MAX_ROSTER_DAYS,
    ROLE_KINDS,
    answer_swap,
    create_roster,
    generate_roster,
    mark_attendance,
    request_swap,
)
from gongzhi.volunteers.services.wishes import claim_wish, confirm_wish, post_wish

__all__ = [
    "HOURS",
    "MAX_SIGNUP_HOURS",
    "register_volunteer",
    "create_team",
    "publish_activity",
    "sign_up",
    "cancel_signup",
    "scan_check_in",
    "served_hours",
    "confirm_hours",
    "approve_hours",
    "hours_cap",
    "CHECK_IN_GRACE",
    "MIN_STAY",
    "active_rule",
    "set_point_rule",
    "add_redemption_item",
    "redeem",
    "use_banked_hours",
    "reverse_entry",
    "export_statement",
    "open_emergency",
    "add_post",
    "add_shift",
    "set_need",
    "call_up",
    "answer_paths",
    "call_up_messages",
    "answer_call_up",
    "close_emergency",
    "create_drill",
    "run_tabletop",
    "run_live",
    "mark_phone",
    "plan_assignment",
    "drop_out",
    "export_plan",
    "post_wish",
    "claim_wish",
    "confirm_wish",
    "create_roster",
    "generate_roster",
    "request_swap",
    "answer_swap",
    "mark_attendance",
    "ROLE_KINDS",
    "MAX_ROSTER_DAYS",
    "household_stars",
    "rate_household",
    "remove_household_rating",
    "add_to_honour_roll",
    "form_squad",
]
