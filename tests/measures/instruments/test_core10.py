"""CORE-10 scoring.

Sources: Barkham M, Bewick B, Mullin T et al. (2013) Counselling and Psychotherapy Research
13(1):3-13 (ten items scored 0-4, items 2 and 3 positively worded and reverse keyed; clinical
cut-off 11.0; reliable change index 6; severity levels healthy 0-5, low level 6-10, mild 11-14,
moderate 15-19, moderate-to-severe 20-24, severe 25-40; item 6 is the risk item); CORE System
Trust, "What's in a name (1): scoring CORE measures" (clinical score = mean item score x 10,
equal to the sum when complete; pro-rating allowed with one CORE-10 item missing).
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both

REVERSED = (1, 2)  # positions of items 2 and 3


def answers_for_keyed(keyed: list[int | None]) -> list[int | None]:
    """Turn keyed item scores into the frequency answers a client ticks (items 2, 3: 4 - score)."""
    return [None if v is None else (4 - v if i in REVERSED else v) for i, v in enumerate(keyed)]


def keyed_spread(total: int) -> list[int]:
    """Ten keyed item scores of 0-4 adding up to ``total`` (0-40), filled from the first item."""
    return [min(4, max(0, total - 4 * i)) for i in range(10)]


def test_it_scores_a_completed_form_with_items_2_and_3_reversed():
    # ticked: 2, 1, 3, 2, 1, 0, 3, 2, 2, 1
    # keyed:  2, 4-1=3, 4-3=1, 2, 1, 0, 3, 2, 2, 1  -> 17, "moderate" (15-19)
    result = score_both("core10", answers_in_order("core10", [2, 1, 3, 2, 1, 0, 3, 2, 2, 1]))
    assert result.scores["total"] == 17
    assert result.bands["total"] == "moderate"
    assert result.flags == ()


def test_it_reverses_only_the_two_positively_worded_items():
    # "Not at all" everywhere: only items 2 and 3 count, 4 each -> 8 ("low level")
    none = score_both("core10", answers_in_order("core10", [0] * 10))
    assert none.scores["total"] == 8
    assert none.bands["total"] == "low level"
    # "Most or all of the time" everywhere: eight items x 4, items 2 and 3 add 0 -> 32
    most = score_both("core10", answers_in_order("core10", [4] * 10))
    assert most.scores["total"] == 32
    assert most.bands["total"] == "severe"


def test_it_spans_0_to_40():
    best = answers_for_keyed([0] * 10)
    assert best == [0, 4, 4, 0, 0, 0, 0, 0, 0, 0]
    assert score_both("core10", answers_in_order("core10", best)).scores["total"] == 0
    worst = answers_for_keyed([4] * 10)
    assert worst == [4, 0, 0, 4, 4, 4, 4, 4, 4, 4]
    assert score_both("core10", answers_in_order("core10", worst)).scores["total"] == 40


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "healthy"),
        (5, "healthy"),
        (6, "low level"),
        (10, "low level"),
        (11, "mild"),
        (14, "mild"),
        (15, "moderate"),
        (19, "moderate"),
        (20, "moderate to severe"),
        (24, "moderate to severe"),
        (25, "severe"),
        (40, "severe"),
    ],
)
def test_it_bands_every_boundary_as_barkham_2013(total, band):
    keyed = keyed_spread(total)
    assert sum(keyed) == total
    result = score_both("core10", answers_in_order("core10", answers_for_keyed(keyed)))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


def test_it_prorates_one_missing_item_without_rounding():
    # nine keyed scores summing to 10 -> mean 10/9 x 10 = 11.111: just into "mild"
    keyed = [2, 1, 1, 1, 1, 0, 1, 1, 2, None]
    result = score_both("core10", answers_in_order("core10", answers_for_keyed(keyed)))
    assert result.scores["total"] == pytest.approx(100 / 9, abs=1e-6)
    assert result.bands["total"] == "mild"
    assert result.missing == ("core10_10",)
    # nine keyed scores summing to 9 -> 10.0: stays "low level", below the cut-off of 11
    keyed = [None, 1, 1, 1, 1, 0, 1, 1, 2, 1]
    result = score_both("core10", answers_in_order("core10", answers_for_keyed(keyed)))
    assert result.scores["total"] == 10
    assert result.bands["total"] == "low level"


def test_it_prorates_when_a_reversed_item_is_the_missing_one():
    # item 2 missing; ticked item 3 = 4 keys to 0; the other eight items 2 each = 16
    # -> 16 / 9 x 10 = 17.78
    result = score_both("core10", answers_in_order("core10", [2, None, 4, 2, 2, 2, 2, 2, 2, 2]))
    assert result.scores["total"] == pytest.approx(160 / 9, abs=1e-6)
    assert result.bands["total"] == "moderate"


def test_it_gives_no_score_with_two_items_missing():
    result = score_both("core10", answers_in_order("core10", [2, 1, 3, 2, 1, 0, 3, 2, None, None]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("core10_9", "core10_10")


def test_it_flags_any_positive_answer_to_the_risk_item():
    quiet = score_both("core10", answers_in_order("core10", [0, 4, 4, 0, 0, 0, 0, 0, 0, 0]))
    assert quiet.flags == ()
    for value in (1, 2, 3, 4):
        answers = answers_in_order("core10", [0, 4, 4, 0, 0, value, 0, 0, 0, 0])
        result = score_both("core10", answers)
        assert result.flags == ("risk_self_harm",)
        # the flag is raised even when the total is in the healthy range
        assert result.scores["total"] == value
        assert result.bands["total"] == "healthy"


def test_a_missing_risk_item_raises_no_flag_but_is_listed_missing():
    result = score_both("core10", answers_in_order("core10", [1, 3, 3, 1, 1, None, 1, 1, 1, 1]))
    assert result.flags == ()
    assert result.missing == ("core10_6",)
    # nine keyed scores of 1 -> 9/9 x 10 = 10
    assert result.scores["total"] == 10


@pytest.mark.parametrize("bad", [5, -1, 0.5, "2", True])
def test_it_refuses_values_outside_0_to_4_naming_the_item(bad):
    answers = answers_in_order("core10", [0] * 10)
    answers["core10_3"] = bad
    with pytest.raises(ScoringError, match=r"core10: item core10_3: .*0, 1, 2, 3, 4"):
        score_both("core10", answers)


def test_it_uses_the_published_cutoff_and_reliable_change_index():
    # Barkham et al. 2013: clinical cut-off 11.0, reliable change index 6
    scale = get_instrument("core10").scale_index["total"]
    assert scale.clinical_cutoff is not None
    assert scale.clinical_cutoff.value == 11
    assert scale.change is not None
    assert scale.change.threshold == 6
    assert scale.change.direction == "lower-is-better"
