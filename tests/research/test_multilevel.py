"""The alliance-outcome multilevel model and the early-alliance analysis.

References used here:
- statsmodels ``MixedLM`` fitted directly (formula API) on lagged pairs built independently in
  the test (a merge of each session with session + 1): coefficients, SEs, CIs, p values and
  variance components must be the same numbers.
- Simulated data with known effects (``simulate_episodes`` below): the model's 95% intervals
  must contain the true within-client, between-client and autoregressive effects.
- scipy ``pearsonr`` / ``spearmanr`` and statsmodels OLS for the early-alliance analysis.
"""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from alliance.research.errors import ResearchError
from alliance.research.multilevel import alliance_outcome_model, early_alliance

WITHIN, BETWEEN, AUTOREGRESSION = -0.8, -0.3, 0.5


def simulate_episodes(
    seed: int,
    n_clients: int = 300,
    n_sessions: int = 10,
    *,
    practitioners: int = 0,
    stationary_start: bool = False,
    within: float = WITHIN,
    between: float = BETWEEN,
) -> pd.DataFrame:
    """Outcome y (lower is better) and alliance a for each client i and session t:

    a[i, t] = abar[i] + w[i, t], abar ~ N(4, 0.8), w ~ N(0, 0.7) centred within client over
    sessions 1..T-1 (the sessions that predict a next outcome), so that abar[i] is exactly the
    client mean the model uses (the between effect is defined on the observed mean);
    y[i, t+1] = 5 + 0.5 y[i, t] + within w[i, t] + between (abar[i] - 4) + u[i] + v[p] + e,
    u ~ N(0, 1), v ~ N(0, 0.7) per practitioner, e ~ N(0, 1).  The intake y[i, 1] is N(15, 3),
    independent of u, or with ``stationary_start`` the stationary level of the client's
    process, (5 + u[i]) / (1 - 0.5) + N(0, 1 / sqrt(0.75)), which depends on u.
    """
    rng = np.random.default_rng(seed)
    abar = rng.normal(4.0, 0.8, n_clients)
    w = rng.normal(0.0, 0.7, (n_clients, n_sessions))
    w[:, :-1] -= w[:, :-1].mean(axis=1, keepdims=True)
    u = rng.normal(0.0, 1.0, n_clients)
    who = rng.integers(0, max(practitioners, 1), n_clients)
    v = rng.normal(0.0, 0.7, max(practitioners, 1)) if practitioners else np.zeros(1)
    y = np.empty((n_clients, n_sessions))
    if stationary_start:
        sd = 1.0 / math.sqrt(1 - AUTOREGRESSION**2)
        y[:, 0] = (5 + u) / (1 - AUTOREGRESSION) + rng.normal(0.0, sd, n_clients)
    else:
        y[:, 0] = rng.normal(15.0, 3.0, n_clients)
    for t in range(n_sessions - 1):
        y[:, t + 1] = (
            5
            + AUTOREGRESSION * y[:, t]
            + within * w[:, t]
            + between * (abar - 4)
            + u
            + v[who]
            + rng.normal(0.0, 1.0, n_clients)
        )
    client = np.repeat(np.arange(n_clients), n_sessions)
    return pd.DataFrame(
        {
            "pid": [f"p{i:03d}" for i in client],
            "session": np.tile(np.arange(1, n_sessions + 1), n_clients),
            "wai": (abar[:, None] + w).ravel(),
            "phq": y.ravel(),
            "therapist": [f"t{k}" for k in who[client]],
        }
    )


def reference_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """Lagged pairs built independently: each row with its client's session + 1."""
    now = frame.dropna(subset=["wai", "phq"])
    nxt = frame.dropna(subset=["phq"])[["pid", "session", "phq"]]
    nxt = nxt.assign(session=nxt["session"] - 1).rename(columns={"phq": "phq_next"})
    pairs = now.merge(nxt, on=["pid", "session"], how="inner")
    mean = pairs.groupby("pid")["wai"].transform("mean")
    return pairs.assign(
        aw=pairs["wai"] - mean, ab=mean - mean.mean(), y=pairs["phq"] - pairs["phq"].mean()
    )


def r2_marginal(result) -> float:
    """Nakagawa & Schielzeth (2013): var(X b) / (var(X b) + random variances + residual)."""
    fixed = np.var(result.model.exog @ result.fe_params.to_numpy(), ddof=1)
    random = float(np.asarray(result.cov_re).sum()) + float(np.sum(result.vcomp))
    return fixed / (fixed + random + result.scale)


