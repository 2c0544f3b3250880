"""Scoring a file of posts as a stream: bounded chunks, in order, on every core.

Memory stays flat: at most `window` chunks are in flight (read, being scored, or waiting to
be written), however long the input. Worker processes are forked after the model is loaded,
so they share it instead of loading it again.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from itertools import islice

_SCORER = None


def _score_chunk(texts):
    levels, p_high = _SCORER.levels(texts)
    return [(int(level), float(p)) for level, p in zip(levels, p_high)]


def score_file(scorer, reader, out, *, chunk: int = 4000, workers: int | None = None) -> int:
    """Score the `comment` of every row of `reader` (dicts); write `row level p_high` lines to `out`."""
    global _SCORER
    _SCORER = scorer
    workers = workers or min(2, os.cpu_count() or 1)
    out.write("row\tlevel\tp_high\n")
    texts = ((row.get("comment") or "") for row in reader)
    chunks = iter(lambda: list(islice(texts, chunk)), [])
    written = 0

    def emit(results):
        nonlocal written
        out.write("".join(f"{written + i}\t{level}\t{p:.4f}\n" for i, (level, p) in enumerate(results)))
        written += len(results)

    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for block in chunks:
            emit(_score_chunk(block))
        return written
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending = deque()
        for block in chunks:
            pending.append(pool.apply_async(_score_chunk, (block,)))
            if len(pending) >= workers * 2:
                emit(pending.popleft().get())
        while pending:
            emit(pending.popleft().get())
    return written
