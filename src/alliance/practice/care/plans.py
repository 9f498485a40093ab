"""The default measure plan: outcome measure before, alliance measure after each session."""

from __future__ import annotations

from alliance.practice.care.models import Episode, MeasurePlanEntry

DEFAULT_PLANS = {
    Episode.Kind.THERAPY: ("phq9", "wai-sr"),
    Episode.Kind.COACHING: ("ors", "srs"),
}


def apply_default_plan(episode: Episode) -> list[MeasurePlanEntry]:
    outcome, alliance = DEFAULT_PLANS[Episode.Kind(episode.kind)]
    return MeasurePlanEntry.objects.bulk_create(
        [
            MeasurePlanEntry(
                episode=episode,
                instrument_id=outcome,
                respondent="client",
                timing=MeasurePlanEntry.Timing.BEFORE,
            ),
            MeasurePlanEntry(
                episode=episode,
                instrument_id=alliance,
                respondent="client",
                timing=MeasurePlanEntry.Timing.AFTER,
            ),
        ]
    )
