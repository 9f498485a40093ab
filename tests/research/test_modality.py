"""Alliance and progress by modality: a worked example computed by hand, and agreement with a
row-by-row computation on random data.  POMP: Cohen, Cohen, Aiken & West 1999."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from alliance.research.errors import ResearchError
from alliance.research.modality import SUMMARY_COLUMNS, modality_summary


def row(episode, session, modality, kind, instrument, score, concern=False):
    facts = {"srs": (0, 40, True), "phq9": (0, 27, False), "ors": (0, 40, True)}
    low, high, higher = facts[instrument]
    return dict(
        episode=episode,
        session=session,
        modality=modality,
        kind=kind,
        instrument=instrument,
        score=score,
        low=low,
        high=high,
        higher_is_better=higher,
        concern=concern,
    )


def test_a_worked_example_by_hand():
    frame = pd.DataFrame(
        [
            # episode 1: PHQ-9 18 -> 15 (in person) -> 9 (video); SRS 36, 30 (video, low)
            row(1, 1, "in_person", "outcome", "phq9", 18),
            row(1, 1, "in_person", "alliance", "srs", 36),
            row(1, 2, "in_person", "outcome", "phq9", 15),
            row(1, 3, "video", "outcome", "phq9", 9),
            row(1, 3, "video", "alliance", "srs", 30, concern=True),
            # episode 2: ORS 20 -> 24 by video; SRS 38 by video
            row(2, 1, "video", "outcome", "ors", 20),
            row(2, 2, "video", "outcome", "ors", 24),
            row(2, 2, "video", "alliance", "srs", 38),
        ]
    )
    table = modality_summary(frame).set_index("modality")
    assert list(table.reset_index().columns) == list(SUMMARY_COLUMNS)
    person, video = table.loc["in_person"], table.loc["video"]
    assert (person.sessions, person.episodes, video.sessions, video.episodes) == (2, 1, 3, 2)
    # alliance POMP: in person 36/40 = 90; video (30/40 + 38/40) / 2 = (75 + 95) / 2 = 85
    assert person.alliance_mean == pytest.approx(90.0)
    assert video.alliance_mean == pytest.approx(85.0)
    assert (person.alliance_low, video.alliance_low) == (0.0, 0.5)
    # progress: in person PHQ-9 18 -> 15: +3/27 = 11.11; video 15 -> 9: +6/27 = 22.22 and
    # ORS 20 -> 24: +4/40 = 10, mean 16.11
    assert person.change_n == 1 and person.change_mean == pytest.approx(100 * 3 / 27)
    assert video.change_n == 2
    assert video.change_mean == pytest.approx((100 * 6 / 27 + 10.0) / 2)
    assert table.loc["phone"].sessions == 0 and math.isnan(table.loc["phone"].alliance_mean)


def test_it_agrees_with_a_row_by_row_computation_on_random_data():
    rng = np.random.default_rng(5)
    rows = []
    for episode in range(40):
        for session in range(1, int(rng.integers(2, 12))):
            modality = str(rng.choice(["in_person", "video", "phone", "text"]))
            if rng.random() < 0.9:
                rows.append(row(episode, session, modality, "outcome", "phq9", rng.integers(0, 28)))
            rows.append(row(episode, session, modality, "alliance", "srs", rng.uniform(20, 40)))
    frame = pd.DataFrame(rows).sample(frac=1, random_state=1)  # order must not matter
    table = modality_summary(frame).set_index("modality")
    changes: dict[str, list[float]] = {}
    for _, rows_of in frame[frame.kind == "outcome"].groupby("episode"):
        ordered = rows_of.sort_values("session").to_dict("records")
        for before, after in itertools.pairwise(ordered):
            change = -(after["score"] - before["score"]) / 27 * 100
            changes.setdefault(after["modality"], []).append(change)
    for modality, values in changes.items():
        assert table.loc[modality, "change_n"] == len(values)
        assert table.loc[modality, "change_mean"] == pytest.approx(np.mean(values))
    alliance = frame[frame.kind == "alliance"]
    for modality, rows_of in alliance.groupby("modality"):
        expected = np.mean([r / 40 * 100 for r in rows_of.score])
        assert table.loc[modality, "alliance_mean"] == pytest.approx(expected)


def test_bad_input_is_named():
    with pytest.raises(ResearchError, match=r"no column \['modality'\]"):
        modality_summary(
            pd.DataFrame([row(1, 1, "video", "outcome", "phq9", 3)]).drop(columns=["modality"])
        )
    with pytest.raises(ResearchError, match=r"unknown values \['carrier pigeon'\]"):
        modality_summary(pd.DataFrame([row(1, 1, "carrier pigeon", "outcome", "phq9", 3)]))
