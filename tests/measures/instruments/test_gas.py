"""Goal Attainment Scaling (GAS) scoring.

Sources: Kiresuk TJ, Sherman RE (1968) Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs, Community Mental Health Journal 4:443-453
(five levels -2..+2 per goal; T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2)
+ rho * (sum w_i)^2), with rho = 0.30 as the assumed correlation between goal scales);
Turner-Stokes L (2009) Goal attainment scaling (GAS) in rehabilitation: a practical guide,
Clinical Rehabilitation 23(4):362-370, formula as corrected in the journal's erratum:
T = 50 + 10 * sum(w_i x_i) / sqrt(0.7 * sum(w_i^2) + 0.3 * (sum w_i)^2); T = 50 when goals are
attained as expected; weights such as importance x difficulty are optional.

Every expected T-score below is worked out by hand from that published formula; the arithmetic
is in the comment next to it.
"""

import json

import pytest

from alliance.cli import main
from alliance.measures import ScoringError, get_instrument, get_wording
from tests.measures.support import answers_in_order, score_both


def t_of(result):
    return result.scores["total"]


def test_it_uses_the_conventional_inter_goal_correlation_of_0_3():
    # Turner-Stokes 2009 (erratum): the coefficients 0.7 and 0.3 are 1 - rho and rho.
    scale = get_instrument("gas").scale_index["total"]
    assert scale.aggregation == "kiresuk_sherman"
    assert scale.inter_goal_correlation == 0.3


def test_it_gives_50_when_every_goal_is_attained_as_expected():
    # sum(x) = 0, so T = 50 whatever the number of goals (Kiresuk & Sherman 1968).
    for n in (1, 4, 10):
        result = score_both("gas", answers_in_order("gas", [0] * n))
        assert t_of(result) == 50
        assert result.bands["total"] == "as expected or better"


def test_it_scores_four_equally_weighted_goals_by_the_published_formula():
    # levels 1, 0, -1, 2: sum(x) = 2; sum(w^2) = 4; (sum w)^2 = 16
    # T = 50 + 10 * 2 / sqrt(0.7 * 4 + 0.3 * 16) = 50 + 20 / sqrt(7.6) = 57.254763
    result = score_both("gas", answers_in_order("gas", [1, 0, -1, 2]))
    assert t_of(result) == pytest.approx(57.254763, abs=1e-6)
    assert result.bands["total"] == "as expected or better"
    assert result.missing == ()


@pytest.mark.parametrize(("level", "t"), [(-2, 30), (-1, 40), (0, 50), (1, 60), (2, 70)])
def test_one_goal_moves_the_t_score_by_ten_per_level(level, t):
    # one goal: sqrt(0.7 * w^2 + 0.3 * w^2) = w, so T = 50 + 10 * x for any weight
    assert t_of(score_both("gas", {"gas_1": level})) == t
    assert t_of(score_both("gas", {"gas_1": level}, weights={"gas_1": 6})) == t


def test_it_scores_ten_goals_at_either_extreme():
    # 10 goals at +2: T = 50 + 10 * 20 / sqrt(0.7 * 10 + 0.3 * 100) = 50 + 200 / sqrt(37)
    #               = 82.879797;  at -2: 50 - 200 / sqrt(37) = 17.120203
    top = score_both("gas", answers_in_order("gas", [2] * 10))
    bottom = score_both("gas", answers_in_order("gas", [-2] * 10))
    assert t_of(top) == pytest.approx(82.879797, abs=1e-6)
    assert t_of(bottom) == pytest.approx(17.120203, abs=1e-6)
    assert bottom.bands["total"] == "below expected"


def test_weights_change_the_score_of_goals_attained_unevenly():
    answers = {"gas_1": 1, "gas_2": -1}
    # equal weights: sum(w x) = 0 -> 50
    assert t_of(score_both("gas", answers)) == 50
    # weights 2, 1: sum(w x) = 2 - 1 = 1; sum(w^2) = 5; (sum w)^2 = 9
    # T = 50 + 10 / sqrt(0.7 * 5 + 0.3 * 9) = 50 + 10 / sqrt(6.2) = 54.016097
    heavier_success = score_both("gas", answers, weights={"gas_1": 2})
    assert t_of(heavier_success) == pytest.approx(54.016097, abs=1e-6)
    # weights 1, 2: sum(w x) = 1 - 2 = -1 -> 50 - 10 / sqrt(6.2) = 45.983903
    heavier_failure = score_both("gas", answers, weights={"gas_2": 2})
    assert t_of(heavier_failure) == pytest.approx(45.983903, abs=1e-6)
    assert heavier_failure.bands["total"] == "below expected"


