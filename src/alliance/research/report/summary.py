"""Section 1 of the report: what the data hold."""

from __future__ import annotations

import pandas as pd

from alliance.measures.errors import MeasureError
from alliance.measures.registry import get_instrument

from .inputs import ReportInput
from .model import Section, Table
from .variables import Variable


def summary_section(
    report_input: ReportInput, sessions: pd.DataFrame, variables: list[Variable]
) -> Section:
    """Counts of clients, episodes, sessions and scores, and one row per instrument."""
    long = report_input.long
    scored = long[long["score"].notna()]
    role_of = {v.instrument: v.role for v in variables}
    rows = []
    for instrument, part in long.groupby("instrument", sort=True):
        title: str
        kind: str
        answered = part[part["score"].notna()]
        present = list(dict.fromkeys(part["scale"].astype(str)))
        try:
            inst = get_instrument(str(instrument))
            title, kind = inst.title, str(inst.kind)
            order = [s.id for s in inst.scales]
            present.sort(key=lambda s: order.index(s) if s in order else len(order))
        except MeasureError:
            title, kind = "(not in this installation's library)", "unknown"
        role = role_of.get(str(instrument), "other")
        rows.append(
            {
                "instrument": str(instrument),
                "title": title,
                "kind": kind,
                "respondents": ", ".join(sorted(part["respondent"].unique())),
                "scales": ", ".join(present),
                "n_clients": int(answered["pid"].nunique()),
                "n_sessions": int(
                    answered[["pid", "episode", "session"]].drop_duplicates().shape[0]
                ),
                "n_scores": len(answered),
                "analysed_as": role if role != "other" else "not analysed",
            }
        )
    instruments = pd.DataFrame(rows)
    per_episode = sessions.groupby("case")["session"].nunique()
    values: dict[str, object] = {
        "n_clients": int(long["pid"].nunique()),
        "n_episodes": int(sessions["case"].nunique()),
        "n_sessions": len(sessions),
        "n_scores": len(scored),
        "n_instruments": int(long["instrument"].nunique()),
        "sessions_per_episode_median": float(per_episode.median()),
        "episodes_table": report_input.episodes is not None,
    }
    tables = [Table("instruments", "Instruments in the data", instruments)]
    notes = []
    if report_input.episodes is not None:
        episodes = report_input.episodes
        ending = episodes["ending_reason"].replace("", "ongoing")
        counts = (
            episodes.assign(ending_reason=ending, kind=episodes["kind"].replace("", "unknown"))
            .groupby(["kind", "ending_reason"], sort=True)
            .size()
            .rename("n_episodes")
            .reset_index()
        )
        tables.append(Table("episodes", "Episodes by kind and ending", counts))
        values["n_practitioners"] = int(
            episodes.loc[episodes["practitioner"] != "", "practitioner"].nunique()
        )
    else:
        notes.append(
            "No episodes table: practitioners, kinds of care and ending reasons are unknown, "
            "so the drop-out rate and the practitioner comparison are left out."
        )
    return Section(
        key="summary",
        title="Data",
        method=(
            f"Source: {report_input.source}. A client is a pseudonymous pid; an episode is one "
            "course of care of a client (sessions are numbered within it); a session is one "
            "pid x episode x session row of the wide format.",
        ),
        values=values,
        tables=tuple(tables),
        notes=tuple(notes),
    )
