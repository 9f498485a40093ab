"""Reliable change and clinical significance (Jacobson & Truax 1991).

Validated against the published results of the R package clinicalsignificance (Claus, Wager &
Bonnet 2024, J Stat Softw 111(1)) on its example data sets, read from
../shared/reference-data (claus_2020.csv, jacobson_1989.csv):

- cs_distribution.md and cs_combined.md test snapshots (benediktclaus/clinicalsignificance):
  HAM-D, time 1 -> 4, reliability .80: improved 29, unchanged 10, deteriorated 1; with
  functional mean 8, SD 8 (cut-off c): cut-off 19.887, recovered 26, improved 3, unchanged 10,
  deteriorated 1, harmed 0.
- README (benediktclaus/clinicalsignificance): BDI, reliability .801, functional mean 7.69,
  SD 7.52: clinical mean 35.48, SD 8.16, cut-off 21.02; recovered 10, improved 8, unchanged 22.
- clinical_significance.md test snapshot and README of version 1 (pedscience/
  clinicalsignificance): BDI reliability .80, cut-off a 19.16 -> 10/8/22/0/0, grouped TAU
  3/2/14/0/0 and PA 7/6/8/0/0; BDI reliability .80, 8/8, cut-off c 21.6 -> 10/8/22/0/0;
  BDI reliability .81, 8/8, c 21.6 -> 10/9/21/0/0; jacobson_1989 GDS reliability .80, cut-off
  a -> recovered 10, improved 4, unchanged 12, deteriorated 0, harmed 0.
"""

import dataclasses
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance.feedback.change import (
    ChangeCriteria,
    criteria_for,
    jacobson_truax,
    reliable_change,
)
from alliance.feedback.errors import FeedbackError

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data"


def reference(name: str) -> pd.DataFrame:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent")
    return pd.read_csv(REFERENCE / name)


def counts(result) -> tuple[int, int, int, int, int]:
    c = result.counts
    return (c["recovered"], c["improved"], c["unchanged"], c["deteriorated"], c["harmed"])


def claus(score: str, **criteria) -> object:
    return reliable_change(
        reference("claus_2020.csv"),
        id_col="id",
        time_col="time",
        score_col=score,
        pre=1,
        post=4,
        criteria=ChangeCriteria(**criteria),
    )


# -- published results ---------------------------------------------------------------------


def test_hamd_reliable_change_matches_the_clinicalsignificance_snapshot():
    result = claus("hamd", reliability=0.80)
    assert result.n_used == 40
    assert result.cutoff is None
    assert counts(result) == (0, 29, 10, 1, 0)


def test_hamd_with_functional_norms_gives_cutoff_c_and_the_published_categories():
    result = claus("hamd", reliability=0.80, functional_mean=8, functional_sd=8)
    assert result.cutoff_type == "c"
    assert round(result.cutoff, 3) == 19.887
    assert counts(result) == (26, 3, 10, 1, 0)


def test_bdi_readme_example_estimates_the_clinical_norms_from_the_complete_pre_scores():
    result = claus("bdi", reliability=0.801, functional_mean=7.69, functional_sd=7.52)
    assert result.n_used == 40
    assert round(result.clinical_mean, 2) == 35.48
    assert round(result.clinical_sd, 2) == 8.16
    assert round(result.cutoff, 2) == 21.02
    assert counts(result) == (10, 8, 22, 0, 0)


def test_bdi_cutoff_a_matches_the_version_1_summary():
    result = claus("bdi", reliability=0.80, cutoff_type="a")
    assert round(result.cutoff, 2) == 19.16
    assert counts(result) == (10, 8, 22, 0, 0)


@pytest.mark.parametrize(
    ("reliability", "expected"), [(0.80, (10, 8, 22, 0, 0)), (0.81, (10, 9, 21, 0, 0))]
)
def test_bdi_cutoff_c_with_norms_8_and_8_matches_the_version_1_results(reliability, expected):
    result = claus("bdi", reliability=reliability, functional_mean=8, functional_sd=8)
    assert round(result.cutoff, 1) == 21.6
    assert counts(result) == expected


def test_per_case_categories_reproduce_the_published_counts_by_treatment_group():
    data = reference("claus_2020.csv")
    result = claus("bdi", reliability=0.80, cutoff_type="a")
    groups = data.drop_duplicates("id").set_index("id")["treatment"]
    cases = result.cases.assign(group=result.cases["id"].map(groups))
    table = cases.groupby("group")["category"].value_counts().unstack(fill_value=0)
    assert table.loc["TAU", ["recovered", "improved", "unchanged"]].tolist() == [3, 2, 14]
    assert table.loc["PA", ["recovered", "improved", "unchanged"]].tolist() == [7, 6, 8]
    assert "deteriorated" not in table.columns


