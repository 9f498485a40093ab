"""Early drop-out risk: each documented factor on worked examples, agreement between the
one-client and many-client functions, and the check on simulated clients that high-risk
clients drop out more often than low-risk ones (risk ratios and the area under the ROC
curve, computed with scipy's Mann-Whitney U: AUC = U / (n1 n2); figures printed with -s).
"""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from alliance.feedback.dropout import (
    FACTORS,
    dropout_risk,
    dropout_risk_frame,
    level_of,
)
from alliance.feedback.errors import FeedbackError
from alliance.feedback.simulator import simulate

ATTENDED = ["attended"] * 5


def factor_points(risk) -> dict[str, float]:
    return {f.id: f.points for f in risk.factors}


def test_a_client_with_no_warning_signs_scores_zero_and_is_low_risk():
    risk = dropout_risk(
        [1, 2, 3, 4], outcome=[16, 14, 11, 9], alliance=[36, 37, 38, 38], attendance=ATTENDED[:4]
    )
    assert (risk.score, risk.level, risk.factors, risk.as_of_session) == (0, "low", (), 4)


def test_an_srs_total_below_36_is_a_low_alliance():
    # SRS concern level 36 (srs.yaml flag alliance_concern; Miller & Duncan; Duncan 2012)
    risk = dropout_risk([1, 2], outcome=[16, 14], alliance=[36, 35.9])
    assert factor_points(risk) == {"low_alliance": 2.0}
    assert risk.factors[0].name == "a low alliance rating"
    assert risk.factors[0].detail == "latest SRS rating 35.9 is below 36"
    assert dropout_risk([1, 2], outcome=[16, 14], alliance=[36.5, 36]).factors == ()


def test_an_srs_drop_of_one_point_from_the_previous_session_is_a_falling_alliance():
    falling = dropout_risk([1, 2, 3], outcome=[16, 15, 12], alliance=[39, 39.5, 38.5])
    assert factor_points(falling) == {"falling_alliance": 1.5}
    assert "1 below the earlier 39.5" in falling.factors[0].detail
    steady = dropout_risk([1, 2, 3], outcome=[16, 15, 12], alliance=[39, 39.5, 38.6])
    assert steady.factors == ()


def test_the_wai_sr_uses_the_alliance_signal_thresholds():
    # WAI-SR total: low below 36 (average answer below the midpoint 3); a fall of 6 points
    # (half an answer step per item) below the mean of up to 3 earlier ratings, as in
    # alliance.feedback.alliance_signals.  Baseline (50 + 47) / 2 = 48.5.
    both = dropout_risk([1, 2, 3], alliance=[50, 47, 35], alliance_instrument="wai-sr")
    assert factor_points(both) == {"low_alliance": 2.0, "falling_alliance": 1.5}
    assert (
        dropout_risk([1, 2, 3], alliance=[50, 47, 42.5], alliance_instrument="wai-sr").factors[0].id
        == "falling_alliance"
    )
    assert (
        dropout_risk([1, 2, 3], alliance=[50, 47, 42.6], alliance_instrument="wai-sr").factors == ()
    )


def test_no_early_change_and_getting_worse_count_from_session_three():
    # PHQ-9 reliable change 6, so half of it is 3 points.
    early = dropout_risk([1, 2], outcome=[15, 19])
    assert early.factors == ()  # session 2 is too early to judge change
    flat = dropout_risk([1, 2, 3], outcome=[15, 14, 13])
    assert factor_points(flat) == {"no_early_change": 1.0}
    assert flat.factors[0].detail == (
        "PHQ-9 13 at session 3 against 15 at the start (half a reliable change is 3)"
    )
    assert dropout_risk([1, 2, 3], outcome=[15, 14, 12]).factors == ()  # 3 points better
    assert factor_points(dropout_risk([1, 2, 3], outcome=[15, 16, 18])) == {"getting_worse": 2.0}
    assert factor_points(dropout_risk([1, 2, 3], outcome=[15, 16, 17.9])) == {
        "no_early_change": 1.0
    }


def test_higher_is_better_outcomes_get_worse_downwards():
    # ORS reliable change 5 (ors.yaml), half of it 2.5; lower ORS is worse.
    worse = dropout_risk([1, 2, 3], outcome=[20, 19, 17.5], outcome_instrument="ors")
    assert factor_points(worse) == {"getting_worse": 2.0}
    better = dropout_risk([1, 2, 3], outcome=[20, 21, 22.5], outcome_instrument="ors")
    assert better.factors == ()