def with_gaps(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = frame.copy()
    out.loc[rng.random(len(out)) < 0.1, "phq"] = np.nan
    out.loc[rng.random(len(out)) < 0.1, "wai"] = np.nan
    return out.sample(frac=1.0, random_state=seed)  # input order must not matter


def table(model) -> pd.DataFrame:
    return model.coefficients.set_index("term")


def test_coefficients_equal_statsmodels_mixedlm_fitted_directly():
    frame = with_gaps(simulate_episodes(1, n_clients=80, n_sessions=8), seed=2)
    model = alliance_outcome_model(frame, "pid", "session", "wai", "phq")
    pairs = reference_pairs(frame)
    full = smf.mixedlm("phq_next ~ aw + ab + y", pairs, groups="pid").fit(reml=True)
    reduced = smf.mixedlm("phq_next ~ y", pairs, groups="pid").fit(reml=True)

    assert model.n_observations == len(pairs)
    assert model.n_clients == pairs["pid"].nunique()
    ours = table(model)
    names = {"intercept": "Intercept", "alliance_within": "aw", "alliance_between": "ab"}
    names["previous_outcome"] = "y"
    ci = full.conf_int()
    for term, theirs in names.items():
        assert ours.loc[term, "estimate"] == pytest.approx(full.fe_params[theirs], rel=1e-6)
        assert ours.loc[term, "se"] == pytest.approx(full.bse_fe[theirs], rel=1e-5)
        assert ours.loc[term, "ci_low"] == pytest.approx(ci.loc[theirs, 0], rel=1e-5)
        assert ours.loc[term, "ci_high"] == pytest.approx(ci.loc[theirs, 1], rel=1e-5)
        assert ours.loc[term, "p"] == pytest.approx(full.pvalues[theirs], rel=1e-4, abs=1e-300)
    components = model.variance_components.set_index("component")["variance"]
    assert components["client"] == pytest.approx(float(full.cov_re.iloc[0, 0]), rel=1e-5)
    assert components["residual"] == pytest.approx(full.scale, rel=1e-6)
    assert model.variance_share == pytest.approx(r2_marginal(full) - r2_marginal(reduced))
    total = lambda r: float(r.cov_re.iloc[0, 0]) + r.scale  # noqa: E731
    assert model.variance_reduction == pytest.approx(1 - total(full) / total(reduced))
    assert model.converged and not model.practitioner_level


def test_with_enough_practitioners_clients_are_nested_in_a_practitioner_intercept():
    frame = simulate_episodes(3, n_clients=60, n_sessions=6, practitioners=6)
    model = alliance_outcome_model(frame, "pid", "session", "wai", "phq", "therapist")
    pairs = reference_pairs(frame)
    direct = smf.mixedlm(
        "phq_next ~ aw + ab + y",
        pairs,
        groups="therapist",
        re_formula="1",
        vc_formula={"pid": "0 + C(pid)"},
    ).fit(reml=True)
    assert model.practitioner_level and model.n_practitioners == 6
    ours = table(model)
    assert ours.loc["alliance_within", "estimate"] == pytest.approx(direct.fe_params["aw"], 1e-5)
    assert ours.loc["alliance_between", "se"] == pytest.approx(direct.bse_fe["ab"], rel=1e-4)
    components = model.variance_components.set_index("component")["variance"]
    assert components["practitioner"] == pytest.approx(float(direct.cov_re.iloc[0, 0]), 1e-4)
    assert components["client"] == pytest.approx(float(direct.vcomp[0]), rel=1e-4)


def test_with_fewer_than_five_practitioners_of_three_clients_only_clients_get_intercepts():
    frame = simulate_episodes(4, n_clients=40, n_sessions=6, practitioners=4)
    with_col = alliance_outcome_model(frame, "pid", "session", "wai", "phq", "therapist")
    without = alliance_outcome_model(frame, "pid", "session", "wai", "phq")
    assert not with_col.practitioner_level and with_col.n_practitioners == 4
    pd.testing.assert_frame_equal(with_col.coefficients, without.coefficients)
    stricter = alliance_outcome_model(
        simulate_episodes(4, n_clients=40, n_sessions=6, practitioners=6),
        *("pid", "session", "wai", "phq", "therapist"),
        min_clients_per_practitioner=50,
    )
    assert not stricter.practitioner_level


def test_it_recovers_known_within_and_between_effects_from_simulated_data():
    model = alliance_outcome_model(simulate_episodes(11), "pid", "session", "wai", "phq")
    assert (model.n_clients, model.n_observations) == (300, 2700)
    ours = table(model)
    for term, truth in (
        ("alliance_within", WITHIN),
        ("alliance_between", BETWEEN),
        ("previous_outcome", AUTOREGRESSION),
    ):
        assert ours.loc[term, "ci_low"] <= truth <= ours.loc[term, "ci_high"], term
    assert ours.loc["alliance_within", "ci_high"] < 0  # the design has the power to see it
    assert 0 < model.variance_share < model.r2_marginal


def test_the_nested_model_recovers_the_effects_with_practitioner_variance():
    frame = simulate_episodes(12, practitioners=15)
    model = alliance_outcome_model(frame, "pid", "session", "wai", "phq", "therapist")
    assert model.practitioner_level
    ours = table(model)
    for term, truth in (("alliance_within", WITHIN), ("alliance_between", BETWEEN)):
        assert ours.loc[term, "ci_low"] <= truth <= ours.loc[term, "ci_high"], term


def test_controlling_for_intake_removes_the_initial_condition_bias_of_the_autoregression():
    """With a stationary start the intake depends on the client intercept; the plain model then
    overstates the autoregression (dynamic panel bias), the intake-controlled one does not."""
    frame = simulate_episodes(13, stationary_start=True)
    plain = table(alliance_outcome_model(frame, "pid", "session", "wai", "phq"))
    controlled_model = alliance_outcome_model(
        frame, "pid", "session", "wai", "phq", control_intake=True
    )
    controlled = table(controlled_model)
    assert list(controlled.index) == [
        "intercept",
        "alliance_within",
        "alliance_between",
        "previous_outcome",
        "intake_outcome",
    ]
    for term, truth in (
        ("alliance_within", WITHIN),
        ("alliance_between", BETWEEN),
        ("previous_outcome", AUTOREGRESSION),
    ):
        assert controlled.loc[term, "ci_low"] <= truth <= controlled.loc[term, "ci_high"], term
    assert plain.loc["previous_outcome", "estimate"] > AUTOREGRESSION + 0.03
    assert plain.loc["previous_outcome", "estimate"] > controlled.loc["previous_outcome", "ci_high"]


def test_control_session_adds_the_centred_session_as_in_statsmodels():
    frame = simulate_episodes(5, n_clients=50, n_sessions=6)
    model = alliance_outcome_model(frame, "pid", "session", "wai", "phq", control_session=True)
    pairs = reference_pairs(frame)
    direct = smf.mixedlm("phq_next ~ aw + ab + y + session", pairs, groups="pid").fit()
    assert table(model).loc["session", "estimate"] == pytest.approx(
        direct.fe_params["session"], rel=1e-5
    )


def test_the_share_of_variance_is_about_zero_when_the_alliance_has_no_effect():
    frame = simulate_episodes(6, n_clients=200, n_sessions=6, within=0.0, between=0.0)
    null = alliance_outcome_model(frame, "pid", "session", "wai", "phq")
    assert abs(null.variance_share) < 0.005
    assert abs(null.variance_reduction) < 0.01


def test_without_consecutive_a_pair_may_span_a_missed_session():
    frame = simulate_episodes(7, n_clients=30, n_sessions=5)
    frame = frame[~((frame["pid"] == "p000") & (frame["session"] == 3))]
    strict = alliance_outcome_model(frame, "pid", "session", "wai", "phq")
    loose = alliance_outcome_model(frame, "pid", "session", "wai", "phq", consecutive=False)
    assert strict.n_observations == 30 * 4 - 2  # 2->3 and 3->4 are gone
    assert loose.n_observations == 30 * 4 - 1  # 2->4 replaces them
    spanning = loose.data[loose.data["client"] == "p000"]
    assert list(zip(spanning["session"], spanning["next_session"], strict=True)) == [
        (1, 2),
        (2, 4),
        (4, 5),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="wai"), "alliance_col: no column 'wai'"),
        (lambda f: f.assign(wai=f["wai"].astype(object).where(f.index != 4, "high")), "row 5"),
        (lambda f: pd.concat([f, f.iloc[[0]]]), "has session 1 twice"),
        (lambda f: f[f["pid"].isin(["p000", "p001"])], "at least 10 are needed"),
        (lambda f: f.assign(therapist=f["session"].astype(str)), "more than one practitioner"),
    ],
)
def test_bad_input_raises_research_error_naming_the_problem(change, message):
    frame = change(simulate_episodes(8, n_clients=20, n_sessions=4, practitioners=3))
    with pytest.raises(ResearchError, match=message):
        alliance_outcome_model(frame, "pid", "session", "wai", "phq", "therapist")


