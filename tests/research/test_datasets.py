"""Research datasets: long and wide formats, codebook, CSV / Parquet / SPSS round trips.

Test data come from ``alliance.feedback.simulator.simulate`` (PHQ-9 with the WAI-SR, plus the
same alliance rows answered by the practitioner as WAI-SR-T), with dates, episodes, modality,
names and notes added.  References: the wide format is checked against an independent reshape
(``pandas.melt`` of the wide frame back to long); the .sav files are read back with
``pyreadstat.read_sav``; score ranges are the published ones (PHQ-9 0-27, Kroenke, Spitzer &
Williams 2001; WAI-SR subscales 4-20 and total 12-60 from 5-point items, Hatcher & Gillaspy
2006; WHO-5 percentage 0-100, Topp et al. 2015; SWEMWBS metric 7.00-35.00, Stewart-Brown et
al. 2009).
"""

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from alliance.feedback.simulator import simulate
from alliance.measures import get_instrument, get_wording
from alliance.research.datasets import (
    FORMATS,
    LONG_COLUMNS,
    MODALITY_LABELS,
    RESPONDENT_CODES,
    RESPONDENT_LABELS,
    WIDE_KEYS,
    build_codebook,
    codebook_json,
    long_format,
    variable_name,
    wide_format,
    write_dataset,
    write_table,
)
from alliance.research.deidentify import assert_deidentified, pseudonyms
from alliance.research.errors import ResearchError

KEY = b"an organisation secret of 32 b.."
PROJECT = "alliance-study-1"
WIDE_SCORES = [
    "phq9_total",
    "wai_sr_goal",
    "wai_sr_task",
    "wai_sr_bond",
    "wai_sr_total",
    "wai_sr_t_goal_practitioner",
    "wai_sr_t_task_practitioner",
    "wai_sr_t_bond_practitioner",
    "wai_sr_t_total_practitioner",
]


