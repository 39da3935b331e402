"""Assigning accepted volunteers to posts (点位) and shifts in an emergency call-up. No Django.

The rules, in order of weight:
1. cover as many needed places as possible (a need is post × shift × optional skill × count);
2. a volunteer fills a skilled place only with that skill; never two shifts that overlap or leave
   less than `min_rest_minutes` between them (relay, 接力); never more than `max_shifts`;
3. least total travel from home to post, plus `extra_shift_penalty_m` metres for every shift a
   volunteer works beyond their first (fair load: spread the work before doubling anyone up).

`assign` is the fast planner, built from min-cost bipartite matchings (scipy's sparse LAPJVsp):
it tries "joint first" (all places matched at once to people working one shift each, then second
shifts for what is open) and "time order" (shift by shift, charging earlier load as the fairness
penalty), and keeps the cheaper plan. When people are short, both can spend someone on the wrong
shift (a one-shift volunteer on the early shift that a two-shift volunteer could have paired with
the night); so the most places anyone can fill is worked out on a small integer programme over
kinds of volunteer and their shift patterns (`_coverage_by_pattern`), and if the matchings fall
short of it a third plan gives each volunteer a pattern first and matches within it.
`assign_exact` solves the whole problem as one integer programme with HiGHS; it is the yardstick
for the benchmark and the tests. `reassign` fills a dropped-out volunteer's places without moving
anyone else.

Modules: `problem` (inputs, outputs, the prepared problem), `planner` (`assign`, `most_fillable`,
`reassign`), `exact` (`assign_exact`, `plan_cost`, `violations`); all re-exported here.
"""

from gongzhi.volunteers.assignment.exact import assign_exact, plan_cost, violations
from gongzhi.volunteers.assignment.planner import assign, most_fillable, reassign
from gongzhi.volunteers.assignment.problem import (
    DEFAULT_RULES,
    EARTH_RADIUS_M,
    UNCOVERED_COST,
    Cost,
    Need,
    Placement,
    Plan,
    Post,
    Rules,
    Shift,
    Volunteer,
    distances_m,
    shift_conflicts,
)

__all__ = [
    "DEFAULT_RULES",
    "EARTH_RADIUS_M",
    "UNCOVERED_COST",
    "Volunteer",
    "Post",
    "Shift",
    "Need",
    "Rules",
    "Placement",
    "Plan",
    "Cost",
    "distances_m",
    "shift_conflicts",
    "assign",
    "most_fillable",
    "reassign",
    "plan_cost",
    "violations",
    "assign_exact",
]
