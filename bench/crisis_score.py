"""`manage.py crisis_score` as an operator runs it: the whole command, start-up included.

Trains a throwaway model on invented labelled posts (written for this bench, never the
reference data) in a temporary directory, writes N invented short posts, and times the
command scoring them with that model, then with the rule layer alone. Reports posts/s (wall
clock, process start to exit) and the peak resident memory of the command and its workers;
runs twice with different lengths to show memory stays flat. Exits non-zero when the trained
model scores fewer than 20,000 posts/s on the long run (the issue's goal) or memory grows by
more than half from the short run to the long one.

    .venv/bin/python bench/crisis_score.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 20_000

CALM = ["今天好累", "工作做不完", "想吃火锅", "考试又挂了", "晚安", "下雨了", "猫好可爱", "明天还要早起", "想出去走走", "天气真好"]
LOW = ["失眠好几天了", "心情不好", "一个人好孤独", "又被骂了", "好想哭", "没人懂我"]
WISH = ["活着没意思", "不想活了", "好想死", "想离开这个世界"]
PLAN = ["药已经攒好了", "遗书写好了", "打算周末去天台", "明天就是最后一天", "东西都送给朋友了"]


def invented(rng: random.Random, label: int) -> str:
    pool = CALM if label < 3 else LOW + CALM if label < 4 else WISH + LOW if label < 6 else PLAN + WISH
    return "，".join(rng.sample(pool, rng.randint(1, 3)))


def run(cmd, env) -> tuple[float, int, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    if done.returncode:
        sys.stderr.write(done.stderr[-2000:])
        raise SystemExit(f"command failed: {' '.join(cmd[:4])}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before), done.stderr.strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    sizes = (20_000, 100_000) if args.quick else (100_000, 1_600_000)
    rng = random.Random(7)
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env["JUSHA_VAR_DIR"] = str(tmp)
        train = tmp / "train.tsv"
        with train.open("w", encoding="utf-8") as fh:
            fh.write("comment\tmyLabel\n")
            for _ in range(3000):
                label = rng.randint(0, 10)
                fh.write(f"{invented(rng, label)}\t{label}\n")
        model = tmp / "model.bin"
        python = sys.executable
        run([python, "manage.py", "crisis_train", "--data", str(train), "--output", str(model)], env)
        figures = {}
        for size in sizes:
            posts = tmp / f"posts-{size}.tsv"
            with posts.open("w", encoding="utf-8") as fh:
                fh.write("comment\n")
                for _ in range(size):
                    fh.write(invented(rng, rng.randint(0, 10)) + "\n")
            for name, extra in (("model", ["--model", str(model)]), ("rules", [])):
                # A fresh measuring process each time, so its peak RSS is this run's alone.
                probe = (
                    "import resource,subprocess,sys,time;t=time.monotonic();"
                    "r=subprocess.run(sys.argv[1:]);"
                    "print(time.monotonic()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)"
                )
                cmd = [python, "-c", probe, python, "manage.py", "crisis_score", *extra, "--input", str(posts), "--output", str(tmp / "out.tsv")]
                if name == "rules":
                    env_run = {**env, "JUSHA_CRISIS_MODEL_PATH": str(tmp / "absent.bin")}
                else:
                    env_run = env
                done = subprocess.run(cmd, cwd=ROOT, env=env_run, capture_output=True, text=True)
                elapsed, peak_kb, code = done.stdout.split()
                if int(code):
                    sys.stderr.write(done.stderr[-2000:])
                    return 1
                rate = size / float(elapsed)
                figures[f"{name}_{size}"] = {"posts": size, "seconds": round(float(elapsed), 2), "posts_per_s": round(rate), "peak_rss_mb": round(int(peak_kb) / 1024, 1)}
                print(f"{name:>5}, {size:>9,} posts: {float(elapsed):6.2f} s wall, {rate:9,.0f} posts/s, peak RSS {int(peak_kb) / 1024:6.1f} MB", flush=True)
    short, long = (figures[f"model_{s}"] for s in sizes)
    ok = long["posts_per_s"] >= GOAL and long["peak_rss_mb"] <= short["peak_rss_mb"] * 1.5
    print(f"goal ≥ {GOAL:,} posts/s with the trained model, memory flat: {'met' if ok else 'NOT met'}")
    if args.json:
        print(json.dumps({"bench": "crisis_score", **figures, "ok": ok}))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
