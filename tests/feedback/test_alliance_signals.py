"""Alliance signals, each rule on hand-made histories at its boundary.

Sources of the thresholds (see the module docstring of alliance.feedback.alliance_signals):
- SRS concern level 36: Miller & Duncan, ORS/SRS administration and scoring manual; Duncan
  2012, Canadian Psychology 53(2):93-104 (the srs definition's ``alliance_concern`` flag).
- SRS rupture, a drop of 1 point or more from the previous session: the PCOMS rule (Duncan
  2012), as stated in issue 4.
- WAI-SR concern level, an average answer below 3 (total < 36): a convention; it matches the
  "weak alliance" band 12-35 of the Rivet WAI-SR scoring guide.  TASC-P: average below the
  answer-scale midpoint 2.5 (total < 30), the same convention.
- WAI-SR rupture threshold, half an answer step per item (total 6, subscale 2): a
  convention in the spirit of Stiles et al. 2004 and Strauss et al. 2006 (a drop from the
  client's own course beyond a margin).
- Discrepancy, practitioner item mean one answer step above the client's: a convention;
  clients on average rate higher than therapists (Tryon, Blackwell & Hammel 2007).
"""

import numpy as np
import pytest

from alliance.feedback.alliance_signals import (
    AllianceSettings,
    PartSeries,
    RuptureRule,
    Series,
    detect_ruptures,
    discrepancies,
    low_alliance,
    low_alliance_cut,
    running_baseline,
    rupture_rule,
)
from alliance.feedback.errors import FeedbackError
from alliance.measures import get_instrument

WAI = get_instrument("wai-sr")
SRS = get_instrument("srs")
TASC = get_instrument("tasc-p")


def total(inst):
    return inst.scale_index["total"]


def one(scores, start=1):
    return Series.of(np.arange(start, start + len(scores)), scores)


# -- series and baseline ------------------------------------------------------------------


def test_series_sorts_by_client_then_session_and_drops_missing_scores():
    s = Series.of([3, 1, 2, 1], [30.0, 10.0, np.nan, 5.0], groups=[0, 0, 0, 1])
    assert s.groups.tolist() == [0, 0, 1]
    assert s.sessions.tolist() == [1, 3, 1]
    assert s.scores.tolist() == [10.0, 30.0, 5.0]


@pytest.mark.parametrize(
    ("sessions", "message"),
    [([1, 1], "session 1 has two scores"), ([-1, 2], "whole numbers from 0"), ([1.5, 2], "whole")],
)
def test_series_rejects_repeated_negative_or_fractional_sessions(sessions, message):
    with pytest.raises(FeedbackError, match=message):
        Series.of(sessions, [40.0, 41.0])


def test_running_baseline_is_the_mean_of_up_to_three_previous_ratings():
    baseline, prior = running_baseline(one([50.0, 52.0, 51.0, 45.0, 47.0]), window=3)
    assert np.isnan(baseline[0])
    # (50), (50+52)/2, (50+52+51)/3, (52+51+45)/3 worked by hand.
    np.testing.assert_allclose(baseline[1:], [50.0, 51.0, 51.0, 148 / 3])
    assert prior.tolist() == [0, 1, 2, 3, 3]


def test_running_baseline_over_all_previous_ratings_when_the_window_is_none():
    baseline, prior = running_baseline(one([50.0, 52.0, 51.0, 45.0]), window=None)
    np.testing.assert_allclose(baseline[1:], [50.0, 51.0, 51.0])
    assert prior.tolist() == [0, 1, 2, 3]


def test_running_baseline_never_mixes_two_clients():
    s = Series.of([1, 2, 1, 2], [50.0, 40.0, 20.0, 30.0], groups=[0, 0, 1, 1])
    baseline, prior = running_baseline(s, window=3)
    assert prior.tolist() == [0, 1, 0, 1]
    assert baseline[1] == 50.0 and baseline[3] == 20.0


# -- low alliance -------------------------------------------------------------------------


def test_srs_below_36_is_a_low_alliance_and_36_is_not():
    # Miller & Duncan manual; Duncan 2012: SRS totals below 36 invite a conversation.
    cut = low_alliance_cut(SRS, total(SRS))
    assert (cut.value, cut.op, cut.basis) == (36.0, "lt", "flag")
    assert low_alliance(one([35.9, 36.0, 39.2]), cut).tolist() == [True, False, False]


def test_wai_sr_concern_level_is_an_average_answer_below_3_on_the_total_and_parts():
    # Convention: item mean below the midpoint 3 of the 1-5 answers (Rivet band 12-35 weak).
    assert low_alliance_cut(WAI, total(WAI)).value == 36.0
    assert low_alliance_cut(WAI, WAI.scale_index["bond"]).value == 12.0
    assert low_alliance_cut(WAI, total(WAI)).basis == "midpoint"
    assert low_alliance(one([35.0, 36.0]), low_alliance_cut(WAI, total(WAI))).tolist() == [
        True,
        False,
    ]


