"""Benchmark: a Spearman correlation matrix with bootstrap CIs, against a per-pair scipy loop.

Usage::

    uv run python bench/research.py [--rows N] [--boot B] [--profile]

Data: ``N`` rows (default 100,000) of 8 continuous variables (two normal factors plus noise;
Spearman correlations from about .1 to .6; every value distinct, the slowest case for the
ranks), correlated as 4 x 4 (16 pairs), Spearman, ``B`` bootstrap resamples (default 2,000),
seed 2024.

Measurements, in one run:

- ``ours_s``: ``alliance.research.correlations.correlate(..., ci="bootstrap")`` for the whole
  matrix (point estimates, p values, BH, all resamples of all pairs).
- ``baseline_s``: the floor a per-pair loop would take: for ONE pair, the same resamples (rows
  ``default_rng(seed).integers(0, N, size=(B, N))``, drawn row by row) each passed to
  ``scipy.stats.spearmanr``, then the percentile interval; timed once (``baseline_one_pair_s``)
  and multiplied by the 16 pairs.
- ``speedup`` = ``baseline_s / ours_s`` (target: at least 10).
- Checks: ``point_estimates_identical`` (every r and p equals ``spearmanr`` on the full columns,
  compared with ``==``) and ``pair_ci_identical`` (the looped pair's interval equals ours).
- Memory: all resamples at once would be ``B x N x 8`` float64 values (12.8 GB at the default
  size); ``correlate`` works in chunks of ``chunk_resamples`` resamples.  ``traced_peak_mib``
  is the peak of memory allocated during a separate ``correlate`` call with 200 resamples
  (tracemalloc; the chunk, not ``B``, sets the peak), ``peak_rss_mib`` the process peak.

Prints one JSON line on stdout (progress on stderr).  ``--profile`` writes a cProfile summary of
``correlate`` to stderr.
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
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from alliance.research import correlations
from alliance.research.correlations import correlate

SEED = 2024
X = ["goal", "task", "bond", "total"]
Y = ["who5", "swls", "flourishing", "phq9"]


def make_data(rows: int) -> pd.DataFrame:
    """Two factors plus noise: Spearman correlations from about .1 to .6."""
    rng = np.random.default_rng(7)
    k = len(X) + len(Y)
    loadings = np.zeros((2, k))
    loadings[0, : len(X)] = rng.uniform(0.6, 0.9, len(X))  # alliance
    loadings[1, len(X) :] = rng.uniform(0.6, 0.9, len(Y))  # wellbeing
    loadings[0, len(X) :] = rng.uniform(0.1, 0.5, len(Y))  # alliance-outcome link
    values = rng.normal(size=(rows, 2)) @ loadings + rng.normal(0, 0.7, size=(rows, k))
    return pd.DataFrame(values, columns=X + Y)


def baseline_one_pair(x: np.ndarray, y: np.ndarray, boot: int) -> tuple[float, np.ndarray]:
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    values = np.empty(boot)
    for b in range(boot):
        rows = rng.integers(0, len(x), size=len(x))
        values[b] = stats.spearmanr(x[rows], y[rows]).statistic
    interval = np.percentile(values[~np.isnan(values)], [2.5, 97.5])
    return time.perf_counter() - started, interval


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--boot", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    frame = make_data(args.rows)

    def ours() -> pd.DataFrame:
        return correlate(
            frame, X, Y, method="spearman", ci="bootstrap", n_boot=args.boot, seed=SEED
        )

    correlate(frame.head(1000), X, Y, ci="bootstrap", n_boot=20, seed=1)  # warm up imports
    gc.collect()
    print(f"correlate: {args.rows} rows, 4 x 4, {args.boot} resamples ...", file=sys.stderr)
    started = time.perf_counter()
    result = ours()
    ours_s = time.perf_counter() - started
    peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux

    identical = True
    for row in result.itertuples():
        reference = stats.spearmanr(frame[row.x], frame[row.y])
        identical &= bool(row.r == reference.statistic and row.p == reference.pvalue)

    print(f"baseline: one pair, {args.boot} x scipy.stats.spearmanr ...", file=sys.stderr)
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        one_pair_s, interval = baseline_one_pair(
            frame[X[0]].to_numpy(), frame[Y[0]].to_numpy(), args.boot
        )
    first = result.iloc[0]
    pair_ci_identical = bool(
        (first.ci_low, first.ci_high) == (float(interval[0]), float(interval[1]))
    )
    baseline_s = one_pair_s * len(X) * len(Y)

    gc.collect()
    tracemalloc.start()
    correlate(frame, X, Y, ci="bootstrap", n_boot=200, seed=SEED)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    chunk = correlations.CHUNK_BYTES // (8 * args.rows * (len(X) + len(Y) + len(X) + 6))

    print(
        json.dumps(
            {
                "rows": args.rows,
                "pairs": len(X) * len(Y),
                "n_boot": args.boot,
                "ours_s": round(ours_s, 2),
                "baseline_one_pair_s": round(one_pair_s, 2),
                "baseline_s": round(baseline_s, 2),
                "speedup": round(baseline_s / ours_s, 1),
                "point_estimates_identical": identical,
                "pair_ci_identical": pair_ci_identical,
                "chunk_resamples": max(1, chunk),
                "all_at_once_gib": round(args.boot * args.rows * 8 * 8 / 2**30, 1),
                "traced_peak_mib": round(traced_peak / 2**20, 1),
                "peak_rss_mib": round(peak_rss_mib, 1),
            }
        )
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        ours()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        sys.stderr.write(out.getvalue())


if __name__ == "__main__":
    main()
