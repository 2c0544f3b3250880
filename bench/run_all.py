"""Run every benchmark, one subprocess each; exit non-zero if any fails.

    .venv/bin/python bench/run_all.py [--quick] [--json]

`--quick` (CI, `make bench-quick`) and `--json` are passed through to each benchmark.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each is bench/<name>.py, run as a script from the project root.
BENCHMARKS = [
    "donations",
    "giving_day",
    "fulfilment",
    "social",
    "feed",
    "transparency_sequencer",
    "transparency_proofs",
    "transparency_tiles",
    "login_limits",
    "missing_notice",
    "crisis_score",
    "checkin_burst",
    "alliance",
    "pledges",
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short runs (CI)")
    parser.add_argument("--json", action="store_true", help="benchmarks also print one JSON line of figures")
    parser.add_argument("only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args(argv)
    names = args.only or BENCHMARKS
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    passthrough = [flag for flag, on in (("--quick", args.quick), ("--json", args.json)) if on]
    failed = []
    for name in names:
        print(f"=== bench/{name}.py {' '.join(passthrough)}".rstrip(), flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, str(ROOT / "bench" / f"{name}.py"), *passthrough], cwd=ROOT)
        outcome = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"=== bench/{name}.py: {outcome} in {time.monotonic() - started:.1f} s\n", flush=True)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"all {len(names)} benchmark(s) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
