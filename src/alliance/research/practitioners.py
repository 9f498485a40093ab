"""Practitioner comparison: mean change per practitioner, shrunk toward the practice mean.

Input: one row per client episode with the first (``pre_col``) and last (``post_col``)
outcome score, the practitioner and optionally the practice (see
``alliance.research.effectiveness`` for the practice-level tables; ``practitioner_effects``
is importable from there too).

``practitioner_effects``: the change ``post - pre`` of client ``i`` of practitioner ``j`` in
practice ``k`` is modelled as ``change = m_k + b (pre - mean(pre)) + u_j + e``,
``u_j ~ N(0, tau2)``, ``e ~ N(0, sigma2)`` (``b`` only with ``adjust_for_intake``, for case
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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ResearchError
from .frames import (
    Better,
    FloatArray,
    check_alpha,
    fit_mixedlm,
    ids,
    pre_post,
    require_columns,
    sign,
    z_value,
)


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
    direction = sign(better)
    pre, post = pre_post(frame, pre_col, post_col)
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
    z = z_value(alpha)
    table["ci_low"] = table["estimate"] - z * table["se"]
    table["ci_high"] = table["estimate"] + z * table["se"]
    # ties (e.g. tau2 = 0: everyone at the practice mean) share a rank; rounding hides the
    # last-digit noise of the linear algebra
    table["rank"] = (direction * -table["estimate"]).round(9).rank(method="min").astype("int64")
    table["raw_rank"] = (direction * -table["raw_mean_change"]).rank(method="min").astype("int64")
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


__all__ = ["PractitionerEffects", "at_boundary", "henderson", "practitioner_effects"]
