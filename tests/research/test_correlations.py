"""``alliance.research.correlations.correlate``, validated pair by pair.

References named in each test:
- coefficients and p values: ``scipy.stats.spearmanr`` / ``scipy.stats.pearsonr`` on the pair's
  complete rows;
- Benjamini-Hochberg: ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``;
- Pearson Fisher CI: ``scipy.stats.pearsonr(...).confidence_interval()``;
- Spearman Fisher CI (Bonett & Wright 2000 standard error): a hand computation with the
  standard library, and the published example of ``ci.spear`` in Bonett's R package statpsych
  (https://dgbonett.github.io/statpsych/reference/ci.spear.html);
- bootstrap CI: a slow loop calling scipy on every resample of every pair, with the resamples
  drawn independently of the implementation from the documented rule.
"""

import math
import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from alliance.feedback.simulator import simulate
from alliance.research import correlations
from alliance.research.correlations import benjamini_hochberg, correlate
from alliance.research.errors import ResearchError

ALLIANCE = ["wai-sr_goal", "wai-sr_task", "wai-sr_bond", "wai-sr_total"]
OUTCOME = ["phq9_total", "severity"]


@pytest.fixture(scope="module")
def sessions() -> pd.DataFrame:
    """Simulated WAI-SR and PHQ-9 scores, one row per client and session (scores on their
    grids, so with many ties), with extra values knocked out so that pairs differ in n."""
    long = simulate(60, "phq9", seed=11, alliance="wai-sr")
    long["variable"] = long["instrument"] + "_" + long["scale"]
    wide = long.pivot_table(
        index=["client_id", "session"], columns="variable", values="score", dropna=False
    ).reset_index()
    rng = np.random.default_rng(5)
    wide["severity"] = wide["phq9_total"] + rng.normal(0, 3, len(wide))  # continuous
    for column, share in [("wai-sr_goal", 0.05), ("wai-sr_bond", 0.1), ("severity", 0.15)]:
        wide.loc[rng.random(len(wide)) < share, column] = np.nan
    return wide