@pytest.fixture(autouse=True)
def shipped_wording_only(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_WORDING_DIR", str(tmp_path / "no-installed-wording"))


def scored_responses(n_clients: int = 24, seed: int = 5) -> pd.DataFrame:
    """Simulated scored responses in the input shape of ``long_format``, with extra columns."""
    sim = simulate(n_clients, "phq9", seed=seed, alliance="wai-sr")
    practitioner = sim[sim["instrument"] == "wai-sr"].assign(
        instrument="wai-sr-t", respondent="practitioner"
    )
    frame = pd.concat([sim, practitioner], ignore_index=True).rename(
        columns={"client_id": "client"}
    )
    clients = sorted(frame["client"].unique())
    intake = {
        c: pd.Timestamp("2024-01-08") + pd.Timedelta(days=3 * k) for k, c in enumerate(clients)
    }
    frame["date"] = frame["client"].map(intake) + pd.to_timedelta(7 * (frame["session"] - 1), "D")
    frame["episode"] = 501
    # The first two clients come back a year later for a second episode (3 sessions of PHQ-9)
    # whose database id is lower than the first one's: numbering follows intake, not ids.
    again = frame[frame["client"].isin(clients[:2]) & (frame["instrument"] == "phq9")]
    again = again[again["session"] <= 3].assign(episode=330)
    again["date"] = again["date"] + pd.Timedelta(days=400)
    frame = pd.concat([frame, again], ignore_index=True)
    rng = np.random.default_rng(seed)
    sessions = frame[["client", "episode", "session"]].drop_duplicates()
    sessions["modality"] = rng.choice(["in_person", "video", "phone", None], size=len(sessions))
    frame = frame.merge(sessions, on=["client", "episode", "session"])
    frame["name"] = "Jane Doe"
    frame["note"] = "Jane Doe mentioned her sister; call +44 7700 900123"
    return frame


@pytest.fixture(scope="module")
def responses() -> pd.DataFrame:
    return scored_responses()


@pytest.fixture(scope="module")
def long(responses) -> pd.DataFrame:
    return long_format(responses, key=KEY, project=PROJECT)


@pytest.fixture(scope="module")
def wide(long) -> pd.DataFrame:
    return wide_format(long)


@pytest.fixture(scope="module")
def codebook(long) -> pd.DataFrame:
    return build_codebook(long)


# -- long -----------------------------------------------------------------------------------


def test_the_long_format_has_exactly_the_nine_columns_and_a_row_per_scored_scale(responses, long):
    assert tuple(long.columns) == LONG_COLUMNS
    assert len(long) == len(responses)
    assert long["pid"].str.fullmatch(r"p[a-z2-7]{12}").all()
    assert long["pid"].nunique() == responses["client"].nunique()
    assert set(long["respondent"]) == {"client", "practitioner"}


def test_days_since_intake_count_from_each_episodes_first_session(long):
    # Sessions were dated weekly from each episode's intake.
    assert (long["days_since_intake"] == 7 * (long["session"] - 1)).all()


def test_episodes_are_numbered_by_intake_not_by_their_database_id(responses, long):
    pids = pseudonyms(KEY, PROJECT, pd.Series(sorted(responses["client"].unique())))
    returning = long[long["pid"].isin(pids.iloc[:2])]
    assert set(returning["episode"]) == {1, 2}
    second = returning[returning["episode"] == 2]
    assert set(second["session"]) == {1, 2, 3} and set(second["instrument"]) == {"phq9"}
    assert set(long[~long["pid"].isin(pids.iloc[:2])]["episode"]) == {1}


def test_scores_survive_pseudonymisation_row_for_row(responses, long):
    expected = responses.assign(
        pid=pseudonyms(KEY, PROJECT, responses["client"]),
        episode=np.where(responses["episode"] == 330, 2, 1),
    )
    keys = ["pid", "episode", "session", "instrument", "scale", "respondent"]
    merged = long.merge(expected[[*keys, "score", "modality"]], on=keys, validate="one_to_one")
    assert len(merged) == len(long)
    np.testing.assert_array_equal(merged["score_x"], merged["score_y"])  # NaN == NaN here
    assert merged["modality_x"].equals(merged["modality_y"].astype("str"))


def test_the_long_format_holds_no_names_notes_contacts_client_codes_or_dates(responses, long):
    dates = sorted({d.date() for d in responses["date"]})
    forbidden = ["Jane Doe", "sister", "+44 7700 900123", *responses["client"].unique(), *dates]
    assert_deidentified(long, forbidden)


def test_the_same_key_and_project_give_the_same_dataset_and_another_project_other_pids(
    responses, long
):
    pd.testing.assert_frame_equal(long_format(responses, key=KEY, project=PROJECT), long)
    other = long_format(responses, key=KEY, project="another-study")
    assert set(other["pid"]).isdisjoint(long["pid"])


def test_column_names_can_be_mapped_and_an_intake_column_anchors_the_days(responses):
    frame = responses.rename(columns={"client": "client_code", "date": "session_date"})
    first = frame.groupby(["client_code", "episode"])["session_date"].transform("min")
    frame["started"] = first - pd.Timedelta(days=2)  # intake two days before session 1
    out = long_format(
        frame,
        key=KEY,
        project=PROJECT,
        columns={"client": "client_code", "date": "session_date", "intake": "started"},
    )
    assert (out["days_since_intake"] == 7 * (out["session"] - 1) + 2).all()


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("instrument", "beck", r"column instrument: row 3: 'beck'; expected one of \["),
        ("scale", "mood", r"column scale: row 3: 'mood'; expected a scale of phq9: one of"),
        ("respondent", "mother", r"column respondent: row 3: 'mother'; expected one of"),
        ("modality", "letter", r"column modality: row 3: 'letter'; expected one of"),
        ("score", "high", r"column score: row 3: 'high'; expected a number"),
        ("session", 2.5, r"column session: row 3: 2.5; expected a whole number >= 0"),
        ("date", "soon", r"column date: row 3: 'soon' is not a date"),
    ],
)
def test_bad_input_names_the_column_the_row_and_what_is_allowed(column, value, message):
    frame = scored_responses(3).head(6).copy()
    frame["instrument"] = "phq9"
    frame["scale"] = "total"
    frame[column] = frame[column].astype(object)
    frame.loc[3, column] = value
    with pytest.raises(ResearchError, match=message):
        long_format(frame, key=KEY, project=PROJECT)


def test_a_missing_input_column_or_unknown_mapping_is_reported(responses):
    with pytest.raises(ResearchError, match=r"no column \['modality'\]"):
        long_format(responses.drop(columns="modality"), key=KEY, project=PROJECT)
    with pytest.raises(ResearchError, match=r"unknown keys \['practitioner'\]"):
        long_format(responses, key=KEY, project=PROJECT, columns={"practitioner": "x"})


# -- wide -----------------------------------------------------------------------------------


def test_the_wide_format_has_one_row_per_pid_episode_and_session(responses, wide):
    assert list(wide.columns) == [*WIDE_KEYS, *WIDE_SCORES]
    assert len(wide) == len(responses[["client", "episode", "session"]].drop_duplicates())
    assert not wide.duplicated(["pid", "episode", "session"]).any()


