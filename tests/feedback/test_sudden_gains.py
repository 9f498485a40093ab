"""Sudden gains and losses (Tang & DeRubeis 1999; missing-data rule of Lutz et al. 2013).

Hand-made series test each criterion at its boundary; the worked examples of the suddengains
tutorial (Wiedemann et al. 2020, ``check_interval``) test criterion 3 and its critical values;
the package's published list of 24 gains in ``sgdata`` (../shared/reference-data) is
reproduced row by row.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alliance.feedback.errors import FeedbackError
from alliance.feedback.sudden_gains import (
    EVENT_COLUMNS,
    check_interval,
    client_sudden_gains,
    sudden_gains,
)

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data"
NAN = float("nan")


def reference(name: str) -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent")
    return REFERENCE / name


def sessions_of(scores: list[float]) -> list[int]:
    return list(range(1, len(scores) + 1))


def gains(scores: list[float], **options: object) -> list[tuple[float, float]]:
    """(pregain session, magnitude) of every event in a series of sessions 1, 2, ..."""
    found = client_sudden_gains(sessions_of(scores), scores, **options)
    return [(event.pregain_session, event.magnitude) for event in found]


def sgdata_long() -> pd.DataFrame:
    """sgdata's BDI sessions 1-12 in long format, rows with a missing score left out."""
    wide = pd.read_csv(reference("sgdata.csv"))
    columns = [f"bdi_s{n}" for n in range(1, 13)]
    long = wide.melt(id_vars="id", value_vars=columns, var_name="session", value_name="bdi")
    long["session"] = long["session"].str.removeprefix("bdi_s").astype(int)
    return long.dropna(subset=["bdi"]).sample(frac=1.0, random_state=1).reset_index(drop=True)


# ---------------------------------------------------------------- criterion 1: cutoff


def test_a_drop_of_exactly_the_cutoff_is_a_gain():
    # 20 -> 13: change 7 >= 7; 7 >= 25% of 20; means 20 vs 13, pooled SD 1
    assert gains([21, 19, 20, 13, 12, 14]) == [(3, 7.0)]


def test_a_drop_one_point_below_the_cutoff_is_not_a_gain():
    assert gains([21, 19, 20, 14, 12, 14]) == []


def test_the_cutoff_can_be_lowered():
    assert gains([21, 19, 20, 14, 12, 14], cutoff=6) == [(3, 6.0)]


def test_the_cutoff_defaults_to_the_instruments_reliable_change():
    # PHQ-9: reliable change 6 (NHS Talking Therapies manual), lower is better
    assert gains([21, 19, 20, 14, 12, 14], instrument="phq9") == [(3, 6.0)]


# ---------------------------------------------------------------- criterion 2: 25%


def test_a_drop_of_exactly_a_quarter_of_the_pregain_score_is_a_gain():
    # 28 -> 21: 7 = 25% of 28
    assert gains([29, 27, 28, 21, 20, 22]) == [(3, 7.0)]


def test_a_drop_under_a_quarter_of_the_pregain_score_is_not_a_gain():
    # 29 -> 22: 7 < 25% of 29 = 7.25, although criteria 1 and 3 hold
    assert gains([28, 30, 29, 22, 21, 23]) == []
    check = check_interval([28, 30, 29], [22, 21, 23])
    assert (check.criterion1, check.criterion2, check.criterion3) == (True, False, True)


def test_criterion_2_can_be_switched_off():
    assert gains([28, 30, 29, 22, 21, 23], min_proportion=None) == [(3, 7.0)]


# ---------------------------------------------------------------- criterion 3: t test


def test_criterion_3_compares_the_mean_difference_with_t_times_the_pooled_sd():
    # pre 20, 22, 24 and post 14, 16, 18: means 22 and 16, SDs 2, pooled SD 2;
    # 6 > 2.776 * 2 = 5.55 (t(.975, 4), Tang & DeRubeis's critical value)
    check = check_interval([20, 22, 24], [14, 16, 18])
    assert check.sd_pooled == pytest.approx(2.0)
    assert check.critical_value == pytest.approx(2.776, abs=5e-4)
    assert check.criterion3 is True
    assert gains([20, 22, 24, 14, 16, 18]) == [(3, 10.0)]


