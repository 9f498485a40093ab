"""Sections 5 and 6 of the report: effectiveness of the practice on the primary outcome and the
practitioner comparison with shrinkage, from one row per episode (first and last score)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from alliance.feedback.change import ChangeCriteria, criteria_for
from alliance.feedback.errors import FeedbackError

from ..effectiveness import effectiveness
from ..practitioners import practitioner_effects
from .model import Figure, Section, Table
from .svg import Interval, caterpillar
from .variables import Variable

EFFECTIVENESS_TITLE = "Effectiveness"
PRACTITIONERS_TITLE = "Practitioner comparison"
FAILURES = (ValueError, np.linalg.LinAlgError, FeedbackError)


def outcome_criteria(outcome: Variable) -> ChangeCriteria:
    return criteria_for(outcome.instrument, outcome.scale)


def effectiveness_section(
    episodes: pd.DataFrame | None,
    outcome: Variable | None,
    *,
    has_episode_table: bool,
    alpha: float,
) -> Section:
    method = (
        "One row per episode: the first and the last recorded score of the outcome (ongoing "
        "episodes at their latest score; episodes with one score count in n_clients but not "
        "in the pre-post figures).",
        "Pre-post effect size d = (mean post - mean pre) / SD(pre), signed so that a positive "
        "d is an improvement, and Hedges' small-sample corrected g with its CI (Becker 1988; "
        "metafor's SMCR); reliably improved, recovered and reliably deteriorated by Jacobson & "
        "Truax with the instrument's published reliable change and cut-off; drop-out rate: "
        "episodes ended as dropped_out among the ended episodes (ongoing ones left out).",
    )
    if outcome is None or episodes is None:
        return Section(
            "effectiveness", EFFECTIVENESS_TITLE, method, "The data have no outcome scores."
        )
    try:
        criteria = outcome_criteria(outcome)
        common: dict[str, Any] = {
            "sessions_col": "sessions",
            "ended_reason_col": "ending_reason" if has_episode_table else None,
            "alpha": alpha,
        }
        overall = effectiveness(episodes, "case", "pre", "post", criteria, **common)
        tables = [Table("overall", f"All episodes ({outcome.name})", overall)]
        kinds = episodes["kind"].replace("", "unknown")
        if kinds.nunique() > 1:
            by_kind = effectiveness(
                episodes.assign(kind=kinds), "case", "pre", "post", criteria, by="kind", **common
            )
            tables.append(Table("by_kind", "By kind of care", by_kind))
    except FAILURES as exc:
        return Section("effectiveness", EFFECTIVENESS_TITLE, method, f"Not computed: {exc}")
    values: dict[str, Any] = {
        "outcome": outcome.name,
        "instrument": outcome.instrument,
        "scale": outcome.scale,
        "criteria": {k: v for k, v in dataclasses.asdict(criteria).items() if v is not None},
    }
    notes = []
    if not has_episode_table:
        notes.append(
            "No episodes table: the drop-out rate is unknown and sessions are counted "
            "from the dataset."
        )
    return Section(
        key="effectiveness",
        title=EFFECTIVENESS_TITLE,
        method=method,
        values=values,
        tables=tuple(tables),
        notes=tuple(notes),
    )


def practitioners_section(
    episodes: pd.DataFrame | None,
    outcome: Variable | None,
    *,
    has_episode_table: bool,
    adjust_for_intake: bool,
    alpha: float,
) -> Section:
    method = (
        "Mean change (last minus first score) per practitioner, shrunk toward the practice "
        "mean: empirical-Bayes estimates from a random-intercept model of change"
        + (" adjusted for the intake score (case mix)" if adjust_for_intake else "")
        + " (REML), so a practitioner with few clients is pulled toward the mean and not "
        "ranked first by chance; ICC: the share of change variance between practitioners.",
        "The plot shows each practitioner's shrunken estimate with its interval, sorted, the "
        "raw mean as an open circle and the practice mean as a dashed line.",
    )
    if not has_episode_table:
        return Section(
            "practitioners",
            PRACTITIONERS_TITLE,
            method,
            "No episodes table, so the practitioner of each episode is unknown.",
        )
    if outcome is None or episodes is None:
        return Section(
            "practitioners", PRACTITIONERS_TITLE, method, "The data have no outcome scores."
        )
    known = episodes[episodes["practitioner"] != ""]
    complete = known[known[["pre", "post"]].notna().all(axis=1)]
    n_practitioners = int(complete["practitioner"].nunique())
    if n_practitioners < 3:
        return Section(
            "practitioners",
            PRACTITIONERS_TITLE,
            method,
            f"{n_practitioners} practitioner(s) have episodes with a first and a last "
            f"{outcome.name} score; at least 3 are needed to compare them.",
        )
    try:
        better = outcome_criteria(outcome).better
        result = practitioner_effects(
            known,
            "practitioner",
            "pre",
            "post",
            better=better,
            adjust_for_intake=adjust_for_intake,
            alpha=alpha,
        )
    except FAILURES as exc:
        return Section("practitioners", PRACTITIONERS_TITLE, method, f"Not estimated: {exc}")
    table = result.table
    ci = f"{100 * (1 - alpha):g}% CI"
    reference = float(result.fixed_effects.iloc[0])
    ordered = table.sort_values(["estimate", "practitioner"], ascending=[better == "lower", True])
    figure = caterpillar(
        [
            Interval(str(who), estimate, low, high, raw)
            for who, estimate, low, high, raw in zip(
                ordered["practitioner"],
                ordered["estimate"].to_numpy(dtype=float),
                ordered["ci_low"].to_numpy(dtype=float),
                ordered["ci_high"].to_numpy(dtype=float),
                ordered["raw_mean_change"].to_numpy(dtype=float),
                strict=True,
            )
        ],
        reference,
        f"Practitioners: shrunken mean change in {outcome.name}",
        f"mean change in {outcome.name} (last - first; {better} is better)",
        ci,
    )
    values = {
        "outcome": outcome.name,
        "better": better,
        "tau2": result.tau2,
        "sigma2": result.sigma2,
        "icc": result.icc,
        "practice_mean": reference,
        "n_clients": result.n_clients,
        "n_practitioners": result.n_practitioners,
        "converged": result.converged,
    }
    notes = [f"statsmodels: {w}" for w in result.warnings]
    if result.tau2 == 0:
        notes.insert(
            0,
            "The practitioner variance is estimated as 0: every practitioner gets "
            "the practice mean and they share one rank.",
        )
    return Section(
        key="practitioners",
        title=PRACTITIONERS_TITLE,
        method=method,
        values=values,
        tables=(Table("practitioners", f"Practitioners, best first ({ci})", table),),
        figures=(Figure("caterpillar", f"Shrunken mean change per practitioner ({ci})", figure),),
        notes=tuple(notes),
    )
