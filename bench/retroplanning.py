"""Retro-planning speed: plans and re-plans per second for the built-in templates.

    python bench/retroplanning.py [--projects 2000]
"""

import argparse
import random
import time
from datetime import date, timedelta

from planning.planner import PlanError, replan, schedule
from project_templates import builtin_templates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    args = parser.parse_args()
    rng = random.Random(7)
    templates = [t.template for t in builtin_templates()]
    cases = []
    for _ in range(args.projects):
        start = date(2027, 1, 4) + timedelta(days=rng.randint(0, 700))
        cases.append((rng.choice(templates), start, start + timedelta(days=rng.randint(150, 400))))
    began = time.perf_counter()
    plans = [schedule(t, s, e) for t, s, e in cases]
    planned = time.perf_counter() - began
    steps = sum(len(p) for p in plans)
    began = time.perf_counter()
    moves = 0
    for (template, start, end), plan in zip(cases, plans, strict=True):
        item = rng.choice(plan)
        try:
            replan(template, start, end, plan, item.key, item.due + timedelta(days=rng.randint(1, 14)))
        except PlanError:
            continue
        moves += 1
    moved = time.perf_counter() - began
    print(f"plans: {args.projects} projects, {steps} steps in {planned:.2f} s "
          f"-> {args.projects / planned:,.0f} projects/s, {planned / args.projects * 1000:.2f} ms per project")
    print(f"re-plans: {moves} moves in {moved:.2f} s -> {moved / max(moves, 1) * 1000:.2f} ms per move")


if __name__ == "__main__":
    main()
