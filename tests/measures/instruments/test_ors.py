"""Outcome Rating Scale (ORS) scoring.

Sources: Miller SD, Duncan BL, Brown J, Sparks JA, Claud DA (2003) The Outcome Rating Scale: a
preliminary study of the reliability, validity, and feasibility of a brief visual analog
measure, Journal of Brief Therapy 2(2):91-100 (four 10 cm visual-analogue lines, each measured
to the millimetre, 0-10; total 0-40; adult clinical cut-off 25; reliable change 5 points);
Miller SD & Duncan BL, The Outcome and Session Rating Scales: administration and scoring
manual; Duncan BL (2012) Canadian Psychology 53(2):93-104.
"""

import pytest

from alliance.measures import ScoringError, get_instrument, get_wording
from tests.measures.support import answers_in_order, score_both


def test_it_sums_the_four_lines_measured_in_centimetres():
    # marks at 4.3, 5.1, 6.0 and 3.2 cm: 4.3 + 5.1 + 6.0 + 3.2 = 18.6, below 25
    result = score_both("ors", answers_in_order("ors", [4.3, 5.1, 6.0, 3.2]))
    assert result.scores["total"] == pytest.approx(18.6, abs=1e-9)
    assert result.bands["total"] == "clinical range"


@pytest.mark.parametrize(
    ("values", "band"),
    [
        ([0, 0, 0, 0], "clinical range"),  # 0
        # 24.9 (24.900000000000002 in floating point, rounded to 6 decimals): just below
        ([6.2, 6.2, 6.2, 6.3], "clinical range"),
        # 25.0: the cut-off itself is outside the clinical range
        ([6.2, 6.2, 6.3, 6.3], "non-clinical range"),
        ([10, 10, 10, 10], "non-clinical range"),  # 40
    ],
)
def test_it_bands_both_sides_of_the_adult_cut_off_of_25(values, band):
    result = score_both("ors", answers_in_order("ors", values))
    assert result.scores["total"] == pytest.approx(sum(values), abs=1e-9)
    assert result.bands["total"] == band


def test_it_carries_the_published_cut_off_and_reliable_change():
    scale = get_instrument("ors").scale_index["total"]
    assert scale.clinical_cutoff is not None
    assert scale.clinical_cutoff.value == 25
    assert scale.change is not None
    assert scale.change.direction == "higher-is-better"
    assert scale.change.threshold == 5


def test_it_has_no_reverse_keyed_items_or_flags():
    inst = get_instrument("ors")
    assert inst.scale_index["total"].reverse == ()
    assert inst.flags == ()


def test_it_gives_no_total_with_a_line_unmarked():
    result = score_both("ors", answers_in_order("ors", [None, 5, 5, 5]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("ors_1",)


@pytest.mark.parametrize("bad", [10.1, -0.1, 4.05, "5", True])
def test_it_refuses_marks_off_the_line_or_finer_than_a_millimetre(bad):
    answers = answers_in_order("ors", [5, 5, 5, 5])
    answers["ors_4"] = bad
    with pytest.raises(
        ScoringError, match=r"ors: item ors_4: .*a number from 0 to 10 in steps of 0\.1"
    ):
        score_both("ors", answers)


def test_the_shipped_wording_is_a_placeholder_with_anchors_for_every_line():
    pack = get_wording("ors")
    assert pack.placeholder is True
    assert "placeholder" in pack.source.lower()
    assert "install-text ors" in pack.source
    assert sorted(pack.anchors) == ["ors_1", "ors_2", "ors_3", "ors_4"]
