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

Practitioner comparison (``practitioner_effects``): the change ``post - pre`` of client ``i`` of
practitioner ``j`` in practice ``k`` is modelled as ``change = m_k + b (pre - mean(pre)) + u_j +
e``, ``u_j ~ N(0, tau2)``, ``e ~ N(0, sigma2)`` (``b`` only with ``adjust_for_intake``, for case
mix: Saxon D, Barkham M. Patterns of therapist variability. J Consult Clin Psychol
2012;80(4):535-546), fitted by REML with statsmodels ``MixedLM`` (``fit_mixedlm``: derivative-free
refits when the gradient optimizers fail). A practitioner's estimate is the empirical-Bayes (BLUP)
mean change ``m_k + u_j`` for a client of average intake. Without the covariate it equals ``lambda_j
mean_j + (1 - lambda_j) m_k``, ``lambda_j = tau2 / (tau2 + sigma2 / n_j)``, so a small caseload is
pulled further toward its practice mean; ``shrinkage = 1 - lambda_j`` is the weight of the practice
mean (exact without the covariate). Raudenbush SW, Bryk AS. Hierarchical linear models. 2nd ed.
Sage; 2002, ch. 3. Estimates and standard errors solve Henderson's mixed-model equations at the REML
variances; the SE is the square root of the prediction error variance of ``m_k + u_j`` (without the
covariate ``(1 - lambda_j) tau2 + (1 - lambda_j)^2 Var(m_k)``), ignoring the uncertainty of ``tau2``
and ``sigma2`` (so the intervals are a little narrow with few practitioners). ``icc = tau2 / (tau2 +
sigma2)`` is the share of change variance between practitioners (the "therapist effect"). With
``tau2`` estimated as 0 every practitioner gets the practice mean and they share one rank per
practice; statsmodels' optimizers stop just short of that boundary, so ``tau2`` is set to 0
when the REML likelihood at ``tau2 = 1e-10 sigma2`` is at least that of the fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from alliance.feedback.change import ChangeCriteria, jacobson_truax
from alliance.feedback.errors import FeedbackError

from .errors import ResearchError
from .multilevel import check_alpha, fit_mixedlm, ids, numbers, require_columns

Better = Literal["lower", "higher"]
FloatArray = npt.NDArray[np.float64]
EFFECT_COLUMNS = ["d", "g", "se", "ci_low", "ci_high"]
IMPROVED = ("improved", "recovered")
DETERIORATED = ("deteriorated", "harmed")


def _z(alpha: float) -> float:
    from scipy import stats  # type: ignore[import-untyped]

    return float(stats.norm.ppf(1.0 - alpha / 2.0))


def _sign(better: str) -> float:
    if better not in ("lower", "higher"):
        raise ResearchError(f"better: {better!r}; expected 'lower' or 'higher'")
    return 1.0 if better == "higher" else -1.0


def correction(m: FloatArray | float) -> FloatArray:
    """Hedges' exact small-sample correction ``c(m)`` (``m`` degrees of freedom, > 1)."""
    from scipy import special

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
    sign = _sign(better)
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
    d = sign * (m_post - m_pre) / sd
    g = correction(size - 1) * d
    se = np.sqrt(2 * (1 - rho) / size + g**2 / (2 * size))
    z = _z(alpha)
    return pd.DataFrame({"d": d, "g": g, "se": se, "ci_low": g - z * se, "ci_high": g + z * se})


def _pairs(frame: pd.DataFrame, pre_col: str, post_col: str) -> tuple[FloatArray, FloatArray]:
    pre = numbers(frame, pre_col).to_numpy(dtype=float)
    post = numbers(frame, post_col).to_numpy(dtype=float)
    return pre, post


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
    _sign(better)
    pre, post = _pairs(frame, pre_col, post_col)
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
    pre, post = _pairs(frame, pre_col, post_col)
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


