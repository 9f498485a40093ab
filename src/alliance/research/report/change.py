"""Sections 3 and 4 of the report: the session-by-session alliance-outcome model and the
early-alliance analysis, both on the primary alliance and outcome variables, with a client's
episode (``case``) as the unit whose sessions are followed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..early import TERTILES, early_alliance
from ..multilevel import alliance_outcome_model
from .model import Figure, Section, Table
from .svg import Line, line_plot
from .variables import Variable

MULTILEVEL_TITLE = "Alliance and outcome session by session"
EARLY_TITLE = "Early alliance and change"
MIN_TRAJECTORY_N = 3
FAILURES = (ValueError, np.linalg.LinAlgError)


def _direction(outcome: Variable) -> str:
    return f"{outcome.name}: {'lower' if outcome.better == 'lower' else 'higher'} scores are better"


def multilevel_section(
    sessions: pd.DataFrame,
    alliance: Variable | None,
    outcome: Variable | None,
    *,
    control_intake: bool,
    alpha: float,
) -> Section:
    method = (
        "Outcome at a client's next session (t + 1) on the alliance at session t, split into "
        "the within-client part (the session's deviation from the client's own mean) and the "
        "between-client part (the client's mean), controlling for the outcome at session t"
        + (
            " and the client's first outcome (Wooldridge's initial-conditions control)"
            if control_intake
            else ""
        )
        + "; random intercepts per client episode, and per practitioner when at least 5 "
        "practitioners have at least 3 episodes (statsmodels MixedLM, REML).",
        "Variance share: the gain in marginal R^2 (Nakagawa & Schielzeth 2013) over the same "
        "model without the two alliance terms; variance reduction: Snijders & Bosker's level-1 "
        "R^2.",
    )
    if alliance is None or outcome is None:
        missing = "alliance" if alliance is None else "outcome"
        return Section(
            "multilevel", MULTILEVEL_TITLE, method, f"The data have no {missing} scores."
        )
    has_practitioners = bool((sessions["practitioner"] != "").all())
    try:
        model = alliance_outcome_model(
            sessions,
            "case",
            "session",
            alliance.name,
            outcome.name,
            "practitioner" if has_practitioners else None,
            control_intake=control_intake,
            alpha=alpha,
        )
    except FAILURES as exc:
        return Section("multilevel", MULTILEVEL_TITLE, method, f"Not estimated: {exc}")
    values: dict[str, Any] = {
        "alliance": alliance.name,
        "outcome": outcome.name,
        "better": outcome.better,
        "n_clients": model.n_clients,
        "n_observations": model.n_observations,
        "n_practitioners": model.n_practitioners,
        "practitioner_level": model.practitioner_level,
        "variance_share": model.variance_share,
        "variance_reduction": model.variance_reduction,
        "r2_marginal": model.r2_marginal,
        "r2_marginal_without_alliance": model.r2_marginal_without_alliance,
        "converged": model.converged,
    }
    notes = [_direction(outcome)]
    if not has_practitioners:
        notes.append("No practitioner for every episode: client intercepts only.")
    if not model.converged:
        notes.append("The optimiser did not converge: read the estimates with care.")
    notes.extend(f"statsmodels: {w}" for w in model.warnings)
    ci = f"{100 * (1 - alpha):g}%"
    return Section(
        key="multilevel",
        title=MULTILEVEL_TITLE,
        method=method,
        values=values,
        tables=(
            Table("coefficients", f"Fixed effects with {ci} Wald intervals", model.coefficients),
            Table(
                "variance_components",
                "Random-effect and residual variances",
                model.variance_components,
            ),
        ),
        notes=tuple(notes),
    )


def early_section(
    sessions: pd.DataFrame,
    alliance: Variable | None,
    outcome: Variable | None,
    *,
    alliance_session: int,
    alpha: float,
) -> Section:
    method = (
        f"The alliance at session {alliance_session} against the change from the first to the "
        "last recorded outcome of the episode (last minus first; only episodes whose last "
        f"outcome comes after session {alliance_session}): Spearman and Pearson correlations, "
        "and an OLS regression of the change on the early alliance and the first outcome.",
        "Episodes are split into tertiles of the early alliance (by rank, ties in order of the "
        "episode id); the plot shows the mean outcome per session and tertile, at sessions "
        f"with at least {MIN_TRAJECTORY_N} episodes in the tertile (the table has them all).",
    )
    if alliance is None or outcome is None:
        missing = "alliance" if alliance is None else "outcome"
        return Section("early_alliance", EARLY_TITLE, method, f"The data have no {missing} scores.")
    try:
        result = early_alliance(
            sessions, "case", "session", alliance.name, outcome.name, alliance_session, alpha=alpha
        )
    except FAILURES as exc:
        return Section("early_alliance", EARLY_TITLE, method, f"Not estimated: {exc}")
    clients = result.clients
    tertiles = (
        clients.groupby("tertile", observed=True)
        .agg(
            n=("client", "count"),
            alliance_min=("early_alliance", "min"),
            alliance_max=("early_alliance", "max"),
            mean_change=("change", "mean"),
        )
        .reset_index()
    )
    tertiles["tertile"] = tertiles["tertile"].astype(str)
    trajectories = result.trajectories.copy()
    trajectories["tertile"] = trajectories["tertile"].astype(str)
    lines = []
    for tertile in TERTILES:
        part = trajectories[
            (trajectories["tertile"] == tertile) & (trajectories["n"] >= MIN_TRAJECTORY_N)
        ]
        if not part.empty:
            points = list(
                zip(part["session"].astype(float), part["mean"].astype(float), strict=True)
            )
            lines.append(Line(f"{tertile} early alliance", points))
    figures: tuple[Figure, ...] = ()
    if lines:
        svg = line_plot(
            lines,
            f"Mean {outcome.name} by tertile of {alliance.name} at session {alliance_session}",
            "session",
            f"mean {outcome.name}",
        )
        figures = (
            Figure(
                "trajectories",
                f"Mean {outcome.name} per session by tertile of the early alliance "
                f"({alliance.name} at session {alliance_session})",
                svg,
            ),
        )
    values = {
        "alliance": alliance.name,
        "outcome": outcome.name,
        "better": outcome.better,
        "alliance_session": alliance_session,
        "n_clients": result.n_clients,
    }
    ci = f"{100 * (1 - alpha):g}%"
    return Section(
        key="early_alliance",
        title=EARLY_TITLE,
        method=method,
        values=values,
        tables=(
            Table("correlations", f"Early alliance and change ({ci} CI)", result.correlations),
            Table(
                "regression",
                f"OLS: change on early alliance and intake ({ci} CI)",
                result.regression,
            ),
            Table("tertiles", "Tertiles of the early alliance", tertiles),
            Table("trajectories", "Mean outcome per session and tertile", trajectories),
        ),
        figures=figures,
        notes=(_direction(outcome),),
    )
