"""Scores of a mutmut run, per mutated module, from the results mutmut leaves in mutants/.

A mutant counts as killed when its tests failed or timed out, and when the README's list
of equivalent mutants names it (with the reason there); one that no test ran, or that
every test passed, survived. Exits 1 when a module scores below the goal.

    python -m scripts.mutation_report [--goal 90] [--survivors] [MODULE_PART ...]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
README = ROOT / "README.md"
PACKAGE = "custom_components.diy_solar."
# mutmut's exit codes of a mutant's test run: tests failed, crashed, timed out, ill-typed.
KILLED = {1, 3, -11, -9, -24, 24, 36, 152, 255, 37}  # None: not run


def equivalents(readme: Path = README) -> set[str]:
    """Mutant names in the README's list of equivalent mutants (`name` — reason)."""
    text = readme.read_text(encoding="utf-8")
    start = text.find("### Equivalent mutants")
    if start < 0:
        return set()
    section = re.split(r"^#", text[start:].split("\n", 1)[1], flags=re.MULTILINE)[0]
    return set(re.findall(r"^- `([\w.]+__mutmut_\d+)`", section, flags=re.MULTILINE))


def module_of(mutant: str) -> str:
    """custom_components.diy_solar.policies.zero_export.x_step__mutmut_3 → policies.zero_export"""
    module = mutant.rsplit(".", 1)[0]
    return module.removeprefix(PACKAGE)


def outcomes(root: Path = MUTANTS) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        found.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--goal", type=float, default=90.0)
    parser.add_argument("--survivors", action="store_true", help="list each survivor")
    parser.add_argument("parts", nargs="*", help="only modules whose name contains one")
    args = parser.parse_args()
    listed = equivalents()
    results = {
        name: code
        for name, code in outcomes().items()
        if not args.parts or any(part in module_of(name) for part in args.parts)
    }
    if not results:
        print("no mutation results: run scripts/mutation first", file=sys.stderr)
        return 1
    total, killed, equivalent, unrun = Counter(), Counter(), Counter(), Counter()
    survivors: list[str] = []
    for name, code in results.items():
        module = module_of(name)
        total[module] += 1
        if code is None:
            unrun[module] += 1
        if code in KILLED:
            killed[module] += 1
        elif name in listed:
            equivalent[module] += 1
        else:
            survivors.append(name)
    print(f"{'module':40} {'mutants':>8} {'killed':>7} {'equiv.':>7} {'survived':>9} {'score':>6}")
    below = []
    for module in sorted(total):
        caught = killed[module] + equivalent[module]
        score = 100.0 * caught / total[module]
        if score < args.goal:
            below.append(module)
        print(
            f"{module:40} {total[module]:8} {killed[module]:7} {equivalent[module]:7} "
            f"{total[module] - caught:9} {score:5.1f}%"
            + (f"  ({unrun[module]} not run)" if unrun[module] else "")
        )
    if args.survivors:
        print("\n".join(["", "survivors (mutmut show NAME):", *sorted(survivors)]))
    if below:
        print(f"below {args.goal:g} %: {', '.join(below)}")
        return 1
    print(f"every module at {args.goal:g} % or above")
    return 0


if __name__ == "__main__":
    sys.exit(main())
