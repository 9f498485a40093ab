"""Correlation matrices between two sets of variables (e.g. goal, task, bond x WHO-5, SWLS).

``correlate(frame, x, y)`` returns one row per pair ``(x, y)``: ``n`` (rows where both are
present: pairwise deletion), ``r``, a ``1 - alpha`` confidence interval, the two-sided ``p`` and
``p_adj`` (Benjamini-Hochberg across the whole matrix).

Formulas
- Pearson ``r``: ``sum(xc * yc) / (|xc| |yc|)`` of the mean-centred columns.  Spearman ``r``: the
  Pearson correlation of the ranks, ties getting their average rank (``scipy.stats.rankdata``),
  computed with ``numpy.corrcoef`` exactly as ``scipy.stats.spearmanr`` does, so the
  coefficients are the same numbers.
- p values as scipy computes them: Spearman from Student's t with ``n - 2`` df,
  ``t = r * sqrt((n - 2) / ((1 + r)(1 - r)))``, ``p = 2 * P(T > |t|)``; Pearson from the exact
  null distribution of ``r`` for bivariate normal data, a beta distribution on (-1, 1) with
  ``a = b = n/2 - 1``, ``p = 2 * P(R > |r|)`` (the same as the t test, in another form).
- Fisher CI: ``z = atanh(r)``, ``tanh(z -/+ z_(1 - alpha/2) * SE)``, with ``SE = 1 / sqrt(n - 3)``
  for Pearson (Fisher 1921) and ``SE = sqrt((1 + r^2 / 2) / (n - 3))`` for Spearman (Bonett DG,
  Wright TA. Sample size requirements for estimating Pearson, Kendall and Spearman
  correlations. Psychometrika 2000;65(1):23-28).
- Bootstrap CI (percentile): a pair with ``n`` complete rows is resampled ``n_boot`` times;
  resample ``b`` takes the complete rows (in frame order) at positions
  ``numpy.random.default_rng(seed).integers(0, n, size=(n_boot, n))[b]``, so a pair's interval
  depends only on the seed and its own complete rows.  The limits are
  ``numpy.percentile(r_boot, [100 alpha/2, 100 (1 - alpha/2)])`` (linear interpolation);
  resamples in which a column is constant (``r`` undefined) are left out.
- Benjamini Y, Hochberg Y. Controlling the false discovery rate. J R Stat Soc B 1995;57:289-300:
  ``p_adj(i) = min over j >= i of min(1, m p(j) / j)`` over the ``m`` pairs sorted by ``p``.

Vectorised: pairs whose complete rows are the same (with no missing data: all pairs) are one
group; a group ranks its columns once and correlates them with one matrix product.  The
bootstrap never materialises resampled data: a resample is a vector of counts ``w`` (how often
each row was drawn); in each column's sorted order the cumulative counts give every row's
average rank within the resample, and the weighted cross products ``(R w)^T R`` give all pairs'
coefficients at once, for a chunk of resamples at a time (memory bounded by
``CHUNK_BYTES``).  Twice a mid-rank is a whole number, so these sums are exact in float64 (for
``n`` up to about 200,000) and every bootstrap coefficient equals ``spearmanr`` on the
resampled rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special, stats  # type: ignore[import-untyped]

from .errors import ResearchError

Method = Literal["spearman", "pearson"]
CiMethod = Literal["fisher", "bootstrap"]
METHODS: tuple[Method, ...] = ("spearman", "pearson")
CI_METHODS: tuple[CiMethod, ...] = ("fisher", "bootstrap")
MIN_PAIRS = 4
CHUNK_BYTES = 64 * 2**20  # working memory of one chunk of bootstrap resamples (about)
RESULT_COLUMNS = ["x", "y", "n", "r", "ci_low", "ci_high", "p", "p_adj"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Group:
    """Pairs sharing the same complete rows: ``columns`` index the data matrix (the first
    ``n_x`` are x variables), ``pairs`` hold (result index, position in ``columns`` of x,
    position of y)."""

    rows: IntArray
    columns: tuple[int, ...]
    n_x: int
    pairs: tuple[tuple[int, int, int], ...]


def correlate(
    frame: pd.DataFrame,
    x: Sequence[str],
    y: Sequence[str],
    method: Method = "spearman",
    ci: CiMethod = "fisher",
    n_boot: int = 2000,
    seed: int | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Correlate every column of ``x`` with every column of ``y`` (see the module docstring).

    Returns a DataFrame with the columns ``x, y, n, r, ci_low, ci_high, p, p_adj``, one row per
    pair in the order of ``x`` then ``y``; ``attrs`` records method, ci, alpha, and for the
    bootstrap ``n_boot`` and the ``seed`` used (drawn from fresh entropy when ``None``).
    Raises ResearchError for unknown or non-numeric columns, infinite values, a pair with fewer
    than 4 complete rows or a column constant over a pair's complete rows.
    """
    check_options(method, ci, n_boot, seed, alpha)
    xs, ys = column_list(frame, x, "x"), column_list(frame, y, "y")
    both = [c for c in xs if c in ys]
    if both:
        raise ResearchError(
            f"columns {both} are in both x and y; give two disjoint sets of variables"
        )
    names = [*xs, *ys]
    data = numeric_matrix(frame, names)
    pairs = [(i, len(xs) + j) for i in range(len(xs)) for j in range(len(ys))]
    groups = group_pairs(data, pairs)
    n = np.zeros(len(pairs), dtype=np.int64)
    r = np.zeros(len(pairs))
    for group in groups:
        sub = data[np.ix_(group.rows, group.columns)]
        check_group(sub, group, names)
        matrix = point_matrix(sub, method)
        for index, a, b in group.pairs:
            n[index], r[index] = len(group.rows), matrix[b, a]  # spearmanr(x, y) takes [1, 0]
    if ci == "fisher":
        low, high = fisher_ci(r, n, method, alpha)
    else:
        if seed is None:
            seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        low, high = bootstrap_ci(data, groups, method, n_boot, seed, alpha, names)
    p = p_values(r, n, method)
    result = pd.DataFrame(
        {
            "x": [names[i] for i, _ in pairs],
            "y": [names[j] for _, j in pairs],
            "n": n,
            "r": r,
            "ci_low": low,
            "ci_high": high,
            "p": p,
            "p_adj": benjamini_hochberg(p),
        },
        columns=RESULT_COLUMNS,
    )
    result.attrs.update(method=method, ci=ci, alpha=alpha)
    if ci == "bootstrap":
        result.attrs.update(n_boot=n_boot, seed=seed)
    return result


