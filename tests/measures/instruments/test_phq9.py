"""PHQ-9 scoring.

Sources: Kroenke K, Spitzer RL, Williams JBW (2001) J Gen Intern Med 16:606-613 (sum of nine
0-3 items, 0-27; severity cut-points 5, 10, 15, 20); PHQ instruction manual, phqscreeners.com
(pro-rating with one or two items missing; item 9 needs follow-up when positive).
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both


def test_it_sums_the_nine_items():
    # 1+2+3+0+1+2+1+0+1 = 11: "moderate" (10-14) in Kroenke et al. 2001, table 3
    result = score_both("phq9", answers_in_order("phq9", [1, 2, 3, 0, 1, 2, 1, 0, 1]))
    assert result.scores["total"] == 11
    assert result.bands["total"] == "moderate"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_bands_every_boundary_as_kroenke_2001(total, band):
    values = [min(3, max(0, total - 3 * i)) for i in range(8)] + [max(0, min(3, total - 24))]
    assert sum(values) == total
    result = score_both("phq9", answers_in_order("phq9", values))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


def test_it_flags_any_positive_answer_to_item_9():
    quiet = score_both("phq9", answers_in_order("phq9", [0] * 9))
    assert quiet.flags == ()
    for value in (1, 2, 3):
        result = score_both("phq9", answers_in_order("phq9", [0] * 8 + [value]))
        assert result.flags == ("risk_self_harm",)


def test_it_prorates_one_or_two_missing_items_and_rounds():
    # 8 answered items summing to 11 -> 11 * 9 / 8 = 12.375 -> 12 (PHQ manual)
    one = score_both("phq9", answers_in_order("phq9", [1, 2, 3, 0, 1, 2, 1, None, 1]))
    assert one.scores["total"] == 12
    assert one.missing == ("phq9_8",)
    # 7 answered items summing to 10 -> 10 * 9 / 7 = 12.857 -> 13
    two = score_both("phq9", answers_in_order("phq9", [1, 2, 3, 0, 1, 2, 1, None, None]))
    assert two.scores["total"] == 13
    # 0.5 rounds up: 7 answered summing to 7 -> 9.0; 8 answered summing to 4 -> 4.5 -> 5
    half = score_both("phq9", answers_in_order("phq9", [1, 1, 1, 1, 0, 0, 0, 0, None]))
    assert half.scores["total"] == 5
    assert half.bands["total"] == "mild"


def test_it_gives_no_total_with_three_items_missing():
    result = score_both("phq9", answers_in_order("phq9", [1, 2, 3, 0, 1, 2, None, None, None]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("phq9_7", "phq9_8", "phq9_9")


def test_a_missing_item_9_raises_no_flag_but_is_listed_missing():
    result = score_both("phq9", answers_in_order("phq9", [0] * 8 + [None]))
    assert result.flags == ()
    assert "phq9_9" in result.missing


@pytest.mark.parametrize("bad", [4, -1, 1.5, "2", True])
def test_it_refuses_values_outside_0_to_3_naming_the_item(bad):
    answers = answers_in_order("phq9", [0] * 9)
    answers["phq9_4"] = bad
    with pytest.raises(ScoringError, match=r"phq9: item phq9_4: .*0, 1, 2, 3"):
        score_both("phq9", answers)


def test_it_carries_the_loinc_codes():
    inst = get_instrument("phq9")
    assert inst.loinc == "44249-1"
    assert inst.scale_index["total"].loinc == "44261-6"