def test_the_wide_scores_melt_back_to_the_long_scores(long, wide):
    # Reference: pandas.melt of the wide frame, an independent reshape back to long.
    melted = wide.melt(id_vars=["pid", "episode", "session"], value_vars=WIDE_SCORES)
    named = long.assign(
        variable=[
            variable_name(i, s, r)
            for i, s, r in zip(long["instrument"], long["scale"], long["respondent"], strict=True)
        ]
    )
    keys = ["pid", "episode", "session", "variable"]
    merged = named.merge(melted, on=keys, how="left", validate="one_to_one")
    np.testing.assert_array_equal(merged["score"], merged["value"])
    assert melted["value"].notna().sum() == long["score"].notna().sum()


def test_the_wide_format_keeps_each_sessions_days_and_modality(long, wide):
    per_session = long.drop_duplicates(["pid", "episode", "session"])
    merged = wide.merge(per_session, on=["pid", "episode", "session"], validate="one_to_one")
    assert (merged["days_since_intake_x"] == merged["days_since_intake_y"]).all()
    assert merged["modality_x"].equals(merged["modality_y"])


def test_variable_names_are_spss_safe_and_carry_the_respondent_when_not_the_client():
    assert variable_name("wai-sr-t", "bond", "practitioner") == "wai_sr_t_bond_practitioner"
    assert variable_name("tasc-p", "total", "caregiver") == "tasc_p_total_caregiver"
    assert variable_name("phq9", "total") == "phq9_total"


def test_two_scores_for_one_session_and_variable_are_refused(long):
    doubled = pd.concat([long, long.iloc[[5]]], ignore_index=True)
    with pytest.raises(ResearchError, match="two scores for pid p"):
        wide_format(doubled)


# -- codebook -------------------------------------------------------------------------------


def small_long(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [("pabc", 1, 1, 0, "video", r, i, s, 1.0) for i, s, r in rows], columns=LONG_COLUMNS
    )


def test_the_codebook_documents_every_long_and_wide_variable(long, wide, codebook):
    assert list(codebook["variable"]) == [*LONG_COLUMNS, *WIDE_SCORES]
    documented = set(codebook["variable"])
    assert set(long.columns) <= documented and set(wide.columns) <= documented
    assert codebook["label"].notna().all()
    row = codebook.set_index("variable").loc["wai_sr_t_bond_practitioner"]
    assert row["instrument"] == "wai-sr-t" and row["respondent"] == "practitioner"
    assert row["label"].endswith("Bond (practitioner)")


def test_codebook_ranges_equal_the_published_score_ranges():
    book = build_codebook(
        small_long(
            [
                ("phq9", "total", "client"),
                ("wai-sr", "goal", "client"),
                ("wai-sr", "total", "client"),
                ("who5", "total", "client"),
                ("swemwbs", "total", "client"),
                ("gas", "total", "client"),
            ]
        )
    ).set_index("variable")
    published = {
        "phq9_total": (0, 27),  # Kroenke, Spitzer & Williams 2001
        "wai_sr_goal": (4, 20),  # Hatcher & Gillaspy 2006: four 1-5 items
        "wai_sr_total": (12, 60),
        "who5_total": (0, 100),  # Topp et al. 2015, percentage score
        "swemwbs_total": (7.0, 35.0),  # Stewart-Brown et al. 2009, metric score
    }
    for variable, (low, high) in published.items():
        assert (book.loc[variable, "minimum"], book.loc[variable, "maximum"]) == (low, high)
    assert np.isnan(book.loc["gas_total", "minimum"])  # depends on the number of goals


def test_codebook_rows_carry_the_definitions_titles_citations_licences_and_option_labels():
    book = build_codebook(
        small_long([("who5", "total", "client"), ("wai-sr", "bond", "client")])
    ).set_index("variable")
    for variable, instrument_id, scale_id in [
        ("who5_total", "who5", "total"),
        ("wai_sr_bond", "wai-sr", "bond"),
    ]:
        inst = get_instrument(instrument_id)
        row = book.loc[variable]
        assert row["instrument_title"] == inst.title
        assert row["scale_title"] == inst.scale_index[scale_id].title
        assert row["citation"] == inst.citation
        assert row["licence"] == inst.licence
        assert row["n_items"] == len(inst.scale_index[scale_id].items)
    labels = get_wording("who5").options["time6"]
    assert book.loc["who5_total", "response_options"] == "time6: " + "; ".join(
        f"{v} = {labels[v]}" for v in range(6)
    )
    assert book.loc["who5_total", "direction"] == "higher-is-better"
    assert book.loc["who5_total", "clinical_cutoff"] == 52
    assert "placeholder paraphrase" in book.loc["wai_sr_bond", "wording_source"]
    assert book.loc["respondent", "sav_codes"] == "1 = Client; 2 = Caregiver; 3 = Practitioner"