@dataclass(frozen=True, eq=False)
class PractitionerEffects:
    """Result of ``practitioner_effects``.

    ``table``: one row per practitioner (best first): ``practitioner``, ``practice`` (when
    given), ``n_clients``, ``raw_mean_change``, ``estimate`` (shrunken mean change), ``se``,
    ``ci_low``, ``ci_high``, ``shrinkage`` (weight of the practice mean, 0 to 1), ``rank`` and
    ``raw_rank`` (1 = best, by ``estimate`` and by ``raw_mean_change``).
    """

    table: pd.DataFrame
    tau2: float
    sigma2: float
    icc: float
    fixed_effects: pd.Series
    n_clients: int
    n_practitioners: int
    converged: bool
    warnings: tuple[str, ...]


def practitioner_effects(
    frame: pd.DataFrame,
    practitioner_col: str,
    pre_col: str,
    post_col: str,
    practice_col: str | None = None,
    *,
    better: Better = "lower",
    adjust_for_intake: bool = True,
    reml: bool = True,
    alpha: float = 0.05,
) -> PractitionerEffects:
    """Empirical-Bayes mean change per practitioner, shrunk toward the practice mean (see the
    module docstring).  Clients without both scores are left out; needs at least 3
    practitioners with complete pairs; a practitioner must belong to one practice."""
    import statsmodels.api as sm  # type: ignore[import-untyped]

    require_columns(
        frame,
        {
            "practitioner_col": practitioner_col,
            "pre_col": pre_col,
            "post_col": post_col,
            "practice_col": practice_col,
        },
    )
    check_alpha(alpha)
    sign = _sign(better)
    pre, post = _pairs(frame, pre_col, post_col)
    keep = ~(np.isnan(pre) | np.isnan(post))
    data = pd.DataFrame(
        {
            "practitioner": ids(frame, practitioner_col).to_numpy(),
            "practice": "all" if practice_col is None else ids(frame, practice_col).to_numpy(),
            "pre": pre,
            "change": post - pre,
        }
    )[keep].reset_index(drop=True)
    practices = data.groupby("practitioner")["practice"].nunique()
    if (practices > 1).any():
        raise ResearchError(
            f"column {practice_col}: practitioner {practices.index[practices > 1][0]!r} "
            "belongs to more than one practice"
        )
    n_practitioners = int(data["practitioner"].nunique())
    if n_practitioners < 3:
        raise ResearchError(
            f"{n_practitioners} practitioners have clients with {pre_col} and {post_col}; "
            "at least 3 are needed to compare them"
        )
    levels = sorted(data["practice"].unique(), key=str)
    exog = pd.DataFrame({f"practice[{k}]": (data["practice"] == k).astype(float) for k in levels})
    if adjust_for_intake:
        exog["intake"] = data["pre"] - data["pre"].mean()
    y = data["change"].to_numpy(dtype=float)
    model = sm.MixedLM(y, exog, groups=data["practitioner"].to_numpy())
    result, caught = fit_mixedlm(model, reml)
    sigma2 = float(result.scale)
    tau2 = 0.0 if at_boundary(model, result) else float(np.asarray(result.cov_re)[0, 0])

    who = sorted(data["practitioner"].unique(), key=str)
    col = {p: j for j, p in enumerate(who)}
    z_mat = np.zeros((len(data), len(who)))
    z_mat[np.arange(len(data)), data["practitioner"].map(col).to_numpy()] = 1.0
    x_mat = exog.to_numpy(dtype=float)
    u, pev_matrix, beta = henderson(x_mat, z_mat, y, tau2, sigma2)

    practice_of = data.groupby("practitioner")["practice"].first()
    p = x_mat.shape[1]
    rows = []
    for j, who_j in enumerate(who):
        k = np.zeros(p + len(who))
        k[levels.index(practice_of[who_j])] = 1.0
        k[p + j] = 1.0
        n_j = int((data["practitioner"] == who_j).sum())
        lam = tau2 / (tau2 + sigma2 / n_j) if tau2 > 0 else 0.0
        se = math.sqrt(float(k @ pev_matrix @ k))
        estimate = float(beta[levels.index(practice_of[who_j])] + u[j])
        rows.append(
            {
                "practitioner": who_j,
                "practice": practice_of[who_j],
                "n_clients": n_j,
                "raw_mean_change": float(data.loc[data["practitioner"] == who_j, "change"].mean()),
                "estimate": estimate,
                "se": se,
                "shrinkage": 1.0 - lam,
            }
        )
    table = pd.DataFrame(rows)
    z = _z(alpha)
    table["ci_low"] = table["estimate"] - z * table["se"]
    table["ci_high"] = table["estimate"] + z * table["se"]
    # ties (e.g. tau2 = 0: everyone at the practice mean) share a rank; rounding hides the
    # last-digit noise of the linear algebra
    table["rank"] = (sign * -table["estimate"]).round(9).rank(method="min").astype("int64")
    table["raw_rank"] = (sign * -table["raw_mean_change"]).rank(method="min").astype("int64")
    table = table.sort_values(["rank", "practitioner"], kind="stable").reset_index(drop=True)
    order = ["practitioner", "practice", "n_clients", "raw_mean_change", "estimate", "se"]
    order += ["ci_low", "ci_high", "shrinkage", "rank", "raw_rank"]
    if practice_col is None:
        order.remove("practice")
    return PractitionerEffects(
        table=table[order],
        tau2=tau2,
        sigma2=sigma2,
        icc=tau2 / (tau2 + sigma2),
        fixed_effects=pd.Series(beta, index=list(exog.columns)),
        n_clients=len(data),
        n_practitioners=n_practitioners,
        converged=bool(result.converged),
        warnings=tuple(caught),
    )


