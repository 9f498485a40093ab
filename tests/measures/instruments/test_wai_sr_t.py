"""WAI-SR-T (Working Alliance Inventory - Short Revised, therapist form) scoring.

Sources: Hatcher RL, Lindqvist K, Falkenstrom F (2020) Psychotherapy Research 30(6):706-717
(the WAI-SR-T: the therapist counterpart of the 12-item WAI-SR, one of the two therapist short
forms evaluated); Hatcher RL, Gillaspy JA (2006) Psychotherapy Research 16(1):12-25 (WAI-SR
format: 12 items rated 1-5; Task items 1, 2, 10, 12; Bond 3, 5, 7, 9; Goal 4, 6, 8, 11; no
reverse-keyed items); the WAI-B3 study (J Couns Psychol 2023, doi:10.1037/cou0000655), which
takes items 11, 10 and 9 as the Goal, Task and Bond markers of both the therapist and the
client 12-item WAI-SR. Scores are sums, in the same unit as the client form `wai-sr` (Blueprint
and Rivet WAI-SR scoring guides). No source found allows pro-rating; none gives bands.
"""

import pytest

from alliance.measures import ScoringError, get_instrument, get_wording
from tests.measures.support import answers_in_order, score_both

ID = "wai-sr-t"
KEY = {"task": [1, 2, 10, 12], "bond": [3, 5, 7, 9], "goal": [4, 6, 8, 11]}
SUBSCALE_OF = {n: scale for scale, numbers in KEY.items() for n in numbers}


def item(n: int) -> str:
    return f"wai_sr_t_{n}"


def all_items(value: int) -> dict[str, float | None]:
    return {item(n): value for n in range(1, 13)}


def test_it_sums_each_subscale_and_the_total():
    # Ratings for items 1..12: 3, 4, 4, 5, 3, 5, 2, 4, 3, 3, 5, 4
    # task = items 1, 2, 10, 12 = 3 + 4 + 3 + 4 = 14
    # bond = items 3, 5, 7, 9   = 4 + 3 + 2 + 3 = 12
    # goal = items 4, 6, 8, 11  = 5 + 5 + 4 + 5 = 19
    # total = 14 + 12 + 19 = 45 (= the sum of all twelve ratings)
    result = score_both(ID, answers_in_order(ID, [3, 4, 4, 5, 3, 5, 2, 4, 3, 3, 5, 4]))
    assert dict(result.scores) == {"goal": 19, "task": 14, "bond": 12, "total": 45}


@pytest.mark.parametrize(("value", "subscale", "total"), [(1, 4, 12), (5, 20, 60)])
def test_it_scores_the_ends_of_the_range(value, subscale, total):
    # 4 items x 1 = 4 and 12 x 1 = 12; 4 x 5 = 20 and 12 x 5 = 60
    result = score_both(ID, all_items(value))
    assert result.scores["goal"] == result.scores["task"] == result.scores["bond"] == subscale
    assert result.scores["total"] == total


@pytest.mark.parametrize("n", range(1, 13))
def test_it_counts_each_item_on_its_published_subscale_and_the_total(n):
    # All items 1 except item n = 5: its subscale = 5 + 1 + 1 + 1 = 8, others 4, total 16.
    answers = all_items(1)
    answers[item(n)] = 5
    result = score_both(ID, answers)
    for scale in KEY:
        assert result.scores[scale] == (8 if scale == SUBSCALE_OF[n] else 4), scale
    assert result.scores["total"] == 16


@pytest.mark.parametrize("n", range(1, 13))
def test_it_reverses_no_item(n):
    # Every other item at 3: an answer v on item n gives total 33 + v and subscale 9 + v.
    for value in (1, 2, 3, 4, 5):
        answers = all_items(3)
        answers[item(n)] = value
        result = score_both(ID, answers)
        assert result.scores["total"] == 33 + value
        assert result.scores[SUBSCALE_OF[n]] == 9 + value


def test_it_mirrors_the_client_form_scale_by_scale():
    # Client/practitioner disagreement compares wai-sr with wai-sr-t: same scales, same item
    # positions, same response options and no reverse keying on either form.
    client, practitioner = get_instrument("wai-sr"), get_instrument(ID)
    assert [s.id for s in client.scales] == [s.id for s in practitioner.scales]
    for c, p in zip(client.scales, practitioner.scales, strict=True):
        assert [i.removeprefix("wai_sr_") for i in c.items] == [
            i.removeprefix("wai_sr_t_") for i in p.items
        ]
        assert c.aggregation == p.aggregation == "sum"
        assert c.reverse == p.reverse == ()
    assert client.response_sets == practitioner.response_sets
    # The same answers score the same on both forms.
    values = [2, 5, 4, 3, 3, 4, 5, 2, 1, 4, 3, 5]
    assert dict(score_both("wai-sr", answers_in_order("wai-sr", values)).scores) == dict(
        score_both(ID, answers_in_order(ID, values)).scores
    )


def test_a_missing_item_leaves_its_subscale_and_the_total_unscored():
    # Item 10 (task) unanswered: task and total None; bond = 4 + 3 + 2 + 3 = 12,
    # goal = 5 + 5 + 4 + 5 = 19.
    answers = answers_in_order(ID, [3, 4, 4, 5, 3, 5, 2, 4, 3, None, 5, 4])
    result = score_both(ID, answers)
    assert result.scores["task"] is None
    assert result.scores["total"] is None
    assert result.scores["bond"] == 12
    assert result.scores["goal"] == 19
    assert result.missing == ("wai_sr_t_10",)


@pytest.mark.parametrize("bad", [0, 6, 3.5, "5", False])
def test_it_refuses_values_outside_1_to_5_naming_the_item(bad):
    answers = all_items(3)
    answers[item(2)] = bad
    with pytest.raises(ScoringError, match=r"wai-sr-t: item wai_sr_t_2: .*1, 2, 3, 4, 5"):
        score_both(ID, answers)


def test_it_is_a_practitioner_alliance_measure_without_unpublished_bands():
    inst = get_instrument(ID)
    assert inst.kind == "alliance"
    assert inst.respondent == "practitioner"
    assert inst.licence == "licensed"
    assert all(not s.bands and s.clinical_cutoff is None for s in inst.scales)


def test_it_ships_only_a_placeholder_wording_pack():
    pack = get_wording(ID)
    assert pack.placeholder
    assert "placeholder" in pack.source.lower()
    assert "install-text wai-sr-t" in pack.source
