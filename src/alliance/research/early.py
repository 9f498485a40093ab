"""Early alliance and outcome: the alliance at one early session (default 3) against the change
from the client's first to last recorded outcome (``change = last - first``; only clients whose
last outcome comes after the alliance session), with Spearman and Pearson correlations from
``alliance.research.correlations.correlate`` (Fisher / Bonett-Wright intervals), an OLS
regression ``change ~ early_alliance + intake`` (t-based intervals), and mean trajectories by
tertile of the early alliance (ranks, ties in order of client id, so the tertiles are as equal as
possible: ``tertile = floor(3 (rank - 1) / n)``).

The session-by-session model of alliance and outcome is in ``alliance.research.multilevel``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ResearchError
from .frames import check_alpha, client_sessions, require_session_columns

TERTILES = ("low", "middle", "high")


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

    require_session_columns(frame, client_col, session_col, alliance_col, outcome_col)
    check_alpha(alpha)
    if isinstance(alliance_session, bool) or not isinstance(alliance_session, int | float):
        raise ResearchError(f"alliance_session: {alliance_session!r}; expected a session number")
    data = client_sessions(
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


__all__ = ["TERTILES", "EarlyAlliance", "early_alliance"]
