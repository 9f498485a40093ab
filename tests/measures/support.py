"""Test helpers for instrument tests: score one response both ways and check they agree."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from alliance.measures import ScoreResult, get_instrument, score, score_frame


def score_both(
    instrument_id: str,
    answers: Mapping[str, object],
    *,
    weights: Mapping[str, float] | None = None,
) -> ScoreResult:
    """Score with ``score`` and with ``score_frame`` (a one-row frame); assert they agree."""
    result = score(instrument_id, answers, weights=weights)
    inst = get_instrument(instrument_id)
    row = {item_id: [answers.get(item_id)] for item_id in inst.item_ids}
    frame = pd.DataFrame(row).astype("float64")
    scored = score_frame(instrument_id, frame, weights=weights).iloc[0]
    for scale in inst.scales:
        got = scored[scale.id]
        want = result.scores[scale.id]
        if want is None:
            assert math.isnan(got), f"{scale.id}: score_frame gave {got}, score gave None"
        else:
            assert got == want, f"{scale.id}: score_frame gave {got}, score gave {want}"
        if scale.bands:
            band = scored[f"{scale.id}_band"]
            assert (None if pd.isna(band) else band) == result.bands[scale.id]
    raised = {f.id for f in inst.flags if bool(scored[f"flag_{f.id}"])}
    assert raised == set(result.flags)
    return result


def answers_in_order(instrument_id: str, values: list[float | None]) -> dict[str, float | None]:
    """Map values given in item order onto item ids."""
    ids = get_instrument(instrument_id).item_ids
    assert len(values) <= len(ids)
    return dict(zip(ids, values, strict=False))
