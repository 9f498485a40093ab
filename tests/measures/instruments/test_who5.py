"""WHO-5 Well-Being Index scoring.

Sources: WHO-5 (1998 version) scoring instructions, Psychiatric Research Unit (Psychiatric Centre
North Zealand, Hillerød): raw score = sum of five 0-5 answers (0-25), times 4 = percentage score
(0-100); a raw score below 13 indicates poor wellbeing and an answer of 0 or 1 to any item calls for
testing for depression; a 10% difference is a significant change. Topp CW, Østergaard SD,
Søndergaard S, Bech P (2015) Psychother Psychosom 84:167-176 (percentage 50 or below: screen for
depression; 28 or below: likely depression; 10 points clinically relevant change).
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both

LOW_ANSWER_FLAGS = {f"low_answer_item_{n}" for n in range(1, 6)}


@pytest.mark.parametrize(
    ("answers", "percentage"),
    [
        ([0, 0, 0, 0, 0], 0),  # bottom end: raw 0 -> 0
        ([5, 5, 5, 5, 5], 100),  # top end: raw 25 -> 100
        ([3, 3, 2, 2, 2], 48),  # raw 12 -> 12 * 4 = 48
        ([3, 3, 3, 2, 2], 52),  # raw 13 -> 13 * 4 = 52
        ([2, 2, 1, 1, 1], 28),  # raw 7 -> 28
        ([4, 3, 4, 3, 4], 72),  # raw 18 -> 72
    ],
)
def test_it_multiplies_the_raw_score_by_4(answers, percentage):
    result = score_both("who5", answers_in_order("who5", answers))
    assert result.scores["total"] == percentage


def test_it_scores_a_worked_example_by_hand():
    # Cheerful "more than half of the time" (3, the instructions' own example), calm "most of the
    # time" (4), active 2, fresh and rested 3, interesting daily life "some of the time" (1):
    # raw 3+4+2+3+1 = 13 -> 52, not below 13, but the answer 1 to item 5 calls for assessment.
    result = score_both("who5", answers_in_order("who5", [3, 4, 2, 3, 1]))
    assert result.scores["total"] == 52
    assert result.flags == ("low_answer_item_5",)


def test_it_flags_a_raw_score_below_13_but_not_13():
    below = score_both("who5", answers_in_order("who5", [3, 3, 2, 2, 2]))  # raw 12 -> 48
    assert below.flags == ("screen_for_depression",)
    at = score_both("who5", answers_in_order("who5", [3, 3, 3, 2, 2]))  # raw 13 -> 52
    assert at.flags == ()


def test_it_flags_likely_depression_at_28_or_below_but_not_32():
    at_28 = score_both("who5", answers_in_order("who5", [2, 2, 1, 1, 1]))  # raw 7
    assert "likely_depression" in at_28.flags
    assert "screen_for_depression" in at_28.flags
    at_32 = score_both("who5", answers_in_order("who5", [2, 2, 2, 1, 1]))  # raw 8
    assert "likely_depression" not in at_32.flags
    assert "screen_for_depression" in at_32.flags


@pytest.mark.parametrize("item", [1, 2, 3, 4, 5])
@pytest.mark.parametrize(("answer", "flagged"), [(0, True), (1, True), (2, False)])
def test_it_flags_an_answer_of_0_or_1_to_any_item(item, answer, flagged):
    values = [5] * 5
    values[item - 1] = answer
    result = score_both("who5", answers_in_order("who5", values))
    expected = {f"low_answer_item_{item}"} if flagged else set()
    assert set(result.flags) & LOW_ANSWER_FLAGS == expected
    # raw 20 + answer is at least 20, so the total alone never calls for screening here
    assert "screen_for_depression" not in result.flags


def test_it_gives_no_score_and_raises_no_score_flags_when_an_item_is_missing():
    result = score_both("who5", answers_in_order("who5", [0, 0, None, 0, 0]))
    assert result.scores["total"] is None
    assert result.missing == ("who5_3",)
    assert "screen_for_depression" not in result.flags
    assert "likely_depression" not in result.flags
    # the answered items still raise their own flags
    assert set(result.flags) == LOW_ANSWER_FLAGS - {"low_answer_item_3"}


@pytest.mark.parametrize("bad", [6, -1, 2.5, "3", True])
def test_it_refuses_values_outside_0_to_5_naming_the_item(bad):
    answers = answers_in_order("who5", [3] * 5)
    answers["who5_2"] = bad
    with pytest.raises(ScoringError, match=r"who5: item who5_2: .*0, 1, 2, 3, 4, 5"):
        score_both("who5", answers)


def test_it_uses_a_10_point_reliable_change_on_the_percentage_metric():
    total = get_instrument("who5").scale_index["total"]
    assert total.transform is not None and total.transform.multiply == 4
    assert total.change is not None
    assert total.change.direction == "higher-is-better"
    assert total.change.threshold == 10
    # clinical range is below 52 (raw below 13) when higher is better
    assert total.clinical_cutoff is not None and total.clinical_cutoff.value == 52
