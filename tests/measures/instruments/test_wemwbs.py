"""WEMWBS scoring.

Sources: Tennant R et al. (2007) Health Qual Life Outcomes 5:63 and Warwick Medical School
scoring guidance (total = sum of the 14 items, each 1-5, range 14-70; all items positively
worded, none reverse-keyed); Warwick guidance on interpreting WEMWBS, benchmarked against the
PHQ-9 (40 or less probable depression, 41-44 possible depression, 45-59 average, 60 or more
high); Maheswaran H et al. (2012) Health Qual Life Outcomes 10:156 (SEM 2.4-3.1 points;
individual change important at 2.77 SEM, i.e. 1.96 * sqrt(2) * SEM). No published pro-rating
rule, so any unanswered item means no total.
"""

import math

import pytest

from alliance.measures import ScoringError, get_instrument
from alliance.measures.wording import shipped_packs
from tests.measures.support import answers_in_order, score_both

N_ITEMS = 14


def answers_for_total(total: int) -> list[int]:
    """Fourteen answers of 1-5 that add up to ``total`` (fill items to 5 from the first)."""
    extra = total - N_ITEMS
    values = []
    for _ in range(N_ITEMS):
        step = min(4, extra)
        values.append(1 + step)
        extra -= step
    assert sum(values) == total and all(1 <= v <= 5 for v in values)
    return values


def test_it_sums_the_fourteen_items():
    # Warwick scoring rule: add the 14 item scores.
    # 3+4+2+3+3+4+4+3+5+3+4+4+2+3 = 47 -> "average" (45-59)
    values = [3, 4, 2, 3, 3, 4, 4, 3, 5, 3, 4, 4, 2, 3]
    result = score_both("wemwbs", answers_in_order("wemwbs", values))
    assert result.scores["total"] == 47
    assert result.bands["total"] == "average wellbeing"
    assert result.missing == ()


def test_it_scores_the_ends_of_the_range_14_and_70():
    lowest = score_both("wemwbs", answers_in_order("wemwbs", [1] * N_ITEMS))
    assert lowest.scores["total"] == 14
    assert lowest.bands["total"] == "probable depression"
    highest = score_both("wemwbs", answers_in_order("wemwbs", [5] * N_ITEMS))
    assert highest.scores["total"] == 70
    assert highest.bands["total"] == "high wellbeing"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (14, "probable depression"),
        (40, "probable depression"),
        (41, "possible depression"),
        (44, "possible depression"),
        (45, "average wellbeing"),
        (59, "average wellbeing"),
        (60, "high wellbeing"),
        (70, "high wellbeing"),
    ],
)
def test_it_bands_both_sides_of_every_warwick_cut_point(total, band):
    result = score_both("wemwbs", answers_in_order("wemwbs", answers_for_total(total)))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


def test_it_has_no_reverse_keyed_items_so_a_higher_answer_always_raises_the_total():
    # All 14 items are positively worded (Tennant et al. 2007).
    assert get_instrument("wemwbs").scale_index["total"].reverse == ()
    for position in range(N_ITEMS):
        values = [3] * N_ITEMS
        values[position] = 5
        result = score_both("wemwbs", answers_in_order("wemwbs", values))
        assert result.scores["total"] == 3 * 13 + 5  # 44


@pytest.mark.parametrize("missing_position", [0, 6, 13])
def test_it_gives_no_total_with_any_item_missing_and_lists_it(missing_position):
    values: list[float | None] = [4] * N_ITEMS
    values[missing_position] = None
    result = score_both("wemwbs", answers_in_order("wemwbs", values))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == (f"wemwbs_{missing_position + 1}",)


def test_it_treats_an_absent_item_as_missing():
    answers = answers_in_order("wemwbs", [4] * N_ITEMS)
    del answers["wemwbs_14"]
    result = score_both("wemwbs", answers)
    assert result.scores["total"] is None
    assert result.missing == ("wemwbs_14",)


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True])
def test_it_refuses_values_outside_1_to_5_naming_the_item(bad):
    answers = answers_in_order("wemwbs", [3] * N_ITEMS)
    answers["wemwbs_9"] = bad
    with pytest.raises(ScoringError, match=r"wemwbs: item wemwbs_9: .*1, 2, 3, 4, 5"):
        score_both("wemwbs", answers)


def test_it_refuses_an_unknown_item():
    answers = answers_in_order("wemwbs", [3] * N_ITEMS)
    answers["wemwbs_15"] = 3
    with pytest.raises(ScoringError, match=r"wemwbs: unknown item 'wemwbs_15'"):
        score_both("wemwbs", answers)


def test_higher_is_better_and_reliable_change_is_2_77_sem_at_the_largest_published_sem():
    change = get_instrument("wemwbs").scale_index["total"].change
    assert change is not None
    assert change.direction == "higher-is-better"
    # Maheswaran et al. 2012: SEM up to 3.1; 1.96 * sqrt(2) * 3.1 = 8.593 -> 8.59
    assert change.threshold == pytest.approx(1.96 * math.sqrt(2) * 3.1, abs=0.01)
    # so an 8-point change is not reliable and a 9-point change is
    assert 8 < change.threshold < 9


def test_it_is_a_licensed_client_wellbeing_measure_with_placeholder_wording():
    inst = get_instrument("wemwbs")
    assert (inst.licence, inst.respondent, inst.kind) == ("licensed", "client", "wellbeing")
    (pack,) = shipped_packs("wemwbs")
    assert pack.language == "en"
    assert pack.placeholder
    assert "install-text wemwbs" in pack.source
    assert sorted(pack.options["frequency"]) == [1, 2, 3, 4, 5]