def test_jacobson_1989_gds_with_text_time_points_matches_the_published_categories():
    result = reliable_change(
        reference("jacobson_1989.csv"),
        id_col="subject",
        time_col="time",
        score_col="gds",
        pre="pre",
        post="post",
        criteria=ChangeCriteria(reliability=0.80, cutoff_type="a"),
    )
    assert result.n_used == 26
    assert counts(result) == (10, 4, 12, 0, 0)


def test_wide_data_gives_the_same_result_as_long_data():
    data = reference("jacobson_1989.csv")
    wide = data.pivot(index="subject", columns="time", values="gds").reset_index()
    criteria = ChangeCriteria(reliability=0.80, cutoff_type="a")
    from_wide = reliable_change(wide, id_col="subject", pre="pre", post="post", criteria=criteria)
    from_long = reliable_change(
        data,
        id_col="subject",
        time_col="time",
        score_col="gds",
        pre="pre",
        post="post",
        criteria=criteria,
    )
    assert from_wide.s_diff == pytest.approx(from_long.s_diff)
    assert from_wide.counts == from_long.counts
    merged = from_wide.cases.merge(from_long.cases, on="id")
    assert len(merged) == 26
    assert (merged["category_x"] == merged["category_y"]).all()


def test_s_diff_agrees_with_the_standard_library_sd_of_the_complete_pre_scores():
    import statistics

    data = reference("claus_2020.csv")
    wide = data.pivot(index="id", columns="time", values="hamd")[[1, 4]].dropna()
    expected = statistics.stdev(wide[1].tolist()) * math.sqrt(2) * math.sqrt(1 - 0.8)
    assert claus("hamd", reliability=0.80).s_diff == pytest.approx(expected, rel=1e-12)


# -- hand-worked examples --------------------------------------------------------------------


def test_s_diff_is_sd_times_root_two_times_root_one_minus_r():
    # pre scores 8 and 12: SD = 2 * sqrt(2); r = .75: S_diff = 2 sqrt(2) * sqrt(2) * .5 = 2
    result = jacobson_truax([8, 12], [8, 12], ChangeCriteria(reliability=0.75))
    assert result.s_diff == pytest.approx(2.0)
    assert result.threshold == pytest.approx(3.92)


def test_a_change_is_reliable_only_beyond_1_96_s_diff():
    # S_diff = 2 (given SD 2 * sqrt(2), r = .75): 3.9 points is RCI 1.95, 3.94 is 1.97
    criteria = ChangeCriteria(reliability=0.75, sd=2 * math.sqrt(2))
    result = jacobson_truax([20, 20, 20, 20], [16.1, 16.06, 23.9, 23.94], criteria)
    assert result.cases["rci"].round(3).tolist() == [-1.95, -1.97, 1.95, 1.97]
    assert result.cases["category"].tolist() == [
        "unchanged",
        "improved",
        "unchanged",
        "deteriorated",
    ]


def test_higher_is_better_turns_the_categories_around():
    criteria = ChangeCriteria(reliability=0.75, sd=2 * math.sqrt(2), better="higher")
    result = jacobson_truax([20, 20], [15, 25], criteria)
    assert result.cases["category"].tolist() == ["deteriorated", "improved"]
    assert result.cases["rci"].tolist() == pytest.approx([-2.5, 2.5])


@pytest.mark.parametrize(
    ("better", "kind", "expected"),
    [
        ("lower", "a", 0.0),  # 20 - 2 * 10
        ("lower", "b", 15.0),  # 5 + 2 * 5
        ("lower", "c", 10.0),  # (10 * 5 + 5 * 20) / (10 + 5)
        ("higher", "a", 40.0),  # 20 + 2 * 10
        ("higher", "b", -5.0),  # 5 - 2 * 5
        ("higher", "c", 10.0),
    ],
)
def test_cutoffs_a_b_and_c_follow_jacobson_and_truax(better, kind, expected):
    # pre scores 10, 20, 30: mean 20, SD 10; functional mean 5, SD 5
    criteria = ChangeCriteria(
        reliability=0.8, better=better, cutoff_type=kind, functional_mean=5, functional_sd=5
    )
    result = jacobson_truax([10, 20, 30], [10, 20, 30], criteria)
    assert result.cutoff == pytest.approx(expected)


def test_given_clinical_norms_replace_the_estimates():
    criteria = ChangeCriteria(reliability=0.8, cutoff_type="a", clinical_mean=30, clinical_sd=4)
    result = jacobson_truax([10, 20, 30], [10, 20, 30], criteria)
    assert result.cutoff == pytest.approx(22.0)
    assert (result.clinical_mean, result.clinical_sd) == (30, 4)