def complete(frame: pd.DataFrame, x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    pair = frame[[x, y]].dropna().to_numpy()
    return pair[:, 0], pair[:, 1]


def test_the_result_has_one_row_per_pair_in_the_order_of_x_then_y(sessions):
    result = correlate(sessions, ALLIANCE, OUTCOME)
    assert list(result.columns) == ["x", "y", "n", "r", "ci_low", "ci_high", "p", "p_adj"]
    assert list(zip(result["x"], result["y"], strict=True)) == [
        (x, y) for x in ALLIANCE for y in OUTCOME
    ]


def test_n_counts_the_pairwise_complete_rows(sessions):
    result = correlate(sessions, ALLIANCE, OUTCOME)
    for row in result.itertuples():
        assert row.n == int((sessions[row.x].notna() & sessions[row.y].notna()).sum())
    assert result["n"].nunique() > 2  # the knocked-out values make the pairs differ


def test_spearman_r_and_p_equal_scipy_spearmanr_for_every_pair(sessions):
    result = correlate(sessions, ALLIANCE, OUTCOME, method="spearman")
    for row in result.itertuples():
        reference = stats.spearmanr(*complete(sessions, row.x, row.y))
        assert row.r == pytest.approx(reference.statistic, rel=1e-13, abs=1e-15)
        assert row.p == pytest.approx(reference.pvalue, rel=1e-12)


def test_spearman_coefficients_are_the_very_numbers_scipy_spearmanr_computes(sessions):
    """The documented claim (and the benchmark's check): the same steps, not merely close."""
    result = correlate(sessions, ALLIANCE, OUTCOME)
    for row in result.itertuples():
        reference = stats.spearmanr(*complete(sessions, row.x, row.y))
        assert (row.r, row.p) == (reference.statistic, reference.pvalue)


def test_pearson_r_and_p_equal_scipy_pearsonr_for_every_pair(sessions):
    result = correlate(sessions, ALLIANCE, OUTCOME, method="pearson")
    for row in result.itertuples():
        reference = stats.pearsonr(*complete(sessions, row.x, row.y))
        assert row.r == pytest.approx(reference.statistic, rel=1e-12)
        assert row.p == pytest.approx(reference.pvalue, rel=1e-9)


def test_p_adj_equals_statsmodels_fdr_bh_across_the_matrix(sessions):
    result = correlate(sessions, ALLIANCE, [*OUTCOME, "session"])
    _, expected, _, _ = multipletests(result["p"].to_numpy(), method="fdr_bh")
    np.testing.assert_allclose(result["p_adj"], expected, rtol=1e-13)


def test_benjamini_hochberg_handles_ties_and_the_cap_at_one_as_statsmodels():
    p = np.array([0.01, 0.04, 0.04, 0.03, 0.9, 0.5, 0.04, 1.0, 0.001, 0.7])
    _, expected, _, _ = multipletests(p, method="fdr_bh")
    np.testing.assert_allclose(benjamini_hochberg(p), expected, rtol=1e-15)


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_pearson_fisher_ci_equals_scipy_pearsonr_confidence_interval(sessions, alpha):
    result = correlate(sessions, ALLIANCE, OUTCOME, method="pearson", alpha=alpha)
    for row in result.itertuples():
        interval = stats.pearsonr(*complete(sessions, row.x, row.y)).confidence_interval(
            confidence_level=1 - alpha
        )
        assert row.ci_low == pytest.approx(interval.low, rel=1e-12)
        assert row.ci_high == pytest.approx(interval.high, rel=1e-12)


def test_spearman_fisher_ci_uses_the_bonett_wright_standard_error_by_hand(sessions):
    """z = atanh(r) -/+ z_.975 sqrt((1 + r^2/2) / (n - 3)), back with tanh (standard library)."""
    result = correlate(sessions, ALLIANCE, OUTCOME)
    z975 = NormalDist().inv_cdf(0.975)
    for row in result.itertuples():
        se = math.sqrt((1 + row.r**2 / 2) / (row.n - 3))
        assert row.ci_low == pytest.approx(math.tanh(math.atanh(row.r) - z975 * se), rel=1e-12)
        assert row.ci_high == pytest.approx(math.tanh(math.atanh(row.r) + z975 * se), rel=1e-12)


def test_spearman_fisher_ci_reproduces_bonetts_published_ci_spear_example():
    """statpsych ci.spear(.05, y, x): Estimate 0.8699639, LL 0.5840951, UL 0.9638297."""
    frame = pd.DataFrame(
        {
            "y": [21, 4, 9, 12, 35, 18, 10, 22, 24, 1, 6, 8, 13, 16, 19],
            "x": [67, 28, 30, 28, 52, 40, 25, 37, 44, 10, 14, 20, 28, 40, 51],
        }
    )
    row = correlate(frame, ["y"], ["x"]).iloc[0]
    assert (round(row.r, 7), round(row.ci_low, 7), round(row.ci_high, 7)) == (
        0.8699639,
        0.5840951,
        0.9638297,
    )
    # statpsych's SE is on the r scale: (1 - r^2) times the SE of z
    se = (1 - row.r**2) * math.sqrt((1 + row.r**2 / 2) / (15 - 3))
    assert round(se, 8) == 0.08241326


def test_a_perfect_monotone_relation_has_r_1_a_degenerate_ci_and_scipys_p():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [1.0, 4, 9, 16, 25, 36]})
    row = correlate(frame, ["a"], ["b"]).iloc[0]
    reference = stats.spearmanr(frame["a"], frame["b"])
    assert (row.r, row.ci_low, row.ci_high) == (1.0, 1.0, 1.0)
    assert row.p == reference.pvalue


