"""Pre-post effect sizes, effectiveness per practice and practitioner, and shrunken
practitioner comparisons.

References used here:
- metafor ``escalc(measure = "SMCR")`` values for the Morris (2008) example data, as pinned in
  metafor's test suite (tests/testthat/test_analysis_example_morris2008.r), and the
  differences published in Morris SB. Organ Res Methods 2008;11:364-386, Table 1 (p. 368).
- Hand computations with numpy / math (effect sizes from raw data) and
  ``alliance.feedback.change.reliable_change`` (reliable change categories).
- statsmodels ``MixedLM`` fitted directly (``fe_params``, ``random_effects``,
  ``random_effects_cov``) and the closed-form empirical-Bayes estimate of Raudenbush & Bryk
  (2002, ch. 3) for the practitioner comparison.
"""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from alliance.feedback.change import ChangeCriteria, reliable_change
from alliance.research.effectiveness import (
    effectiveness,
    henderson,
    practitioner_effects,
    pre_post_effect_size,
    standardized_mean_change,
)
from alliance.research.errors import ResearchError

# Morris (2008) treatment (T) and control (C) groups, as in metafor's test.
MORRIS = {
    "T": {
        "m_pre": [30.6, 23.5, 0.5, 53.4, 35.6],
        "m_post": [38.5, 26.8, 0.7, 75.9, 36.0],
        "sd_pre": [15.0, 3.1, 0.1, 14.5, 4.7],
        "n": [20, 50, 9, 10, 14],
        "r": [0.47, 0.64, 0.77, 0.89, 0.44],
        "yi": [0.5056, 1.0481, 1.8054, 1.4181, 0.0801],
        "vi": [0.0594, 0.0254, 0.2322, 0.1225, 0.0802],
    },
    "C": {
        "m_pre": [23.1, 24.9, 0.6, 55.7, 34.8],
        "m_post": [19.7, 25.3, 0.6, 60.7, 33.4],
        "sd_pre": [13.8, 4.1, 0.2, 17.3, 3.1],
        "n": [20, 42, 9, 11, 14],
        "r": [0.47, 0.64, 0.77, 0.89, 0.44],
        "yi": [-0.2365, 0.0958, 0.0000, 0.2667, -0.4250],
        "vi": [0.0544, 0.0173, 0.0511, 0.0232, 0.0864],
    },
}


def smcr(group: str) -> pd.DataFrame:
    g = MORRIS[group]
    return standardized_mean_change(g["m_pre"], g["m_post"], g["sd_pre"], g["n"], g["r"])


@pytest.mark.parametrize("group", ["T", "C"])
def test_standardized_mean_change_reproduces_metafor_smcr_on_the_morris_2008_data(group):
    out = smcr(group)
    assert out["g"].round(4).tolist() == pytest.approx(MORRIS[group]["yi"], abs=1e-12)
    assert (out["se"] ** 2).round(4).tolist() == pytest.approx(MORRIS[group]["vi"], abs=1e-12)


def test_treatment_minus_control_gives_the_differences_published_by_morris_2008():
    difference = (smcr("T")["g"] - smcr("C")["g"]).round(2).tolist()
    assert difference == pytest.approx([0.74, 0.95, 1.81, 1.15, 0.51], abs=1e-12)


def test_pre_post_effect_size_equals_a_hand_computation():
    rng = np.random.default_rng(1)
    pre = rng.normal(16, 4, 57)
    post = pre - 5 + rng.normal(0, 4, 57)
    pre[3], post[8] = np.nan, np.nan  # incomplete pairs are left out
    out = pre_post_effect_size(pd.DataFrame({"a": pre, "b": post}), "a", "b").iloc[0]
    keep = ~(np.isnan(pre) | np.isnan(post))
    x, y, n = pre[keep], post[keep], int(keep.sum())
    d = (x.mean() - y.mean()) / x.std(ddof=1)  # lower is better: improvement is positive
    m = n - 1
    c = math.exp(math.lgamma(m / 2) - math.lgamma((m - 1) / 2)) / math.sqrt(m / 2)
    r = stats.pearsonr(x, y).statistic
    se = math.sqrt(2 * (1 - r) / n + (c * d) ** 2 / (2 * n))
    assert out["n"] == n == 55
    assert out["d"] == pytest.approx(d, rel=1e-12)
    assert out["g"] == pytest.approx(c * d, rel=1e-12)
    assert out["g"] == pytest.approx((1 - 3 / (4 * m - 1)) * d, rel=1e-4)  # Hedges' approximation
    assert out["r"] == pytest.approx(r, rel=1e-12)
    assert out["se"] == pytest.approx(se, rel=1e-12)
    assert out["ci_low"] == pytest.approx(c * d - stats.norm.ppf(0.975) * se, rel=1e-12)
    assert out["mean_change"] == pytest.approx((y - x).mean(), rel=1e-12)
    higher = pre_post_effect_size(pd.DataFrame({"a": pre, "b": post}), "a", "b", better="higher")
    assert higher["d"].iloc[0] == pytest.approx(-d, rel=1e-12)