def test_a_mean_difference_below_the_critical_value_is_not_a_gain():
    # post 15, 17, 19: difference 5 < 5.55 although the drop 24 -> 15 meets criteria 1 and 2
    check = check_interval([20, 22, 24], [15, 17, 19])
    assert (check.criterion1, check.criterion2, check.criterion3) == (True, True, False)
    assert gains([20, 22, 24, 15, 17, 19]) == []


def test_tutorial_example_with_complete_windows_meets_all_criteria():
    # Wiedemann et al. 2020, suddengains tutorial, check_interval(c(32, 31, 33), c(5, 6, 7)):
    # critical value 2.776, means 32 and 6, SDs 1 and 1, a sudden gain
    check = check_interval([32, 31, 33], [5, 6, 7], cutoff=7)
    assert check.critical_value == pytest.approx(2.776, abs=5e-4)
    assert (check.mean_pre, check.mean_post, check.sd_pre, check.sd_post) == (32, 6, 1, 1)
    assert check.met


def test_tutorial_example_with_alpha_01_uses_critical_value_4_604():
    check = check_interval([32, 31, 33], [5, 6, 7], cutoff=7, alpha=0.01)
    assert check.critical_value == pytest.approx(4.604, abs=5e-4)
    assert check.met


def test_tutorial_example_with_one_missing_score_on_each_side_uses_df_2():
    # check_interval(c(NA, 31, 33), c(5, NA, 7), alpha = .01): critical value 9.925,
    # 2 values on each side, SDs 1.414, criterion 3 met
    check = check_interval([NAN, 31, 33], [5, NAN, 7], alpha=0.01)
    assert check.critical_value == pytest.approx(9.925, abs=5e-4)
    assert (check.n_pre, check.n_post) == (2, 2)
    assert check.sd_pre == pytest.approx(1.414, abs=5e-4)
    assert check.sd_post == pytest.approx(1.414, abs=5e-4)
    assert check.criterion3 is True


def test_tutorial_example_of_a_sudden_loss_with_one_missing_score():
    # check_interval(c(5, NA, 7), c(16, 12, 14), sg_crit1_cutoff = -7, identify = "sl"):
    # critical value 3.182, means 6 and 14, SDs 1.414 and 2, a sudden loss
    check = check_interval([5, NAN, 7], [16, 12, 14], cutoff=7, losses=True)
    assert check.critical_value == pytest.approx(3.182, abs=5e-4)
    assert (check.mean_pre, check.mean_post) == (6, 14)
    assert check.sd_pre == pytest.approx(1.414, abs=5e-4)
    assert check.sd_post == pytest.approx(2.0)
    assert check.met


@pytest.mark.parametrize(
    ("n_pre", "n_post", "published"), [(3, 3, 2.776), (2, 3, 3.182), (2, 2, 4.303)]
)
def test_the_missing_data_adjustment_uses_t_with_n1_plus_n2_minus_2_df(n_pre, n_post, published):
    # Lutz et al. 2013 (as in suddengains' documentation): 2.776, 3.182, 4.303 at alpha .05
    pre = [30.0, 31.0, 32.0][3 - n_pre :]
    post = [10.0, 11.0, 12.0][:n_post]
    check = check_interval(pre, post)
    assert check.critical_value == pytest.approx(published, abs=5e-4)
    assert check.critical_value == pytest.approx(stats.t.ppf(0.975, n_pre + n_post - 2))


def test_a_window_missing_one_score_is_tested_with_the_larger_critical_value():
    # pre 44, 48 (n = 2) and post 31, 35, 39: difference 11, pooled SD sqrt(40/3) = 3.651;
    # 11 > 2.776 * 3.651 = 10.14 but 11 < 3.182 * 3.651 = 11.62
    series = [NAN, 44, 48, 31, 35, 39]
    assert gains(series) == []
    assert gains(series, adjust_for_missing=False) == [(3, 17.0)]


def test_a_window_with_fewer_than_two_scores_cannot_show_a_gain():
    assert gains([NAN, NAN, 30, 10, 10, 11]) == []
    assert gains([30, 29, 30, 10, NAN, NAN]) == []
    check = check_interval([NAN, NAN, 30], [10, 10, 11])
    assert check.criterion3 is None
    assert check.criterion1 is True
    assert not check.met


