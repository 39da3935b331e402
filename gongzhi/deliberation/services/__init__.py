"""Every write of votes and meetings, one module per stage; callers import from here.

Each service checks scope through the one permission function, validates, writes inside a
transaction with the vote row locked (a ballot cannot land while the vote closes) and leaves an
audit record. Counting is done by gongzhi.deliberation.rules on the stored rows, nowhere else.
"""

from gongzhi.deliberation.models import Vote  # the verify command finds Vote.DoesNotExist here
from gongzhi.deliberation.services.agenda import (
    CONCERN_ORIGINS,
    add_agenda_item,
    check_agenda_concern,
    queue_agenda_item,
    schedule_agenda_item,
    withdraw_agenda_item,
)
from gongzhi.deliberation.services.casting import (
    cast_ballot,
    elector_for_resident,
    enter_paper_ballot,
    void_ballot,
)
from gongzhi.deliberation.services.counting import close_vote, count_vote, publish_result, verify_vote
from gongzhi.deliberation.services.duties import (
    MEETING_DUTY,
    cadence_of_meetings,
    cadence_of_year,
    complete_duty,
    ensure_meeting_duties,
    schedule_all_meeting_duties,
    schedule_cadence,
    schedule_meeting_cadence,
)
from gongzhi.deliberation.services.meetings import (
    answer_invitation,
    assign_task,
    complete_task,
    create_meeting,
    invite,
    invitees_of,
    is_invited,
    record_decision,
    record_minutes,
    staff_of_area,
    update_meeting,
)
from gongzhi.deliberation.services.setup import (
    MIN_REASON,
    create_vote,
    disclose,
    excuse_member,
    group_units,
    open_vote,
    take_electorate,
)

__all__ = [
    "check_agenda_concern",
    "CONCERN_ORIGINS",
    "MEETING_DUTY",
    "MIN_REASON",
    "Vote",
    "add_agenda_item",
    "assign_task",
    "cadence_of_meetings",
    "cadence_of_year",
    "cast_ballot",
    "close_vote",
    "complete_duty",
    "complete_task",
    "count_vote",
    "create_meeting",
    "create_vote",
    "disclose",
    "elector_for_resident",
    "ensure_meeting_duties",
    "enter_paper_ballot",
    "excuse_member",
    "group_units",
    "answer_invitation",
    "invite",
    "invitees_of",
    "is_invited",
    "open_vote",
    "publish_result",
    "queue_agenda_item",
    "record_decision",
    "record_minutes",
    "schedule_agenda_item",
    "schedule_all_meeting_duties",
    "schedule_cadence",
    "schedule_meeting_cadence",
    "staff_of_area",
    "take_electorate",
    "update_meeting",
    "verify_vote",
    "void_ballot",
    "withdraw_agenda_item",
]