def caseload(seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 240
    practitioner = rng.choice([f"t{k}" for k in range(8)], n)
    practice = np.where(np.isin(practitioner, ["t0", "t1", "t2"]), "north", "south")
    pre = rng.normal(17, 4, n).round()
    post = (pre - rng.normal(6, 6, n)).round().clip(0, 27)
    post[rng.random(n) < 0.15] = np.nan  # no last score
    reason = rng.choice(["completed", "dropped_out", "referred"], n, p=[0.7, 0.2, 0.1])
    reason = np.where(rng.random(n) < 0.05, None, reason)  # still in care
    return pd.DataFrame(
        {
            "episode": [f"e{i}" for i in range(n)],
            "practice": practice,
            "practitioner": practitioner,
            "phq_first": pre,
            "phq_last": post,
            "sessions": rng.integers(1, 20, n),
            "ended": reason,
            "dropped": pd.Series(reason == "dropped_out").where(pd.notna(reason)),
        }
    )


CRITERIA = ChangeCriteria(better="lower", reliable_change=6, cutoff=10)


def test_effectiveness_per_practice_reuses_reliable_change_and_counts_by_hand():
    frame = caseload()
    out = effectiveness(
        frame,
        "episode",
        "phq_first",
        "phq_last",
        CRITERIA,
        by="practice",
        sessions_col="sessions",
        ended_reason_col="ended",
    ).set_index("practice")
    change = reliable_change(
        frame, id_col="episode", pre="phq_first", post="phq_last", criteria=CRITERIA
    )
    category = change.cases.set_index("id")["category"]
    for practice, part in frame.groupby("practice"):
        row = out.loc[practice]
        cats = category.reindex(part["episode"]).dropna()
        assert row["n_clients"] == len(part)
        assert row["n_complete"] == len(cats)
        assert row["pct_reliably_improved"] == pytest.approx(
            100 * cats.isin(["improved", "recovered"]).mean()
        )
        assert row["pct_recovered"] == pytest.approx(100 * (cats == "recovered").mean())
        assert row["pct_reliably_deteriorated"] == pytest.approx(
            100 * cats.isin(["deteriorated", "harmed"]).mean()
        )
        known = part["ended"].dropna()
        assert row["dropout_rate"] == pytest.approx((known == "dropped_out").mean())
        assert row["mean_sessions"] == pytest.approx(part["sessions"].mean())
        alone = pre_post_effect_size(part, "phq_first", "phq_last").iloc[0]
        assert row["d"] == pytest.approx(alone["d"]) and row["ci_high"] == pytest.approx(
            alone["ci_high"]
        )
    assert out["pct_recovered"].gt(0).all() and out["pct_reliably_improved"].gt(0).all()


def test_a_dropped_out_flag_column_gives_the_same_rates_as_the_ending_reason():
    frame = caseload()
    by_reason = effectiveness(
        frame,
        "episode",
        "phq_first",
        "phq_last",
        CRITERIA,
        ["practice", "practitioner"],
        ended_reason_col="ended",
    )
    by_flag = effectiveness(
        frame,
        "episode",
        "phq_first",
        "phq_last",
        CRITERIA,
        ["practice", "practitioner"],
        dropped_out_col="dropped",
    )
    assert len(by_flag) == 8
    pd.testing.assert_series_equal(by_reason["dropout_rate"], by_flag["dropout_rate"])


def test_one_row_for_everyone_without_groups():
    frame = caseload()
    out = effectiveness(frame, "episode", "phq_first", "phq_last", CRITERIA)
    assert len(out) == 1 and out["n_clients"].iloc[0] == len(frame)
    assert math.isnan(out["mean_sessions"].iloc[0]) and math.isnan(out["dropout_rate"].iloc[0])


def test_a_group_too_small_for_an_effect_size_gets_missing_values():
    frame = caseload().iloc[:40].copy()
    frame.loc[frame.index[:2], "practice"] = "tiny"
    out = effectiveness(frame, "episode", "phq_first", "phq_last", CRITERIA, by="practice")
    tiny = out.set_index("practice").loc["tiny"]
    assert tiny["n_clients"] == 2 and math.isnan(tiny["d"]) and math.isnan(tiny["ci_low"])


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        (lambda f: f.drop(columns="phq_last"), {}, "post_col: no column 'phq_last'"),
        (lambda f: pd.concat([f, f.iloc[[3]]]), {}, "'e3' appears again"),
        (lambda f: f.assign(phq_last=np.nan), {}, "no client has both"),
        (lambda f: f.assign(dropped="maybe"), {"dropped_out_col": "dropped"}, "expected true"),
        (lambda f: f, {"by": "nowhere"}, r"by\[0\]: no column 'nowhere'"),
    ],
)
def test_bad_input_to_effectiveness_raises_research_error(change, kwargs, message):
    with pytest.raises(ResearchError, match=message):
        effectiveness(change(caseload()), "episode", "phq_first", "phq_last", CRITERIA, **kwargs)


