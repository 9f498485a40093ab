"""Alliance and outcome session by session: a multilevel model.

``alliance_outcome_model`` (statsmodels ``MixedLM``) regresses the outcome at a client's next
session on the alliance at this session, controlling for the outcome at this session:

    y[i, t+1] = b0 + b_w (a[i, t] - abar[i]) + b_b (abar[i] - abar) + b_y (y[i, t] - ybar)
                + u[i] (+ v[p(i)]) + e[i, t]

- ``a[i, t] - abar[i]`` is the within-client part of the alliance (person-mean centred) and
  ``abar[i]`` the client's mean over the sessions in the analysis, centred at the mean over all
  rows of the analysis (so ``b0`` is the expected next outcome at average alliance and average
  previous outcome).  ``b_w``: does a client improve more after sessions in which *their*
  alliance is higher than usual for them?  ``b_b``: do clients with a higher alliance on average
  improve more?  (Curran PJ, Bauer DJ. The disaggregation of within-person and between-person
  effects in longitudinal models of change. Annu Rev Psychol 2011;62:583-619; the session-by-
  session alliance analyses of Falkenstrom F, Granstrom F, Holmqvist R. Therapeutic alliance
  predicts symptomatic improvement session by session. J Couns Psychol 2013;60(3):317-328.)
- ``u[i] ~ N(0, tau_c)``: a random intercept per client.  ``v[p] ~ N(0, tau_p)``: a random
  intercept per practitioner, with clients nested in practitioners, included only when at
  least ``min_practitioners`` (5) practitioners have at least ``min_clients_per_practitioner``
  (3) clients each in the analysis; with fewer, a practitioner variance is barely estimable
  (random factors with fewer than about five levels: Bolker BM et al. Generalized linear mixed
  models: a practical guide for ecology and evolution. Trends Ecol Evol 2009;24(3):127-135)
  and the model is fitted with client intercepts only (``practitioner_level`` says which).
- Pairs: the next session is the client's next session with a recorded outcome; with
  ``consecutive=True`` (default) it must be session ``t + 1`` exactly.  Rows lacking the
  alliance or the outcome at ``t`` are left out (complete cases).
- Options: ``control_intake`` adds the client's first recorded outcome (centred) as a client-
  level covariate, Wooldridge's remedy for the initial-conditions problem of random-intercept
  models with a lagged outcome (Wooldridge JM. Simple solutions to the initial conditions
  problem in dynamic, nonlinear panel data models with unobserved heterogeneity. J Appl Econ
  2005;20(1):39-54): without it the client intercept is assumed independent of the intake
  score, and the autoregression is overstated when it is not (the tests show it).  With it,
  ``b_b`` compares clients of the same intake score.  ``control_session`` adds the session
  number (centred), so that shared time trends of alliance and outcome are not read as a
  within-client effect (Wang LP, Maxwell SE. On
  disaggregating between-person and within-person effects with longitudinal data using
  multilevel models. Psychol Methods 2015;20(1):63-83).
- Caveat: ``abar[i]`` is an observed mean; with few sessions per client it carries sampling
  error, so ``b_b`` is pulled toward ``b_w`` (Ludtke O et al. The multilevel latent covariate
  model. Psychol Methods 2008;13(3):203-229).

Coefficients, standard errors, Wald ``1 - alpha`` intervals and two-sided p values (normal
reference distribution) are statsmodels' own (REML by default).  When statsmodels' gradient
optimizers fail to converge, the fit is redone with Nelder-Mead and Powell (``fit_mixedlm``);
``converged`` and ``warnings`` report what happened.

Share of outcome variance associated with the alliance (both computed against the same model
without the two alliance terms, fitted on the same rows with the same method):

- ``variance_share``: the gain in marginal R^2, ``R2_m = s2_f / (s2_f + sum(tau) + s2_e)``, where
  ``s2_f`` is the variance (``ddof = 1``) of the fixed-effect predictions ``X b`` over the
  analysis rows, ``tau`` the random-intercept variances and ``s2_e`` the residual variance
  (Nakagawa S, Schielzeth H. A general and simple method for obtaining R2 from generalized
  linear mixed-effects models. Methods Ecol Evol 2013;4(2):133-142).
- ``variance_reduction``: the proportional reduction of the total unexplained variance,
  ``1 - (s2_e + sum(tau))_full / (s2_e + sum(tau))_without``, Snijders and Bosker's level-1 R^2
  (Snijders TAB, Bosker RJ. Multilevel analysis. 2nd ed. Sage; 2012, section 7.1).  It can be
  slightly negative in small samples.

``early_alliance`` (the alliance at one early session against the change from first to last
outcome) is in ``alliance.research.early`` and importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# TERTILES, numbers and require_columns were defined here: re-exported for old imports
from .early import TERTILES as TERTILES
from .early import EarlyAlliance, early_alliance
from .errors import ResearchError
from .frames import check_alpha, client_sessions, fit_mixedlm, ids, require_session_columns
from .frames import numbers as numbers
from .frames import require_columns as require_columns

MIN_CLIENTS = 10


@dataclass(frozen=True, eq=False)
class AllianceOutcomeModel:
    """Result of ``alliance_outcome_model`` (see the module docstring for the definitions).

    ``coefficients``: one row per term (``intercept``, ``alliance_within``,
    ``alliance_between``, ``previous_outcome`` and, when asked for, ``intake_outcome`` and
    ``session``) with ``estimate``, ``se``, ``ci_low``, ``ci_high``, ``p``.
    ``variance_components``: ``component`` (``client``, ``practitioner``, ``residual``) and
    ``variance``.  ``data``: the analysis rows (``client``, ``practitioner``, ``session``,
    ``next_session``, ``next_outcome`` and the centred predictors).
    """

    coefficients: pd.DataFrame
    variance_components: pd.DataFrame
    variance_share: float
    variance_reduction: float
    r2_marginal: float
    r2_marginal_without_alliance: float
    n_clients: int
    n_observations: int
    n_practitioners: int | None
    practitioner_level: bool
    converged: bool
    warnings: tuple[str, ...]
    data: pd.DataFrame


def lagged_pairs(
    frame: pd.DataFrame,
    client_col: str,
    session_col: str,
    alliance_col: str,
    outcome_col: str,
    *,
    consecutive: bool = True,
) -> pd.DataFrame:
    """One row per (session t, next session with an outcome): ``client``, ``session``,
    ``alliance``, ``outcome``, ``intake`` (first recorded outcome), ``next_session``,
    ``next_outcome``."""
    data = client_sessions(
        frame, client_col, session_col, {"alliance": alliance_col, "outcome": outcome_col}
    )
    scored = data[data["outcome"].notna()].copy()
    grouped = scored.groupby("client", sort=False)
    scored["intake"] = grouped["outcome"].transform("first")
    scored["next_session"] = grouped["session"].shift(-1)
    scored["next_outcome"] = grouped["outcome"].shift(-1)
    keep = scored["next_outcome"].notna() & scored["alliance"].notna()
    if consecutive:
        keep &= scored["next_session"] == scored["session"] + 1
    return scored[keep].reset_index(drop=True)


def _practitioners(frame: pd.DataFrame, client_col: str, practitioner_col: str) -> dict[Any, Any]:
    both = pd.DataFrame(
        {"client": ids(frame, client_col), "practitioner": ids(frame, practitioner_col)}
    )
    counts = both.groupby("client", sort=False)["practitioner"].nunique()
    if (counts > 1).any():
        client = counts.index[counts.to_numpy() > 1][0]
        raise ResearchError(
            f"column {practitioner_col}: client {client!r} has more than one practitioner; "
            "clients must be nested in practitioners (use one episode id per practitioner)"
        )
    return dict(zip(both["client"], both["practitioner"], strict=True))


def _fit(data: pd.DataFrame, terms: list[str], nested: bool, reml: bool) -> tuple[Any, list[str]]:
    import statsmodels.formula.api as smf  # type: ignore[import-untyped]

    formula = "next_outcome ~ " + " + ".join(terms)
    if nested:
        model = smf.mixedlm(
            formula,
            data,
            groups="practitioner",
            re_formula="1",
            vc_formula={"client": "0 + C(client)"},
        )
    else:
        model = smf.mixedlm(formula, data, groups="client")
    return fit_mixedlm(model, reml)


def _variances(result: Any, nested: bool) -> dict[str, float]:
    tau = float(np.asarray(result.cov_re)[0, 0])
    if nested:
        return {
            "client": float(np.asarray(result.vcomp)[0]),
            "practitioner": tau,
            "residual": float(result.scale),
        }
    return {"client": tau, "residual": float(result.scale)}


def _r2_marginal(result: Any, variances: dict[str, float]) -> float:
    s2_f = float(np.var(result.model.exog @ np.asarray(result.fe_params), ddof=1))
    return s2_f / (s2_f + sum(variances.values()))


def alliance_outcome_model(
    frame: pd.DataFrame,
    client_col: str,
    session_col: str,
    alliance_col: str,
    outcome_col: str,
    practitioner_col: str | None = None,
    *,
    consecutive: bool = True,
    control_intake: bool = False,
    control_session: bool = False,
    min_practitioners: int = 5,
    min_clients_per_practitioner: int = 3,
    reml: bool = True,
    alpha: float = 0.05,
) -> AllianceOutcomeModel:
    """Next-session outcome on this session's alliance (within- and between-client parts),
    controlling for this session's outcome, with random intercepts per client (and per
    practitioner when there are enough); see the module docstring for formulas and sources.

    ``frame`` is long: one row per client and session (a repeated session raises).  Sessions
    must be numbers; alliance and outcome numbers or empty.
    """
    require_session_columns(
        frame, client_col, session_col, alliance_col, outcome_col, practitioner_col
    )
    check_alpha(alpha)
    for name, value in (
        ("min_practitioners", min_practitioners),
        ("min_clients_per_practitioner", min_clients_per_practitioner),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ResearchError(f"{name}: {value!r}; expected a whole number >= 1")
    data = lagged_pairs(
        frame, client_col, session_col, alliance_col, outcome_col, consecutive=consecutive
    )
    n_clients = int(data["client"].nunique())
    if n_clients < MIN_CLIENTS:
        raise ResearchError(
            f"{n_clients} clients have an alliance score ({alliance_col}) and an outcome "
            f"({outcome_col}) at one session and an outcome at the "
            f"{'next session' if consecutive else 'next recorded session'}; "
            f"at least {MIN_CLIENTS} are needed"
        )
    client_mean = data.groupby("client", sort=False)["alliance"].transform("mean")
    data["alliance_within"] = data["alliance"] - client_mean
    data["alliance_between"] = client_mean - client_mean.mean()
    data["previous_outcome"] = data["outcome"] - data["outcome"].mean()
    data["intake_outcome"] = data["intake"] - data["intake"].mean()
    data["session_c"] = data["session"] - data["session"].mean()
    for part, where in (("alliance_within", "within"), ("alliance_between", "between")):
        if float(data[part].abs().max()) < 1e-12:
            raise ResearchError(
                f"column {alliance_col}: the alliance does not vary {where} clients in the "
                "analysis rows, so its effect cannot be estimated"
            )

    n_practitioners: int | None = None
    nested = False
    if practitioner_col is not None:
        owner = _practitioners(frame, client_col, practitioner_col)
        data["practitioner"] = data["client"].map(owner)
        per_practitioner = data.groupby("practitioner")["client"].nunique()
        n_practitioners = len(per_practitioner)
        enough = int((per_practitioner >= min_clients_per_practitioner).sum())
        nested = enough >= min_practitioners
    else:
        data["practitioner"] = None

    controls = ["previous_outcome"]
    if control_intake:
        controls.append("intake_outcome")
    if control_session:
        controls.append("session_c")
    alliance_terms = ["alliance_within", "alliance_between"]
    full, messages = _fit(data, alliance_terms + controls, nested, reml)
    reduced, messages_reduced = _fit(data, controls, nested, reml)

    names = list(full.fe_params.index)
    ci = full.conf_int(alpha=alpha).loc[names]
    labels = {"Intercept": "intercept", "session_c": "session"}
    coefficients = pd.DataFrame(
        {
            "term": [labels.get(n, n) for n in names],
            "estimate": full.fe_params.to_numpy(dtype=float),
            "se": full.bse_fe.to_numpy(dtype=float),
            "ci_low": ci.iloc[:, 0].to_numpy(dtype=float),
            "ci_high": ci.iloc[:, 1].to_numpy(dtype=float),
            "p": full.pvalues.loc[names].to_numpy(dtype=float),
        }
    )
    var_full = _variances(full, nested)
    var_reduced = _variances(reduced, nested)
    r2_full = _r2_marginal(full, var_full)
    r2_reduced = _r2_marginal(reduced, var_reduced)
    reduction = 1.0 - sum(var_full.values()) / sum(var_reduced.values())
    components = pd.DataFrame({"component": list(var_full), "variance": list(var_full.values())})
    return AllianceOutcomeModel(
        coefficients=coefficients,
        variance_components=components,
        variance_share=r2_full - r2_reduced,
        variance_reduction=reduction,
        r2_marginal=r2_full,
        r2_marginal_without_alliance=r2_reduced,
        n_clients=n_clients,
        n_observations=len(data),
        n_practitioners=n_practitioners,
        practitioner_level=nested,
        converged=bool(full.converged and reduced.converged),
        warnings=tuple(sorted(set(messages) | set(messages_reduced))),
        data=data.copy(),
    )


__all__ = [
    "AllianceOutcomeModel",
    "EarlyAlliance",
    "alliance_outcome_model",
    "early_alliance",
    "lagged_pairs",
]
