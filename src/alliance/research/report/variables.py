"""Which variables a report analyses, and the frames it analyses them in.

- Alliance variables: every score variable of an instrument of kind ``alliance`` (the WAI-SR's
  goal, task, bond and total, the SRS total, the practitioner's WAI-SR-T, the caregiver's
  TASC-P).  Outcome variables: every scale of an instrument of kind ``outcome`` or
  ``wellbeing`` with a direction of improvement in its definition (the PHQ-9, GAD-7, CORE-10,
  K10 and ORS totals; WHO-5, SWLS, Flourishing, (S)WEMWBS; not the SWEMWBS raw sum, which is
  the same answers before conversion).
- The primary alliance variable (for the models) is the first present of
  ``PRIMARY_ALLIANCE``, else the first alliance total; the primary outcome is the outcome
  variable answered by the client (before caregivers' answers), of kind ``outcome`` before
  ``wellbeing``, with the most scores, ties in variable order.
- Frames: ``sessions`` is the wide format (one row per pid x episode x session) with a
  ``case`` column ``<pid>/<episode>`` (a client's episode: sessions restart at each episode)
  and the episode's practitioner; ``client_means`` one row per pid with each variable's mean
  over all the client's sessions; ``episode_outcomes`` one row per episode with the first and
  last outcome score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from alliance.measures.errors import MeasureError
from alliance.measures.registry import get_instrument

from ..codebook import WIDE_KEYS, score_variables
from ..datasets import wide_format
from .inputs import ReportInput

PRIMARY_ALLIANCE = (
    "wai_sr_total",
    "srs_total",
    "wai_sr_t_total_practitioner",
    "tasc_p_total_caregiver",
)
OUTCOME_KINDS = ("outcome", "wellbeing")


@dataclass(frozen=True)
class Variable:
    """A score variable of the wide format: ``role`` is ``alliance``, ``outcome`` or ``other``;
    ``better`` the direction of improvement (outcome variables only)."""

    name: str
    instrument: str
    scale: str
    respondent: str
    kind: str
    role: Literal["alliance", "outcome", "other"]
    label: str
    better: Literal["lower", "higher"] | None
    n_scores: int


def describe_variables(report_input: ReportInput) -> list[Variable]:
    """Every score variable of the input, in the wide format's order."""
    long = report_input.long
    labels: dict[str, str] = {}
    if report_input.codebook is not None:
        book = report_input.codebook
        labels = dict(zip(book["variable"].astype(str), book["label"].astype(str), strict=True))
    counts = long[long["score"].notna()].groupby(["instrument", "scale", "respondent"]).size()
    out = []
    for instrument_id, scale_id, respondent, name in score_variables(long).itertuples(
        index=False, name=None
    ):
        key = (str(instrument_id), str(scale_id), str(respondent))
        kind, title = "unknown", f"{instrument_id} {scale_id}"
        better: Literal["lower", "higher"] | None = None
        try:
            inst = get_instrument(key[0])
        except MeasureError:
            inst = None
        scale = inst.scale_index.get(key[1]) if inst is not None else None
        if inst is not None and scale is not None:
            kind, title = inst.kind, f"{inst.title}: {scale.title}"
            if scale.change is not None:
                better = "lower" if scale.change.direction == "lower-is-better" else "higher"
        who = "" if respondent == "client" else f" ({respondent})"
        role: Literal["alliance", "outcome", "other"] = "other"
        if kind == "alliance":
            role = "alliance"
        elif kind in OUTCOME_KINDS and better is not None:
            role = "outcome"
        out.append(
            Variable(
                name=str(name),
                instrument=key[0],
                scale=key[1],
                respondent=key[2],
                kind=kind,
                role=role,
                label=labels.get(str(name), title + who),
                better=better if role == "outcome" else None,
                n_scores=int(counts.get(key, 0)),
            )
        )
    return out


