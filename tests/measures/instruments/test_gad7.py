"""GAD-7 scoring.

Sources: Spitzer RL, Kroenke K, Williams JBW, Löwe B (2006) Arch Intern Med 166:1092-1097 (sum of
seven 0-3 items, 0-21; cut-points 5, 10 and 15 for mild, moderate and severe anxiety); NHS Talking
Therapies for anxiety and depression manual / IAPT Data Handbook (caseness at 8 or above, reliable
change of 4 points); LOINC panel 69737-5 and total 70274-6 with item codes from the LOINC form;
HL7 PACIO Sample Data Depot, QuestionnaireResponse BSJ1-GAD7 (October 2025 and January 2026),
worked examples with published totals and severity categories.
"""

import pandas as pd
import pytest

from alliance.measures import RowError, ScoringError, get_instrument, score_frame
from tests.measures.support import answers_in_order, score_both


def spread(total: int) -> list[int]:
    """Seven 0-3 answers summing to ``total`` (filled item by item)."""
    values = [min(3, max(0, total - 3 * i)) for i in range(7)]
    assert sum(values) == total
    return values


def test_it_scores_the_published_pacio_examples():
    # PACIO BSJ1-GAD7 October 2025: several days on items 1-4 and 6, not at all on item 5,
    # more than half the days on item 7 -> published total 7, "Mild anxiety".
    october = score_both("gad7", answers_in_order("gad7", [1, 1, 1, 1, 0, 1, 2]))
    assert october.scores["total"] == 7
    assert october.bands["total"] == "mild"
    # PACIO BSJ1-GAD7 January 2026: 1+0+0+1+0+1+1 -> published total 4, "Minimal anxiety".
    january = score_both("gad7", answers_in_order("gad7", [1, 0, 0, 1, 0, 1, 1]))
    assert january.scores["total"] == 4
    assert january.bands["total"] == "minimal"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_it_bands_every_boundary_as_spitzer_2006(total, band):
    result = score_both("gad7", answers_in_order("gad7", spread(total)))
    assert result.scores["total"] == total
    assert result.bands["total"] == band


def test_it_gives_no_total_when_any_item_is_missing():
    # No published pro-rating rule for the GAD-7 was found, so one gap is enough for no score.
    result = score_both("gad7", answers_in_order("gad7", [3, 3, 3, None, 3, 3, 3]))
    assert result.scores["total"] is None
    assert result.bands["total"] is None
    assert result.missing == ("gad7_4",)


def test_it_lists_every_missing_item_and_treats_absent_items_as_missing():
    result = score_both("gad7", {"gad7_1": 2, "gad7_2": 1})
    assert result.scores["total"] is None
    assert result.missing == ("gad7_3", "gad7_4", "gad7_5", "gad7_6", "gad7_7")


def test_it_raises_no_flags():
    # The GAD-7 has no risk item; nothing is flagged even at the maximum.
    assert score_both("gad7", answers_in_order("gad7", [3] * 7)).flags == ()


@pytest.mark.parametrize("bad", [4, -1, 2.5, "1", True])
def test_it_refuses_values_outside_0_to_3_naming_the_item(bad):
    answers = answers_in_order("gad7", [0] * 7)
    answers["gad7_6"] = bad
    with pytest.raises(ScoringError, match=r"gad7: item gad7_6: .*0, 1, 2, 3"):
        score_both("gad7", answers)


def test_the_vectorised_scorer_names_the_row_and_item_of_a_bad_cell():
    frame = pd.DataFrame([[0] * 7, [0, 0, 0, 0, 0, 0, 9]], columns=get_instrument("gad7").item_ids)
    with pytest.raises(RowError, match=r"gad7: row 2, item gad7_7: .*0, 1, 2, 3"):
        score_frame("gad7", frame)


def test_it_carries_the_loinc_codes_of_the_panel_the_total_and_each_item():
    inst = get_instrument("gad7")
    assert inst.loinc == "69737-5"
    assert inst.scale_index["total"].loinc == "70274-6"
    assert [i.loinc for i in inst.items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]


def test_it_carries_the_talking_therapies_caseness_and_reliable_change():
    total = get_instrument("gad7").scale_index["total"]
    assert total.clinical_cutoff is not None and total.clinical_cutoff.value == 8
    assert total.change is not None
    assert total.change.direction == "lower-is-better"
    assert total.change.threshold == 4