# -- input checks ------------------------------------------------------------------------------


def check_options(method: str, ci: str, n_boot: int, seed: int | None, alpha: float) -> None:
    if method not in METHODS:
        raise ResearchError(f"method: {method!r}; expected one of {list(METHODS)}")
    if ci not in CI_METHODS:
        raise ResearchError(f"ci: {ci!r}; expected one of {list(CI_METHODS)}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise ResearchError(f"n_boot: {n_boot!r}; expected a whole number of at least 1")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise ResearchError(f"seed: {seed!r}; expected a whole number >= 0 or None")
    if isinstance(alpha, bool) or not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ResearchError(f"alpha: {alpha!r}; expected a number between 0 and 1")


def column_list(frame: pd.DataFrame, columns: Sequence[str], what: str) -> list[str]:
    if isinstance(columns, str | bytes) or not isinstance(columns, Iterable):
        raise ResearchError(f"{what}: expected a list of column names; got {columns!r}")
    names = list(columns)
    if not names:
        raise ResearchError(f"{what}: expected at least one column name")
    repeated = sorted({c for c in names if names.count(c) > 1})
    if repeated:
        raise ResearchError(f"{what}: columns {repeated} are named more than once")
    unknown = [c for c in names if c not in frame.columns]
    if unknown:
        raise ResearchError(
            f"{what}: unknown columns {unknown}; the data has {list(map(str, frame.columns))}"
        )
    return names


def numeric_matrix(frame: pd.DataFrame, names: list[str]) -> FloatArray:
    """The columns as floats, missing values as NaN."""
    matrix = np.empty((len(frame), len(names)))
    for k, name in enumerate(names):
        cells = frame[name]
        if isinstance(cells, pd.DataFrame):
            raise ResearchError(f"column {name!r} appears more than once in the data")
        if not pd.api.types.is_numeric_dtype(cells) or pd.api.types.is_complex_dtype(cells):
            raise ResearchError(
                f"column {name!r} holds {cells.dtype} values; expected numbers "
                "(missing values as NaN)"
            )
        values = cells.to_numpy(dtype=float, na_value=np.nan)
        infinite = np.flatnonzero(np.isinf(values))
        if infinite.size:
            raise ResearchError(
                f"column {name!r}, row {frame.index[infinite[0]]!r}: {values[infinite[0]]}; "
                "expected a finite number or a missing value"
            )
        matrix[:, k] = values
    return matrix


def check_group(sub: FloatArray, group: Group, names: list[str]) -> None:
    """At least MIN_PAIRS complete rows, and no column constant over them."""
    _, a, b = group.pairs[0]
    pair = (names[group.columns[a]], names[group.columns[b]])
    if len(sub) < MIN_PAIRS:
        raise ResearchError(
            f"pair {pair}: {len(sub)} complete pairs (rows where both are present); "
            f"at least {MIN_PAIRS} are needed"
        )
    constant = np.all(sub == sub[0], axis=0)
    for _, a, b in group.pairs:
        for c in (a, b):
            if constant[c]:
                pair = (names[group.columns[a]], names[group.columns[b]])
                raise ResearchError(
                    f"pair {pair}: column {names[group.columns[c]]!r} is constant "
                    f"({sub[0, c]:g}) over the {len(sub)} complete pairs, so the "
                    "correlation is undefined"
                )


# -- point estimates, p values, intervals ------------------------------------------------------


def group_pairs(data: FloatArray, pairs: list[tuple[int, int]]) -> list[Group]:
    """Pairs with identical complete rows, in order of first appearance."""
    present = ~np.isnan(data)
    found: dict[bytes, list[tuple[int, int, int]]] = {}
    for index, (i, j) in enumerate(pairs):
        key = np.packbits(present[:, i] & present[:, j]).tobytes()
        found.setdefault(key, []).append((index, i, j))
    groups = []
    for members in found.values():
        _, i, j = members[0]
        rows = np.flatnonzero(present[:, i] & present[:, j]).astype(np.int64)
        columns = tuple(sorted({c for _, i, j in members for c in (i, j)}))
        where = {c: k for k, c in enumerate(columns)}
        pair_list = tuple((index, where[i], where[j]) for index, i, j in members)
        n_x = len({i for _, i, _ in members})  # x variables come first in the data matrix
        groups.append(Group(rows, columns, n_x, pair_list))
    return groups


def point_matrix(sub: FloatArray, method: Method) -> FloatArray:
    """All correlations among the columns of ``sub`` (complete rows only)."""
    if method == "spearman":
        return np.asarray(np.corrcoef(stats.rankdata(sub, axis=0), rowvar=False))
    centred = sub - sub.mean(axis=0)
    scale = np.abs(centred).max(axis=0)  # scaled before the norm, as scipy.stats.pearsonr
    unit = centred / (scale * np.linalg.norm(centred / scale, axis=0))
    return np.asarray(np.clip(unit.T @ unit, -1.0, 1.0))


def p_values(r: FloatArray, n: IntArray, method: Method) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "spearman":
            dof = n - 2
            t = r * np.sqrt((dof / ((r + 1.0) * (1.0 - r))).clip(0))
            return np.asarray(2 * special.stdtr(dof, -np.abs(t)))
        ab = n / 2 - 1
        return np.asarray(2 * special.betaincc(ab, ab, (np.abs(r) + 1) / 2))


def fisher_ci(
    r: FloatArray, n: IntArray, method: Method, alpha: float
) -> tuple[FloatArray, FloatArray]:
    variance = (1 + r**2 / 2) if method == "spearman" else np.ones_like(r)
    half = special.ndtri(1 - alpha / 2) * np.sqrt(variance / (n - 3))
    with np.errstate(divide="ignore"):
        z = np.arctanh(r)
    return np.tanh(z - half), np.tanh(z + half)


def benjamini_hochberg(p: FloatArray) -> FloatArray:
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


# -- bootstrap ---------------------------------------------------------------------------------


def resample_indices(n: int, n_boot: int, seed: int, chunk: int) -> Iterator[IntArray]:
    """Rows of ``default_rng(seed).integers(0, n, size=(n_boot, n))``, ``chunk`` at a time
    (numpy draws them element by element, so the chunk size does not change them)."""
    rng = np.random.default_rng(seed)
    for start in range(0, n_boot, chunk):
        yield rng.integers(0, n, size=(min(chunk, n_boot - start), n))


def bootstrap_ci(
    data: FloatArray,
    groups: list[Group],
    method: Method,
    n_boot: int,
    seed: int,
    alpha: float,
    names: list[str],
) -> tuple[FloatArray, FloatArray]:
    n_pairs = sum(len(g.pairs) for g in groups)
    low, high = np.empty(n_pairs), np.empty(n_pairs)
    by_size: dict[int, list[Group]] = defaultdict(list)
    for group in groups:
        by_size[len(group.rows)].append(group)
    for n, same_size in by_size.items():
        widest = max(len(g.columns) + g.n_x for g in same_size)
        chunk = min(n_boot, max(1, CHUNK_BYTES // (8 * n * (widest + 6))))
        prepared = [prepare(data[np.ix_(g.rows, g.columns)], method) for g in same_size]
        buffers = [np.empty((len(g.columns) + g.n_x, chunk, n)) for g in same_size]
        boot = [np.empty((n_boot, len(g.pairs))) for g in same_size]
        done = 0
        for indices in resample_indices(n, n_boot, seed, chunk):
            size = len(indices)
            indices += (n * np.arange(size))[:, None]
            weights = np.bincount(indices.ravel(), minlength=size * n).reshape(size, n)
            for group, columns, memory, out in zip(same_size, prepared, buffers, boot, strict=True):
                out[done : done + size] = resample_r(weights, columns, memory[:, :size], group)
            done += size
        for group, out in zip(same_size, boot, strict=True):
            defined = ~np.isnan(out)
            for k, (index, a, b) in enumerate(group.pairs):
                if not defined[:, k].any():
                    pair = (names[group.columns[a]], names[group.columns[b]])
                    raise ResearchError(
                        f"pair {pair}: every bootstrap resample has a constant column; "
                        "use ci='fisher' or more data"
                    )
                low[index], high[index] = np.percentile(
                    out[defined[:, k], k], [100 * alpha / 2, 100 * (1 - alpha / 2)]
                )
    return low, high


@dataclass(frozen=True)
class Ranking:
    """One column's tie groups: ``group`` (per row, its value's position among the sorted
    distinct values), ``order`` (rows sorted by value) and ``starts`` (where each distinct value
    begins in that order; None when all values differ)."""

    group: IntArray
    order: IntArray
    starts: IntArray | None


def prepare(sub: FloatArray, method: Method) -> FloatArray | list[Ranking]:
    """What a resample needs: centred values, one row per column (Pearson), or each column's
    tie groups (Spearman)."""
    if method == "pearson":
        return np.ascontiguousarray((sub - sub.mean(axis=0)).T)
    rankings = []
    for column in sub.T:
        distinct, group = np.unique(column, return_inverse=True)
        order = np.argsort(group, kind="stable").astype(np.int64)
        starts = None
        if len(distinct) < len(column):
            starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0]).astype(np.int64)
        rankings.append(Ranking(group.astype(np.int64), order, starts))
    return rankings


def resample_r(
    weights: IntArray,
    prepared: FloatArray | list[Ranking],
    memory: FloatArray,
    group: Group,
) -> FloatArray:
    """Correlations of ``group``'s pairs in each resample (rows of ``weights``: how often each
    complete row was drawn).  ``memory`` is working space of shape (columns + x columns,
    resamples, n): ``values[c, b]`` holds column ``c`` in resample ``b``, centred, ready for
    the weighted cross products ``sum(w * x * y)`` of every x column with every y column."""
    size, n = weights.shape
    k, n_x = len(group.columns), group.n_x
    values, weighted = memory[:k], memory[k:]
    w = weights.astype(np.float64)
    undefined = np.zeros((k, size), dtype=bool)  # columns constant in a resample
    if isinstance(prepared, list):  # Spearman
        # A value drawn t times after K draws of smaller values has the mid-rank K + (t + 1)/2;
        # we use twice the centred mid-rank, 2K + t - n: whole numbers, so the sums below are
        # exact in float64 while below 2^53 (n up to about 200,000); doubling leaves r as is.
        small = np.int32 if 2 * n < 2**31 else np.int64
        counts_all = weights.astype(small)
        untied = (w * (w * w - 1)).sum(axis=1)  # sum(t^3 - t) when all values differ
        squares = np.empty((k, size))
        for c, ranking in enumerate(prepared):
            counts = np.take(counts_all, ranking.order, axis=1)
            if ranking.starts is not None:
                counts = np.add.reduceat(counts, ranking.starts, axis=1)
            doubled: npt.NDArray[np.signedinteger[Any]] = np.cumsum(counts, axis=1, dtype=small)
            doubled *= 2
            doubled -= counts
            doubled -= n
            values[c] = np.take(doubled, ranking.group, axis=1)
            ties = untied
            if ranking.starts is not None:
                t = counts.astype(np.float64)
                ties = (t * (t * t - 1)).sum(axis=1)
            # sum of w (2R - n - 1)^2 = 4 (n^3 - n - sum(t^3 - t)) / 12 (t per distinct value)
            squares[c] = (n**3 - n - ties) / 3
    else:
        drawn = weights > 0
        for c, column in enumerate(prepared):
            lowest = np.where(drawn, column, np.inf).min(axis=1)
            undefined[c] = lowest == np.where(drawn, column, -np.inf).max(axis=1)
        means = prepared @ w.T / n  # (columns, resamples)
        np.subtract(prepared[:, None, :], means[:, :, None], out=values)
        squares = np.einsum("kbn,bn,kbn->kb", values, w, values)
    np.multiply(values[:n_x], w[None, :, :], out=weighted)
    cross = np.matmul(weighted.transpose(1, 0, 2), values[n_x:].transpose(1, 2, 0))
    factor = 1.0 / (n - 1)  # the steps of numpy.corrcoef, so r is the same number as scipy's
    cov, var = cross * factor, squares.T * factor
    a = np.array([p[1] for p in group.pairs])
    b = np.array([p[2] for p in group.pairs])
    with np.errstate(divide="ignore", invalid="ignore"):
        r = cov[:, a, b - n_x] / np.sqrt(var[:, b]) / np.sqrt(var[:, a])
    r[(undefined[a] | undefined[b]).T] = np.nan
    return np.asarray(np.clip(r, -1.0, 1.0))
