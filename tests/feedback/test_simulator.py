"""The episode simulator: reproducible, on each instrument's grid, with the documented
mixture, noise, outcome rates, drop-out and alliance behaviour.

Published figures the simulated population is checked against (see the module docstring of
alliance.feedback.simulator):
- measurement noise: SEM = RC / (1.96 sqrt 2) (Jacobson & Truax 1991), PHQ-9 RC = 6;
- 57.6-67.2% of patients improve within about 13 sessions (Hansen, Lambert & Forman 2002);
- 5-10% of adults deteriorate (Lambert, Bergin & Collins 1977; Mohr 1995);
- drop-out 19.7% (Swift & Greenberg 2012), mostly early;
- alliance-outcome correlation r = .28 (Flueckiger et al. 2018).
"""

import math

import numpy as np
import pandas as pd
import pytest

from alliance.feedback.errors import FeedbackError
from alliance.feedback.simulator import COURSES, DEFAULT_COURSE_MIX, score_grid, simulate
from alliance.measures import get_instrument

COLUMNS = [
    "client_id",
    "session",
    "instrument",
    "scale",
    "respondent",
    "score",
    "attended",
    "attendance",
    "answered",
    "course",
    "dropped_out",
    "last_attended_session",
    "true_score",
    "rupture_session",
    "rupture_resolved",
]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return simulate(4000, seed=2024)


@pytest.fixture(scope="module")
def clients(population) -> pd.DataFrame:
    """One row per client: course, drop-out, intake, last score and mean alliance."""
    outcome = population[population.instrument == "phq9"]
    scored = outcome.dropna(subset=["score"])
    grouped = scored.groupby("client_id")
    alliance = population[(population.instrument == "srs")].dropna(subset=["score"])
    per = outcome.groupby("client_id").agg(
        course=("course", "first"),
        dropped=("dropped_out", "first"),
        last_attended=("last_attended_session", "first"),
        missed=("attended", lambda a: int((~a).sum())),
    )
    per["intake"] = grouped.score.first()
    per["last"] = grouped.score.last()
    per["alliance"] = alliance.groupby("client_id").score.mean()
    return per


def test_the_same_seed_gives_the_same_frame_and_another_seed_another():
    first = simulate(60, seed=5)
    again = simulate(60, seed=5)
    other = simulate(60, seed=6)
    pd.testing.assert_frame_equal(first, again)
    assert not first["score"].equals(other["score"])


def test_the_frame_is_long_with_one_row_per_client_session_and_scale():
    frame = simulate(50, seed=1, alliance="wai-sr")
    assert list(frame.columns) == COLUMNS
    assert not frame.duplicated(["client_id", "session", "instrument", "scale"]).any()
    per_session = frame.groupby(["client_id", "session"]).size()
    assert set(per_session) == {5}  # phq9 total + wai-sr goal, task, bond, total
    first_rows = frame.groupby(["client_id", "session"]).head(1)
    assert set(first_rows.instrument) == {"phq9"}  # the outcome row comes first
    assert frame.session.min() == 1 and frame.session.max() == 12


def test_missed_or_unanswered_sessions_have_no_scores():
    frame = simulate(400, seed=3)
    assert frame.loc[~frame.attended, "score"].isna().all()
    assert frame.loc[frame.attended & ~frame.answered, "score"].isna().all()
    assert frame.loc[frame.attended & frame.answered, "score"].notna().all()
    assert set(frame.attendance) == {"attended", "cancelled", "late_cancelled", "did_not_attend"}
    assert (frame.attended == (frame.attendance == "attended")).all()


@pytest.mark.parametrize("instrument", ["phq9", "gad7", "ors", "who5", "swemwbs", "k10"])
def test_scores_stay_within_the_range_and_on_the_grid_of_the_instrument(instrument):
    inst = get_instrument(instrument)
    scale = inst.scale_index["total"]
    grid = score_grid(inst, scale)
    frame = simulate(300, instrument, seed=8, alliance=None)
    scores = frame["score"].dropna().to_numpy()
    assert scores.min() >= grid.low and scores.max() <= grid.high
    if grid.values is not None:  # conversion table (SWEMWBS)
        assert set(np.round(scores, 6)) <= set(np.round(grid.values, 6))
    else:
        steps = (scores - grid.low) / grid.step
        assert np.allclose(steps, np.round(steps), atol=1e-6)


