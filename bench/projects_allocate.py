"""The allocation rule on spreadsheet rounds of growing size (pure, no database).

    .venv/bin/python bench/projects_allocate.py [--orgs 10000] [--seed 1]

Builds scores.csv and budgets.csv texts with many ties (scores are whole points 50–100), runs
`allocate_csv` (parse, rank, allocate, write) as `gongzhi projects allocate` does, and checks
the result against a direct reading of the rule on a sample. Last line:
`allocate: N orgs, T s, raised R, cut C, kept K`.
"""

import argparse
import os
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from gongzhi.projects.allocation import Rule, allocate_csv  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    orgs = [f"org{i:06d}" for i in range(args.orgs)]
    scores = {o: rng.randint(50, 100) for o in orgs}
    budgets = {o: Decimal(rng.randint(100_000, 10_000_000)) / 100 for o in orgs}
    scores_text = "org,score\n" + "".join(f"{o},{s}\n" for o, s in scores.items())
    budgets_text = "org,budget\n" + "".join(f"{o},{b}\n" for o, b in reversed(budgets.items()))
    rule = Rule(
        top=max(1, args.orgs // 20),
        raise_percent=Decimal(10),
        bottom=max(1, args.orgs // 10),
        cut_percent=Decimal("7.5"),
    )
    started = time.perf_counter()
    out = allocate_csv(scores_text, budgets_text, rule)
    seconds = time.perf_counter() - started
    rows = [line.split(",", 3) for line in out.splitlines()[1:]]
    raised = sum(Decimal(r[2]) > Decimal(r[1]) for r in rows)
    cut = sum(Decimal(r[2]) < Decimal(r[1]) for r in rows)
    for org, _old, new, _reason in rng.sample(rows, min(200, len(rows))):
        s = scores[org]
        rank = 1 + sum(1 for x in scores.values() if x > s)
        from_bottom = 1 + sum(1 for x in scores.values() if x < s)
        top, bottom = rank <= rule.top, from_bottom <= rule.bottom
        factor = (
            Decimal("1.10") if top and not bottom else Decimal("0.925") if bottom and not top else Decimal(1)
        )
        expected = (budgets[org] * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert Decimal(new) == expected, (org, new, expected)
    print(
        f"allocate: {len(rows)} orgs, {seconds:.2f} s, raised {raised}, cut {cut}, kept {len(rows) - raised - cut}"
    )


if __name__ == "__main__":
    main()
