"""NHS Talking Therapies outcome metrics, checked on hand-constructed clients.

Rules from the NHS Talking Therapies for anxiety and depression manual (NHS England, v7 2024)
and the NHS Digital definitions of its outcome statistics: caseness at PHQ-9 >= 10 or
GAD-7 >= 8; reliable change of 6 (PHQ-9) or 4 (GAD-7) points or more; a finished course of
treatment has at least two sessions with both measures; recovery, reliable improvement,
reliable deterioration and reliable recovery as in alliance.feedback.talking_therapies.
"""

import dataclasses

import pandas as pd
import pytest

from alliance.feedback.errors import FeedbackError
from alliance.feedback.talking_therapies import (
    TalkingTherapiesThresholds,
    talking_therapies_outcomes,
)


def episode(client: str, *sessions: tuple[int, float | None, float | None]) -> list[dict]:
    """Rows for one client: (session, PHQ-9, GAD-7); None = not scored."""
    rows = []
    for session, phq9, gad7 in sessions:
        rows.append({"client_id": client, "session": session, "instrument": "phq9", "score": phq9})
        rows.append({"client_id": client, "session": session, "instrument": "gad7", "score": gad7})
    return rows


def outcome(*sessions, **kwargs) -> dict:
    data = pd.DataFrame(episode("x", *sessions))
    result = talking_therapies_outcomes(data, **kwargs)
    return result.to_json_dict()["clients"][0]


def flags(*sessions) -> tuple:
    o = outcome(*sessions)
    return (
        o["paired"],
        o["case_at_start"],
        o["recovered"],
        o["reliable_improvement"],
        o["reliable_deterioration"],
        o["reliable_recovery"],
    )


# -- thresholds come from the instrument definitions ---------------------------------------


def test_thresholds_are_read_from_the_phq9_and_gad7_definitions():
    t = TalkingTherapiesThresholds.from_definitions()
    assert (t.phq9_case, t.gad7_case, t.phq9_reliable, t.gad7_reliable) == (10, 8, 6, 4)
    assert (t.phq9_range, t.gad7_range) == ((0, 27), (0, 21))


def test_other_thresholds_change_the_result():
    data = pd.DataFrame(episode("x", (1, 10, 0), (2, 4, 0)))
    strict = dataclasses.replace(
        TalkingTherapiesThresholds.from_definitions(), phq9_case=11, phq9_reliable=7
    )
    o = talking_therapies_outcomes(data, thresholds=strict).to_json_dict()["clients"][0]
    assert (o["case_at_start"], o["reliable_improvement"]) == (False, False)


# -- caseness --------------------------------------------------------------------------------


def test_phq9_of_exactly_10_at_start_is_a_case():
    assert flags((1, 10, 0), (2, 10, 0))[1] is True


def test_phq9_of_9_and_gad7_of_7_at_start_is_not_a_case_and_recovery_is_undefined():
    assert flags((1, 9, 7), (2, 2, 1)) == (True, False, None, True, False, None)


def test_gad7_of_exactly_8_at_start_is_a_case():
    assert flags((1, 0, 8), (2, 0, 8))[1] is True


# -- recovery --------------------------------------------------------------------------------


def test_recovery_needs_no_caseness_on_either_measure_at_the_end():
    assert flags((1, 15, 12), (2, 9, 8))[2] is False  # GAD-7 8 is still a case
    assert flags((1, 15, 12), (2, 10, 7))[2] is False  # PHQ-9 10 is still a case
    assert flags((1, 15, 12), (2, 9, 7))[2] is True


def test_recovery_without_reliable_improvement_is_not_reliable_recovery():
    # PHQ-9 10 -> 9 and GAD-7 8 -> 7: below both cut-offs, but changes of 1 point
    assert flags((1, 10, 8), (2, 9, 7)) == (True, True, True, False, False, False)


def test_recovery_with_reliable_improvement_is_reliable_recovery():
    assert flags((1, 18, 14), (2, 6, 5)) == (True, True, True, True, False, True)


# -- reliable change -------------------------------------------------------------------------


def test_a_phq9_decrease_of_exactly_6_is_reliable_and_5_is_not():
    assert flags((1, 16, 10), (2, 10, 10))[3] is True
    assert flags((1, 16, 10), (2, 11, 10))[3] is False


