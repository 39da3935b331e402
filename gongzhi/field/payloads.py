"""What each kind of queued item carries: the kind's own API input (concerns.api, volunteers.api),
plus, for visits and concerns, the grid the phone knew the place in (`seen_grid_id`, optional),
which lets a grid redraw made meanwhile be told apart from a wrong id (conflicts.py)."""

from ninja import Schema

from gongzhi.concerns.api import ConcernIn, VisitIn
from gongzhi.volunteers.api import AnswerIn, TokenIn


class VisitPayload(VisitIn):
    seen_grid_id: int | None = None


class ConcernPayload(ConcernIn):
    seen_grid_id: int | None = None


class CheckInPayload(TokenIn):
    pass


class AttendancePayload(Schema):
    duty_id: int
    attendance: str


class CallUpAnswerPayload(AnswerIn):
    token: str


PAYLOADS = {
    "visit": VisitPayload,
    "concern": ConcernPayload,
    "check_in": CheckInPayload,
    "roster_attendance": AttendancePayload,
    "callup_answer": CallUpAnswerPayload,
}