def test_tasc_p_concern_level_is_an_average_answer_below_the_midpoint_2_5():
    # Convention: 12 items answered 1-4, midpoint 2.5, total 30.
    cut = low_alliance_cut(TASC, total(TASC))
    assert cut.value == 30.0
    assert low_alliance(one([29.0, 30.0]), cut).tolist() == [True, False]


def test_a_practice_can_set_its_own_wai_sr_concern_level():
    settings = AllianceSettings(low_alliance={"wai-sr": 42.0})
    assert low_alliance_cut(WAI, total(WAI), settings).value == 42.0
    assert low_alliance_cut(WAI, WAI.scale_index["goal"], settings).value == 14.0
    assert low_alliance_cut(WAI, total(WAI), settings).basis == "setting"


# -- rupture rules ------------------------------------------------------------------------


def test_wai_sr_rupture_threshold_is_half_an_answer_step_per_item():
    assert rupture_rule(WAI, total(WAI)).threshold == 6.0
    assert rupture_rule(WAI, WAI.scale_index["task"]).threshold == 2.0
    assert rupture_rule(TASC, total(TASC)).threshold == 6.0
    assert rupture_rule(WAI, total(WAI)).basis == "half_step"


def test_srs_rupture_rule_is_one_point_below_the_previous_session():
    rule = rupture_rule(SRS, total(SRS))
    assert (rule.threshold, rule.window, rule.basis) == (1.0, 1, "pcoms")


def test_a_scale_with_a_reliable_change_in_its_definition_uses_it_as_rupture_threshold():
    ors = get_instrument("ors")  # reliable change 5 in its definition (Miller et al. 2003)
    rule = rupture_rule(ors, total(ors))
    assert (rule.threshold, rule.basis) == (5.0, "change")


def test_a_practice_can_set_its_own_rupture_threshold():
    settings = AllianceSettings(rupture_threshold={"wai-sr": 9.0})
    assert rupture_rule(WAI, total(WAI), settings).threshold == 9.0
    assert rupture_rule(WAI, WAI.scale_index["bond"], settings).threshold == 3.0


# -- ruptures -----------------------------------------------------------------------------

WAI_RULE = RuptureRule(threshold=6.0, window=3)


def test_a_drop_of_6_below_the_wai_sr_baseline_is_a_rupture_and_5_is_not():
    (event,) = detect_ruptures(one([50.0, 52.0, 51.0, 45.0]), WAI_RULE)
    assert (event.session, event.baseline, event.drop, event.n_baseline) == (4, 51.0, 6.0, 3)
    assert event.status == "open"
    assert detect_ruptures(one([50.0, 52.0, 51.0, 46.0]), WAI_RULE) == ()


def test_a_drop_of_one_srs_point_from_the_previous_session_is_a_rupture():
    rule = rupture_rule(SRS, total(SRS))
    assert [e.session for e in detect_ruptures(one([38.0, 37.0]), rule)] == [2]
    assert detect_ruptures(one([38.0, 37.1]), rule) == ()
    # Tenths of a centimetre do not spoil the boundary: 36.3 - 35.3 is a drop of 1.
    assert [e.drop for e in detect_ruptures(one([36.3, 35.3]), rule)] == pytest.approx([1.0])


def test_the_srs_baseline_is_the_previous_session_not_the_average():
    rule = rupture_rule(SRS, total(SRS))
    # 39, 34 (drop 5), 34 (no drop from 34): one rupture against 39, not against the mean.
    (event,) = detect_ruptures(one([39.0, 34.0, 34.0]), rule)
    assert (event.session, event.baseline) == (2, 39.0)


def test_a_rupture_is_located_in_the_part_that_dropped_most_relative_to_its_range():
    goal = one([17.0, 17.0, 18.0, 16.0])
    task = one([17.0, 18.0, 17.0, 16.0])
    bond = one([16.0, 17.0, 17.0, 11.0])
    totals = goal.scores + task.scores + bond.scores  # 50, 52, 52, 43
    parts = tuple(
        PartSeries(n, s, 16.0) for n, s in (("goal", goal), ("task", task), ("bond", bond))
    )
    (event,) = detect_ruptures(one(totals), WAI_RULE, parts)
    assert event.located == ("bond",)
    bond_drop = next(p for p in event.parts if p.scale == "bond")
    assert bond_drop.baseline == pytest.approx(50 / 3)
    assert bond_drop.relative_drop == pytest.approx((50 / 3 - 11) / 16)


