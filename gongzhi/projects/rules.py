"""The project lifecycle as data: which state may follow which, and who may take the step.

draft → submitted → under review → approved → running → midterm review → final report → closed;
a submitted or reviewed project may be rejected, and a running one stopped. A project sent back
from submitted or under review returns to draft. No Django imports: tested alone.
"""

DRAFT = "draft"
SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
APPROVED = "approved"
RUNNING = "running"
MIDTERM = "midterm"
FINAL_REPORT = "final_report"
CLOSED = "closed"
REJECTED = "rejected"
STOPPED = "stopped"

# state → states it may move to
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (SUBMITTED,),
    SUBMITTED: (UNDER_REVIEW, DRAFT, REJECTED),
    UNDER_REVIEW: (APPROVED, REJECTED, DRAFT),
    APPROVED: (RUNNING, STOPPED),
    RUNNING: (MIDTERM, STOPPED),
    MIDTERM: (RUNNING, FINAL_REPORT, STOPPED),
    FINAL_REPORT: (CLOSED, RUNNING),
    CLOSED: (),
    REJECTED: (),
    STOPPED: (),
}

# Steps that only the subdistrict (the funder) takes; the owning neighborhood takes the others.
SUBDISTRICT_STEPS = frozenset(
    {
        (SUBMITTED, UNDER_REVIEW),
        (SUBMITTED, REJECTED),
        (UNDER_REVIEW, APPROVED),
        (UNDER_REVIEW, REJECTED),
        (UNDER_REVIEW, DRAFT),
        (SUBMITTED, DRAFT),
        (FINAL_REPORT, CLOSED),
        (FINAL_REPORT, RUNNING),
        (APPROVED, STOPPED),
        (RUNNING, STOPPED),
        (MIDTERM, STOPPED),
        (MIDTERM, RUNNING),
    }
)

# States in which the owner may still edit goals, budget lines and team.
EDITABLE = frozenset({DRAFT})
# States in which money may be spent.
SPENDING = frozenset({APPROVED, RUNNING, MIDTERM})
# States that count as under way (milestones, tasks and check-ins are due).
ACTIVE = frozenset({APPROVED, RUNNING, MIDTERM, FINAL_REPORT})


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, ())


def needs_subdistrict(current: str, target: str) -> bool:
    return (current, target) in SUBDISTRICT_STEPS
