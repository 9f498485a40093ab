"""What a research project includes, read from the database (still identifiable: only
``alliance.practice.studies.export`` turns it into a de-identified dataset).

Included: the organisation's clients whose research consent scope is de-identified or
process studies with a consent date on or before the export day; of them, the scale scores of
responses to the project's instruments dated in the project's period.  A response is dated by
its session; a response without a session counts at the latest session of its episode dated
on or before the day it was answered, or at session 0 (before the first session) dated that
day when there is none (the rule of ``alliance.practice.dashboard.history``).  When one
respondent answered the same instrument twice at one session, the latest stored response
(the highest id) counts, as on the dashboard.

Only allow-listed columns are read: ids, session numbers and dates, modality, respondent,
instrument, scale and score; names, contact details, comments and notes never leave the
database here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from alliance.practice.care.models import Assignment, Client, Episode, Session
from alliance.practice.collect.models import ScaleScore
from alliance.practice.studies.models import CONSENTED_SCOPES, ResearchProject

SCORE_FIELDS = {
    "response": "response_id",
    "client": "response__client_id",
    "episode": "response__episode_id",
    "session": "response__session__number",
    "date": "response__session__date",
    "modality": "response__session__modality",
    "answered": "answered",  # only for responses without a session (see project_rows)
    "respondent": "response__respondent",
    "instrument": "response__instrument_id",
    "scale": "scale_id",
    "score": "value",
    "intake": "response__episode__started",
}
EPISODE_FIELDS = ("episode", "client", "kind", "ended", "ending_reason", "sessions_attended")


@dataclass(frozen=True)
class ProjectRows:
    """``scores``: the input of ``alliance.research.datasets.long_format`` (client and
    episode are primary keys; ``intake`` the episode's start) plus ``response`` (its id);
    ``episodes``: one row per included episode with its ``practitioner`` (user id of the
    client's first assignment, or missing)."""

    scores: pd.DataFrame
    episodes: pd.DataFrame

    @property
    def n_clients(self) -> int:
        return int(self.scores["client"].nunique())

    @property
    def n_episodes(self) -> int:
        return len(self.episodes)

    @property
    def n_responses(self) -> int:
        return int(self.scores["response"].nunique())


def consented_clients(project: ResearchProject, on: date) -> QuerySet[Client]:
    """The organisation's clients with research consent recorded on or before ``on``."""
    return Client.objects.filter(
        organisation=project.organisation,
        research_consent_scope__in=CONSENTED_SCOPES,
        research_consent_date__lte=on,
    )


def project_rows(project: ResearchProject, on: date | None = None) -> ProjectRows:
    """The project's scores and episodes as of the day ``on`` (default today)."""
    on = on or timezone.localdate()
    clients = consented_clients(project, on).values("pk")
    scope = Q(response__client__in=clients, response__instrument_id__in=project.instruments)
    answered = Case(When(response__session__isnull=True, then=F("response__submitted_at")))
    rows = (
        ScaleScore.objects.filter(scope)
        .annotate(answered=answered)
        .values_list(*SCORE_FIELDS.values())
    )
    scores = pd.DataFrame.from_records(list(rows), columns=list(SCORE_FIELDS))
    scores = _place_sessionless(scores)
    scores = scores[_in_period(scores["date"], project)]
    scores = _latest_responses(scores)
    scores["score"] = pd.to_numeric(scores["score"], errors="coerce").astype(np.float64)
    scores = scores.drop(columns="answered").reset_index(drop=True)
    return ProjectRows(scores, _episodes(scores["episode"].unique().tolist()))


def _local_days(moments: pd.Series) -> pd.Series:
    return pd.Series([timezone.localdate(m) for m in moments], index=moments.index, dtype=object)


def _place_sessionless(scores: pd.DataFrame) -> pd.DataFrame:
    loose = scores["session"].isna()
    if not loose.any():
        return scores
    placed = scores[loose].assign(answered_day=_local_days(scores.loc[loose, "answered"]))
    sessions = pd.DataFrame.from_records(
        list(
            Session.objects.filter(episode_id__in=placed["episode"].unique().tolist())
            .order_by("date", "number")
            .values_list("episode_id", "number", "date", "modality")
        ),
        columns=["episode", "s_number", "s_date", "s_modality"],
    )
    placed["order"] = np.arange(len(placed))
    merged = pd.merge_asof(
        placed.assign(when=pd.to_datetime(placed["answered_day"])).sort_values("when"),
        sessions.assign(when=pd.to_datetime(sessions["s_date"])).sort_values("when"),
        on="when",
        by="episode",
        direction="backward",
    ).sort_values("order")
    found = merged["s_number"].notna().to_numpy()
    out = scores.copy()
    index = scores.index[loose]
    out.loc[index, "session"] = np.where(found, merged["s_number"], 0)
    out.loc[index, "date"] = np.where(found, merged["s_date"], merged["answered_day"])
    out.loc[index, "modality"] = np.where(found, merged["s_modality"], None)
    return out


def _in_period(dates: pd.Series, project: ResearchProject) -> np.ndarray:
    keep = np.ones(len(dates), dtype=bool)
    if project.period_start is not None:
        keep &= (dates >= project.period_start).to_numpy(dtype=bool)
    if project.period_end is not None:
        keep &= (dates <= project.period_end).to_numpy(dtype=bool)
    return keep


def _latest_responses(scores: pd.DataFrame) -> pd.DataFrame:
    keys = ["episode", "session", "instrument", "respondent"]
    latest = scores.groupby(keys, sort=False)["response"].transform("max")
    return scores[scores["response"] == latest]


def _episodes(ids: list[int]) -> pd.DataFrame:
    attended = Count("sessions", filter=Q(sessions__status=Session.Status.ATTENDED))
    rows = (
        Episode.objects.filter(pk__in=ids)
        .annotate(sessions_attended=attended)
        .order_by("pk")
        .values_list("pk", "client_id", "kind", "ended", "ending_reason", "sessions_attended")
    )
    episodes = pd.DataFrame.from_records(list(rows), columns=list(EPISODE_FIELDS))
    first = (
        Assignment.objects.filter(client_id__in=episodes["client"].unique().tolist())
        .order_by("client_id", "pk")
        .values_list("client_id", "practitioner_id")
    )
    practitioners: dict[int, int] = {}
    for client, practitioner in first:
        practitioners.setdefault(client, practitioner)
    episodes["practitioner"] = episodes["client"].map(practitioners).astype("Int64")
    return episodes