def test_the_grids_are_the_published_ranges():
    phq9, who5, ors = (get_instrument(i) for i in ("phq9", "who5", "ors"))
    phq = score_grid(phq9, phq9.scale_index["total"])
    assert (phq.low, phq.high, phq.step) == (0, 27, 1)
    who = score_grid(who5, who5.scale_index["total"])
    assert (who.low, who.high, who.step) == (0, 100, 4)  # raw 0-25 times 4 (WHO-5 scoring)
    vas = score_grid(ors, ors.scale_index["total"])
    assert (vas.low, vas.high) == (0, 40) and math.isclose(vas.step or 0, 0.1)


def test_the_course_mixture_follows_the_documented_proportions(clients):
    shares = clients.course.value_counts(normalize=True)
    print("\ncourse shares:", {c: round(float(shares[c]), 3) for c in COURSES})
    for course, expected in DEFAULT_COURSE_MIX.items():
        assert abs(shares[course] - expected) < 0.03


def test_measurement_noise_has_the_sem_implied_by_the_reliable_change_threshold(population):
    # PHQ-9 reliable change 6 = 1.96 * sqrt(2) * SEM, so SEM = 2.165; rounding to whole points
    # adds a uniform error of variance 1/12.  Only true scores well inside 0-27 (no clipping).
    rows = population[(population.instrument == "phq9") & population.score.notna()]
    inside = rows[(rows.true_score > 7) & (rows.true_score < 20)]
    error_sd = float((inside.score - inside.true_score).std())
    expected = math.sqrt((6 / (1.96 * math.sqrt(2))) ** 2 + 1 / 12)
    print(f"\nPHQ-9 measurement error SD {error_sd:.3f} (expected {expected:.3f})")
    assert error_sd == pytest.approx(expected, rel=0.05)


def test_completers_improve_and_deteriorate_at_published_rates(clients):
    completers = clients[~clients.dropped]
    change = completers.intake - completers["last"]
    improved = float((change >= 6).mean())
    deteriorated = float((change <= -6).mean())
    print(
        f"\ncompleters: reliably improved {improved:.3f}, reliably deteriorated "
        f"{deteriorated:.3f}, unchanged {1 - improved - deteriorated:.3f}"
    )
    assert 0.55 <= improved <= 0.70  # Hansen, Lambert & Forman 2002: 57.6-67.2%
    assert 0.03 <= deteriorated <= 0.10  # 5-10% of adults get worse


def test_mean_intake_is_in_the_moderate_range_of_the_phq9(clients):
    assert 13 <= clients.intake.mean() <= 17
    assert 4 <= clients.intake.std() <= 6.5


def test_course_types_follow_their_curves(population):
    scored = population[(population.instrument == "phq9")].dropna(subset=["true_score"])
    mean = scored.pivot_table(index="course", columns="session", values="true_score")
    responder, slow = mean.loc["responder"], mean.loc["slow_responder"]
    # log-linear: more than half of the responders' change by session 12 is done by session 4
    assert (responder[1] - responder[4]) > 0.5 * (responder[1] - responder[12])
    # slow responders: less than a third of it by session 4
    assert (slow[1] - slow[4]) < 0.35 * (slow[1] - slow[12])
    assert mean.loc["deteriorator", 12] > mean.loc["deteriorator", 1] + 6
    assert abs(mean.loc["non_responder", 12] - mean.loc["non_responder", 1]) < 2


def test_about_one_in_five_drop_out_mostly_in_the_first_five_sessions(clients):
    rate = float(clients.dropped.mean())
    early = float((clients.loc[clients.dropped, "last_attended"] <= 5).mean())
    by_course = clients.groupby("course").dropped.mean().round(3).to_dict()
    print(f"\ndrop-out {rate:.3f} (Swift & Greenberg 2012: 0.197); within 5 sessions {early:.3f}")
    print(f"drop-out by course {by_course}")
    assert 0.15 <= rate <= 0.25
    assert early >= 0.6
    assert by_course["deteriorator"] > by_course["responder"]