def test_a_gain_is_never_bridged_across_a_missing_session():
    assert gains([30, 30, 31, NAN, 10, 10, 11]) == []


def test_the_first_and_the_last_interval_cannot_hold_a_gain():
    # pre window of session 1 and post window of the last session hold one score only
    assert gains([30, 10, 11, 10, 11, 31, 30, 31]) == []


def test_the_windows_stop_at_the_ends_of_the_series():
    found = client_sudden_gains([1, 2, 3, 4], [30, 31, 10, 11])
    assert [(e.pregain_session, e.n_pre, e.n_post) for e in found] == [(2, 2, 2)]
    assert found[0].critical_value == pytest.approx(4.303, abs=5e-4)


# ---------------------------------------------------------------- reversal


def test_a_later_score_beyond_the_midpoint_reverses_the_gain():
    (event,) = client_sudden_gains(
        sessions_of([30, 30, 31, 20, 20, 21, 26]), [30, 30, 31, 20, 20, 21, 26]
    )
    assert event.reversal_value == 25.5
    assert event.reversal is True
    assert event.reversal_session == 7


def test_a_later_score_at_exactly_the_midpoint_does_not_reverse_the_gain():
    (event,) = client_sudden_gains(
        sessions_of([30, 30, 31, 20, 20, 21, 25.5]), [30, 30, 31, 20, 20, 21, 25.5]
    )
    assert event.reversal is False
    assert event.reversal_session is None


def test_reversal_is_checked_from_the_third_session_after_the_pregain_session():
    # suddengains' create_bysg (default layout) checks sessions n + 3 to the last session:
    # 26 at n + 2 does not count, 26 at n + 3 does (midpoint 25.5)
    scores = [30, 30, 31, 20, 26, 20, 20]
    (event,) = client_sudden_gains(sessions_of(scores), scores)
    assert event.reversal is False
    scores = [30, 30, 31, 20, 20, 26, 20]
    (event,) = client_sudden_gains(sessions_of(scores), scores)
    assert (event.reversal, event.reversal_session) == (True, 6)


# ---------------------------------------------------------------- losses and direction


def test_a_sudden_loss_is_the_mirror_image_of_a_gain():
    scores = [10, 11, 9, 20, 21, 19, 14]
    assert gains(scores) == []
    (loss,) = client_sudden_gains(sessions_of(scores), scores, losses=True)
    assert (loss.kind, loss.pregain_session, loss.postgain_session) == ("loss", 3, 4)
    assert loss.magnitude == 11.0
    assert loss.reversal_value == 14.5
    assert (loss.reversal, loss.reversal_session) == (True, 7)


def test_a_sudden_loss_must_reach_a_quarter_of_the_preloss_score():
    # 29 -> 36: 7 < 25% of 29; 28 -> 35: 7 = 25% of 28
    assert gains([30, 31, 29, 36, 37, 35], losses=True) == []
    assert gains([29, 27, 28, 35, 36, 34], losses=True) == [(3, 7.0)]


def test_on_a_higher_is_better_measure_a_gain_is_a_rise():
    scores = [10, 11, 9, 20, 21, 19]
    assert gains(scores, better="higher") == [(3, 11.0)]
    assert gains(scores, better="higher", losses=True) == []
    # ORS: reliable change 5, higher is better (Miller et al. 2003)
    assert gains([10, 11, 9, 15, 16, 14], instrument="ors") == [(3, 6.0)]
    (event,) = client_sudden_gains(sessions_of(scores), scores, better="higher")
    assert event.mean_pre == 10.0
    assert event.mean_post == 20.0
    assert event.reversal_value == 14.5


def test_an_explicit_direction_wins_over_the_instruments():
    assert gains([21, 19, 20, 14, 12, 14], instrument="ors", better="lower") == [(3, 6.0)]


# ---------------------------------------------------------------- several events, the table


def test_every_gain_of_a_client_is_reported_in_session_order():
    scores = [40, 41, 40, 30, 31, 30, 20, 21, 20]
    assert gains(scores) == [(3, 10.0), (6, 10.0)]
    table = sudden_gains(pd.DataFrame({"id": "a", "session": sessions_of(scores), "score": scores}))
    assert table["person_events"].tolist() == [2, 2]


