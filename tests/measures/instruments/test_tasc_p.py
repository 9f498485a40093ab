"""TASC-P (Therapeutic Alliance Scale for Caregivers and Parents) scoring.

Sources: Accurso EC, Hawley KM, Garland AF (2013) Psychological Assessment 25(1):244-252 (the
caregiver form, 12 items; a single between-caregiver factor, supporting a total score);
Blueprint's scoring guide for the TASC-R parent version (items rated 1 = not true to 4 = very
much true; items 2, 5, 7, 8 and 11 reverse scored; total = sum of the 12 items, 12-48, higher
meaning a stronger alliance; no cut-off). Adapted from Shirk & Saiz (1992) Development and
Psychopathology 4(4):713-728. No source found allows pro-rating, so any unanswered item means
no total.
"""

import pytest

from alliance.measures import ScoringError, get_instrument, get_wording
from tests.measures.support import answers_in_order, score_both

ID = "tasc-p"
REVERSED = {2, 5, 7, 8, 11}  # Blueprint TASC-R parent scoring guide
FORWARD = set(range(1, 13)) - REVERSED


def item(n: int) -> str:
    return f"tasc_p_{n}"


def all_items(value: int) -> dict[str, float | None]:
    return {item(n): value for n in range(1, 13)}


def test_it_sums_the_items_after_reversing_items_2_5_7_8_11():
    # Ratings for items 1..12: 4, 1, 3, 4, 2, 3, 1, 2, 4, 3, 1, 4
    # forward items 1, 3, 4, 6, 9, 10, 12: 4 + 3 + 4 + 3 + 4 + 3 + 4 = 25
    # reversed items 2, 5, 7, 8, 11 rated 1, 2, 1, 2, 1 score 5 - rating: 4 + 3 + 4 + 3 + 4 = 18
    # total = 25 + 18 = 43
    result = score_both(ID, answers_in_order(ID, [4, 1, 3, 4, 2, 3, 1, 2, 4, 3, 1, 4]))
    assert dict(result.scores) == {"total": 43}
    assert result.missing == ()


def test_it_reaches_48_for_the_strongest_and_12_for_the_weakest_alliance():
    strongest = {item(n): (1 if n in REVERSED else 4) for n in range(1, 13)}
    weakest = {item(n): (4 if n in REVERSED else 1) for n in range(1, 13)}
    # strongest: 7 x 4 + 5 x (5 - 1) = 48; weakest: 7 x 1 + 5 x (5 - 4) = 12
    assert score_both(ID, strongest).scores["total"] == 48
    assert score_both(ID, weakest).scores["total"] == 12


@pytest.mark.parametrize(("value", "total"), [(1, 27), (4, 33)])
def test_answering_every_item_alike_does_not_give_an_extreme_score(value, total):
    # all 1: 7 x 1 + 5 x 4 = 27; all 4: 7 x 4 + 5 x 1 = 33
    assert score_both(ID, all_items(value)).scores["total"] == total


@pytest.mark.parametrize("n", range(1, 13))
def test_it_keys_each_item_as_published(n):
    # Every other item at 2 (forward items score 2, reversed items 5 - 2 = 3), so the rest
    # contribute 2 x (number of other forward items) + 3 x (number of other reversed items).
    rest = 2 * len(FORWARD - {n}) + 3 * len(REVERSED - {n})
    for value in (1, 2, 3, 4):
        answers = all_items(2)
        answers[item(n)] = value
        expected = rest + (5 - value if n in REVERSED else value)
        assert score_both(ID, answers).scores["total"] == expected, value


def test_the_reversed_items_are_exactly_2_5_7_8_and_11():
    total = get_instrument(ID).scale_index["total"]
    assert set(total.reverse) == {item(n) for n in REVERSED}
    assert sorted(total.items) == sorted(item(n) for n in range(1, 13))


def test_a_missing_item_leaves_no_total_and_is_listed():
    answers = answers_in_order(ID, [4, 1, 3, 4, 2, None, 1, 2, 4, 3, 1, 4])
    result = score_both(ID, answers)
    assert result.scores["total"] is None
    assert result.missing == ("tasc_p_6",)


def test_a_missing_reversed_item_also_leaves_no_total():
    answers = all_items(3)
    answers[item(11)] = None
    result = score_both(ID, answers)
    assert result.scores["total"] is None
    assert result.missing == ("tasc_p_11",)


@pytest.mark.parametrize("bad", [0, 5, 2.5, "1", True])
def test_it_refuses_values_outside_1_to_4_naming_the_item(bad):
    answers = all_items(2)
    answers[item(8)] = bad
    with pytest.raises(ScoringError, match=r"tasc-p: item tasc_p_8: .*1, 2, 3, 4"):
        score_both(ID, answers)


def test_it_is_a_caregiver_alliance_measure_with_a_total_only():
    inst = get_instrument(ID)
    assert inst.kind == "alliance"
    assert inst.respondent == "caregiver"
    assert inst.licence == "licensed"
    assert [s.id for s in inst.scales] == ["total"]
    assert not inst.scales[0].bands and inst.scales[0].clinical_cutoff is None


def test_it_ships_only_a_placeholder_wording_pack():
    pack = get_wording(ID)
    assert pack.placeholder
    assert "placeholder" in pack.source.lower()
    assert "install-text tasc-p" in pack.source
    assert sorted(pack.options["truth"]) == [1, 2, 3, 4]
