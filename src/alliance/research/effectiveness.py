"""Practice and practitioner effectiveness: pre-post effect sizes, reliable change, drop-out, and
practitioner comparisons shrunk toward the practice mean.

Input: one row per client episode (``client_col`` unique) with the first (``pre_col``) and last
(``post_col``) outcome score, and optionally the number of sessions, a drop-out flag or an
ending reason, the practice and the practitioner.

Pre-post effect size (the standardized mean change with raw-score standardization, Becker BJ.
Synthesizing standardized mean-change measures. Br J Math Stat Psychol 1988;41:257-278; used
for benchmarking routine care against trials by Minami T, Wampold BE, Serlin RC, et al.
Benchmarking the effectiveness of psychotherapy treatment for adult depression in a managed
care environment. J Consult Clin Psychol 2008;76(1):116-124):

- ``d = s (mean(post) - mean(pre)) / SD(pre)``, SD with ``ddof = 1``, over the complete pairs;
  ``s = +1`` when higher scores are better, ``-1`` when lower are better, so a positive ``d`` is
  an improvement.
- ``g = c(n - 1) d`` with the exact small-sample correction
  ``c(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m - 1)/2))`` (Hedges LV. Distribution theory for
  Glass's estimator of effect size and related estimators. J Educ Stat 1981;6(2):107-128).
- ``Var(g) = 2 (1 - r) / n + g^2 / (2 n)``, ``r`` the Pearson correlation of pre and post
  (Becker 1988; Morris SB, DeShon RP. Combining effect size estimates in meta-analysis with
  repeated measures and independent-groups designs. Psychol Methods 2002;7(1):105-125); the
  interval is ``g -/+ z_(1 - alpha/2) sqrt(Var(g))``.  ``se``, ``ci_low`` and ``ci_high`` refer
  to ``g``.  These are the definitions of metafor's ``escalc(measure = "SMCR")``, whose values
  for the data of Morris (2008) the tests reproduce.

Reliable change comes from ``alliance.feedback.change.jacobson_truax``, run once on all complete
pairs (so every group is judged with the same S_diff and cut-off): reliably improved =
``improved`` + ``recovered``, recovered = ``recovered``, reliably deteriorated = ``deteriorated``
+ ``harmed``, as percentages of the complete pairs of the group.  The drop-out rate is the
share of the clients whose drop-out status is known (not empty).

Practitioner comparisons shrunk toward the practice mean (``practitioner_effects``, with
``henderson`` and ``at_boundary``) are in ``alliance.research.practitioners`` and importable
from here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from alliance.feedback.change import ChangeCriteria, jacobson_truax
from alliance.feedback.errors import FeedbackError

from .errors import ResearchError
from .frames import (
    Better,
    FloatArray,
    check_alpha,
    ids,
    numbers,
    pre_post,
    require_columns,
    sign,
    z_value,
)
from .practitioners import PractitionerEffects, henderson, practitioner_effects
from .practitioners import at_boundary as at_boundary  # defined here before the move

EFFECT_COLUMNS = ["d", "g", "se", "ci_low", "ci_high"]
IMPROVED = ("improved", "recovered")
DETERIORATED = ("deteriorated", "harmed")


def correction(m: FloatArray | float) -> FloatArray:
    """Hedges' exact small-sample correction ``c(m)`` (``m`` degrees of freedom, > 1)."""
    from scipy import special  # type: ignore[import-untyped]

    m_a = np.asarray(m, dtype=float)
    out: FloatArray = np.exp(special.gammaln(m_a / 2) - special.gammaln((m_a - 1) / 2)) / np.sqrt(
        m_a / 2
    )
    return out