def test_a_gad7_decrease_of_exactly_4_is_reliable_and_3_is_not():
    assert flags((1, 12, 12), (2, 12, 8))[3] is True
    assert flags((1, 12, 12), (2, 12, 9))[3] is False


def test_a_reliable_decrease_on_one_measure_and_increase_on_the_other_is_neither():
    # PHQ-9 -6, GAD-7 +4
    assert flags((1, 16, 5), (2, 10, 9))[3:5] == (False, False)


def test_a_reliable_decrease_with_a_smaller_increase_on_the_other_is_improvement():
    # PHQ-9 -6, GAD-7 +3 (not reliable)
    assert flags((1, 16, 5), (2, 10, 8))[3:5] == (True, False)


def test_a_phq9_increase_of_exactly_6_is_reliable_deterioration():
    assert flags((1, 4, 3), (2, 10, 3)) == (True, False, None, False, True, None)
    assert flags((1, 4, 3), (2, 9, 3))[4] is False


def test_a_gad7_increase_of_exactly_4_is_reliable_deterioration():
    assert flags((1, 12, 9), (2, 12, 13))[4] is True


def test_deterioration_needs_no_reliable_decrease_on_the_other_measure():
    # GAD-7 +4, PHQ-9 -5 (not reliable): deterioration
    assert flags((1, 15, 9), (2, 10, 13))[3:5] == (False, True)


# -- counted sessions and pairing ------------------------------------------------------------


def test_one_counted_session_is_unpaired_and_every_other_flag_is_null():
    assert flags((1, 20, 20)) == (False, None, None, None, None, None)


def test_a_session_with_only_one_measure_does_not_count():
    # session 2 lacks the GAD-7, so the episode has one counted session
    assert flags((1, 20, 20), (2, 5, None))[0] is False
    # ... and with a third complete session, session 3 (not 2) is the last one compared
    o = flags((1, 20, 20), (2, 5, None), (3, 19, 19))
    assert o == (True, True, False, False, False, False)


def test_first_and_last_counted_sessions_are_found_by_session_number_not_file_order():
    data = pd.DataFrame(
        episode("x", (3, 5, 4)) + episode("x", (1, 20, 15)) + episode("x", (2, 27, 21))
    )
    result = talking_therapies_outcomes(data)
    row = result.clients.iloc[0]
    assert (row["first_session"], row["last_session"], row["counted_sessions"]) == (1, 3, 3)
    assert (row["phq9_first"], row["phq9_last"]) == (20, 5)
    assert bool(row["reliable_recovery"]) is True


def test_sessions_not_attended_do_not_count_and_unknown_attendance_counts():
    rows = episode("x", (1, 20, 15), (2, 5, 4), (3, 19, 14))
    for row in rows:
        row["attended"] = {1: True, 2: None, 3: False}[row["session"]]
    data = pd.DataFrame(rows)
    result = talking_therapies_outcomes(data, attended_col="attended")
    row = result.clients.iloc[0]
    # session 3 was missed, session 2 (unknown) counts: 1 -> 2 is compared
    assert (row["counted_sessions"], row["last_session"]) == (2, 2)
    assert bool(row["reliable_recovery"]) is True
    # without the attendance column, session 3 would count and nothing changed reliably
    unaware = talking_therapies_outcomes(data).clients.iloc[0]
    assert bool(unaware["reliable_improvement"]) is False


def test_attendance_given_as_text_is_understood():
    rows = episode("x", (1, 20, 15), (2, 5, 4), (3, 19, 14))
    for row in rows:
        row["attended"] = {1: "yes", 2: "", 3: "no"}[row["session"]]
    result = talking_therapies_outcomes(pd.DataFrame(rows), attended_col="attended")
    assert result.clients.iloc[0]["last_session"] == 2


# -- practice-level rates --------------------------------------------------------------------


def practice() -> pd.DataFrame:
    return pd.DataFrame(
        episode("reliably-recovered", (1, 18, 14), (2, 6, 5))
        + episode("recovered-only", (1, 10, 8), (2, 9, 7))
        + episode("case-unchanged", (1, 20, 15), (2, 19, 14))
        + episode("case-deteriorated", (1, 12, 9), (2, 19, 14))
        + episode("not-case-improved", (1, 9, 7), (2, 2, 1))
        + episode("unpaired-case", (1, 25, 20))
    )