def test_missed_cancelled_and_unanswered_sessions_add_capped_points():
    risk = dropout_risk(
        [1, 2, 3, 4, 5],
        attendance=["attended", "did_not_attend", "late_cancelled", "did_not_attend", "cancelled"],
    )
    assert factor_points(risk) == {"missed_sessions": 2.0, "cancelled_sessions": 0.5}
    assert risk.factors[0].detail == "3 sessions missed or cancelled late"
    unanswered = dropout_risk(
        [1, 2, 3, 4, 5],
        attendance=ATTENDED,
        answered=[True, False, False, False, True],
    )
    assert factor_points(unanswered) == {"unanswered": 1.0}
    assert unanswered.factors[0].detail == "3 attended sessions without an answered questionnaire"


def test_without_answered_flags_an_attended_session_with_no_scores_counts_as_unanswered():
    risk = dropout_risk([1, 2, 3], outcome=[15, None, 10], alliance=[38, None, 39])
    assert factor_points(risk) == {"unanswered": 0.5}


def test_points_add_up_to_the_documented_levels():
    risk = dropout_risk(
        [1, 2, 3, 4],
        outcome=[15, 16, 17, None],
        alliance=[37, 35, 34, None],
        attendance=["attended", "attended", "attended", "did_not_attend"],
    )
    # low alliance 2 + falling 1.5 (35 -> 34) + no early change 1 + one missed session 1
    assert factor_points(risk) == {
        "low_alliance": 2.0,
        "falling_alliance": 1.5,
        "no_early_change": 1.0,
        "missed_sessions": 1.0,
    }
    assert (risk.score, risk.level, risk.as_of_session) == (5.5, "high", 4)
    assert [level_of(x) for x in (0, 1.5, 2, 3.5, 4, 9)] == [
        "low",
        "low",
        "medium",
        "medium",
        "high",
        "high",
    ]


