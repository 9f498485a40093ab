"""De-identification: keyed pseudonyms, date offsets, days since intake, allow-list, checks.

Reference implementations named in the tests: the uniformity of pseudonym characters and of
date offsets is checked with scipy.stats.chisquare (Pearson's goodness-of-fit test) over many
client references; HMAC-SHA256 itself is Python's ``hmac`` (RFC 2104), not re-tested here.
"""

import datetime as dt
import hashlib
import re

import pandas as pd
import pytest
from scipy import stats

from alliance.research.deidentify import (
    IdentifiableDataError,
    assert_deidentified,
    date_offset,
    date_offsets,
    days_since_intake,
    find_identifiers,
    keep_allowed_columns,
    pseudonym,
    pseudonyms,
    shift_dates,
)
from alliance.research.errors import ResearchError

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
REFS = pd.Series([f"c{i:05d}" for i in range(20_000)])


# -- pseudonyms -----------------------------------------------------------------------------


def test_a_pseudonym_is_p_and_twelve_base32_characters_and_stable():
    pid = pseudonym(KEY, "alliance-2025", "c00042")
    assert re.fullmatch(r"p[a-z2-7]{12}", pid)
    assert pseudonym(KEY, "alliance-2025", "c00042") == pid


def test_pseudonyms_differ_across_projects_and_keys():
    a = pseudonym(KEY, "alliance-2025", "c00042")
    assert pseudonym(KEY, "alliance-2026", "c00042") != a
    assert pseudonym(OTHER_KEY, "alliance-2025", "c00042") != a
    assert pseudonym(KEY, "alliance-2025", "c00043") != a


def test_pseudonyms_do_not_contain_the_client_reference_or_its_plain_hash():
    for ref in ["c00042", "jane.doe@example.org", "12", 12]:
        pid = pseudonym(KEY, "p1", ref)
        assert str(ref).lower() not in pid
        plain = hashlib.sha256(str(ref).encode()).hexdigest()
        assert pid[1:] not in plain


def test_the_parts_of_the_message_cannot_be_shifted_between_project_and_reference():
    assert pseudonym(KEY, "ab", "c") != pseudonym(KEY, "a", "bc")


def test_the_vectorised_pseudonyms_equal_the_scalar_ones_and_keep_the_index():
    refs = pd.Series(["c1", "c2", "c1", 7], index=[10, 11, 12, 13])
    pids = pseudonyms(KEY, "p1", refs)
    assert list(pids.index) == [10, 11, 12, 13]
    assert list(pids) == [pseudonym(KEY, "p1", r) for r in refs]
    assert pids.name == "pid"


def test_twenty_thousand_references_get_distinct_uniformly_spread_pseudonyms():
    pids = pseudonyms(KEY, "p1", REFS)
    assert pids.nunique() == len(REFS)
    # Reference: scipy.stats.chisquare on the 32 base32 symbols at each of positions 2-4.
    for position in (1, 2, 3):
        counts = pids.str[position].value_counts()
        assert len(counts) == 32
        assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_pseudonyms_refuse_short_keys_empty_projects_and_missing_references():
    with pytest.raises(ResearchError, match="key: 8 bytes"):
        pseudonym(b"12345678", "p1", "c1")
    with pytest.raises(ResearchError, match="project"):
        pseudonym(KEY, " ", "c1")
    with pytest.raises(ResearchError, match="client reference"):
        pseudonym(KEY, "p1", "")
    with pytest.raises(ResearchError, match="missing client reference at row 1"):
        pseudonyms(KEY, "p1", pd.Series(["c1", None]))


# -- dates ----------------------------------------------------------------------------------


def test_date_offsets_are_stable_nonzero_and_within_180_days():
    offsets = date_offsets(KEY, "p1", REFS)
    assert offsets.between(-180, 180).all()
    assert (offsets != 0).all()
    assert offsets.min() == -180 and offsets.max() == 180
    assert offsets.iloc[5] == date_offset(KEY, "p1", REFS.iloc[5])
    assert date_offsets(KEY, "p1", REFS).equals(offsets)