def test_rates_use_the_stated_denominators():
    result = talking_therapies_outcomes(practice())
    s = result.summary
    assert (s.clients, s.finished, s.cases) == (6, 5, 4)
    assert (s.recovered, s.reliable_recovery) == (2, 1)
    assert (s.reliable_improvement, s.reliable_deterioration) == (2, 1)
    assert s.recovery_rate == 2 / 4  # over paired clients who were a case at start
    assert s.reliable_recovery_rate == 1 / 4
    assert s.reliable_improvement_rate == 2 / 5  # over all paired clients
    assert s.reliable_deterioration_rate == 1 / 5


def test_a_frame_with_its_own_index_gives_the_same_result():
    data = practice()
    data["attended"] = True
    shifted = data.set_index(data.index * 10 + 7)
    plain = talking_therapies_outcomes(data, attended_col="attended").to_json_dict()
    assert talking_therapies_outcomes(shifted, attended_col="attended").to_json_dict() == plain


def test_clients_keep_their_order_of_first_appearance():
    result = talking_therapies_outcomes(practice())
    assert result.clients["client_id"].tolist()[:2] == ["reliably-recovered", "recovered-only"]


def test_the_json_contract_has_the_issue_keys():
    result = talking_therapies_outcomes(practice()).to_json_dict()
    assert list(result) == ["clients", "summary"]
    assert list(result["clients"][0]) == [
        "client_id",
        "paired",
        "case_at_start",
        "recovered",
        "reliable_improvement",
        "reliable_deterioration",
        "reliable_recovery",
    ]
    assert list(result["summary"]) == [
        "finished",
        "cases",
        "recovery_rate",
        "reliable_improvement_rate",
        "reliable_recovery_rate",
        "reliable_deterioration_rate",
    ]


def test_without_paired_clients_the_rates_are_null():
    result = talking_therapies_outcomes(pd.DataFrame(episode("x", (1, 20, 20))))
    s = result.to_json_dict()["summary"]
    assert s == {
        "finished": 0,
        "cases": 0,
        "recovery_rate": None,
        "reliable_improvement_rate": None,
        "reliable_recovery_rate": None,
        "reliable_deterioration_rate": None,
    }


# -- bad input -------------------------------------------------------------------------------


def bad(rows: list[dict], **kwargs) -> str:
    with pytest.raises(FeedbackError) as info:
        talking_therapies_outcomes(pd.DataFrame(rows), **kwargs)
    return str(info.value)


def test_an_unknown_instrument_is_refused_naming_row_and_column():
    rows = episode("x", (1, 10, 8))
    rows[1]["instrument"] = "gad-7"
    assert bad(rows) == "data: row 2, column instrument: 'gad-7'; expected phq9 or gad7"


def test_a_score_outside_the_instrument_range_is_refused():
    rows = episode("x", (1, 10, 8), (2, 28, 8))
    assert bad(rows) == "data: row 3, column score: 28 is outside the phq9 range 0-27"
    rows = episode("x", (1, 10, 22))
    assert "row 2, column score: 22 is outside the gad7 range 0-21" in bad(rows)


def test_a_repeated_client_session_and_instrument_is_refused():
    rows = episode("x", (1, 10, 8), (1, 11, 9))
    assert "row 3, column instrument: a second phq9 score for client 'x' at session 1" in bad(rows)


def test_contradictory_attendance_within_a_session_is_refused():
    rows = episode("x", (1, 10, 8))
    rows[0]["attended"], rows[1]["attended"] = True, False
    message = bad(rows, attended_col="attended")
    assert "row 2, column attended: session 1 of client 'x' is marked both" in message


def test_missing_columns_sessions_and_client_ids_are_named():
    rows = episode("x", (1, 10, 8))
    assert "lacks columns ['attended']" in bad(rows, attended_col="attended")
    rows[1]["session"] = None
    assert "row 2, column session: empty" in bad(rows)
    rows = episode("x", (1, 10, 8))
    rows[0]["client_id"] = None
    assert "row 1, column client_id: empty" in bad(rows)
    rows = episode("x", (1, 10, 8))
    rows[0]["score"] = "ten"
    assert "row 1, column score: 'ten'" in bad(rows)
