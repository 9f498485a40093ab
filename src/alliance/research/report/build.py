"""``build_report``: run every analysis of the report on one input."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from ..correlations import CiMethod, Method, check_options
from ..errors import ResearchError
from ..frames import check_alpha
from . import change, correlation, effects
from .change import early_section, multilevel_section
from .correlation import PAIRINGS, correlation_section
from .effects import effectiveness_section, practitioners_section
from .inputs import ReportInput
from .model import Report, Section
from .summary import summary_section
from .variables import (
    Variable,
    describe_variables,
    episode_outcomes,
    primary_alliance,
    primary_outcome,
    sessions_frame,
)

DEFAULT_TITLE = "Alliance and outcome report"
ANALYSES = ("correlations", "multilevel", "early_alliance", "effectiveness", "practitioners")
TITLES = {
    "correlations": correlation.TITLE,
    "multilevel": change.MULTILEVEL_TITLE,
    "early_alliance": change.EARLY_TITLE,
    "effectiveness": effects.EFFECTIVENESS_TITLE,
    "practitioners": effects.PRACTITIONERS_TITLE,
}
NOT_REQUESTED = "Not requested (see the analyses option)."


def _analyses(analyses: Sequence[str] | None) -> set[str]:
    if analyses is None:
        return set(ANALYSES)
    if isinstance(analyses, str):
        raise ResearchError(f"analyses: expected a list of names; got {analyses!r}")
    unknown = [a for a in analyses if a not in ANALYSES]
    if unknown:
        raise ResearchError(f"analyses: unknown {unknown}; expected some of {list(ANALYSES)}")
    return set(analyses)


def _pick(
    variables: list[Variable], names: Sequence[str] | None, role: str, option: str
) -> list[str]:
    """The variables named in an option (checked), or every variable of the role."""
    of_role = [v.name for v in variables if v.role == role and v.n_scores > 0]
    if names is None:
        return of_role
    if isinstance(names, str):
        raise ResearchError(f"{option}: expected a list of variable names; got {names!r}")
    known = [v.name for v in variables]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise ResearchError(
            f"{option}: unknown variables {unknown}; the data have {known}"
            if unknown
            else f"{option}: expected at least one variable name"
        )
    return list(dict.fromkeys(names))


def _one(variables: list[Variable], name: str | None, option: str) -> Variable | None:
    if name is None:
        return None
    for v in variables:
        if v.name == name:
            if option == "outcome" and v.better is None:
                raise ResearchError(
                    f"outcome: {name} has no direction of improvement in its definition; "
                    f"outcome variables: {[x.name for x in variables if x.role == 'outcome']}"
                )
            return v
    raise ResearchError(
        f"{option}: unknown variable {name!r}; the data have {[v.name for v in variables]}"
    )


def build_report(
    report_input: ReportInput,
    *,
    title: str = DEFAULT_TITLE,
    method: str = "spearman",
    ci: str = "fisher",
    n_boot: int = 2000,
    seed: int | None = None,
    pairing: str = "client_means",
    x: Sequence[str] | None = None,
    y: Sequence[str] | None = None,
    alliance: str | None = None,
    outcome: str | None = None,
    alliance_session: int = 3,
    control_intake: bool = True,
    adjust_for_intake: bool = True,
    alpha: float = 0.05,
    analyses: Sequence[str] | None = None,
) -> Report:
    """Build every section (see ``alliance.research.report``).

    ``method``, ``ci``, ``n_boot``, ``seed``: of the correlations (a bootstrap without a seed
    draws one and the report records it).  ``pairing``: ``client_means`` or ``session``.
    ``x`` / ``y``: the alliance and outcome variables to correlate (default: all present).
    ``alliance`` / ``outcome``: the variables of the models (default: ``PRIMARY_ALLIANCE``'s
    first present; the outcome with the most scores).  ``alliance_session``: the session of
    the early alliance.  ``control_intake``: Wooldridge's control in the multilevel model.
    ``adjust_for_intake``: case-mix adjustment of the practitioner comparison.
    ``analyses``: the sections to compute (default all of ``ANALYSES``; the others say they
    were not requested; the data summary is always there).  Bad options raise ResearchError;
    analyses the data cannot support become sections that say why.
    """
    if not isinstance(report_input, ReportInput):
        raise ResearchError(
            f"report_input: expected a ReportInput (load_report_input or "
            f"ReportInput.from_frames); got {type(report_input).__name__}"
        )
    chosen = _analyses(analyses)
    check_options(method, ci, n_boot, seed, alpha)
    check_alpha(alpha)
    if pairing not in PAIRINGS:
        raise ResearchError(f"pairing: {pairing!r}; expected one of {list(PAIRINGS)}")
    if isinstance(alliance_session, bool) or not isinstance(alliance_session, int | np.integer):
        raise ResearchError(f"alliance_session: {alliance_session!r}; expected a session number")
    variables = describe_variables(report_input)
    xs = _pick(variables, x, "alliance", "x")
    ys = _pick(variables, y, "outcome", "y")
    main_alliance = _one(variables, alliance, "alliance") or primary_alliance(variables)
    main_outcome = _one(variables, outcome, "outcome") or primary_outcome(variables)

    sessions = sessions_frame(report_input)
    has_table = report_input.episodes is not None
    episodes = None
    if main_outcome is not None:
        episodes = episode_outcomes(report_input, sessions, main_outcome.name)
    found: dict[str, Any] = {}

    def correlations() -> Section:
        section, found["frame"], found["seed"] = correlation_section(
            sessions,
            variables,
            x=xs,
            y=ys,
            pairing=pairing,  # narrowed by the check above
            method=cast(Method, method),
            ci=cast(CiMethod, ci),
            n_boot=n_boot,
            seed=seed,
            alpha=alpha,
        )
        return section

    builders: dict[str, Callable[[], Section]] = {
        "correlations": correlations,
        "multilevel": lambda: multilevel_section(
            sessions, main_alliance, main_outcome, control_intake=control_intake, alpha=alpha
        ),
        "early_alliance": lambda: early_section(
            sessions,
            main_alliance,
            main_outcome,
            alliance_session=int(alliance_session),
            alpha=alpha,
        ),
        "effectiveness": lambda: effectiveness_section(
            episodes, main_outcome, has_episode_table=has_table, alpha=alpha
        ),
        "practitioners": lambda: practitioners_section(
            episodes,
            main_outcome,
            has_episode_table=has_table,
            adjust_for_intake=adjust_for_intake,
            alpha=alpha,
        ),
    }
    sections = (
        summary_section(report_input, sessions, variables),
        *(
            builders[key]() if key in chosen else Section(key, TITLES[key], reason=NOT_REQUESTED)
            for key in ANALYSES
        ),
    )
    options: dict[str, Any] = {
        "method": method,
        "ci": ci,
        "n_boot": n_boot if ci == "bootstrap" else None,
        "seed": found.get("seed") if ci == "bootstrap" else None,
        "pairing": pairing,
        "alliance": main_alliance.name if main_alliance else None,
        "outcome": main_outcome.name if main_outcome else None,
        "alliance_session": int(alliance_session),
        "control_intake": control_intake,
        "adjust_for_intake": adjust_for_intake,
        "alpha": alpha,
        "analyses": [key for key in ANALYSES if key in chosen],
    }
    data = {"sessions": sessions}
    if found.get("frame") is not None:
        data["correlations"] = found["frame"]
    if episodes is not None:
        data["episodes"] = episodes
    return Report(title, report_input.source, options, sections, data)