def primary_alliance(variables: list[Variable]) -> Variable | None:
    alliance = [v for v in variables if v.role == "alliance" and v.n_scores > 0]
    for name in PRIMARY_ALLIANCE:
        for v in alliance:
            if v.name == name:
                return v
    totals = [v for v in alliance if v.scale == "total"]
    chosen = totals or alliance
    return chosen[0] if chosen else None


def primary_outcome(variables: list[Variable]) -> Variable | None:
    outcomes = [v for v in variables if v.role == "outcome" and v.n_scores > 0]
    if not outcomes:
        return None
    order = {v.name: k for k, v in enumerate(outcomes)}
    return min(
        outcomes,
        key=lambda v: (
            v.respondent != "client",
            OUTCOME_KINDS.index(v.kind),
            -v.n_scores,
            order[v.name],
        ),
    )


def sessions_frame(report_input: ReportInput) -> pd.DataFrame:
    """The wide format with ``case`` (``<pid>/<episode>``) and ``practitioner`` ('' when the
    episodes table is absent or has none) after the wide keys."""
    wide = wide_format(report_input.long)
    case = wide["pid"].astype(str) + "/" + wide["episode"].astype(str)
    practitioner = pd.Series("", index=wide.index, dtype=object)
    if report_input.episodes is not None:
        episodes = report_input.episodes.set_index(["pid", "episode"])["practitioner"]
        keys = pd.MultiIndex.from_frame(wide[["pid", "episode"]])
        practitioner = pd.Series(
            episodes.reindex(keys).fillna("").to_numpy(dtype=object), index=wide.index
        )
    keys_end = len(WIDE_KEYS)
    wide.insert(keys_end, "case", case)
    wide.insert(keys_end + 1, "practitioner", practitioner.astype(str))
    return wide


def client_means(sessions: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per pid: the mean of each variable over all the client's sessions (missing
    scores left out; NaN when the client has none)."""
    means = sessions.groupby("pid", sort=True)[names].mean()
    return means.reset_index()


def episode_outcomes(
    report_input: ReportInput, sessions: pd.DataFrame, outcome: str
) -> pd.DataFrame:
    """One row per episode with an ``outcome`` score: ``case``, ``pid``, ``episode``,
    ``practitioner``, ``kind``, ``ending_reason`` (from the episodes table, '' when absent),
    ``sessions`` (``sessions_attended``, or without an episodes table the number of sessions
    in the dataset), ``n_scores`` (sessions with an outcome score), ``pre`` (the first score)
    and ``post`` (the last score when there are at least two, else NaN)."""
    scored = sessions[sessions[outcome].notna()].sort_values(["case", "session"])
    grouped = scored.groupby("case", sort=True)
    out = pd.DataFrame(
        {
            "pid": grouped["pid"].first(),
            "episode": grouped["episode"].first(),
            "n_scores": grouped[outcome].count().astype("int64"),
            "pre": grouped[outcome].first(),
            "post": grouped[outcome].last(),
        }
    )
    out.loc[out["n_scores"] < 2, "post"] = np.nan
    out = out.rename_axis("case").reset_index()
    if report_input.episodes is not None:
        info = report_input.episodes.set_index(["pid", "episode"])
        keys = pd.MultiIndex.from_frame(out[["pid", "episode"]])
        for column in ("practitioner", "kind", "ending_reason"):
            out[column] = info[column].reindex(keys).fillna("").to_numpy(dtype=object)
        out["sessions"] = info["sessions_attended"].reindex(keys).to_numpy(dtype=float)
    else:
        for column in ("practitioner", "kind", "ending_reason"):
            out[column] = ""
        counted = sessions.groupby("case")["session"].nunique()
        out["sessions"] = counted.reindex(out["case"]).to_numpy(dtype=float)
    order = ["case", "pid", "episode", "practitioner", "kind", "ending_reason", "sessions"]
    return out[[*order, "n_scores", "pre", "post"]]