def test_the_same_column_twice_is_refused():
    frame = simulate_episodes(8, n_clients=20, n_sessions=4)
    with pytest.raises(ResearchError, match="name the same column 'phq'"):
        alliance_outcome_model(frame, "pid", "session", "phq", "phq")


# -- early alliance ---------------------------------------------------------------------------


def early_reference(frame: pd.DataFrame, session: int = 3) -> pd.DataFrame:
    scored = frame.dropna(subset=["phq"]).sort_values(["pid", "session"])
    first = scored.groupby("pid").head(1).set_index("pid")["phq"]
    last_rows = scored.groupby("pid").tail(1).set_index("pid")
    early = frame[frame["session"] == session].dropna(subset=["wai"]).set_index("pid")["wai"]
    out = pd.DataFrame({"early": early, "intake": first, "end": last_rows["phq"]})
    out = out[last_rows["session"].reindex(out.index) > session].dropna()
    return out.assign(change=out["end"] - out["intake"])


def test_early_alliance_correlations_equal_scipy():
    frame = with_gaps(simulate_episodes(9, n_clients=120, n_sessions=8), seed=3)
    frame = frame[~((frame["pid"] == "p001") & (frame["session"] > 3))]  # ends at session 3
    result = early_alliance(frame, "pid", "session", "wai", "phq")
    ref = early_reference(frame)
    assert "p001" not in set(result.clients["client"])
    assert result.n_clients == len(ref)
    rows = result.correlations.set_index("method")
    pearson = stats.pearsonr(ref["early"], ref["change"])
    low, high = pearson.confidence_interval(0.95)
    assert rows.loc["pearson", "n"] == len(ref)
    assert rows.loc["pearson", "r"] == pytest.approx(pearson.statistic, rel=1e-10)
    assert rows.loc["pearson", "p"] == pytest.approx(pearson.pvalue, rel=1e-8)
    assert (rows.loc["pearson", "ci_low"], rows.loc["pearson", "ci_high"]) == pytest.approx(
        (low, high), rel=1e-8
    )
    spearman = stats.spearmanr(ref["early"], ref["change"])
    rho, n = spearman.statistic, len(ref)
    se = math.sqrt((1 + rho**2 / 2) / (n - 3))  # Bonett & Wright (2000)
    z = stats.norm.ppf(0.975)
    expected = (
        math.tanh(math.atanh(rho) - z * se),
        math.tanh(math.atanh(rho) + z * se),
    )
    assert rows.loc["spearman", "r"] == pytest.approx(rho, rel=1e-10)
    assert rows.loc["spearman", "p"] == pytest.approx(spearman.pvalue, rel=1e-8)
    assert (rows.loc["spearman", "ci_low"], rows.loc["spearman", "ci_high"]) == pytest.approx(
        expected, rel=1e-5
    )


