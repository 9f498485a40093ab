"""Benchmark: vectorised scoring (``score_frame``) against a numpy floor, in one run.

Usage::

    uv run python bench/scoring.py [--rows N] [--repeat K] [--seed S] [--profile]

For ``rows`` random valid responses (default 1,000,000) to the PHQ-9 (9 items, 0-3) and the
WAI-SR (12 items, 1-5), the answers are drawn as C-ordered int8 matrices of shape
(rows, items), each wrapped in a DataFrame with the item ids as columns (built before timing),
and ``score_frame`` is timed on each (best of ``repeat``, default 3).

Floor: ``answers.sum(axis=1)`` on the same C-ordered int8 (rows, items) matrix, best of
``repeat``, measured in the same run.  The floor is measured for both instruments' matrices
and the ratio uses the floor of the *slowest* instrument's own matrix (so ratio = slowest
``score_frame`` time / the floor over that instrument's answers); ``numpy_floor_s`` is that
floor.  The figure to watch is the ratio (target <= 3), which means something on a noisy,
shared machine where absolute seconds do not.

Memory: ``peak_rss_mib`` is the process peak resident set size (``ru_maxrss``) at the end of
the run, which includes the interpreter, numpy/pandas and the input matrices and frames;
``score_frame_peak_mib`` is the tracemalloc peak of the largest single ``score_frame`` call
(measured after the timings, because tracing slows allocation).  Target: under 1 GiB.

Prints one JSON line on stdout.  ``--profile`` also writes a cProfile summary of
``score_frame`` on both inputs to stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.measures import Instrument, get_instrument, score_frame

INSTRUMENTS = {"phq9": "phq9", "waisr": "wai-sr"}


def random_answers(inst: Instrument, rows: int, rng: np.random.Generator) -> npt.NDArray[np.int8]:
    """Valid answers, one row per response, as a C-ordered int8 (rows, items) matrix."""
    columns = []
    for item_id in inst.item_ids:
        options = inst.response_set_of(item_id).options
        if options is None:
            raise SystemExit(f"{inst.id}: {item_id} is not an option item; cannot benchmark")
        columns.append(np.array(sorted(options), dtype=np.int8))
    if any(not np.array_equal(c, columns[0]) for c in columns):
        raise SystemExit(f"{inst.id}: items have different options; cannot benchmark")
    picks = rng.integers(0, len(columns[0]), size=(rows, len(columns)))
    answers = np.ascontiguousarray(columns[0][picks], dtype=np.int8)
    assert answers.flags.c_contiguous and answers.dtype == np.int8
    return answers


def best_of(repeat: int, call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def traced_peak_mib(call: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def profile(calls: dict[str, Callable[[], object]]) -> str:
    out = io.StringIO()
    for name, call in calls.items():
        profiler = cProfile.Profile()
        profiler.enable()
        call()
        profiler.disable()
        out.write(f"\n=== score_frame on {name} ===\n")
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--profile", action="store_true", help="cProfile summary on stderr")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")

    rng = np.random.default_rng(args.seed)
    instruments = {key: get_instrument(iid) for key, iid in INSTRUMENTS.items()}
    answers = {key: random_answers(inst, args.rows, rng) for key, inst in instruments.items()}
    frames = {
        key: pd.DataFrame(answers[key], columns=inst.item_ids) for key, inst in instruments.items()
    }

    def scorer(key: str) -> Callable[[], object]:
        return lambda: score_frame(instruments[key], frames[key])

    def floor(key: str) -> Callable[[], object]:
        return lambda: answers[key].sum(axis=1)

    # Warm up (imports, caches) on a few rows, and check the scores are what numpy says.
    for key, inst in instruments.items():
        head = score_frame(inst, frames[key].head(1000))
        want = answers[key][:1000].sum(axis=1).astype(np.float64)
        for s in inst.scales:
            plain = s.aggregation == "sum" and not s.reverse and s.transform is None
            whole = plain and len(s.items) == len(inst.items)
            if whole and not np.array_equal(head[s.id].to_numpy(), want):
                raise SystemExit(f"{inst.id}: score_frame disagrees with the plain sum")

    seconds = {key: best_of(args.repeat, scorer(key)) for key in instruments}
    floors = {key: best_of(args.repeat, floor(key)) for key in instruments}
    slowest = max(seconds, key=lambda k: seconds[k])
    scoring_peak = max(traced_peak_mib(scorer(key)) for key in instruments)
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    print(
        json.dumps(
            {
                "rows": args.rows,
                "phq9_s": round(seconds["phq9"], 4),
                "waisr_s": round(seconds["waisr"], 4),
                "numpy_floor_s": round(floors[slowest], 4),
                "ratio": round(seconds[slowest] / floors[slowest], 2),
                "peak_rss_mib": round(peak_rss_mib, 1),
                "floor_of": INSTRUMENTS[slowest],
                "score_frame_peak_mib": round(scoring_peak, 1),
            }
        )
    )
    if args.profile:
        sys.stderr.write(profile({INSTRUMENTS[k]: scorer(k) for k in instruments}))


if __name__ == "__main__":
    main()