# -- practitioner comparison ------------------------------------------------------------------


def practitioners(seed: int = 5) -> pd.DataFrame:
    """Nine practitioners with 40 clients each whose true mean changes differ (-10 to -4.5,
    client SD 5: a therapist effect of about 10% of the variance), and one with 5 clients whose
    raw mean change (-12) is the most extreme of all."""
    rng = np.random.default_rng(seed)
    rows = []
    for k, true in enumerate([-10.0, -7.5, -7.0, -6.5, -6.0, -6.0, -5.5, -5.0, -4.5]):
        pre = rng.normal(17, 4, 40)
        rows += [
            (f"big{k}", a, a + true + e) for a, e in zip(pre, rng.normal(0, 5, 40), strict=True)
        ]
    pre = rng.normal(17, 4, 5)
    rows += [("small", a, a - 12 + e) for a, e in zip(pre, [-1, 1, 0, -0.5, 0.5], strict=True)]
    frame = pd.DataFrame(rows, columns=["who", "pre", "post"])
    return frame.assign(practice=np.where(frame.index % 2 == 0, "a", "b"), client=frame.index)


def test_a_small_caseload_with_an_extreme_raw_mean_is_shrunk_more_and_not_ranked_first():
    result = practitioner_effects(practitioners(), "who", "pre", "post", adjust_for_intake=False)
    table = result.table.set_index("practitioner")
    mean = result.fixed_effects.iloc[0]
    small, big = table.loc["small"], table.drop(index="small")
    assert small["raw_rank"] == 1 and small["rank"] > 1
    assert (small["shrinkage"] > big["shrinkage"]).all()
    pull = (table["raw_mean_change"] - table["estimate"]) / (table["raw_mean_change"] - mean)
    assert pull.loc["small"] > pull.drop(index="small").max()
    assert small["se"] > big["se"].max()  # and its interval is wider
    assert list(result.table["rank"]) == sorted(result.table["rank"])  # best first