def test_it_scores_importance_times_difficulty_weights():
    # Turner-Stokes 2009 weights a goal by importance (0-3) x difficulty (0-3).
    # weights 6 (3x2), 2 (2x1), 4 (2x2), 1 (1x1); levels 1, -1, 0, 2
    # sum(w x) = 6 - 2 + 0 + 2 = 6; sum(w^2) = 36 + 4 + 16 + 1 = 57; sum(w) = 13
    # T = 50 + 60 / sqrt(0.7 * 57 + 0.3 * 169) = 50 + 60 / sqrt(90.6) = 56.303578
    weights = {"gas_1": 6, "gas_2": 2, "gas_3": 4, "gas_4": 1}
    result = score_both("gas", answers_in_order("gas", [1, -1, 0, 2]), weights=weights)
    assert t_of(result) == pytest.approx(56.303578, abs=1e-6)


def test_multiplying_every_weight_by_a_constant_leaves_the_score_unchanged():
    # numerator and denominator are both of degree 1 in w
    answers = answers_in_order("gas", [1, 0, -1, 2])
    doubled = {f"gas_{i}": 2 for i in range(1, 5)}
    assert t_of(score_both("gas", answers, weights=doubled)) == pytest.approx(57.254763, abs=1e-6)


def test_it_leaves_an_unrated_goal_out_and_lists_it_as_missing():
    # goals 1, 3, 4 rated 1, -1, 2: sum(x) = 2; n = 3
    # T = 50 + 20 / sqrt(0.7 * 3 + 0.3 * 9) = 50 + 20 / sqrt(4.8) = 59.128709
    result = score_both("gas", answers_in_order("gas", [1, None, -1, 2]))
    assert t_of(result) == pytest.approx(59.128709, abs=1e-6)
    assert result.missing == ("gas_2",)


def test_goals_after_the_last_rated_one_are_unused_not_missing():
    result = score_both("gas", answers_in_order("gas", [1, 0, -1, 2, None, None]))
    assert result.missing == ()
    assert score_both("gas", {"gas_1": 0}).missing == ()


def test_a_weight_given_to_an_unrated_goal_is_ignored():
    answers = answers_in_order("gas", [1, 0, -1, 2])
    result = score_both("gas", answers, weights={"gas_7": 5})
    assert t_of(result) == pytest.approx(57.254763, abs=1e-6)


def test_it_gives_no_score_when_no_goal_is_rated():
    result = score_both("gas", {})
    assert t_of(result) is None
    assert result.bands["total"] is None
    assert result.missing == ("gas_1",)


@pytest.mark.parametrize(
    ("levels", "band"), [([0], "as expected or better"), ([-1], "below expected")]
)
def test_it_bands_either_side_of_50(levels, band):
    # the bands restate the definition: T >= 50 when weighted attainment is at least expected
    assert score_both("gas", answers_in_order("gas", levels)).bands["total"] == band


@pytest.mark.parametrize("bad", [3, -3, 0.5, "1", True])
def test_it_refuses_levels_outside_minus_2_to_2_naming_the_goal(bad):
    answers = answers_in_order("gas", [0, 0, 0])
    answers["gas_2"] = bad
    with pytest.raises(ScoringError, match=r"gas: item gas_2: .*-2, -1, 0, 1, 2"):
        score_both("gas", answers)


@pytest.mark.parametrize("bad", [0, -1, -0.5, float("inf"), "2", True])
def test_it_refuses_weights_that_are_not_positive_numbers(bad):
    with pytest.raises(
        ScoringError, match=r"gas: weight of gas_1 must be a number from 1e-06 to 1e\+06"
    ):
        score_both("gas", {"gas_1": 1}, weights={"gas_1": bad})


def test_it_refuses_a_weight_for_an_unknown_goal():
    with pytest.raises(ScoringError, match=r"gas: weight for unknown item 'gas_11'"):
        score_both("gas", {"gas_1": 1}, weights={"gas_11": 2})


def test_the_cli_scores_goals_given_in_order(capsys):
    assert main(["score", "gas", "--answers", "1", "0", "-1", "2"]) == 0
    printed = json.loads(capsys.readouterr().out)
    # 50 + 20 / sqrt(7.6) = 57.254763 (see above)
    assert printed["scores"]["total"] == pytest.approx(57.254763, abs=1e-6)
    assert printed["bands"]["total"] == "as expected or better"
    assert printed["missing"] == []


def test_the_cli_takes_one_weight_per_goal(capsys):
    assert main(["score", "gas", "--answers", "1", "-1", "--weights", "2", "1"]) == 0
    # 50 + 10 / sqrt(6.2) = 54.016097 (see the weighted test above)
    assert json.loads(capsys.readouterr().out)["scores"]["total"] == pytest.approx(
        54.016097, abs=1e-6
    )


def test_the_cli_refuses_a_bad_level_with_exit_status_2(capsys):
    assert main(["score", "gas", "--answers", "1", "3"]) == 2
    assert "gas: item gas_2" in capsys.readouterr().err


def test_the_wording_pack_is_real_generic_english():
    pack = get_wording("gas")
    assert pack.placeholder is False
    assert pack.licence == "public-domain"
    assert pack.items["gas_1"] == "Goal 1"
    assert sorted(pack.options["attainment"]) == [-2, -1, 0, 1, 2]