def test_the_codebook_json_holds_the_same_variables(codebook):
    document = json.loads(codebook_json(codebook))
    assert document["format"] == "alliance-codebook"
    variables = document["variables"]
    assert [v["variable"] for v in variables] == list(codebook["variable"])
    phq9 = next(v for v in variables if v["variable"] == "phq9_total")
    assert phq9["maximum"] == 27 and phq9["citation"] == get_instrument("phq9").citation
    assert "instrument" not in variables[0]  # missing values are left out
    assert document["sav_codes"]["modality"] == {"1": "In person", "2": "Video"} | {
        "3": "Phone",
        "4": "Text",
    }


# -- writers --------------------------------------------------------------------------------


def test_write_dataset_writes_long_wide_and_codebook_files(tmp_path, long, wide, codebook):
    for fmt in FORMATS:
        paths = write_dataset(long, wide, codebook, tmp_path / fmt, fmt)
        assert sorted(p.name for p in (tmp_path / fmt).iterdir()) == sorted(
            [f"long.{fmt}", f"wide.{fmt}", "codebook.csv", "codebook.json"]
        )
        assert paths["long"] == tmp_path / fmt / f"long.{fmt}"


def test_csv_files_read_back_equal_to_the_frames(tmp_path, long, wide, codebook):
    paths = write_dataset(long, wide, codebook, tmp_path, "csv")
    for frame, path in ((long, paths["long"]), (wide, paths["wide"])):
        back = pd.read_csv(path)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    book = pd.read_csv(paths["codebook"])
    assert list(book["variable"]) == list(codebook["variable"])


def test_parquet_files_read_back_equal_to_the_frames(tmp_path, long, wide, codebook):
    paths = write_dataset(long, wide, codebook, tmp_path, "parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(paths["long"]), long)
    pd.testing.assert_frame_equal(pd.read_parquet(paths["wide"]), wide)


def test_sav_files_read_back_with_labels_and_equal_values(tmp_path, long, wide, codebook):
    # Reference: pyreadstat.read_sav (ReadStat), reading what write_sav wrote.
    paths = write_dataset(long, wide, codebook, tmp_path, "sav")
    back, meta = pyreadstat.read_sav(paths["long"])
    assert list(back.columns) == list(LONG_COLUMNS)
    labels = dict(zip(codebook["variable"], codebook["label"], strict=True))
    assert meta.column_names_to_labels == {c: labels[c] for c in LONG_COLUMNS}
    assert meta.variable_value_labels["respondent"] == {1.0: "Client"} | {
        2.0: "Caregiver",
        3.0: "Practitioner",
    }
    assert meta.variable_value_labels["modality"] == {
        float(k): v for k, v in enumerate(MODALITY_LABELS.values(), start=1)
    }
    assert meta.variable_measure["respondent"] == "nominal"
    np.testing.assert_array_equal(back["respondent"], long["respondent"].map(RESPONDENT_CODES))
    for column in ("pid", "instrument", "scale"):
        assert list(back[column]) == list(long[column])
    for column in ("episode", "session", "days_since_intake", "score"):
        np.testing.assert_array_equal(back[column].to_numpy(), long[column].to_numpy(float))
    labelled, _ = pyreadstat.read_sav(paths["long"], apply_value_formats=True)
    assert list(labelled["respondent"]) == list(long["respondent"].map(RESPONDENT_LABELS))
    decoded = labelled["modality"].where(back["modality"].notna())
    assert decoded.isna().equals(long["modality"].isna())
    assert (decoded.dropna() == long["modality"].dropna().map(MODALITY_LABELS)).all()

    wide_back, wide_meta = pyreadstat.read_sav(paths["wide"])
    assert list(wide_back.columns) == list(wide.columns)
    assert wide_meta.column_names_to_labels["wai_sr_goal"] == labels["wai_sr_goal"]
    for column in WIDE_SCORES:
        np.testing.assert_array_equal(wide_back[column].to_numpy(), wide[column].to_numpy())


def test_writers_refuse_unknown_formats_invalid_spss_names_and_undocumented_variables(
    tmp_path, long, wide, codebook
):
    with pytest.raises(ResearchError, match=r"format: 'xlsx'; expected one of"):
        write_dataset(long, wide, codebook, tmp_path, "xlsx")
    with pytest.raises(ResearchError, match="'wai-sr': not a valid SPSS variable name"):
        write_table(pd.DataFrame({"wai-sr": [1.0]}), tmp_path / "x.sav", "sav")
    with pytest.raises(ResearchError, match=r"no entry for the wide variables \['extra'\]"):
        write_dataset(long, wide.assign(extra=1.0), codebook, tmp_path, "csv")
    with pytest.raises(ResearchError, match="long: columns"):
        write_dataset(long.drop(columns="modality"), wide, codebook, tmp_path, "csv")
