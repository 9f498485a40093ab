"""Flourishing Scale (FS) scoring.

Sources: Diener E, Wirtz D, Tov W, Kim-Prieto C, Choi D, Oishi S, Biswas-Diener R (2010) Soc Indic
Res 97:143-156 (eight items rated 1-7; "add the responses ... for all eight items", range 8 to 56;
validation sample of 689 college students: SD 6.56, coefficient alpha .87; no cut-offs or bands);
Jacobson & Truax (1991) reliable change index.
"""

import pytest

from alliance.measures import ScoringError, get_instrument
from tests.measures.support import answers_in_order, score_both


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ([1] * 8, 8),  # lowest possible (Diener et al. 2010)
        ([7] * 8, 56),  # highest possible
        ([6, 5, 6, 7, 5, 6, 5, 4], 44),  # 6+5+6+7+5+6+5+4 = 44
        ([4, 4, 4, 4, 4, 4, 4, 4], 32),  # "mixed or neither" throughout: 8 * 4 = 32
    ],
)
def test_it_sums_the_eight_items(answers, total):
    result = score_both("flourishing", answers_in_order("flourishing", answers))
    assert result.scores["total"] == total
    assert result.flags == ()


def test_it_has_no_bands_reverse_keyed_items_or_cut_off():
    scale = get_instrument("flourishing").scale_index["total"]
    assert scale.bands == ()
    assert scale.reverse == ()
    assert scale.clinical_cutoff is None
    assert score_both("flourishing", answers_in_order("flourishing", [7] * 8)).bands == {}


def test_it_gives_no_total_when_any_item_is_missing():
    result = score_both("flourishing", answers_in_order("flourishing", [7] * 7 + [None]))
    assert result.scores["total"] is None
    assert result.missing == ("flourishing_8",)


@pytest.mark.parametrize("bad", [0, 8, 5.5, "6", False])
def test_it_refuses_values_outside_1_to_7_naming_the_item(bad):
    answers = answers_in_order("flourishing", [4] * 8)
    answers["flourishing_7"] = bad
    with pytest.raises(
        ScoringError, match=r"flourishing: item flourishing_7: .*1, 2, 3, 4, 5, 6, 7"
    ):
        score_both("flourishing", answers)


def test_its_reliable_change_follows_jacobson_truax_from_diener_2010():
    change = get_instrument("flourishing").scale_index["total"].change
    assert change is not None
    assert change.direction == "higher-is-better"
    assert (change.sd, change.reliability) == (6.56, 0.87)
    # 1.96 * 1.41421 * 6.56 * sqrt(0.13) = 2.77186 * 6.56 * 0.36056 = 6.556
    assert change.threshold == pytest.approx(6.556, abs=0.001)