def test_sessions_after_the_window_are_ignored():
    risk = dropout_risk(
        [1, 2, 3, 6, 7],
        outcome=[15, 12, 10, 20, 22],
        attendance=["attended", "attended", "attended", "did_not_attend", "attended"],
    )
    assert (risk.factors, risk.as_of_session) == ((), 3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": [1, 2]}, r"outcome: 2 values; expected one per session \(3\)"),
        ({"attendance": ["attended", "gone", "attended"]}, "attendance: 'gone'; allowed"),
        ({"alliance": [30, "x", 31]}, r"alliance\[1\]: 'x'"),
        ({"window": 1}, "window: 1"),
        ({"alliance_instrument": "phq9"}, "phq9 is an outcome measure"),
        ({"outcome_instrument": "srs"}, "srs scale total has no change parameters"),
        ({"alliance_scale": "goal"}, "alliance_scale: 'goal' is not a scale of srs"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(FeedbackError, match=message):
        dropout_risk([1, 2, 3], **kwargs)


def test_repeated_sessions_are_refused():
    with pytest.raises(FeedbackError, match="sessions: a session number repeats"):
        dropout_risk([1, 2, 2])


# -- many clients ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return simulate(3000, seed=31)


def test_the_frame_function_agrees_with_the_one_client_function(simulated):
    some = simulated[simulated.client_id.isin(simulated.client_id.unique()[:60])]
    table = dropout_risk_frame(some).set_index("client_id")
    for client_id, rows in some.groupby("client_id"):
        outcome = rows[rows.instrument == "phq9"].set_index("session")
        alliance = rows[rows.instrument == "srs"].set_index("session")
        one = dropout_risk(
            outcome.index.tolist(),
            outcome=outcome.score.tolist(),
            alliance=alliance.score.reindex(outcome.index).tolist(),
            attendance=outcome.attendance.tolist(),
            answered=outcome.answered.tolist(),
        )
        row = table.loc[client_id]
        assert (one.score, one.level, one.as_of_session) == (
            row.risk_score,
            row.level,
            row.as_of_session,
        )
        assert ";".join(f.id for f in one.factors) == row.factors
        for f in one.factors:
            assert row[f"points_{f.id}"] == f.points


def test_the_frame_function_names_bad_rows():
    frame = simulate(5, seed=1).reset_index(drop=True)
    frame.loc[3, "attendance"] = "maybe"
    with pytest.raises(FeedbackError, match="row 4, column attendance: 'maybe'"):
        dropout_risk_frame(frame)
    frame = simulate(5, seed=1).astype({"session": object}).reset_index(drop=True)
    frame.loc[2, "session"] = "two"
    with pytest.raises(FeedbackError, match="row 3, column session: 'two'"):
        dropout_risk_frame(frame)


def risk_against_dropout(simulated: pd.DataFrame, session: int) -> dict[str, float]:
    """Risk from the history up to ``session`` of clients who attended it, against whether
    they later dropped out."""
    per_client = simulated.groupby("client_id").agg(
        dropped=("dropped_out", "first"), last_attended=("last_attended_session", "first")
    )
    table = dropout_risk_frame(simulated[simulated.session <= session]).set_index("client_id")
    still = per_client.index[per_client.last_attended >= session]
    dropped = per_client.loc[still, "dropped"].astype(bool)
    risk = table.loc[still]
    rates = dropped.groupby(risk.level).mean()
    counts = risk.level.value_counts()
    u = mannwhitneyu(risk.risk_score[dropped], risk.risk_score[~dropped]).statistic
    return {
        "clients": float(len(still)),
        "dropout_rate": float(dropped.mean()),
        "share_high": float(counts.get("high", 0) / len(still)),
        "rate_low": float(rates["low"]),
        "rate_medium": float(rates["medium"]),
        "rate_high": float(rates["high"]),
        "risk_ratio_high_low": float(rates["high"] / rates["low"]),
        "auc": float(u / (dropped.sum() * (~dropped).sum())),
    }


@pytest.mark.parametrize("session", [3, 5])
def test_high_risk_clients_drop_out_more_often_than_low_risk_ones(simulated, session):
    figures = risk_against_dropout(simulated, session)
    print(f"\ndrop-out risk from sessions 1-{session} (simulated clients still attending):")
    for key, value in figures.items():
        print(f"  {key}: {value:.3f}")
    assert figures["rate_low"] < figures["rate_medium"] < figures["rate_high"]
    assert figures["risk_ratio_high_low"] >= 1.8
    assert figures["auc"] >= 0.58


def test_the_frame_function_is_vectorised_over_thousands_of_clients(simulated):
    table = dropout_risk_frame(simulated)
    assert len(table) == simulated.client_id.nunique()
    assert set(table.level) <= {"low", "medium", "high"}
    points = table[[f"points_{f}" for f in FACTORS]].sum(axis=1)
    assert np.allclose(points, table.risk_score)


def test_without_an_answered_column_sessions_with_no_score_count_as_unanswered(simulated):
    some = simulated[simulated.client_id.isin(simulated.client_id.unique()[:300])]
    inferred = dropout_risk_frame(some.drop(columns="answered"))
    pd.testing.assert_frame_equal(inferred, dropout_risk_frame(some))
    assert (inferred.points_unanswered > 0).any()


def test_the_matrix_form_agrees_with_the_one_client_form_on_random_histories():
    """dropout_risk_arrays (used by the alert engine) against dropout_risk, client by client."""
    import numpy as np

    from alliance.feedback.dropout import (
        ATTENDANCE_CODES,
        FACTORS,
        dropout_risk,
        dropout_risk_arrays,
    )

    rng = np.random.default_rng(11)
    n, window = 300, 5
    codes = list(ATTENDANCE_CODES)
    attendance = rng.integers(0, len(codes), size=(n, window))
    attendance[:, 0] = 0  # the first session took place
    outcome = rng.integers(0, 28, size=(n, window)).astype(float)
    alliance = np.round(rng.uniform(25, 40, size=(n, window)), 1)
    outcome[attendance != 0] = np.nan
    alliance[attendance != 0] = np.nan
    outcome[rng.random((n, window)) < 0.1] = np.nan
    answered = ~np.isnan(outcome) | (attendance != 0)
    present = np.ones((n, window), dtype=bool)
    got = dropout_risk_arrays(present, outcome, alliance, attendance, answered)
    for row in range(n):
        one = dropout_risk(
            list(range(1, window + 1)),
            outcome=[None if np.isnan(v) else float(v) for v in outcome[row]],
            alliance=[None if np.isnan(v) else float(v) for v in alliance[row]],
            attendance=[codes[c] for c in attendance[row]],
            answered=[bool(a) for a in answered[row]],
        )
        assert got.score[row] == pytest.approx(one.score), row
        assert got.level[row] == one.level, row
        contributing = {f for f, on in zip(FACTORS, got.contributing[row], strict=True) if on}
        assert contributing == {f.id for f in one.factors}, row
