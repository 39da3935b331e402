"""Every write of the workforce app: validation, permission, transaction, audit. One module per area,
re-exported here, so callers write `from gongzhi.workforce import services`."""

from gongzhi.workforce.services.assessment import (
    add_rater,
    adopt_round,
    open_round,
    preview_round,
    score_neighborhood,
    set_personal_score,
)
from gongzhi.workforce.services.chiefs import (
    appoint_chief,
    exit_chief,
    nominate_chief,
    pay_allowance,
    record_chief_event,
    record_meeting_attendance,
    vet_chief,
)
from gongzhi.workforce.services.classes import (
    graduate_class,
    open_lead_goose_class,
    score_contest,
    select_into_class,
)
from gongzhi.workforce.services.designs import review_design, submit_design
from gongzhi.workforce.services.forums import hold_roundtable, next_speaker, rate_forum, schedule_forums
from gongzhi.workforce.services.mentoring import pair_mentor, review_pair, write_mentor_log
from gongzhi.workforce.services.profiles import change_post, create_profile, update_profile
from gongzhi.workforce.services.training import (
    add_course,
    create_plan,
    credit_hours,
    record_attendance,
    scan_session_check_in,
    schedule_session,
)

__all__ = [
    "add_course",
    "add_rater",
    "adopt_round",
    "appoint_chief",
    "change_post",
    "create_plan",
    "create_profile",
    "credit_hours",
    "exit_chief",
    "graduate_class",
    "hold_roundtable",
    "next_speaker",
    "nominate_chief",
    "open_lead_goose_class",
    "open_round",
    "pair_mentor",
    "pay_allowance",
    "preview_round",
    "rate_forum",
    "record_attendance",
    "record_chief_event",
    "record_meeting_attendance",
    "review_design",
    "review_pair",
    "scan_session_check_in",
    "score_contest",
    "schedule_forums",
    "schedule_session",
    "score_neighborhood",
    "select_into_class",
    "set_personal_score",
    "submit_design",
    "update_profile",
    "vet_chief",
    "write_mentor_log",
]