def nested(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(practice=np.where(frame["who"].isin(["big0", "big1", "big2"]), "a", "b"))


def test_estimates_equal_statsmodels_fe_params_plus_random_effects():
    frame = nested(practitioners())
    result = practitioner_effects(frame, "who", "pre", "post", "practice")
    data = frame.assign(change=frame["post"] - frame["pre"], c=frame["pre"] - frame["pre"].mean())
    model = smf.mixedlm("change ~ 0 + C(practice) + c", data, groups="who")
    # statsmodels' default gradient optimizers stop short on these data (next test), so the
    # reference is its derivative-free Powell fit; ours may differ in the optimiser's last digits
    direct = model.fit(reml=True, method="powell", maxiter=5000)
    assert result.converged and direct.converged
    assert result.tau2 == pytest.approx(float(direct.cov_re.iloc[0, 0]), rel=1e-3)
    assert result.sigma2 == pytest.approx(direct.scale, rel=1e-4)
    assert result.fixed_effects.to_numpy() == pytest.approx(direct.fe_params.to_numpy(), rel=1e-5)
    table = result.table.set_index("practitioner")
    for who, effect in direct.random_effects.items():
        practice = "a" if who in {"big0", "big1", "big2"} else "b"
        expected = direct.fe_params[f"C(practice)[{practice}]"] + effect.iloc[0]
        assert table.loc[who, "estimate"] == pytest.approx(expected, rel=1e-4)
        assert table.loc[who, "practice"] == practice


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.ConvergenceWarning")
def test_when_the_gradient_optimizers_fail_a_derivative_free_refit_reaches_the_reml_optimum():
    frame = nested(practitioners())
    data = frame.assign(change=frame["post"] - frame["pre"], c=frame["pre"] - frame["pre"].mean())
    model = smf.mixedlm("change ~ 0 + C(practice) + c", data, groups="who")
    default = model.fit(reml=True)
    nelder_mead = model.fit(reml=True, method="nm", maxiter=5000)
    if default.converged:
        pytest.skip("statsmodels' default optimizers now converge on these data")
    assert nelder_mead.converged and nelder_mead.llf > default.llf
    result = practitioner_effects(frame, "who", "pre", "post", "practice")
    assert result.converged
    assert result.tau2 == pytest.approx(float(nelder_mead.cov_re.iloc[0, 0]), rel=1e-3)
    assert any("failed to converge" in w for w in result.warnings)


def test_without_covariates_estimates_are_the_raudenbush_bryk_weighted_means():
    frame = practitioners()
    result = practitioner_effects(frame, "who", "pre", "post", adjust_for_intake=False)
    data = frame.assign(change=frame["post"] - frame["pre"])
    direct = smf.mixedlm("change ~ 1", data, groups="who").fit(reml=True)
    tau2, sigma2 = float(direct.cov_re.iloc[0, 0]), direct.scale
    sizes = data.groupby("who").size()
    var_mu = 1 / (1 / (tau2 + sigma2 / sizes)).sum()  # GLS variance of the grand mean
    mu = direct.fe_params["Intercept"]
    table = result.table.set_index("practitioner")
    for who, part in data.groupby("who"):
        n = len(part)
        lam = tau2 / (tau2 + sigma2 / n)
        conditional = (1 - lam) * tau2
        assert conditional == pytest.approx(direct.random_effects_cov[who].iloc[0, 0], rel=1e-8)
        pev = conditional + (1 - lam) ** 2 * var_mu
        row = table.loc[who]
        assert row["estimate"] == pytest.approx(lam * part["change"].mean() + (1 - lam) * mu)
        assert row["shrinkage"] == pytest.approx(1 - lam)
        assert row["se"] == pytest.approx(math.sqrt(pev), rel=1e-6)
        assert row["ci_high"] - row["estimate"] == pytest.approx(
            stats.norm.ppf(0.975) * math.sqrt(pev), rel=1e-6
        )
    assert result.icc == pytest.approx(tau2 / (tau2 + sigma2), rel=1e-5)


def test_with_tau2_zero_the_mixed_model_equations_give_ols_and_no_practitioner_effects():
    rng = np.random.default_rng(7)
    x = np.column_stack([np.ones(30), rng.normal(size=30)])
    z = np.eye(3)[rng.integers(0, 3, 30)]
    y = rng.normal(size=30)
    u, cov, b = henderson(x, z, y, 0.0, 2.0)
    ols, *_ = np.linalg.lstsq(x, y, rcond=None)
    assert b == pytest.approx(ols) and u == pytest.approx(np.zeros(3), abs=0)
    assert cov[:2, :2] == pytest.approx(2.0 * np.linalg.inv(x.T @ x))
    u_tiny, _, b_tiny = henderson(x, z, y, 1e-9, 2.0)  # the limit agrees
    assert b_tiny == pytest.approx(ols, rel=1e-6) and u_tiny == pytest.approx(u, abs=1e-6)


def test_with_no_variance_between_practitioners_they_share_the_practice_mean_and_rank():
    rng = np.random.default_rng(3)  # everyone has the same true mean change
    who = rng.choice([f"t{k}" for k in range(6)], 120)
    pre = rng.integers(8, 27, 120).astype(float)
    frame = pd.DataFrame(
        {
            "who": who,
            "practice": np.where(np.isin(who, ["t0", "t1", "t2"]), "north", "south"),
            "pre": pre,
            "post": np.clip(pre - rng.normal(6, 6, 120), 0, 27).round(),
        }
    )
    result = practitioner_effects(frame, "who", "pre", "post", "practice")
    assert result.tau2 == 0.0 and result.icc == 0.0
    table = result.table.set_index("practitioner")
    for practice, members in table.groupby("practice"):
        assert members["estimate"].nunique() == 1 and members["rank"].nunique() == 1
        assert members["estimate"].iloc[0] == pytest.approx(
            result.fixed_effects[f"practice[{practice}]"]
        )
    assert (table["shrinkage"] == 1.0).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: nested(f)[f["who"].isin(["big0", "small"])], "at least 3 are needed"),
        (lambda f: f, "belongs to more than one practice"),
        (lambda f: f.assign(pre="x"), "row 1, column pre: 'x'"),
    ],
)
def test_bad_input_to_practitioner_effects_raises_research_error(change, message):
    with pytest.raises(ResearchError, match=message):
        practitioner_effects(change(practitioners()), "who", "pre", "post", "practice")