def test_early_alliance_regression_equals_statsmodels_ols():
    frame = simulate_episodes(10, n_clients=90, n_sessions=6)
    result = early_alliance(frame, "pid", "session", "wai", "phq")
    ols = smf.ols("change ~ early + intake", early_reference(frame)).fit()
    ours = result.regression.set_index("term")
    for term, theirs in (
        ("intercept", "Intercept"),
        ("early_alliance", "early"),
        ("intake", "intake"),
    ):
        assert ours.loc[term, "estimate"] == pytest.approx(ols.params[theirs], rel=1e-9)
        assert ours.loc[term, "se"] == pytest.approx(ols.bse[theirs], rel=1e-9)
        assert ours.loc[term, "ci_low"] == pytest.approx(ols.conf_int().loc[theirs, 0], rel=1e-9)
        assert ours.loc[term, "p"] == pytest.approx(ols.pvalues[theirs], rel=1e-8)


def test_trajectories_are_mean_outcomes_by_session_in_equal_early_alliance_tertiles():
    frame = simulate_episodes(10, n_clients=90, n_sessions=6)
    result = early_alliance(frame, "pid", "session", "wai", "phq")
    ref = early_reference(frame).sort_values("early")
    groups = dict(
        zip(("low", "middle", "high"), np.array_split(ref.index.to_numpy(), 3), strict=True)
    )
    assert result.clients["tertile"].value_counts().to_dict() == {
        "low": 30,
        "middle": 30,
        "high": 30,
    }
    traj = result.trajectories.set_index(["tertile", "session"])
    for name, members in groups.items():
        by_session = frame[frame["pid"].isin(members)].groupby("session")["phq"].mean()
        for session, mean in by_session.items():
            assert traj.loc[(name, session), "mean"] == pytest.approx(mean, rel=1e-12)
            assert traj.loc[(name, session), "n"] == 30


def test_early_alliance_needs_alliance_scores_at_the_chosen_session():
    frame = simulate_episodes(10, n_clients=20, n_sessions=6)
    with pytest.raises(ResearchError, match="at session 9"):
        early_alliance(frame, "pid", "session", "wai", "phq", alliance_session=9)