def test_drop_outs_have_lower_alliance_and_miss_more_sessions(population, clients):
    by_client = clients.groupby("dropped")
    assert by_client.alliance.mean()[True] < by_client.alliance.mean()[False]
    early = population[(population.instrument == "phq9") & (population.session.between(2, 4))]
    missed = (~early.attended).groupby(early.client_id).mean()
    missed_by = missed.groupby(clients.dropped.reindex(missed.index)).mean()
    print(
        f"\nshare of sessions 2-4 missed: drop-outs {missed_by[True]:.3f}, others "
        f"{missed_by[False]:.3f}"
    )
    assert missed_by[True] > missed_by[False]


def test_a_dropout_ends_with_a_missed_session_and_nothing_after_it(population):
    rows = population[population.instrument == "phq9"]
    last = rows.groupby("client_id").tail(1)
    assert (last.loc[last.dropped_out, "attendance"] == "did_not_attend").all()
    assert (last.loc[~last.dropped_out, "session"] == 12).all()


def test_without_dropout_everyone_stays_to_the_planned_end():
    frame = simulate(200, seed=4, dropout=False, n_sessions=8)
    assert not frame.dropped_out.any()
    assert (frame.groupby("client_id").session.max() == 8).all()


def test_alliance_rises_on_average_and_goes_with_outcome(population, clients):
    srs = population[(population.instrument == "srs")].dropna(subset=["score"])
    good = srs[srs.course.isin(["responder", "slow_responder"])]
    by_session = good.groupby("session").score.mean()
    assert by_session[10] > by_session[1]
    improvement = clients.intake - clients["last"]
    both = pd.concat([clients.alliance, improvement], axis=1).dropna()
    r = float(np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1])
    below = float((srs.score < 36).mean())
    print(f"\nalliance-outcome r = {r:.3f} (Flueckiger et al. 2018: .28); SRS < 36 in {below:.3f}")
    assert 0.15 <= r <= 0.45
    assert 0.1 <= below <= 0.5


def test_resolved_ruptures_recover_and_unresolved_ones_stay_low():
    frame = simulate(3000, seed=9, alliance="wai-sr", dropout=False)
    total = frame[(frame.instrument == "wai-sr") & (frame.scale == "total")]
    total = total[total.rupture_session.notna() & (total.rupture_session <= 8)]
    relative = total.session - total.rupture_session.astype(int)
    table = total.assign(relative=relative).pivot_table(
        index="rupture_resolved", columns="relative", values="score"
    )
    print("\nWAI-SR total around a rupture (rows: resolved?)\n", table[[-1, 0, 1, 3]].round(2))
    for resolved in (True, False):
        assert table.loc[resolved, 0] < table.loc[resolved, -1] - 3
    assert table.loc[True, 3] > table.loc[True, 0] + 3
    assert table.loc[False, 3] < table.loc[False, -1] - 2


def test_wai_sr_total_is_the_sum_of_goal_task_and_bond():
    frame = simulate(100, seed=10, alliance="wai-sr").dropna(subset=["score"])
    wide = frame[frame.instrument == "wai-sr"].pivot_table(
        index=["client_id", "session"], columns="scale", values="score"
    )
    assert np.allclose(wide["goal"] + wide["task"] + wide["bond"], wide["total"])


def test_higher_is_better_instruments_improve_upwards():
    frame = simulate(500, "ors", seed=11, alliance=None).dropna(subset=["score"])
    means = frame.groupby("session").score.mean()
    assert means[12] > means[1] + 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_clients": 0}, "n_clients"),
        ({"n_clients": 10, "n_sessions": 1}, "n_sessions"),
        ({"n_clients": 10, "instrument": "nope"}, "unknown instrument 'nope'"),
        ({"n_clients": 10, "instrument": "srs"}, "no scale with change parameters"),
        ({"n_clients": 10, "alliance": "phq9"}, "alliance: phq9 is an outcome measure"),
        ({"n_clients": 10, "scale": "bond"}, "scale: 'bond'"),
        ({"n_clients": 10, "course_mix": {"responder": 0.5}}, "sum to 1"),
        ({"n_clients": 10, "course_mix": {"cured": 1.0}}, "unknown course types ['cured']"),
    ],
)
def test_bad_arguments_raise_errors_naming_the_argument(kwargs, message):
    with pytest.raises(FeedbackError, match=message.replace("[", r"\[").replace("]", r"\]")):
        simulate(**kwargs)
