"""Social workers and the three chiefs: profiles, training, mentoring, forums, assessment.

Two data classes: `workforce` (plans, sessions, pairs, forums, chiefs: the neighborhood's staff
work with them) and `personnel` (assessment rounds, scores, bonuses: the subdistrict's personnel
roles only; a worker reads their own through the selectors, never through area scope).
"""

from gongzhi.workforce.models.assessment import (
    AssessmentRound,
    Bonus,
    NeighborhoodRating,
    PersonalScore,
    Promotion,
    RaterGroup,
)

# new_token stays importable here: the migrations name it as gongzhi.workforce.models.new_token.
from gongzhi.workforce.models.common import Line, new_token
from gongzhi.workforce.models.people import (
    Chief,
    ChiefEvent,
    MeetingAttendance,
    MentorLog,
    Mentorship,
    MicroProjectDesign,
    PostChange,
    WorkerProfile,
)
from gongzhi.workforce.models.training import (
    ContestScore,
    Course,
    Forum,
    ForumRating,
    HoursCredit,
    LeadGooseClass,
    LeadGooseMember,
    RequiredHours,
    TrainingPlan,
    TrainingSession,
)

__all__ = [
    "AssessmentRound",
    "Bonus",
    "Chief",
    "ChiefEvent",
    "ContestScore",
    "Course",
    "Forum",
    "ForumRating",
    "HoursCredit",
    "LeadGooseClass",
    "LeadGooseMember",
    "Line",
    "MeetingAttendance",
    "MentorLog",
    "Mentorship",
    "MicroProjectDesign",
    "NeighborhoodRating",
    "PersonalScore",
    "PostChange",
    "Promotion",
    "RaterGroup",
    "RequiredHours",
    "TrainingPlan",
    "TrainingSession",
    "WorkerProfile",
    "new_token",
]