def test_a_published_cutoff_and_threshold_give_every_category():
    # PHQ-9 style: clinical at 10 or above, a change of 6 or more is reliable
    criteria = ChangeCriteria(reliable_change=6, cutoff=10)
    pre = [15, 16, 10, 15, 12, 5, 20]
    post = [9, 10, 4, 10, 18, 11, 14]
    result = jacobson_truax(pre, post, criteria, ids=list("abcdefg"))
    assert result.cases.set_index("id")["category"].to_dict() == {
        "a": "recovered",  # 15 -> 9: -6 is reliable, ends below 10
        "b": "improved",  # 16 -> 10: reliable, but 10 is still clinical
        "c": "recovered",  # 10 -> 4: 10 at the start is clinical
        "d": "unchanged",  # 15 -> 10: -5 is not reliable
        "e": "deteriorated",  # 12 -> 18: clinical at the start
        "f": "harmed",  # 5 -> 11: not clinical at start, clinical at the end, +6
        "g": "improved",  # 20 -> 14: reliable, still clinical
    }
    assert result.s_diff == pytest.approx(6 / 1.96)


def test_computed_cutoffs_are_compared_strictly_like_clinicalsignificance():
    # cut-off a with clinical mean 20, SD 5 (lower is better) is exactly 10
    criteria = ChangeCriteria(reliable_change=6, cutoff_type="a", clinical_mean=20, clinical_sd=5)
    result = jacobson_truax([16, 10], [10, 16], criteria)
    # 16 -> 10 ends on the cut-off: not functional, so improved rather than recovered;
    # 10 -> 16 starts on the cut-off: not clinical, ends not functional, so harmed
    assert result.cases["category"].tolist() == ["improved", "harmed"]


def test_incomplete_pairs_are_left_out_of_n_and_of_the_sd():
    result = jacobson_truax(
        [8, 12, 40, np.nan], [8, 12, np.nan, 3], ChangeCriteria(reliability=0.75)
    )
    assert result.n_used == 2
    assert result.s_diff == pytest.approx(2.0)
    assert result.cases["id"].tolist() == [1, 2]


def test_summary_is_a_tidy_table_of_counts_and_percentages():
    result = jacobson_truax(
        [15, 16, 10, 15], [9, 10, 4, 10], ChangeCriteria(reliable_change=6, cutoff=10)
    )
    table = result.summary()
    assert list(table.columns) == ["category", "n", "percent"]
    assert table.set_index("category")["n"].to_dict() == {
        "recovered": 2,
        "improved": 1,
        "unchanged": 1,
        "deteriorated": 0,
        "harmed": 0,
    }
    assert table["percent"].tolist() == [50.0, 25.0, 25.0, 0.0, 0.0]


# -- per-instrument defaults -----------------------------------------------------------------


def test_criteria_for_phq9_takes_the_published_threshold_and_cutoff_from_the_definition():
    criteria = criteria_for("phq9")
    assert (criteria.better, criteria.reliable_change, criteria.cutoff) == ("lower", 6.0, 10.0)
    assert criteria.reliability is None


def test_criteria_for_ors_is_higher_is_better():
    criteria = criteria_for("ors")
    assert (criteria.better, criteria.reliable_change, criteria.cutoff) == ("higher", 5.0, 25.0)


def test_criteria_for_an_instrument_with_sd_and_reliability_uses_them():
    criteria = criteria_for("k10")
    assert (criteria.sd, criteria.reliability) == (7.3, 0.89)
    result = jacobson_truax([28, 30], [21, 24], criteria)
    # threshold 1.96 * sqrt(2) * 7.3 * sqrt(.11) = 6.71: 7 points reliable, 6 not;
    # 21 is below the K10 cut-off of 22
    assert result.threshold == pytest.approx(6.71, abs=0.005)
    assert result.cases["category"].tolist() == ["recovered", "unchanged"]


def test_instrument_defaults_can_be_overridden():
    criteria = dataclasses.replace(criteria_for("phq9"), reliable_change=4, cutoff=None)
    result = jacobson_truax([15], [10], criteria)
    assert result.cases["category"].tolist() == ["improved"]
    with pytest.raises(FeedbackError, match="exactly one of reliability"):
        dataclasses.replace(criteria_for("phq9"), reliability=0.8)


