"""SWEMWBS scoring: raw sum of seven items converted to the metric score.

Sources: Stewart-Brown S et al. (2009) Health Qual Life Outcomes 7:15 (the seven Rasch-fitting
items, WEMWBS items 1, 2, 3, 6, 7, 9 and 11, and the raw score-interval scale transformation);
University of Warwick SWEMWBS raw-to-metric conversion table (raw 7-35, two decimals), cross-
checked against Peitz D et al. (2024) Qual Life Res 33:2145-2150 (raw 23 = 20.73, raw 32 =
29.31); Warwick guidance on interpreting SWEMWBS metric scores (17 or less probable
depression, 18-20 possible depression, 21-27 average, 28 or more high), applied to the metric
score rounded to a whole number; Shah N et al. (2018) Health Qual Life Outcomes 16:239
(2.77 SEM = 2.87 metric points). No published pro-rating rule: any unanswered item, no score.
"""

from itertools import pairwise

import pandas as pd
import pytest

from alliance.measures import ScoringError, get_instrument, score_frame
from alliance.measures.wording import shipped_packs
from tests.measures.support import answers_in_order, score_both

N_ITEMS = 7

# The published Warwick SWEMWBS conversion table, raw score -> metric score.
PUBLISHED_TABLE = {
    7: 7.00, 8: 9.51, 9: 11.25, 10: 12.40, 11: 13.33, 12: 14.08, 13: 14.75, 14: 15.32,
    15: 15.84, 16: 16.36, 17: 16.88, 18: 17.43, 19: 17.98, 20: 18.59, 21: 19.25, 22: 19.98,
    23: 20.73, 24: 21.54, 25: 22.35, 26: 23.21, 27: 24.11, 28: 25.03, 29: 26.02, 30: 27.03,
    31: 28.13, 32: 29.31, 33: 30.70, 34: 32.55, 35: 35.00,
}  # fmt: skip


def answers_for_raw(raw: int) -> list[int]:
    """Seven answers of 1-5 that add up to ``raw`` (fill items to 5 from the first)."""
    extra = raw - N_ITEMS
    values = []
    for _ in range(N_ITEMS):
        step = min(4, extra)
        values.append(1 + step)
        extra -= step
    assert sum(values) == raw and all(1 <= v <= 5 for v in values)
    return values


def test_it_converts_the_raw_sum_to_the_metric_score_as_peitz_2024():
    # Peitz et al. 2024: 15th percentile raw 23 = metric 20.73; 85th percentile raw 32 = 29.31.
    # 4+3+3+4+3+3+3 = 23
    low = score_both("swemwbs", answers_in_order("swemwbs", [4, 3, 3, 4, 3, 3, 3]))
    assert low.scores["raw"] == 23
    assert low.scores["total"] == 20.73
    # 5+5+4+5+4+5+4 = 32
    high = score_both("swemwbs", answers_in_order("swemwbs", [5, 5, 4, 5, 4, 5, 4]))
    assert high.scores["raw"] == 32
    assert high.scores["total"] == 29.31


@pytest.mark.parametrize(
    ("raw", "metric"),
    [(7, 7.00), (8, 9.51), (9, 11.25), (14, 15.32), (18, 17.43), (21, 19.25),
     (26, 23.21), (29, 26.02), (33, 30.70), (34, 32.55), (35, 35.00)],
)  # fmt: skip
def test_it_matches_the_published_conversion_table_entries_and_ends(raw, metric):
    result = score_both("swemwbs", answers_in_order("swemwbs", answers_for_raw(raw)))
    assert result.scores["raw"] == raw
    assert result.scores["total"] == metric


def test_it_converts_every_raw_score_7_to_35_in_one_frame():
    rows = [answers_for_raw(raw) for raw in PUBLISHED_TABLE]
    ids = get_instrument("swemwbs").item_ids
    frame = pd.DataFrame(rows, columns=ids)
    scored = score_frame("swemwbs", frame)
    assert scored["raw"].tolist() == list(PUBLISHED_TABLE)
    assert scored["total"].tolist() == list(PUBLISHED_TABLE.values())


def test_the_metric_score_rises_with_every_raw_point():
    # A Rasch interval-scale transformation preserves order: a typo in the table would break it.
    lookup = get_instrument("swemwbs").scale_index["total"].transform.lookup
    metrics = [lookup[raw] for raw in range(7, 36)]
    assert all(a < b for a, b in pairwise(metrics))


@pytest.mark.parametrize(
    ("raw", "metric", "band"),
    [
        (7, 7.00, "probable depression"),
        (18, 17.43, "probable depression"),  # rounds to 17
        (19, 17.98, "possible depression"),  # rounds to 18
        (22, 19.98, "possible depression"),  # rounds to 20
        (23, 20.73, "average wellbeing"),  # rounds to 21
        (30, 27.03, "average wellbeing"),  # rounds to 27
        (31, 28.13, "high wellbeing"),  # rounds to 28
        (35, 35.00, "high wellbeing"),
    ],
)
def test_it_bands_the_metric_score_on_both_sides_of_every_cut_point(raw, metric, band):
    result = score_both("swemwbs", answers_in_order("swemwbs", answers_for_raw(raw)))
    assert result.scores["total"] == metric
    assert result.bands["total"] == band


def test_the_raw_sum_is_not_banded_and_has_no_change_criterion():
    raw = get_instrument("swemwbs").scale_index["raw"]
    assert raw.bands == () and raw.change is None and raw.transform is None


def test_it_has_no_reverse_keyed_items_so_a_higher_answer_always_raises_the_score():
    inst = get_instrument("swemwbs")
    assert all(scale.reverse == () for scale in inst.scales)
    for position in range(N_ITEMS):
        values = [3] * N_ITEMS
        values[position] = 4
        result = score_both("swemwbs", answers_in_order("swemwbs", values))
        assert result.scores["raw"] == 22  # 3 * 6 + 4
        assert result.scores["total"] == 19.98  # published table, raw 22


@pytest.mark.parametrize("missing_position", [0, 3, 6])
def test_it_gives_no_score_with_any_item_missing_and_lists_it(missing_position):
    values: list[float | None] = [4] * N_ITEMS
    values[missing_position] = None
    result = score_both("swemwbs", answers_in_order("swemwbs", values))
    assert result.scores["total"] is None
    assert result.scores["raw"] is None
    assert result.bands["total"] is None
    assert result.missing == (f"swemwbs_{missing_position + 1}",)


@pytest.mark.parametrize("bad", [0, 6, -2, 3.5, "4", False])
def test_it_refuses_values_outside_1_to_5_naming_the_item(bad):
    answers = answers_in_order("swemwbs", [3] * N_ITEMS)
    answers["swemwbs_5"] = bad
    with pytest.raises(ScoringError, match=r"swemwbs: item swemwbs_5: .*1, 2, 3, 4, 5"):
        score_both("swemwbs", answers)


def test_higher_is_better_and_reliable_change_is_2_87_metric_points():
    change = get_instrument("swemwbs").scale_index["total"].change
    assert change is not None
    assert change.direction == "higher-is-better"
    assert change.threshold == 2.87  # Shah et al. 2018: 2.77 SEM = 2.87 points


def test_it_is_a_licensed_client_wellbeing_measure_with_placeholder_wording():
    inst = get_instrument("swemwbs")
    assert (inst.licence, inst.respondent, inst.kind) == ("licensed", "client", "wellbeing")
    (pack,) = shipped_packs("swemwbs")
    assert pack.language == "en"
    assert pack.placeholder
    assert "install-text swemwbs" in pack.source
    assert list(pack.items) == inst.item_ids
