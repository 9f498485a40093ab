"""K10 scoring.

Sources: Kessler RC et al. (2002) Psychol Med 32:959-976 (ten items); Australian Bureau of
Statistics Information Paper 4817.0.55.001 (2012), "K10 scoring", Table D (items scored 1 = none
of the time to 5 = all of the time, total 10-50) and Table E (10-15 low, 16-21 moderate, 22-29
high, 30-50 very high, after Andrews G & Slade T (2001) Aust N Z J Public Health 25:494-497);
PMHC MDS documentation "Scoring the K10+" citing AMHOCN (one missing item: round(sum / 9 x 10);
more than one missing: no total); reliable change from Jacobson & Truax (1991) with SD 7.3
(Lehmann et al. 2023, Sci Rep) and test-retest r = .89 (Australian Psychologist 2021;56:38-45).
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both


def spread(total: int) -> list[int]:
    """Ten answers of 1-5 that add up to ``total`` (10-50), filled from the first item."""
    return [1 + min(4, max(0, total - 10 - 4 * i)) for i in range(10)]


def test_it_sums_the_ten_items_scored_1_to_5():
    # 2+3+1+4+2+1+3+5+2+1 = 24: "high" (22-29) in ABS 4817.0.55.001 Table E
    result = score_both("k10", answers_in_order("k10", [2, 3, 1, 4, 2, 1, 3, 5, 2, 1]))
    assert result.scores["total"] == 24
    assert result.bands["total"] == "high"
    assert result.missing == ()


def test_it_spans_10_to_50_as_abs_table_d():
    # ABS Table D: all "none of the time" gives the minimum 10, all "all of the time" 50
    assert score_both("k10", answers_in_order("k10", [1] * 10)).scores["total"] == 10
    assert score_both("k10", answers_in_order("k10", [5] * 10)).scores["total"] == 50


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "low"),
        (15, "low"),
        (16, "moderate"),
        (21, "moderate"),
        (22, "high"),
        (29, "high"),
        (30, "very high"),
        (50, "very high"),
    ],
)
def test_it_bands_every_boundary_as_abs_table_e(total, band):
    values = spread(total)
    assert sum(values) == total
    result = score_both("k10", answers_in_order("k10", values))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


@pytest.mark.parametrize("position", range(10))
def test_it_keys_every_item_the_same_way(position):
    # No K10 item is reverse keyed: one step up on any single item adds exactly one point.
    values = [2] * 10
    values[position] = 3
    assert score_both("k10", answers_in_order("k10", values)).scores["total"] == 21


def test_it_prorates_one_missing_item_and_rounds_as_amhocn():
    # nine answered items summing to 25 -> 25 / 9 x 10 = 27.78 -> 28 (PMHC MDS / AMHOCN rule)
    one = score_both("k10", answers_in_order("k10", [3, 3, 3, 3, 3, 3, 3, 2, 2, None]))
    assert one.scores["total"] == 28
    assert one.bands["total"] == "high"
    assert one.missing == ("k10_10",)
    # nine summing to 13 -> 14.44 -> 14 (rounds down, stays "low")
    down = score_both("k10", answers_in_order("k10", [None, 2, 2, 2, 1, 1, 1, 1, 1, 2]))
    assert down.scores["total"] == 14
    assert down.bands["total"] == "low"
    # nine summing to 14 -> 15.56 -> 16: rounding carries the total into "moderate"
    up = score_both("k10", answers_in_order("k10", [2, 2, 2, 2, 1, 1, 1, None, 1, 2]))
    assert up.scores["total"] == 16
    assert up.bands["total"] == "moderate"
    # nine summing to 18 -> exactly 20
    exact = score_both("k10", answers_in_order("k10", [2] * 9 + [None]))
    assert exact.scores["total"] == 20


def test_it_gives_no_total_with_two_items_missing():
    result = score_both("k10", answers_in_order("k10", [3, 3, 3, 3, 3, 3, 3, 3, None, None]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("k10_9", "k10_10")


def test_it_raises_no_flags():
    # The K10 has no risk item; even the maximum total raises nothing.
    assert score_both("k10", answers_in_order("k10", [5] * 10)).flags == ()


@pytest.mark.parametrize("bad", [0, 6, 2.5, "3", True])
def test_it_refuses_values_outside_1_to_5_naming_the_item(bad):
    answers = answers_in_order("k10", [1] * 10)
    answers["k10_7"] = bad
    with pytest.raises(ScoringError, match=r"k10: item k10_7: .*1, 2, 3, 4, 5"):
        score_both("k10", answers)


def test_it_sets_the_clinical_cutoff_at_the_start_of_high_distress():
    # ABS 4817.0.55.001 Table E / Andrews & Slade 2001: "high" distress starts at 22
    scale = get_instrument("k10").scale_index["total"]
    assert scale.clinical_cutoff is not None
    assert scale.clinical_cutoff.value == 22
    assert scale.change is not None
    assert scale.change.direction == "lower-is-better"


def test_it_needs_a_change_of_seven_points_to_be_reliable():
    # Jacobson & Truax 1991: 1.96 x sqrt(2) x 7.3 x sqrt(1 - .89)
    #   = 2.7719 x 7.3 x 0.33166 = 6.711 points, so a 7-point change is reliable, 6 is not
    change = get_instrument("k10").scale_index["total"].change
    assert change is not None
    assert change.threshold == pytest.approx(6.711, abs=0.001)
    assert 6 < change.threshold < 7
