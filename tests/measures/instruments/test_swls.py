"""Satisfaction With Life Scale (SWLS) scoring.

Sources: Diener E, Emmons RA, Larsen RJ, Griffin S (1985) J Pers Assess 49:71-75 (five items rated
1-7, summed to 5-35; 176 undergraduates: SD 6.43, coefficient alpha .87); the scoring key
distributed with the SWLS by Diener, also in Diener & Biswas-Diener (2008) (31-35 extremely
satisfied, 26-30 satisfied, 21-25 slightly satisfied, 20 neutral, 15-19 slightly dissatisfied,
10-14 dissatisfied, 5-9 extremely dissatisfied); Jacobson & Truax (1991) reliable change index.
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both


def spread(total: int) -> list[int]:
    """Five 1-7 answers summing to ``total``: start at 1 each, fill item by item."""
    extra = total - 5
    values = [1 + min(6, max(0, extra - 6 * i)) for i in range(5)]
    assert sum(values) == total
    return values


def test_it_sums_a_worked_example():
    # agree 6 + slightly agree 5 + agree 6 + slightly agree 5 + neither 4 = 26: "satisfied"
    result = score_both("swls", answers_in_order("swls", [6, 5, 6, 5, 4]))
    assert result.scores["total"] == 26
    assert result.bands["total"] == "satisfied"
    assert result.flags == ()


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (5, "extremely dissatisfied"),
        (9, "extremely dissatisfied"),
        (10, "dissatisfied"),
        (14, "dissatisfied"),
        (15, "slightly dissatisfied"),
        (19, "slightly dissatisfied"),
        (20, "neutral"),
        (21, "slightly satisfied"),
        (25, "slightly satisfied"),
        (26, "satisfied"),
        (30, "satisfied"),
        (31, "extremely satisfied"),
        (35, "extremely satisfied"),
    ],
)
def test_it_bands_every_boundary_as_the_swls_scoring_key(total, band):
    result = score_both("swls", answers_in_order("swls", spread(total)))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


def test_it_has_no_reverse_keyed_items():
    # all five statements are worded in the satisfied direction: 7 everywhere is the maximum
    assert get_instrument("swls").scale_index["total"].reverse == ()
    assert score_both("swls", answers_in_order("swls", [7] * 5)).scores["total"] == 35


def test_it_gives_no_total_when_any_item_is_missing():
    result = score_both("swls", answers_in_order("swls", [7, 7, 7, 7, None]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("swls_5",)


@pytest.mark.parametrize("bad", [0, 8, -1, 3.5, "4", True])
def test_it_refuses_values_outside_1_to_7_naming_the_item(bad):
    answers = answers_in_order("swls", [4] * 5)
    answers["swls_3"] = bad
    with pytest.raises(ScoringError, match=r"swls: item swls_3: .*1, 2, 3, 4, 5, 6, 7"):
        score_both("swls", answers)


def test_its_reliable_change_follows_jacobson_truax_from_diener_1985():
    change = get_instrument("swls").scale_index["total"].change
    assert change is not None
    assert change.direction == "higher-is-better"
    assert (change.sd, change.reliability) == (6.43, 0.87)
    # 1.96 * 1.41421 * 6.43 * sqrt(0.13) = 1.96 * 1.41421 * 6.43 * 0.36056 = 6.426
    assert change.threshold == pytest.approx(6.426, abs=0.001)
