"""The concern lifecycle as data: which action moves which state to which, and who may take it.

受理 accepted → 派遣 dispatched → 处置 handling → 核查 verifying → 办结 closed, plus returned
(the handler says it is not theirs) and reopened (the resident was dissatisfied, once).
Pure: no Django imports, so the rules are tested alone.
"""

from dataclasses import dataclass

ACCEPTED = "accepted"
DISPATCHED = "dispatched"
HANDLING = "handling"
VERIFYING = "verifying"
CLOSED = "closed"
RETURNED = "returned"
REOPENED = "reopened"

STATES = (ACCEPTED, DISPATCHED, HANDLING, VERIFYING, CLOSED, RETURNED, REOPENED)
OPEN_STATES = frozenset(STATES) - {CLOSED}

# Who may take an action: "area" staff of the concern's area (committee, grid, subdistrict),
# "handler" the party it is routed to, "resident" the person who reported it.
AREA = "area"
HANDLER = "handler"
RESIDENT = "resident"


@dataclass(frozen=True)
class Transition:
    action: str
    source: frozenset
    target: str
    by: frozenset
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("dispatch", frozenset({ACCEPTED, RETURNED, REOPENED}), DISPATCHED, frozenset({AREA})),
        Transition("start", frozenset({DISPATCHED}), HANDLING, frozenset({AREA, HANDLER})),
        Transition(
            "return", frozenset({DISPATCHED, HANDLING}), RETURNED, frozenset({AREA, HANDLER}), needs_note=True
        ),
        Transition("resolve", frozenset({HANDLING}), VERIFYING, frozenset({AREA, HANDLER}), needs_note=True),
        Transition("reject", frozenset({VERIFYING}), HANDLING, frozenset({AREA}), needs_note=True),
        Transition("close", frozenset({VERIFYING}), CLOSED, frozenset({AREA})),
        Transition("reopen", frozenset({CLOSED}), REOPENED, frozenset({AREA, RESIDENT}), needs_note=True),
    ]
}

# The first move after acceptance counts as the response (响应) for the response deadline.
RESPONSE_ACTIONS = frozenset({"dispatch", "start"})


def allowed_actions(state: str, parties: set[str]) -> list[str]:
    """Actions open from `state` to someone acting as any of `parties`."""
    return [a for a, t in TRANSITIONS.items() if state in t.source and t.by & parties]


def target_of(action: str, state: str) -> str | None:
    """The state `action` leads to from `state`, or None when it is not allowed from there."""
    t = TRANSITIONS.get(action)
    return t.target if t is not None and state in t.source else None