def at_boundary(model: Any, result: Any) -> bool:
    """Whether the REML (or ML) likelihood at a practitioner variance of ``1e-10 sigma2`` is at
    least that of the fit: the optimum is then the boundary ``tau2 = 0``."""
    from statsmodels.regression.mixed_linear_model import (  # type: ignore[import-untyped]
        MixedLMParams,
    )

    if not np.isfinite(result.llf):
        return False
    params = MixedLMParams.from_components(
        fe_params=np.asarray(result.fe_params), cov_re_sqrt=np.array([[1e-5]])
    )
    return bool(float(model.loglike(params, profile_fe=True)) >= float(result.llf))


def henderson(
    x: FloatArray, z: FloatArray, y: FloatArray, tau2: float, sigma2: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Solve Henderson's mixed-model equations for ``y = X b + Z u + e``, ``u ~ N(0, tau2 I)``,
    ``e ~ N(0, sigma2 I)``: returns the BLUPs ``u``, the prediction error covariance of
    ``(b, u)`` (the inverse of the coefficient matrix) and ``b``.  With ``tau2 = 0`` the
    ``u`` are 0 and ``b`` is OLS (Henderson CR. Best linear unbiased estimation and prediction
    under a selection model. Biometrics 1975;31(2):423-447)."""
    p, q = x.shape[1], z.shape[1]
    if tau2 <= 0:
        xtx_inv = np.linalg.inv(x.T @ x)
        b = xtx_inv @ x.T @ y
        cov = np.zeros((p + q, p + q))
        cov[:p, :p] = sigma2 * xtx_inv
        return np.zeros(q), cov, b
    w = np.hstack([x, z])
    c = w.T @ w / sigma2
    c[p:, p:] += np.eye(q) / tau2
    c_inv = np.linalg.inv(c)
    solution = c_inv @ (w.T @ y / sigma2)
    return solution[p:], c_inv, solution[:p]


__all__ = [
    "PractitionerEffects",
    "correction",
    "effectiveness",
    "henderson",
    "practitioner_effects",
    "pre_post_effect_size",
    "standardized_mean_change",
]