def test_criteria_for_names_unknown_instruments_and_scales_without_change_parameters():
    with pytest.raises(FeedbackError, match="unknown instrument 'nope'"):
        criteria_for("nope")
    with pytest.raises(FeedbackError, match="no scale 'bond'"):
        criteria_for("phq9", "bond")
    with pytest.raises(FeedbackError, match="srs, scale total: the definition gives no change"):
        criteria_for("srs")


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of reliability"),
        ({"reliability": 0.8, "reliable_change": 6}, "exactly one of reliability"),
        ({"reliability": 1.0}, "reliability: 1.0; expected a number between 0 and 1"),
        ({"reliability": float("nan")}, "reliability: nan is not a finite number"),
        ({"reliable_change": -2}, "reliable_change: -2; expected a number above 0"),
        ({"reliable_change": 6, "sd": 5}, "sd is used with reliability only"),
        ({"reliability": 0.8, "functional_mean": 8}, "functional_mean and functional_sd"),
        ({"reliability": 0.8, "cutoff_type": "c"}, "needs functional_mean"),
        ({"reliability": 0.8, "cutoff_type": "d"}, "cutoff_type: 'd'"),
        ({"reliability": 0.8, "cutoff": 10, "cutoff_type": "a"}, "not both"),
        ({"reliability": 0.8, "better": "up"}, "better: 'up'"),
    ],
)
def test_bad_criteria_are_refused_naming_the_argument(kwargs, message):
    with pytest.raises(FeedbackError, match=message):
        ChangeCriteria(**kwargs)


def long_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 1, 2, 2, 3, 3],
            "time": [1, 2, 1, 2, 1, 2],
            "score": [20, 10, 18, 17, 25, 12],
        }
    )


CRITERIA = ChangeCriteria(reliability=0.8)


def test_a_repeated_id_at_a_time_point_is_refused_naming_the_row():
    data = pd.concat([long_frame(), pd.DataFrame({"id": [2], "time": [1], "score": [3]})])
    with pytest.raises(FeedbackError, match=r"row 7, column id: id 2 appears again at time 1"):
        reliable_change(
            data,
            id_col="id",
            time_col="time",
            score_col="score",
            pre=1,
            post=2,
            criteria=CRITERIA,
        )


def test_a_score_that_is_not_a_number_is_refused_naming_row_and_column():
    data = long_frame().astype({"score": object})
    data.loc[3, "score"] = "seven"
    with pytest.raises(FeedbackError, match=r"row 4, column score: 'seven'"):
        reliable_change(
            data,
            id_col="id",
            time_col="time",
            score_col="score",
            pre=1,
            post=2,
            criteria=CRITERIA,
        )


def test_an_unknown_time_point_lists_the_values_there():
    with pytest.raises(FeedbackError, match=r"post time point 3: no row has it in column time"):
        reliable_change(
            long_frame(),
            id_col="id",
            time_col="time",
            score_col="score",
            pre=1,
            post=3,
            criteria=CRITERIA,
        )


def test_missing_columns_and_missing_ids_are_named():
    with pytest.raises(FeedbackError, match=r"lacks columns \['when'\]"):
        reliable_change(
            long_frame(),
            id_col="id",
            time_col="when",
            score_col="score",
            pre=1,
            post=2,
            criteria=CRITERIA,
        )
    data = long_frame().astype({"id": object})
    data.loc[2, "id"] = None
    with pytest.raises(FeedbackError, match=r"row 3, column id: empty"):
        reliable_change(
            data,
            id_col="id",
            time_col="time",
            score_col="score",
            pre=1,
            post=2,
            criteria=CRITERIA,
        )


def test_a_frame_with_its_own_index_gives_the_same_result():
    data = long_frame()
    shifted = data.set_index(data.index[::-1] * 3)
    kwargs = dict(id_col="id", time_col="time", score_col="score", pre=1, post=2)
    plain = reliable_change(data, criteria=CRITERIA, **kwargs).to_json_dict()
    assert reliable_change(shifted, criteria=CRITERIA, **kwargs).to_json_dict() == plain


def test_pre_and_post_must_differ():
    with pytest.raises(FeedbackError, match="same time point"):
        reliable_change(
            long_frame(),
            id_col="id",
            time_col="time",
            score_col="score",
            pre=1,
            post=1,
            criteria=CRITERIA,
        )


def test_too_few_complete_pairs_are_refused_with_the_reason():
    with pytest.raises(FeedbackError, match="no complete pre/post pairs"):
        jacobson_truax([1, np.nan], [np.nan, 2], CRITERIA)
    with pytest.raises(FeedbackError, match="needs at least 2 complete pairs"):
        jacobson_truax([1], [2], CRITERIA)
    with pytest.raises(FeedbackError, match="do not vary"):
        jacobson_truax([5, 5], [2, 3], CRITERIA)