def test_date_offsets_are_uniform_over_the_360_possible_days():
    offsets = date_offsets(KEY, "p1", pd.Series(range(36_000)))
    counts = offsets.value_counts().reindex([*range(-180, 0), *range(1, 181)], fill_value=0)
    # Reference: scipy.stats.chisquare against equal expected counts (100 per day).
    assert stats.chisquare(counts.to_numpy()).pvalue > 0.001


def test_date_offsets_of_the_same_clients_are_unrelated_across_projects():
    a = date_offsets(KEY, "p1", REFS)
    b = date_offsets(KEY, "p2", REFS)
    assert (a == b).mean() < 0.01  # 1/360 expected by chance
    # Reference: scipy.stats.pearsonr; independent offsets correlate near zero.
    assert abs(stats.pearsonr(a, b).statistic) < 0.03


def test_a_smaller_window_bounds_the_offsets():
    offsets = date_offsets(KEY, "p1", REFS, max_days=3)
    assert set(offsets) == {-3, -2, -1, 1, 2, 3}
    with pytest.raises(ResearchError, match="max_days"):
        date_offset(KEY, "p1", "c1", max_days=0)


def test_shifting_dates_moves_every_date_of_a_client_by_its_offset():
    frame = pd.DataFrame(
        {
            "client": ["a", "a", "b"],
            "date": ["2024-03-05", "2024-03-19", "2024-03-05"],
            "intake": [dt.date(2024, 3, 1)] * 3,
        }
    )
    out = shift_dates(frame, key=KEY, project="p1", client="client", dates=["date", "intake"])
    for row in range(3):
        shift = pd.Timedelta(days=date_offset(KEY, "p1", frame["client"][row]))
        assert out["date"][row] == pd.Timestamp(frame["date"][row]) + shift
        assert out["intake"][row] == pd.Timestamp("2024-03-01") + shift
    assert (out["date"][1] - out["date"][0]).days == 14  # intervals kept
    assert list(out["client"]) == ["a", "a", "b"]


def test_days_since_intake_counts_from_the_earliest_date_per_client_and_drops_the_date():
    frame = pd.DataFrame(
        {
            "client": ["a", "a", "a", "b"],
            "episode": [1, 1, 2, 1],
            "date": ["2024-03-05", "2024-03-19", "2024-06-01", "2024-01-31"],
        }
    )
    out = days_since_intake(frame, date="date", by=["client", "episode"])
    assert list(out.columns) == ["client", "episode", "days_since_intake"]
    assert list(out["days_since_intake"]) == [0, 14, 0, 0]
    by_client = days_since_intake(frame, date="date", by=["client"])
    assert list(by_client["days_since_intake"]) == [0, 14, 88, 0]


def test_days_since_intake_uses_an_intake_column_and_allows_days_before_it():
    frame = pd.DataFrame(
        {
            "client": ["a", "a"],
            "date": [dt.date(2024, 2, 28), dt.date(2024, 3, 4)],
            "intake": [dt.date(2024, 3, 1)] * 2,
        }
    )
    out = days_since_intake(frame, date="date", by=["client"], intake="intake")
    assert list(out.columns) == ["client", "days_since_intake"]
    assert list(out["days_since_intake"]) == [-2, 3]  # 2024 is a leap year


def test_days_since_intake_names_the_row_with_a_bad_date():
    frame = pd.DataFrame({"client": ["a", "a"], "date": ["2024-03-05", "soon"]})
    with pytest.raises(ResearchError, match=r"column date: row 1: 'soon' is not a date"):
        days_since_intake(frame, date="date", by=["client"])
    with pytest.raises(ResearchError, match="no column"):
        days_since_intake(frame, date="when", by=["client"])


# -- allow-list -----------------------------------------------------------------------------


