"""Alliance and progress by session modality (in person, video, phone, text).

Does online work build collaboration as well as in-person work?  ``modality_summary`` puts the
alliance and the outcome of every session on common scales and groups them by the modality of
the session:

- Alliance: each client-rated alliance total as a percentage of the maximum possible (POMP,
  ``100 (score - min) / (max - min)``; Cohen P, Cohen J, Aiken LS, West SG. The problem of
  units and the circumstance for POMP. Multivariate Behav Res 1999;34(3):315-346), so that
  SRS, WAI-SR and other forms can be averaged together.  ``alliance_mean`` is the mean POMP
  of the sessions of a modality; ``alliance_low`` the share of those ratings below the
  instrument's concern threshold (when ``low`` is given).
- Progress: for each outcome instrument of an episode, the change from the previous scored
  session to this one, in POMP points and signed so that a positive change is an improvement
  (``direction``); it counts for the modality of the later session.  ``change_mean`` is the
  mean of these session-to-session changes: the average progress made over a session of
  that modality.

Input, one row per score: ``episode``, ``session`` (number), ``modality``, ``kind``
(``alliance`` or ``outcome``), ``instrument``, ``score``, ``low`` and ``high`` (the scale's
range), ``higher_is_better`` (bool) and, optionally, ``concern`` (a boolean: the score is
below the instrument's concern threshold).  Output: one row per modality (in
``MODALITY_ORDER``), columns ``SUMMARY_COLUMNS``; means are NaN where there is nothing to
average.  Sessions are grouped as they are: the same client may contribute to several
modalities, and the rows of a client are not independent, so these are descriptive figures,
not a test of a difference.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import ResearchError

MODALITY_ORDER = ("in_person", "video", "phone", "text")
INPUT_COLUMNS = (
    "episode",
    "session",
    "modality",
    "kind",
    "instrument",
    "score",
    "low",
    "high",
    "higher_is_better",
)
SUMMARY_COLUMNS = (
    "modality",
    "sessions",
    "episodes",
    "alliance_n",
    "alliance_mean",
    "alliance_low",
    "change_n",
    "change_mean",
)


def pomp(score: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """Percent of maximum possible: ``100 (score - low) / (high - low)``."""
    return 100.0 * (score - low) / (high - low)


def session_changes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Session-to-session outcome change in signed POMP points (positive = better), per
    episode and instrument, attributed to the later session: columns ``modality``,
    ``change``."""
    ordered = outcomes.sort_values(["episode", "instrument", "session"], kind="stable")
    value = pomp(ordered["score"], ordered["low"], ordered["high"])
    sign = np.where(ordered["higher_is_better"].to_numpy(dtype=bool), 1.0, -1.0)
    previous = value.groupby([ordered["episode"], ordered["instrument"]], sort=False).shift(1)
    change = sign * (value - previous)
    out = pd.DataFrame({"modality": ordered["modality"], "change": change})
    return out[out["change"].notna()]


def modality_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Alliance and progress by session modality (module docstring)."""
    lacking = [c for c in INPUT_COLUMNS if c not in frame.columns]
    if lacking:
        raise ResearchError(f"modality: no column {lacking}; needed {list(INPUT_COLUMNS)}")
    unknown = sorted(set(frame["modality"].astype(str)) - set(MODALITY_ORDER))
    if unknown:
        raise ResearchError(f"modality: unknown values {unknown}; allowed {list(MODALITY_ORDER)}")
    scored = frame[frame["score"].notna()]
    alliance = scored[scored["kind"] == "alliance"]
    alliance_pomp = pomp(alliance["score"], alliance["low"], alliance["high"])
    changes = session_changes(scored[scored["kind"] == "outcome"])
    rows = []
    for modality in MODALITY_ORDER:
        here = scored[scored["modality"] == modality]
        in_alliance = (alliance["modality"] == modality).to_numpy()
        values = alliance_pomp[in_alliance]
        concern = (
            alliance.loc[in_alliance, "concern"].astype(bool)
            if "concern" in alliance.columns
            else None
        )
        change = changes.loc[changes["modality"] == modality, "change"]
        rows.append(
            {
                "modality": modality,
                "sessions": len(here[["episode", "session"]].drop_duplicates()),
                "episodes": int(here["episode"].nunique()),
                "alliance_n": len(values),
                "alliance_mean": float(values.mean()) if len(values) else float("nan"),
                "alliance_low": float(concern.mean())
                if concern is not None and len(concern)
                else float("nan"),
                "change_n": len(change),
                "change_mean": float(change.mean()) if len(change) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


__all__ = [
    "INPUT_COLUMNS",
    "MODALITY_ORDER",
    "SUMMARY_COLUMNS",
    "modality_summary",
    "pomp",
    "session_changes",
]
