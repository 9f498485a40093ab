"""WAI-SR (Working Alliance Inventory - Short Revised, client form) scoring.

Sources: Hatcher RL, Gillaspy JA (2006) Psychotherapy Research 16(1):12-25 (12 items rated
1-5, seldom to always; Task items 1, 2, 10, 12; Bond items 3, 5, 7, 9; Goal items 4, 6, 8, 11;
every item positively worded, so nothing is reverse scored); Blueprint and Rivet WAI-SR
scoring guides (the same item key; subscale and total scores are sums of the ratings:
subscales 4-20, total 12-60). No source found allows pro-rating, so a scale with an
unanswered item has no score. No published bands or cut-offs exist (Horvath's WAI site: the
WAI is not a standardised measure with cut-offs), so none are defined.
"""

import pandas as pd
import pytest

from alliance.measures import RowError, ScoringError, get_instrument, get_wording, score_frame
from tests.measures.support import answers_in_order, score_both

ID = "wai-sr"
# The published key (Hatcher & Gillaspy 2006), as item numbers.
KEY = {"task": [1, 2, 10, 12], "bond": [3, 5, 7, 9], "goal": [4, 6, 8, 11]}
SUBSCALE_OF = {n: scale for scale, numbers in KEY.items() for n in numbers}


def item(n: int) -> str:
    return f"wai_sr_{n}"


def all_items(value: int) -> dict[str, float | None]:
    return {item(n): value for n in range(1, 13)}


def test_it_sums_each_subscale_and_the_total_as_published():
    # Ratings for items 1..12: 4, 3, 5, 2, 5, 3, 4, 3, 4, 5, 2, 4
    # task = items 1, 2, 10, 12 = 4 + 3 + 5 + 4 = 16
    # bond = items 3, 5, 7, 9   = 5 + 5 + 4 + 4 = 18
    # goal = items 4, 6, 8, 11  = 2 + 3 + 3 + 2 = 10
    # total = 16 + 18 + 10 = 44 (= the sum of all twelve ratings)
    result = score_both(ID, answers_in_order(ID, [4, 3, 5, 2, 5, 3, 4, 3, 4, 5, 2, 4]))
    assert dict(result.scores) == {"goal": 10, "task": 16, "bond": 18, "total": 44}
    assert result.missing == ()


@pytest.mark.parametrize(
    ("value", "subscale", "total"),
    [(1, 4, 12), (5, 20, 60)],  # 4 x 1 = 4, 12 x 1 = 12; 4 x 5 = 20, 12 x 5 = 60
)
def test_it_scores_the_ends_of_the_range(value, subscale, total):
    result = score_both(ID, all_items(value))
    assert result.scores["goal"] == result.scores["task"] == result.scores["bond"] == subscale
    assert result.scores["total"] == total


@pytest.mark.parametrize("n", range(1, 13))
def test_it_counts_each_item_on_its_published_subscale_and_the_total(n):
    # All items 1 except item n = 5: its subscale is 5 + 1 + 1 + 1 = 8, the other two stay
    # at 4, and the total is 11 x 1 + 5 = 16.
    answers = all_items(1)
    answers[item(n)] = 5
    result = score_both(ID, answers)
    for scale in KEY:
        assert result.scores[scale] == (8 if scale == SUBSCALE_OF[n] else 4), scale
    assert result.scores["total"] == 16


def test_the_three_subscales_partition_the_twelve_items():
    inst = get_instrument(ID)
    subscale_items = [i for s in ("goal", "task", "bond") for i in inst.scale_index[s].items]
    assert sorted(subscale_items) == sorted(inst.item_ids)
    assert sorted(inst.scale_index["total"].items) == sorted(inst.item_ids)
    for scale, numbers in KEY.items():
        assert set(inst.scale_index[scale].items) == {item(n) for n in numbers}


@pytest.mark.parametrize("n", range(1, 13))
def test_it_reverses_no_item(n):
    # With every other item at 3, an answer v on item n adds v: total = 11 x 3 + v = 33 + v.
    for value in (1, 2, 3, 4, 5):
        answers = all_items(3)
        answers[item(n)] = value
        result = score_both(ID, answers)
        assert result.scores["total"] == 33 + value
        assert result.scores[SUBSCALE_OF[n]] == 9 + value  # 3 x 3 + v
    assert all(not s.reverse for s in get_instrument(ID).scales)


def test_a_missing_item_leaves_its_subscale_and_the_total_unscored():
    # Item 4 (goal) unanswered: no pro-rating, so goal and total are None; task and bond
    # are complete: task = 4 + 3 + 5 + 4 = 16, bond = 5 + 5 + 4 + 4 = 18.
    answers = answers_in_order(ID, [4, 3, 5, None, 5, 3, 4, 3, 4, 5, 2, 4])
    result = score_both(ID, answers)
    assert result.scores["goal"] is None
    assert result.scores["total"] is None
    assert result.scores["task"] == 16
    assert result.scores["bond"] == 18
    assert result.missing == ("wai_sr_4",)


def test_an_absent_item_counts_as_missing():
    answers = all_items(2)
    del answers[item(9)]
    result = score_both(ID, answers)
    assert result.scores["bond"] is None
    assert result.scores["goal"] == 8
    assert result.missing == ("wai_sr_9",)


def test_an_empty_response_has_no_scores_and_lists_every_item():
    result = score_both(ID, {})
    assert all(v is None for v in result.scores.values())
    assert result.missing == tuple(item(n) for n in range(1, 13))


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", True])
def test_it_refuses_values_outside_1_to_5_naming_the_item(bad):
    answers = all_items(3)
    answers[item(7)] = bad
    with pytest.raises(ScoringError, match=r"wai-sr: item wai_sr_7: .*1, 2, 3, 4, 5"):
        score_both(ID, answers)


def test_it_refuses_an_unknown_item():
    answers = all_items(3)
    answers["wai_sr_13"] = 3
    with pytest.raises(ScoringError, match=r"wai-sr: unknown item 'wai_sr_13'"):
        score_both(ID, answers)


def test_the_table_scorer_names_the_row_and_item_of_a_bad_value():
    frame = pd.DataFrame([all_items(3), {**all_items(3), item(11): 7}])
    with pytest.raises(RowError, match=r"wai-sr: row 2, item wai_sr_11: 7 is not allowed"):
        score_frame(ID, frame)


def test_it_is_a_client_alliance_measure_without_unpublished_bands():
    inst = get_instrument(ID)
    assert inst.kind == "alliance"
    assert inst.respondent == "client"
    assert [s.id for s in inst.scales] == ["goal", "task", "bond", "total"]
    assert all(not s.bands and s.clinical_cutoff is None for s in inst.scales)


def test_it_ships_only_a_placeholder_wording_pack():
    pack = get_wording(ID)
    assert get_instrument(ID).licence == "licensed"
    assert pack.placeholder
    assert "placeholder" in pack.source.lower()
    assert "install-text wai-sr" in pack.source
    assert sorted(pack.options["frequency"]) == [1, 2, 3, 4, 5]