def test_parts_that_drop_equally_are_both_named():
    goal, bond = one([16.0, 16.0, 12.0]), one([16.0, 16.0, 12.0])
    task = one([16.0, 16.0, 16.0])
    parts = tuple(
        PartSeries(n, s, 16.0) for n, s in (("goal", goal), ("task", task), ("bond", bond))
    )
    (event,) = detect_ruptures(one([48.0, 48.0, 40.0]), WAI_RULE, parts)
    assert event.located == ("goal", "bond")


def test_a_rupture_without_part_scores_is_not_located():
    (event,) = detect_ruptures(one([50.0, 50.0, 40.0]), WAI_RULE)
    assert event.located == ()


def test_a_rupture_is_resolved_when_a_later_rating_is_back_within_half_the_threshold():
    # Baseline 51, threshold 6, margin 3: 48 is back, 47 is not.
    (event,) = detect_ruptures(one([50.0, 52.0, 51.0, 45.0, 48.0]), WAI_RULE)
    assert (event.status, event.repair_session, event.repair_score) == ("resolved", 5, 48.0)
    (event,) = detect_ruptures(one([50.0, 52.0, 51.0, 45.0, 47.0]), WAI_RULE)
    assert event.status == "open"


def test_a_rupture_not_back_within_three_ratings_is_unresolved():
    (event,) = detect_ruptures(one([50.0, 52.0, 51.0, 45.0, 47.0, 47.0, 47.0, 51.0]), WAI_RULE)
    assert (event.status, event.closed_session, event.closed_score) == ("unresolved", 7, 47.0)
    assert event.repair_session is None and event.n_after == 3


def test_a_rupture_with_fewer_than_three_later_ratings_is_still_open():
    (event,) = detect_ruptures(one([50.0, 52.0, 51.0, 45.0, 47.0, 47.0]), WAI_RULE)
    assert event.status == "open" and event.n_after == 2


def test_ratings_inside_a_rupture_episode_do_not_start_a_new_rupture():
    # Session 5 is still 6.7 below its own running mean (46.7) but belongs to the episode.
    (event,) = detect_ruptures(one([50.0, 50.0, 50.0, 40.0, 40.0, 50.0]), WAI_RULE)
    assert (event.session, event.status, event.repair_session) == (4, "resolved", 6)


def test_a_further_drop_after_an_unresolved_rupture_is_a_new_rupture():
    scores = [50.0, 50.0, 50.0, 40.0, 40.0, 40.0, 40.0, 32.0]
    first, second = detect_ruptures(one(scores), WAI_RULE)
    assert (first.session, first.status, first.closed_session) == (4, "unresolved", 7)
    assert (second.session, second.baseline) == (8, 40.0)


def test_ruptures_of_different_clients_are_kept_apart():
    s = Series.of(
        [1, 2, 3, 1, 2, 3], [50.0, 50.0, 40.0, 50.0, 50.0, 49.0], groups=[0, 0, 0, 1, 1, 1]
    )
    (event,) = detect_ruptures(s, WAI_RULE)
    assert (event.group, event.session) == (0, 3)


def test_the_repair_window_never_reaches_into_the_next_client():
    s = Series.of([1, 2, 1], [50.0, 40.0, 55.0], groups=[0, 0, 1])
    (event,) = detect_ruptures(s, WAI_RULE)
    assert event.status == "open" and event.n_after == 0


# -- discrepancy --------------------------------------------------------------------------


def test_practitioner_one_answer_step_above_the_client_is_a_discrepancy():
    client = one([12.0, 12.0, 16.0])
    practitioner = one([16.0, 15.0, 12.0])
    found = discrepancies(client, practitioner, items_per_score=4, threshold=1.0)
    # Item means: 4 vs 3 (gap 1.0), 3.75 vs 3 (0.75), 3 vs 4 (-1: the usual direction).
    np.testing.assert_allclose(found.gap, [1.0, 0.75, -1.0])
    assert found.flagged.tolist() == [True, False, False]


def test_discrepancy_compares_only_sessions_rated_by_both():
    client = Series.of([1, 2, 4], [30.0, 30.0, 30.0])
    practitioner = Series.of([2, 3, 4], [48.0, 48.0, 40.0])
    found = discrepancies(client, practitioner, items_per_score=12)
    assert found.sessions.tolist() == [2, 4]
    np.testing.assert_allclose(found.gap, [1.5, 10 / 12])
    assert found.flagged.tolist() == [True, False]


def test_settings_reject_values_that_make_no_sense():
    with pytest.raises(FeedbackError, match="repair_within"):
        AllianceSettings(repair_within=0)
    with pytest.raises(FeedbackError, match="discrepancy_threshold"):
        AllianceSettings(discrepancy_threshold=0)
    with pytest.raises(FeedbackError, match="rupture_threshold"):
        AllianceSettings(rupture_threshold={"wai-sr": -1.0})
