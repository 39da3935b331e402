"""Predicting a call-up from past answers, for tabletop drills. No Django, no clock: the same
history and seed give the same prediction, so a report can be explained and re-run.

For each person called:
- **answer rate** — their yes answers over the call-ups (real ones and live drills) that reached
  them, pulled towards the area's rate by `PRIOR_WEIGHT` imagined call-ups:
  ``rate = (yes + PRIOR_WEIGHT × area_rate) / (called + PRIOR_WEIGHT)``. Someone never called gets
  the area's rate; an area with no history at all uses `DEFAULT_RATE`.
- **answer delay** — the median of their past delays (call to answer, yes or no), else the area's
  median, else `DEFAULT_DELAY_MINUTES`.
Then one draw per person, in volunteer id order from a generator seeded with the drill's seed:
they answer yes when a uniform draw is below their rate, after ``delay × exp(DELAY_SPREAD × z)``
minutes (z a standard normal draw: half answer sooner than their median, half later).
"""

import math
import random
import statistics
from dataclasses import dataclass

PRIOR_WEIGHT = 2.0
DEFAULT_RATE = 0.5
DEFAULT_DELAY_MINUTES = 30.0
DELAY_SPREAD = 0.5


@dataclass(frozen=True)
class History:
    """One person's past call-ups: how many reached them, how many they said yes to, and the
    minutes from call to answer of each they answered."""

    called: int = 0
    yes: int = 0
    delays: tuple[float, ...] = ()


@dataclass(frozen=True)
class Estimate:
    volunteer_id: int
    rate: float
    delay_minutes: float
    basis: str  # "own" (their history), "area" (the area's prior), "default" (no history anywhere)


@dataclass(frozen=True)
class Outcome:
    volunteer_id: int
    answers_yes: bool
    minutes: float


def area_prior(histories: dict[int, History]) -> tuple[float, float, bool]:
    """The area's answer rate and median delay over everyone's history; False when there is none."""
    called = sum(h.called for h in histories.values())
    if not called:
        return DEFAULT_RATE, DEFAULT_DELAY_MINUTES, False
    delays = [d for h in histories.values() for d in h.delays]
    rate = sum(h.yes for h in histories.values()) / called
    return rate, statistics.median(delays) if delays else DEFAULT_DELAY_MINUTES, True


def estimate(
    volunteer_id: int, history: History, area_rate: float, area_delay: float, area_known: bool
) -> Estimate:
    rate = (history.yes + PRIOR_WEIGHT * area_rate) / (history.called + PRIOR_WEIGHT)
    delay = statistics.median(history.delays) if history.delays else area_delay
    basis = "own" if history.called else ("area" if area_known else "default")
    return Estimate(volunteer_id, round(rate, 4), round(delay, 1), basis)


def simulate(estimates: list[Estimate], seed: int) -> list[Outcome]:
    """One seeded draw per person in id order: who says yes and after how many minutes."""
    rng = random.Random(seed)
    found = []
    for e in sorted(estimates, key=lambda e: e.volunteer_id):
        u, z = rng.random(), rng.gauss(0.0, 1.0)
        found.append(
            Outcome(e.volunteer_id, u < e.rate, round(e.delay_minutes * math.exp(DELAY_SPREAD * z), 1))
        )
    return found


THRESHOLDS = (50, 80, 100)


def times_to_fill(filled_after: list[tuple[float, int]], places: int) -> dict[int, float | None]:
    """Minutes to reach 50 %, 80 % and 100 % of `places`, from (minutes, places filled by then)
    in time order; None for a share never reached."""
    found: dict[int, float | None] = {}
    for share in THRESHOLDS:
        target = math.ceil(places * share / 100)
        found[share] = next((m for m, n in filled_after if places and n >= target), None)
    return found
