"""Session Rating Scale (SRS V.3.0) scoring.

Sources: Duncan BL, Miller SD, Sparks JA, Claud DA, Reynolds LR, Brown J, Johnson LD (2003)
The Session Rating Scale: preliminary psychometric properties of a "working" alliance measure,
Journal of Brief Therapy 3(1):3-12 (four 10 cm visual-analogue lines, each measured to the
millimetre, 0-10; total 0-40); Miller SD & Duncan BL, The Outcome and Session Rating Scales:
administration and scoring manual, and Duncan BL (2012) Canadian Psychology 53(2):93-104
(a total below 36 signals a possible alliance problem to discuss with the client).

Alliance does not flag single low lines: no published single-item threshold could be
verified, so only the total is flagged.
"""

import pytest

from alliance.measures import ScoringError, get_instrument, get_wording
from tests.measures.support import answers_in_order, score_both


def test_it_sums_the_four_lines_measured_in_centimetres():
    # marks at 9.2, 8.7, 9.5 and 9.0 cm: 9.2 + 8.7 + 9.5 + 9.0 = 36.4, at or above 36
    result = score_both("srs", answers_in_order("srs", [9.2, 8.7, 9.5, 9.0]))
    assert result.scores["total"] == pytest.approx(36.4, abs=1e-9)
    assert result.flags == ()


@pytest.mark.parametrize(
    ("values", "flagged"),
    [
        ([0, 0, 0, 0], True),  # 0
        ([9, 9, 9, 8.9], True),  # 35.9: just below 36
        ([9, 9, 9, 9], False),  # 36.0: the cut-off itself is not a concern
        ([9, 9, 9, 9.1], False),  # 36.1
        ([10, 10, 10, 10], False),  # 40
    ],
)
def test_it_flags_an_alliance_concern_below_36(values, flagged):
    result = score_both("srs", answers_in_order("srs", values))
    assert result.scores["total"] == pytest.approx(sum(values), abs=1e-9)
    assert result.flags == (("alliance_concern",) if flagged else ())


def test_it_raises_no_flag_for_a_single_low_line_when_the_total_is_36_or_more():
    # 8.5 + 10 + 10 + 10 = 38.5: no item-level flag is defined (see the module docstring)
    result = score_both("srs", answers_in_order("srs", [8.5, 10, 10, 10]))
    assert result.flags == ()
    assert [f.id for f in get_instrument("srs").flags] == ["alliance_concern"]


def test_it_has_no_reverse_keyed_items():
    # the left end of every line is the unfavourable end (Duncan et al. 2003)
    assert get_instrument("srs").scale_index["total"].reverse == ()


def test_it_gives_no_total_and_no_flag_with_a_line_unmarked():
    result = score_both("srs", answers_in_order("srs", [2, None, 3, 1]))
    assert result.scores["total"] is None
    assert result.missing == ("srs_2",)
    assert result.flags == ()


@pytest.mark.parametrize("bad", [10.1, -0.1, 9.25, "9", True])
def test_it_refuses_marks_off_the_line_or_finer_than_a_millimetre(bad):
    answers = answers_in_order("srs", [9, 9, 9, 9])
    answers["srs_3"] = bad
    with pytest.raises(
        ScoringError, match=r"srs: item srs_3: .*a number from 0 to 10 in steps of 0\.1"
    ):
        score_both("srs", answers)


def test_it_refuses_goal_weights():
    with pytest.raises(ScoringError, match=r"srs: weights apply only to goal attainment"):
        score_both("srs", answers_in_order("srs", [9, 9, 9, 9]), weights={"srs_1": 2})


def test_the_shipped_wording_is_a_placeholder_with_anchors_for_every_line():
    pack = get_wording("srs")
    assert pack.placeholder is True
    assert "placeholder" in pack.source.lower()
    assert "install-text srs" in pack.source
    assert sorted(pack.anchors) == ["srs_1", "srs_2", "srs_3", "srs_4"]
