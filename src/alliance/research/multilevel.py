"""Alliance and outcome session by session: a multilevel model and the early-alliance analysis.

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

``early_alliance``: the alliance at one early session (default 3) against the change from the
client's first to last recorded outcome (``change = last - first``; only clients whose last
outcome comes after the alliance session), with Spearman and Pearson correlations from
``alliance.research.correlations.correlate`` (Fisher / Bonett-Wright intervals), an OLS
regression ``change ~ early_alliance + intake`` (t-based intervals), and mean trajectories by
tertile of the early alliance (ranks, ties in order of client id, so the tertiles are as equal as
possible: ``tertile = floor(3 (rank - 1) / n)``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import ResearchError

MIN_CLIENTS = 10
TERTILES = ("low", "middle", "high")


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


@dataclass(frozen=True, eq=False)
class EarlyAlliance:
    """Result of ``early_alliance``.

    ``clients``: ``client``, ``early_alliance``, ``intake``, ``end``, ``change``, ``tertile``.
    ``correlations``: ``method`` (spearman, pearson), ``n``, ``r``, ``ci_low``, ``ci_high``,
    ``p``.  ``regression``: OLS of change on early alliance and intake, one row per term
    (``intercept``, ``early_alliance``, ``intake``) with ``estimate``, ``se``, ``ci_low``,
    ``ci_high``, ``p``.  ``trajectories``: ``tertile``, ``session``, ``n``, ``mean``, ``sd``.
    """

    clients: pd.DataFrame
    correlations: pd.DataFrame
    regression: pd.DataFrame
    trajectories: pd.DataFrame
    n_clients: int
    alliance_session: float


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """``columns`` maps argument names to column names (None: not used); checks they exist and
    differ."""
    if not isinstance(frame, pd.DataFrame):
        raise ResearchError(f"frame: expected a pandas DataFrame; got {type(frame).__name__}")
    used = {arg: col for arg, col in columns.items() if col is not None}
    for arg, col in used.items():
        if col not in frame.columns:
            raise ResearchError(
                f"{arg}: no column {col!r}; the frame has {[str(c) for c in frame.columns]}"
            )
    seen: dict[str, str] = {}
    for arg, col in used.items():
        if col in seen:
            raise ResearchError(f"{seen[col]} and {arg} name the same column {col!r}")
        seen[col] = arg


def numbers(frame: pd.DataFrame, column: str, *, missing: bool = True) -> pd.Series:
    """The column as float64; text that is not a number (or, with ``missing=False``, an empty
    cell) raises ResearchError naming the row (1-based) and column."""
    cells = frame[column]
    if pd.api.types.is_bool_dtype(cells):
        raise ResearchError(f"column {column}: holds true/false values; expected numbers")
    values = pd.to_numeric(cells, errors="coerce").astype("float64")
    text = cells.astype(str).str.strip()
    empty = cells.isna().to_numpy() | (text == "").to_numpy()
    bad = (values.isna().to_numpy() & ~empty) | np.isinf(values.to_numpy())
    if not missing:
        bad |= empty
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        what = "a number" if not missing else "a number or empty"
        raise ResearchError(f"row {row + 1}, column {column}: {cells.iloc[row]!r}; expected {what}")
    return values.set_axis(frame.index)


def ids(frame: pd.DataFrame, column: str) -> pd.Series:
    empty = frame[column].isna().to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0]) + 1
        raise ResearchError(f"row {row}, column {column}: empty; expected an id")
    return frame[column]


def check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ResearchError(f"alpha: {alpha!r}; expected a number between 0 and 1")


def _client_sessions(
    frame: pd.DataFrame, client_col: str, session_col: str, values: dict[str, str]
) -> pd.DataFrame:
    """client, session and the named numeric columns, sorted; refuses repeated sessions."""
    out = pd.DataFrame({"client": ids(frame, client_col).to_numpy()})
    out["session"] = numbers(frame, session_col, missing=False).to_numpy()
    for name, column in values.items():
        out[name] = numbers(frame, column).to_numpy()
    repeated = out.duplicated(["client", "session"]).to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ResearchError(
            f"row {row + 1}: client {out['client'].iloc[row]!r} has session "
            f"{out['session'].iloc[row]:g} twice (columns {client_col}, {session_col}); "
            "expected one row per client and session"
        )
    return out.sort_values(["client", "session"], kind="stable").reset_index(drop=True)


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
    data = _client_sessions(
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


def fit_mixedlm(model: Any, reml: bool) -> tuple[Any, list[str]]:
    """Fit a statsmodels MixedLM with its default gradient optimizers; when they do not converge
    (or give a non-finite likelihood), refit with Nelder-Mead and Powell and keep the converged
    fit with the highest likelihood.  Returns the fit and the warnings raised on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fits = [model.fit(reml=reml)]
        if not (fits[0].converged and np.isfinite(fits[0].llf)):
            for method in ("nm", "powell"):
                try:
                    fits.append(model.fit(reml=reml, method=method, maxiter=5000))
                except (np.linalg.LinAlgError, ValueError):  # pragma: no cover - optimiser
                    continue
    good = [f for f in fits if f.converged and np.isfinite(f.llf)]
    best = max(good, key=lambda f: float(f.llf)) if good else fits[0]
    return best, sorted({str(w.message) for w in caught})


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
    require_columns(
        frame,
        {
            "client_col": client_col,
            "session_col": session_col,
            "alliance_col": alliance_col,
            "outcome_col": outcome_col,
            "practitioner_col": practitioner_col,
        },
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


def early_alliance(
    frame: pd.DataFrame,
    client_col: str,
    session_col: str,
    alliance_col: str,
    outcome_col: str,
    alliance_session: float = 3,
    *,
    alpha: float = 0.05,
) -> EarlyAlliance:
    """Alliance at ``alliance_session`` against the change from the first to the last recorded
    outcome (see the module docstring).  Needs at least 4 clients (the correlation's minimum)
    and varying alliance and intake scores for the regression."""
    import statsmodels.api as sm  # type: ignore[import-untyped]

    from .correlations import correlate

    require_columns(
        frame,
        {
            "client_col": client_col,
            "session_col": session_col,
            "alliance_col": alliance_col,
            "outcome_col": outcome_col,
        },
    )
    check_alpha(alpha)
    if isinstance(alliance_session, bool) or not isinstance(alliance_session, int | float):
        raise ResearchError(f"alliance_session: {alliance_session!r}; expected a session number")
    data = _client_sessions(
        frame, client_col, session_col, {"alliance": alliance_col, "outcome": outcome_col}
    )
    at = data[(data["session"] == alliance_session) & data["alliance"].notna()]
    if at.empty:
        raise ResearchError(
            f"alliance_session: no client has an alliance score ({alliance_col}) at session "
            f"{alliance_session:g} (column {session_col})"
        )
    scored = data[data["outcome"].notna()].groupby("client", sort=False)
    ends = pd.DataFrame(
        {
            "intake": scored["outcome"].first(),
            "end": scored["outcome"].last(),
            "end_session": scored["session"].last(),
        }
    )
    clients = at.set_index("client")[["alliance"]].rename(columns={"alliance": "early_alliance"})
    clients = clients.join(ends, how="inner")
    clients = clients[clients["end_session"] > alliance_session].drop(columns="end_session")
    clients["change"] = clients["end"] - clients["intake"]
    clients = clients.rename_axis("client").reset_index()
    n = len(clients)
    if n < 4:
        raise ResearchError(
            f"{n} clients have an alliance score at session {alliance_session:g} and an "
            f"outcome ({outcome_col}) after it; at least 4 are needed"
        )
    order = np.argsort(clients["early_alliance"].to_numpy(), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    clients["tertile"] = pd.Categorical(
        np.asarray(TERTILES, dtype=object)[(3 * rank) // n], categories=TERTILES, ordered=True
    )

    rows = []
    for method in ("spearman", "pearson"):
        r = correlate(clients, ["early_alliance"], ["change"], method=method, alpha=alpha)
        rows.append({"method": method, **r.iloc[0][["n", "r", "ci_low", "ci_high", "p"]]})
    correlations = pd.DataFrame(rows)
    correlations["n"] = correlations["n"].astype("int64")

    for column in ("early_alliance", "intake"):
        if clients[column].nunique() < 2:
            raise ResearchError(
                f"the {column.replace('_', ' ')} scores of the {n} clients do not vary; "
                "the regression of change on them cannot be estimated"
            )
    exog = sm.add_constant(clients[["early_alliance", "intake"]].to_numpy(dtype=float))
    ols = sm.OLS(clients["change"].to_numpy(dtype=float), exog).fit()
    ols_ci = np.asarray(ols.conf_int(alpha=alpha))
    regression = pd.DataFrame(
        {
            "term": ["intercept", "early_alliance", "intake"],
            "estimate": np.asarray(ols.params, dtype=float),
            "se": np.asarray(ols.bse, dtype=float),
            "ci_low": ols_ci[:, 0],
            "ci_high": ols_ci[:, 1],
            "p": np.asarray(ols.pvalues, dtype=float),
        }
    )

    tertile_of = dict(zip(clients["client"], clients["tertile"], strict=True))
    course = data[data["outcome"].notna() & data["client"].isin(tertile_of.keys())].copy()
    course["tertile"] = pd.Categorical(
        course["client"].map(tertile_of), categories=TERTILES, ordered=True
    )
    trajectories = (
        course.groupby(["tertile", "session"], observed=True)["outcome"]
        .agg(n="count", mean="mean", sd="std")
        .reset_index()
    )
    trajectories["n"] = trajectories["n"].astype("int64")
    return EarlyAlliance(
        clients=clients,
        correlations=correlations,
        regression=regression,
        trajectories=trajectories,
        n_clients=n,
        alliance_session=float(alliance_session),
    )


__all__ = [
    "AllianceOutcomeModel",
    "EarlyAlliance",
    "alliance_outcome_model",
    "early_alliance",
    "lagged_pairs",
]