def standardized_mean_change(
    mean_pre: Any,
    mean_post: Any,
    sd_pre: Any,
    n: Any,
    r: Any,
    *,
    better: Better = "higher",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """``d``, ``g``, ``se``, ``ci_low``, ``ci_high`` from summary statistics (scalars or arrays
    that broadcast), one row per element; see the module docstring for the formulas."""
    check_alpha(alpha)
    direction = sign(better)
    arrays = np.broadcast_arrays(
        *(np.asarray(v, dtype=float) for v in (mean_pre, mean_post, sd_pre, n, r))
    )
    m_pre, m_post, sd, size, rho = (np.atleast_1d(a) for a in arrays)
    if (size < 3).any() or (size != np.floor(size)).any():
        raise ResearchError(f"n: {size.tolist()}; each must be a whole number >= 3")
    if not (sd > 0).all():
        raise ResearchError(f"sd_pre: {sd.tolist()}; each must be above 0")
    if not ((rho > -1) & (rho < 1)).all():
        raise ResearchError(f"r: {rho.tolist()}; each must lie strictly between -1 and 1")
    d = direction * (m_post - m_pre) / sd
    g = correction(size - 1) * d
    se = np.sqrt(2 * (1 - rho) / size + g**2 / (2 * size))
    z = z_value(alpha)
    return pd.DataFrame({"d": d, "g": g, "se": se, "ci_low": g - z * se, "ci_high": g + z * se})


def _effect(pre: FloatArray, post: FloatArray, better: Better, alpha: float) -> dict[str, float]:
    """Summary statistics and the effect size of complete pairs; raises when undefined."""
    keep = ~(np.isnan(pre) | np.isnan(post))
    pre, post = pre[keep], post[keep]
    n = len(pre)
    if n < 3:
        raise ResearchError(f"{n} complete pre/post pairs; the effect size needs at least 3")
    sd = float(np.std(pre, ddof=1))
    if sd == 0 or float(np.std(post)) == 0:
        raise ResearchError("the pre or the post scores do not vary; no effect size")
    r = float(np.corrcoef(pre, post)[0, 1])
    if not -1 < r < 1:
        raise ResearchError("pre and post scores are perfectly correlated; no interval")
    es = standardized_mean_change(pre.mean(), post.mean(), sd, n, r, better=better, alpha=alpha)
    return {
        "n": n,
        "mean_pre": float(pre.mean()),
        "mean_post": float(post.mean()),
        "sd_pre": sd,
        "mean_change": float((post - pre).mean()),
        "r": r,
        **{k: float(es[k].iloc[0]) for k in EFFECT_COLUMNS},
    }


def pre_post_effect_size(
    frame: pd.DataFrame,
    pre_col: str,
    post_col: str,
    *,
    better: Better = "lower",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row: ``n`` (complete pairs), ``mean_pre``, ``mean_post``, ``sd_pre``,
    ``mean_change`` (post - pre), ``r``, ``d``, ``g``, ``se``, ``ci_low``, ``ci_high``."""
    require_columns(frame, {"pre_col": pre_col, "post_col": post_col})
    check_alpha(alpha)
    sign(better)
    pre, post = pre_post(frame, pre_col, post_col)
    return pd.DataFrame([_effect(pre, post, better, alpha)])


def _dropout(
    frame: pd.DataFrame,
    dropped_out_col: str | None,
    ended_reason_col: str | None,
    dropout_reasons: Sequence[str],
) -> pd.Series:
    """Float series: 1 dropped out, 0 not, NaN unknown."""
    if dropped_out_col is not None and ended_reason_col is not None:
        raise ResearchError("give dropped_out_col or ended_reason_col, not both")
    if ended_reason_col is not None:
        reason = frame[ended_reason_col]
        known = reason.notna() & (reason.astype(str).str.strip() != "")
        flag = reason.astype(str).str.strip().isin(list(dropout_reasons)).astype(float)
        return flag.where(known)
    if dropped_out_col is None:
        return pd.Series(np.nan, index=frame.index)
    cells = frame[dropped_out_col]
    if pd.api.types.is_bool_dtype(cells):
        return cells.astype(float)
    text = cells.astype(str).str.strip().str.lower().where(cells.notna(), "")
    mapping = {"1": 1.0, "true": 1.0, "yes": 1.0, "0": 0.0, "false": 0.0, "no": 0.0, "": np.nan}
    mapping.update({"1.0": 1.0, "0.0": 0.0, "nan": np.nan})
    bad = ~text.isin(list(mapping))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ResearchError(
            f"row {row + 1}, column {dropped_out_col}: {cells.iloc[row]!r}; expected "
            "true/false, yes/no, 1/0 or empty"
        )
    return text.map(mapping).astype(float)


def effectiveness(
    frame: pd.DataFrame,
    client_col: str,
    pre_col: str,
    post_col: str,
    criteria: ChangeCriteria,
    by: str | Sequence[str] | None = None,
    *,
    sessions_col: str | None = None,
    dropped_out_col: str | None = None,
    ended_reason_col: str | None = None,
    dropout_reasons: Sequence[str] = ("dropped_out",),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Effectiveness per group of ``by`` (one row for all clients when None): the ``by``
    columns, ``n_clients``, ``n_complete`` (pre and post present), ``mean_sessions``,
    ``dropout_rate``, ``pct_reliably_improved``, ``pct_recovered``,
    ``pct_reliably_deteriorated``, ``d``, ``g``, ``se``, ``ci_low``, ``ci_high`` (NaN where a
    group has fewer than 3 complete pairs or constant scores).  Drop-out comes from a flag
    column or from an ending reason in ``dropout_reasons``; see the module docstring."""
    groups = [] if by is None else [by] if isinstance(by, str) else list(by)
    require_columns(
        frame,
        {
            "client_col": client_col,
            "pre_col": pre_col,
            "post_col": post_col,
            "sessions_col": sessions_col,
            "dropped_out_col": dropped_out_col,
            "ended_reason_col": ended_reason_col,
            **{f"by[{i}]": g for i, g in enumerate(groups)},
        },
    )
    check_alpha(alpha)
    client = ids(frame, client_col)
    repeated = client.duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ResearchError(
            f"row {row + 1}, column {client_col}: {client.iloc[row]!r} appears again; "
            "expected one row per client episode"
        )
    for g in groups:
        ids(frame, g)
    pre, post = pre_post(frame, pre_col, post_col)
    complete = ~(np.isnan(pre) | np.isnan(post))
    if not complete.any():
        raise ResearchError(f"no client has both {pre_col} and {post_col}")
    try:
        change = jacobson_truax(pre[complete], post[complete], criteria)
    except FeedbackError as exc:
        raise ResearchError(str(exc)) from None
    category = np.full(len(frame), None, dtype=object)
    category[complete] = change.cases["category"].to_numpy()
    work = pd.DataFrame(
        {
            "complete": complete,
            "improved": np.isin(category, IMPROVED),
            "recovered": category == "recovered",
            "deteriorated": np.isin(category, DETERIORATED),
            "sessions": (
                np.nan if sessions_col is None else numbers(frame, sessions_col).to_numpy()
            ),
            "dropout": _dropout(
                frame, dropped_out_col, ended_reason_col, dropout_reasons
            ).to_numpy(),
            "pre": pre,
            "post": post,
        }
    )
    for g in groups:
        work[g] = frame[g].to_numpy()
    parts = work.groupby(groups, sort=True) if groups else [((), work)]
    rows: list[dict[str, Any]] = []
    for key, part in parts:
        keys = key if isinstance(key, tuple) else (key,)
        n_complete = int(part["complete"].sum())
        sub = part[part["complete"]]
        pct = {
            c: 100.0 * float(sub[c].mean()) if n_complete else math.nan
            for c in ("improved", "recovered", "deteriorated")
        }
        try:
            effect = _effect(
                part["pre"].to_numpy(), part["post"].to_numpy(), criteria.better, alpha
            )
        except ResearchError:
            effect = dict.fromkeys(EFFECT_COLUMNS, math.nan)
        rows.append(
            {
                **dict(zip(groups, keys, strict=True)),
                "n_clients": len(part),
                "n_complete": n_complete,
                "mean_sessions": float(part["sessions"].mean()),
                "dropout_rate": float(part["dropout"].mean()),
                "pct_reliably_improved": pct["improved"],
                "pct_recovered": pct["recovered"],
                "pct_reliably_deteriorated": pct["deteriorated"],
                **{k: effect[k] for k in EFFECT_COLUMNS},
            }
        )
    return pd.DataFrame(rows)


__all__ = [
    "PractitionerEffects",
    "correction",
    "effectiveness",
    "henderson",
    "practitioner_effects",
    "pre_post_effect_size",
    "standardized_mean_change",
]