def reference_bootstrap(x, y, function, n_boot, seed, alpha=0.05):
    """One scipy call per resample; resample b = rows at default_rng(seed).integers(0, n,
    size=(n_boot, n))[b] (the rule in the module docstring); undefined resamples left out."""
    indices = np.random.default_rng(seed).integers(0, len(x), size=(n_boot, len(x)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        values = np.array([function(x[i], y[i]).statistic for i in indices])
    values = values[~np.isnan(values)]
    return np.percentile(values, [100 * alpha / 2, 100 * (1 - alpha / 2)]), len(values)


@pytest.mark.parametrize("chunk_bytes", [correlations.CHUNK_BYTES, 50_000])
@pytest.mark.parametrize(
    ("method", "function", "tolerance"),
    [("spearman", stats.spearmanr, 1e-13), ("pearson", stats.pearsonr, 1e-10)],
)
def test_bootstrap_ci_equals_a_per_pair_scipy_loop_on_the_same_resamples(
    sessions, monkeypatch, chunk_bytes, method, function, tolerance
):
    """Small chunks (a few resamples each) must not change the resamples or the result."""
    monkeypatch.setattr(correlations, "CHUNK_BYTES", chunk_bytes)
    x, y = ["wai-sr_goal", "wai-sr_bond"], ["phq9_total", "severity"]
    result = correlate(sessions, x, y, method=method, ci="bootstrap", n_boot=150, seed=42)
    for row in result.itertuples():
        (low, high), _ = reference_bootstrap(
            *complete(sessions, row.x, row.y), function, n_boot=150, seed=42
        )
        assert row.ci_low == pytest.approx(low, rel=tolerance)
        assert row.ci_high == pytest.approx(high, rel=tolerance)


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_bootstrap_leaves_out_resamples_in_which_a_column_is_constant(method):
    """Six rows with ties: many resamples draw one value only, where scipy gives NaN."""
    frame = pd.DataFrame({"a": [1.0, 1, 1, 2, 2, 3], "b": [2.0, 1, 2, 3, 3, 3]})
    function = stats.spearmanr if method == "spearman" else stats.pearsonr
    (low, high), kept = reference_bootstrap(
        frame["a"].to_numpy(), frame["b"].to_numpy(), function, n_boot=400, seed=3
    )
    assert kept < 400  # the case under test occurs
    row = correlate(frame, ["a"], ["b"], method=method, ci="bootstrap", n_boot=400, seed=3)
    assert row["ci_low"].iloc[0] == pytest.approx(low, rel=1e-12)
    assert row["ci_high"].iloc[0] == pytest.approx(high, rel=1e-12)


def test_a_pairs_bootstrap_ci_depends_only_on_the_seed_and_its_own_rows(sessions):
    alone = correlate(sessions, ["wai-sr_task"], ["phq9_total"], ci="bootstrap", n_boot=200, seed=7)
    among = correlate(sessions, ALLIANCE, OUTCOME, ci="bootstrap", n_boot=200, seed=7)
    pair = among[(among["x"] == "wai-sr_task") & (among["y"] == "phq9_total")]
    assert pair[["ci_low", "ci_high"]].to_numpy().tolist() == (
        alone[["ci_low", "ci_high"]].to_numpy().tolist()
    )


def test_without_a_seed_the_bootstrap_records_the_seed_it_drew(sessions):
    first = correlate(sessions, ["wai-sr_task"], OUTCOME, ci="bootstrap", n_boot=100)
    again = correlate(
        sessions, ["wai-sr_task"], OUTCOME, ci="bootstrap", n_boot=100, seed=first.attrs["seed"]
    )
    pd.testing.assert_frame_equal(first, again)
    assert first.attrs["n_boot"] == 100


def test_the_bootstrap_ci_contains_the_estimate_and_differs_from_fisher(sessions):
    fisher = correlate(sessions, ALLIANCE, OUTCOME)
    boot = correlate(sessions, ALLIANCE, OUTCOME, ci="bootstrap", n_boot=300, seed=1)
    assert (boot["ci_low"] < boot["r"]).all() and (boot["r"] < boot["ci_high"]).all()
    pd.testing.assert_series_equal(fisher["r"], boot["r"])
    assert not np.allclose(fisher["ci_low"], boot["ci_low"])


GOOD = pd.DataFrame(
    {
        "a": [1.0, 2, 3, 4, 5],
        "b": [2.0, 1, 4, 3, 5],
        "c": [5.0, 3, 4, 1, 2],
        "gaps": [1.0, np.nan, 3, np.nan, 2],
        "flat": [3.0, 3, 3, 3, 3],
        "text": ["1", "2", "3", "4", "5"],
        "inf": [1.0, 2, np.inf, 4, 5],
    }
)


@pytest.mark.parametrize(
    ("x", "y", "options", "message"),
    [
        (["a", "zz"], ["c"], {}, "x: unknown columns ['zz']; the data has ['a', 'b', 'c'"),
        (["a"], ["text"], {}, "column 'text' holds str values; expected numbers"),
        (["a"], ["inf"], {}, "column 'inf', row 2: inf; expected a finite number"),
        (
            ["a", "b"],
            ["gaps"],
            {},
            "pair ('a', 'gaps'): 3 complete pairs (rows where both are present); "
            "at least 4 are needed",
        ),
        (["a"], ["flat"], {}, "pair ('a', 'flat'): column 'flat' is constant (3) over the 5"),
        (["a", "b"], ["b"], {}, "columns ['b'] are in both x and y"),
        (["a", "a"], ["b"], {}, "x: columns ['a'] are named more than once"),
        ("a", ["b"], {}, "x: expected a list of column names; got 'a'"),
        ([], ["b"], {}, "x: expected at least one column name"),
        (["a"], ["b"], {"method": "kendall"}, "method: 'kendall'; expected one of"),
        (["a"], ["b"], {"ci": "bca"}, "ci: 'bca'; expected one of ['fisher', 'bootstrap']"),
        (["a"], ["b"], {"alpha": 1.5}, "alpha: 1.5; expected a number between 0 and 1"),
        (["a"], ["b"], {"n_boot": 0}, "n_boot: 0; expected a whole number of at least 1"),
        (["a"], ["b"], {"seed": -1}, "seed: -1; expected a whole number >= 0 or None"),
    ],
)
def test_bad_input_raises_a_research_error_naming_the_problem(x, y, options, message):
    with pytest.raises(ResearchError) as error:
        correlate(GOOD, x, y, **options)
    assert message in str(error.value)


def test_a_constant_column_is_refused_over_the_complete_pairs_only():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [7.0, 7, 7, 7, np.nan, 1]})
    with pytest.raises(ResearchError, match="column 'b' is constant"):
        correlate(frame.iloc[:5], ["a"], ["b"])
    assert correlate(frame, ["a"], ["b"])["n"].iloc[0] == 5