def test_treatment_change_runs_from_the_first_to_the_last_session():
    scores = [40, 41, 40, 30, 31, 30, 20]
    (event,) = client_sudden_gains(sessions_of(scores), scores)
    assert event.treatment_change == 20.0
    assert event.change_proportion == 0.5
    scores = [NAN, 41, 40, 30, 31, 30, 20]
    (event,) = client_sudden_gains(sessions_of(scores), scores)
    assert event.treatment_change is None
    assert event.change_proportion is None


def test_the_table_has_one_row_per_event_in_client_then_session_order():
    frame = pd.DataFrame(
        {
            "client": ["b"] * 6 + ["a"] * 6,
            "week": [6, 5, 4, 3, 2, 1, 1, 2, 3, 4, 5, 6],
            "phq": [21, 22, 20, 30, 29, 30, 30, 29, 30, 20, 21, 20],
        }
    )
    table = sudden_gains(frame, "client", "week", "phq")
    assert list(table.columns) == list(EVENT_COLUMNS)
    assert table[["id", "pregain_session", "postgain_session"]].values.tolist() == [
        ["b", 3, 4],
        ["a", 3, 4],
    ]
    assert table["magnitude"].tolist() == [10.0, 10.0]


def test_a_client_without_a_row_for_a_session_of_the_table_misses_that_session():
    # client b has no session 4, so 3 -> 5 is not an interval; a has session 4
    frame = pd.DataFrame(
        {
            "id": ["a"] * 6 + ["b"] * 5,
            "session": [1, 2, 3, 4, 5, 6, 1, 2, 3, 5, 6],
            "score": [10, 10, 10, 10, 10, 10, 30, 30, 31, 10, 11],
        }
    )
    assert sudden_gains(frame).empty
    found = client_sudden_gains([1, 2, 3, 5, 6], [30, 30, 31, 10, 11])
    assert [e.pregain_session for e in found] == [3]


def test_an_empty_table_gives_an_empty_table_of_events():
    empty = pd.DataFrame({"id": [], "session": [], "score": []})
    table = sudden_gains(empty)
    assert table.empty
    assert list(table.columns) == list(EVENT_COLUMNS)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cutoff": 0}, "cutoff: 0; expected a positive number"),
        ({"cutoff": float("nan")}, "cutoff: nan"),
        ({"alpha": 1.5}, "alpha: 1.5; expected a number between 0 and 1"),
        ({"min_proportion": -0.1}, "min_proportion: -0.1"),
        ({"better": "up"}, "better: 'up'; expected 'lower' or 'higher'"),
        ({"instrument": "nope"}, "instrument: unknown instrument 'nope'"),
        ({"instrument": "srs"}, "instrument: srs has 0 scales with reliable change"),
        ({"scale": "total"}, "scale: given without an instrument"),
        ({"instrument": "phq9", "scale": "nope"}, "scale: phq9 has no scale 'nope'"),
    ],
)
def test_bad_options_raise_an_error_naming_the_option(options, message):
    with pytest.raises(FeedbackError, match=message.replace("(", r"\(")):
        client_sudden_gains([1, 2, 3], [1, 2, 3], **options)


def test_bad_client_arrays_raise_an_error_naming_them():
    with pytest.raises(FeedbackError, match="3 sessions but 2 scores"):
        client_sudden_gains([1, 2, 3], [1, 2])
    with pytest.raises(FeedbackError, match="session 2 appears twice"):
        client_sudden_gains([1, 2, 2], [1, 2, 3])
    with pytest.raises(FeedbackError, match=r"sessions\[1\]: nan"):
        client_sudden_gains([1, NAN, 3], [1, 2, 3])
    with pytest.raises(FeedbackError, match=r"scores\[0\]: inf"):
        client_sudden_gains([1, 2, 3], [math.inf, 2, 3])
    with pytest.raises(FeedbackError, match="pre_scores: 4 scores; expected 1 to 3"):
        check_interval([1, 2, 3, 4], [1, 2, 3])


