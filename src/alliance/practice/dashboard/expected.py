"""Expected-treatment-response (ETR) models of an organisation: fitted, stored and loaded.

``fit_organisation_models(org)`` refits the organisation's models, one per outcome
instrument (client-rated ``total``), on its own finished episodes (those with an end date,
whatever the reason: leaving out drop-outs would make the expected course look better than
the practice's real one).  A model needs at least ``MIN_REFERENCE_EPISODES`` finished
episodes with two or more scored sessions (session 1 or later), and ``etr.fit``'s own checks
(at least 10 scores at each covered session); below that no model is fitted and an existing
one is kept.  ``etr_models`` loads the stored models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from alliance.measures import all_instruments
from alliance.practice.accounts.models import Organisation
from alliance.practice.dashboard.history import load_history
from alliance.practice.dashboard.models import ExpectedResponseModel

if TYPE_CHECKING:  # the statistics stack loads only where a model is fitted or used
    from alliance.feedback.etr import EtrModel


#: Finished episodes (with two or more scored sessions) an organisation needs before its
#: expected trajectory for an instrument is fitted.  With fewer, the 90th-percentile warning
#: boundary rests on a handful of clients per session and would flag at random.
MIN_REFERENCE_EPISODES = 40
ETR_SCALE = "total"


def outcome_instruments() -> list[str]:
    """Instruments with an expected-trajectory model: outcome measures whose total has
    change parameters (direction and reliable change)."""
    out = []
    for inst in all_instruments():
        scale = inst.scale_index.get(ETR_SCALE)
        if inst.kind == "outcome" and scale is not None and scale.change is not None:
            out.append(inst.id)
    return out


def _parse_model(data: Any, origin: str) -> EtrModel:
    from alliance.feedback.etr import EtrModel

    return EtrModel.from_json_dict(data, origin=origin)


def etr_models(
    *, organisation_id: int | None = None, client_id: int | None = None
) -> dict[str, EtrModel]:
    """The organisation's fitted models by instrument id (one query; none -> {} without
    loading the statistics stack)."""
    records = ExpectedResponseModel.objects.filter(scale=ETR_SCALE)
    if organisation_id is not None:
        records = records.filter(organisation_id=organisation_id)
    if client_id is not None:
        records = records.filter(organisation__clients=client_id)
    out = {}
    for instrument_id, data in records.values_list("instrument_id", "model"):
        out[instrument_id] = _parse_model(data, f"ETR model {instrument_id}")
    return out


@dataclass(frozen=True)
class FitReport:
    organisation: str
    instrument: str
    n_episodes: int
    fitted: bool
    message: str


def fit_organisation_models(org: Organisation) -> list[FitReport]:
    """Refit the organisation's models on its finished episodes (module docstring)."""
    from alliance.feedback.errors import FeedbackError
    from alliance.feedback.etr import fit

    instruments = outcome_instruments()
    history = load_history(
        organisation_id=org.pk,
        episodes="finished",
        instruments=instruments,
        respondent="client",
        scale=ETR_SCALE,
    ).frame
    scored = history[history["score"].notna() & (history["session"] >= 1)]
    reports = []
    for instrument_id in instruments:
        sub = scored[scored["instrument"] == instrument_id]
        per_episode = sub.groupby("episode")["session"].nunique()
        n_episodes = int((per_episode >= 2).sum())
        if n_episodes < MIN_REFERENCE_EPISODES:
            if n_episodes:
                reports.append(
                    FitReport(
                        org.name,
                        instrument_id,
                        n_episodes,
                        False,
                        f"{n_episodes} finished episodes with two or more scores; "
                        f"{MIN_REFERENCE_EPISODES} needed: no new model",
                    )
                )
            continue
        try:
            model = fit(
                sub[["client_id", "session", "score"]],
                instrument_id,
                scale=ETR_SCALE,
                percentile=settings.ETR_PERCENTILE,
                source=f"{org.slug} {instrument_id}",
            )
        except FeedbackError as exc:
            reports.append(FitReport(org.name, instrument_id, n_episodes, False, str(exc)))
            continue
        ExpectedResponseModel.objects.update_or_create(
            organisation=org,
            instrument_id=instrument_id,
            scale=ETR_SCALE,
            defaults={
                "model": model.to_json_dict(),
                "fitted_at": timezone.now(),
                "n_episodes": model.fitted_on.n_episodes,
            },
        )
        reports.append(
            FitReport(
                org.name,
                instrument_id,
                model.fitted_on.n_episodes,
                True,
                f"fitted on {model.fitted_on.n_episodes} finished episodes, sessions "
                f"{model.first_session}-{model.last_session}",
            )
        )
    return reports