def test_the_allow_list_drops_free_text_and_every_column_not_listed():
    frame = pd.DataFrame(
        {"pid": ["p1"], "note": ["Jane felt low"], "score": [12.0], "email": ["j@x.org"]}
    )
    out = keep_allowed_columns(frame, ["score", "pid"])
    assert list(out.columns) == ["score", "pid"]
    with pytest.raises(ResearchError, match=r"allowed: no column \['scroe'\]"):
        keep_allowed_columns(frame, ["pid", "scroe"])
    with pytest.raises(ResearchError, match="distinct"):
        keep_allowed_columns(frame, ["pid", "pid"])


# -- checks ---------------------------------------------------------------------------------

FORBIDDEN = ["Jane Doe", "jane.doe@example.org", "+44 7700 900123", dt.date(2024, 3, 5)]


def clean_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pid": ["pabcdefghijkl", "pmnopqrstuvwx"],
            "days_since_intake": [0, 14],
            "instrument": ["phq9", "wai-sr"],
            "score": [120240305.0, 44.0],  # the date's digits inside a longer number: no hit
        }
    )


def test_a_clean_frame_passes_the_check():
    assert find_identifiers(clean_frame(), FORBIDDEN).empty
    assert_deidentified(clean_frame(), FORBIDDEN)


@pytest.mark.parametrize(
    ("planted", "kind", "index"),
    [
        ("Seen with JANE   doe today", "text", 0),
        ("mail: Jane.Doe@Example.org", "text", 1),
        ("call 07700-900123 or +44 (7700) 900 123", "phone", 2),
        ("2024-03-05", "date", 3),
        ("visit on 05/03/2024", "date", 3),
        (pd.Timestamp("2024-03-05 10:30"), "date", 3),
    ],
)
def test_the_check_catches_planted_names_emails_phones_and_dates(planted, kind, index):
    frame = clean_frame()
    frame["extra"] = pd.Series(["", planted], dtype=object)
    hits = find_identifiers(frame, FORBIDDEN)
    assert {(c, r, i, k) for c, r, i, k in hits.itertuples(index=False)} >= {
        ("extra", 1, index, kind)
    }
    with pytest.raises(IdentifiableDataError, match=r"column 'extra', row 1"):
        assert_deidentified(frame, FORBIDDEN)


def test_the_phone_number_is_matched_in_its_national_digits_with_any_separators():
    frame = pd.DataFrame(
        {"note": ["ring 7700 900 123", "ring 07700 900124", "(0)7700-900-123", "4477009001234"]}
    )
    hits = find_identifiers(frame, ["+44 7700 900123"])
    assert list(hits["row"]) == [0, 2]


def test_the_check_catches_real_dates_in_a_date_column_and_names_in_column_headers():
    frame = clean_frame()
    frame["session_date"] = pd.to_datetime(["2024-03-04", "2024-03-05"])
    frame["Jane Doe"] = 1
    hits = find_identifiers(frame, FORBIDDEN)
    assert ("session_date", 1, 3, "date") in set(hits.itertuples(index=False, name=None))
    assert ("Jane Doe", None, 0, "text") in set(hits.itertuples(index=False, name=None))


def test_names_match_whole_words_only():
    frame = pd.DataFrame({"text": ["Annual review", "Annabel", "ann"]})
    assert list(find_identifiers(frame, ["Ann"])["row"]) == [2]


def test_the_error_message_does_not_repeat_the_identifying_value():
    frame = pd.DataFrame({"note": ["Jane Doe called"]})
    with pytest.raises(IdentifiableDataError) as caught:
        assert_deidentified(frame, FORBIDDEN)
    assert "Jane" not in str(caught.value)
    assert "forbidden value #0 (a text)" in str(caught.value)


def test_the_check_refuses_forbidden_values_that_would_match_everything():
    with pytest.raises(ResearchError, match="#1: shorter than 2"):
        find_identifiers(clean_frame(), ["Jane", "J"])
    with pytest.raises(ResearchError, match="#0: a int"):
        find_identifiers(clean_frame(), [42])  # type: ignore[list-item]