def test_bad_table_cells_raise_an_error_naming_row_and_column():
    frame = pd.DataFrame({"id": ["a", "a", "a"], "session": [1, 2, 3], "score": [1, 2, 3]})
    with pytest.raises(FeedbackError, match=r"score_col: column 'bdi' is not in the table"):
        sudden_gains(frame, "id", "session", "bdi")
    bad = frame.astype({"score": object})
    bad.loc[1, "score"] = "lots"
    with pytest.raises(FeedbackError, match=r"row 2, column score: 'lots'; expected a finite"):
        sudden_gains(bad)
    bad = frame.astype({"session": float})
    bad.loc[2, "session"] = NAN
    with pytest.raises(FeedbackError, match=r"row 3, column session: nan; expected a session"):
        sudden_gains(bad)
    bad = frame.copy()
    bad.loc[2, "session"] = 1
    with pytest.raises(FeedbackError, match=r"row 3, columns id/session: client 'a' already"):
        sudden_gains(bad)
    bad = frame.astype({"id": object})
    bad.loc[0, "id"] = None
    with pytest.raises(FeedbackError, match=r"row 1, column id: empty"):
        sudden_gains(bad)


def test_sgdata_bad_session_labels_are_refused_naming_row_and_column():
    # sgdata_bad (suddengains) names its BDI columns irregularly ("bdi_intake", "bdi1",
    # "wk2bdi", ...): a long table that keeps those labels as session numbers is refused
    wide = pd.read_csv(reference("sgdata_bad.csv"))
    labels = list(wide.columns[1:16])
    long = wide.melt(id_vars="id", value_vars=labels, var_name="session", value_name="bdi")
    with pytest.raises(FeedbackError, match=r"row 1, column session: 'bdi_intake'"):
        sudden_gains(long, "id", "session", "bdi")


# ---------------------------------------------------------------- published reference


def test_sgdata_gains_reproduce_the_published_list_row_by_row():
    # suddengains tutorial: create_bysg(sgdata, BDI sessions 1-12, cutoff 7, 25%, criterion 3
    # with the missing-data adjustment) -> 24 gains in 15 people
    expected = pd.read_csv(reference("expected_bysg_sgdata_crit1_7.csv"))
    table = sudden_gains(sgdata_long(), "id", "session", "bdi", cutoff=7)
    table = table.sort_values(["id", "pregain_session"], kind="stable").reset_index(drop=True)
    assert len(table) == 24
    assert table["id"].nunique() == 15
    got_ids = [f"{i}_sg_{n}" for i, n in zip(table["id"], table["pregain_session"], strict=True)]
    assert got_ids == expected["id_sg"].tolist()
    assert table["id"].tolist() == expected["id"].tolist()
    assert table["pregain_session"].tolist() == expected["sg_session_n"].tolist()
    assert (table["postgain_session"] == table["pregain_session"] + 1).all()
    assert table["person_events"].tolist() == expected["sg_freq_byperson"].tolist()
    windows = {
        "score_n_minus_2": "sg_bdi_2n",
        "score_n_minus_1": "sg_bdi_1n",
        "pregain_score": "sg_bdi_n",
        "postgain_score": "sg_bdi_n1",
        "score_n_plus_2": "sg_bdi_n2",
        "score_n_plus_3": "sg_bdi_n3",
    }
    for ours, theirs in windows.items():
        np.testing.assert_array_equal(table[ours], expected[theirs], err_msg=ours)
    np.testing.assert_array_equal(table["magnitude"], expected["sg_magnitude"])
    np.testing.assert_array_equal(table["treatment_change"], expected["sg_bdi_tx_change"])
    np.testing.assert_allclose(
        table["change_proportion"], expected["sg_change_proportion"], rtol=1e-12
    )
    np.testing.assert_array_equal(table["reversal_value"], expected["sg_reversal_value"])
    assert table["reversal"].astype(int).tolist() == expected["sg_reversal"].tolist()


def test_the_client_function_finds_the_same_gains_in_sgdata():
    wide = pd.read_csv(reference("sgdata.csv"))
    expected = pd.read_csv(reference("expected_bysg_sgdata_crit1_7.csv"))
    found = []
    for _, person in wide.iterrows():
        scores = person[[f"bdi_s{n}" for n in range(1, 13)]].to_numpy(dtype=float)
        for event in client_sudden_gains(range(1, 13), scores, cutoff=7):
            found.append(
                (int(person["id"]), event.pregain_session, event.magnitude, event.reversal)
            )
    assert found == list(
        zip(
            expected["id"],
            expected["sg_session_n"],
            expected["sg_magnitude"],
            expected["sg_reversal"].astype(bool),
            strict=True,
        )
    )
