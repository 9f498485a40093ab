"""Section 2 of the report: correlations between the alliance and outcome variables.

Pairing (``pairing``):

- ``client_means`` (default): one row per client (pid), each variable averaged over all the
  client's sessions (all episodes).  Each client counts once, so the rows are independent, as
  the p values and intervals of ``correlate`` assume; the coefficients describe how clients
  who rate the alliance higher on average fare on average (a between-client association, the
  usual reading of the alliance-outcome correlation).
- ``session``: one row per session (pid x episode x session), alliance and outcome from the
  same session.  Sessions of one client are not independent, so the p values and intervals
  are too optimistic; offered to describe the data, not to test.

Variables that cannot be correlated with the others (fewer than 4 rows where both are present,
or constant over them) are left out one at a time, the one failing most pairs first, and the
report says which and why; the rest go to ``alliance.research.correlations.correlate`` as they
are, so ``alliance correlate`` on ``report.data["correlations"]`` prints the same rows.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from ..correlations import MIN_PAIRS, correlate
from .model import Figure, Section, Table
from .svg import heat_map
from .variables import Variable, client_means

Pairing = Literal["client_means", "session"]
PAIRINGS: tuple[Pairing, ...] = ("client_means", "session")
TITLE = "Alliance and outcome: correlations"


def _pair_problem(frame: pd.DataFrame, x: str, y: str) -> str | None:
    both = frame[[x, y]].dropna()
    if len(both) < MIN_PAIRS:
        return f"{len(both)} rows with both {x} and {y} (at least {MIN_PAIRS} are needed)"
    for name in (x, y):
        if both[name].nunique() < 2:
            return f"{name} is constant over the rows where {x} and {y} are both present"
    return None


def usable_variables(
    frame: pd.DataFrame, xs: list[str], ys: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Drop variables until every pair can be correlated; returns x, y and notes."""
    xs, ys, notes = list(xs), list(ys), []
    while xs and ys:
        problems = {(x, y): _pair_problem(frame, x, y) for x in xs for y in ys}
        failing = {k: v for k, v in problems.items() if v is not None}
        if not failing:
            break
        count: dict[str, int] = {}
        for x, y in failing:
            count[x] = count.get(x, 0) + 1
            count[y] = count.get(y, 0) + 1
        worst = max([*ys, *xs], key=lambda v: count.get(v, 0))
        example = next(v for k, v in failing.items() if worst in k)
        notes.append(f"{worst} left out: {count[worst]} pair(s) cannot be computed, e.g. {example}")
        if worst in xs:
            xs.remove(worst)
        else:
            ys.remove(worst)
    return xs, ys, notes


def correlation_frame(sessions: pd.DataFrame, names: list[str], pairing: Pairing) -> pd.DataFrame:
    if pairing == "client_means":
        return client_means(sessions, names)
    return sessions[["pid", "episode", "session", *names]].reset_index(drop=True)


def correlation_section(
    sessions: pd.DataFrame,
    variables: list[Variable],
    *,
    x: list[str],
    y: list[str],
    pairing: Pairing,
    method: Literal["spearman", "pearson"],
    ci: Literal["fisher", "bootstrap"],
    n_boot: int,
    seed: int | None,
    alpha: float,
) -> tuple[Section, pd.DataFrame | None, int | None]:
    """The section, the frame correlated (None when skipped) and the bootstrap seed used."""
    unit = "client (pid)" if pairing == "client_means" else "session"
    method_text = (
        f"{method.capitalize()} correlations of every alliance variable (rows) with every "
        f"outcome and wellbeing variable (columns), pairwise deletion of missing values.",
        "Pairing: "
        + (
            "one row per client, each variable averaged over all the client's sessions, so "
            "each client counts once and the rows are independent."
            if pairing == "client_means"
            else "one row per session, alliance and outcome from the same session. Sessions of "
            "one client are not independent: the p values and intervals are too optimistic."
        ),
        f"{100 * (1 - alpha):g}% confidence intervals by "
        + (
            "Fisher's z"
            + (" with the Bonett-Wright standard error" if method == "spearman" else "")
            if ci == "fisher"
            else f"percentile bootstrap ({n_boot} resamples)"
        )
        + "; two-sided p; p_adj Benjamini-Hochberg across the matrix; * in the heat map: "
        f"p_adj < {alpha:g}.",
    )
    if not x or not y:
        missing = "alliance" if not x else "outcome or wellbeing"
        return (
            Section("correlations", TITLE, method_text, f"The data have no {missing} scores."),
            None,
            None,
        )
    frame = correlation_frame(sessions, [*x, *y], pairing)
    xs, ys, notes = usable_variables(frame, x, y)
    if not xs or not ys:
        reason = "No pair of variables has enough data: " + "; ".join(notes)
        return Section("correlations", TITLE, method_text, reason), None, None
    results = correlate(frame, xs, ys, method=method, ci=ci, n_boot=n_boot, seed=seed, alpha=alpha)
    used_seed = results.attrs.get("seed")
    values: dict[str, Any] = {
        "pairing": pairing,
        "unit": unit,
        "n_rows": len(frame),
        "method": method,
        "ci": ci,
        "alpha": alpha,
        "x": xs,
        "y": ys,
    }
    if ci == "bootstrap":
        values.update(n_boot=n_boot, seed=used_seed)
    r = results.pivot(index="x", columns="y", values="r").loc[xs, ys].to_numpy()
    marks = results.pivot(index="x", columns="y", values="p_adj").loc[xs, ys].to_numpy() < alpha
    figure = heat_map(
        xs,
        ys,
        r.tolist(),
        np.asarray(marks).tolist(),
        f"{method.capitalize()} correlations, alliance x outcome",
    )
    labels = {v.name: v.label for v in variables}
    legend = pd.DataFrame({"variable": [*xs, *ys], "label": [labels.get(n, n) for n in [*xs, *ys]]})
    section = Section(
        key="correlations",
        title=TITLE,
        method=method_text,
        values=values,
        tables=(
            Table("results", f"{method.capitalize()} correlations (one row per pair)", results),
            Table("variables", "Variables", legend),
        ),
        figures=(
            Figure(
                "heat_map",
                f"{method.capitalize()} coefficients, rows: alliance, columns: outcome; "
                f"unit: {unit}; * p_adj < {alpha:g}",
                figure,
            ),
        ),
        notes=tuple(notes),
    )
    return section, frame, int(used_seed) if used_seed is not None else None
