"""Reading report input (export folders in CSV, Parquet and SPSS, single long files) and the
sections of a report that lacks data for an analysis."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance.research.datasets import build_codebook, wide_format, write_dataset, write_table
from alliance.research.errors import ResearchError
from alliance.research.report import ReportInput, build_report, load_report_input, report_json
from tests.research.report_data import synthetic


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    long, episodes = synthetic(n_clients=14, seed=9)
    long.loc[long.index[::7], "modality"] = None  # unknown modality in some sessions
    return long, episodes


def export(frames, folder: Path, fmt: str) -> Path:
    long, episodes = frames
    write_dataset(long, wide_format(long), build_codebook(long), folder, fmt)
    write_table(episodes, folder / f"episodes.{fmt}", fmt)
    return folder


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sav"])
def test_an_export_folder_reads_back_as_the_frames_it_was_written_from(frames, tmp_path, fmt):
    loaded = load_report_input(export(frames, tmp_path / "x", fmt))
    expected = ReportInput.from_frames(*frames)
    pd.testing.assert_frame_equal(loaded.long, expected.long)
    pd.testing.assert_frame_equal(loaded.episodes, expected.episodes)
    assert loaded.source == "x"
    assert loaded.codebook is not None and "wai_sr_goal" in set(loaded.codebook["variable"])


def test_a_single_parquet_long_file_is_read_without_episodes(frames, tmp_path):
    path = tmp_path / "long.parquet"
    frames[0].to_parquet(path, index=False)
    loaded = load_report_input(path)
    assert loaded.episodes is None and loaded.source == "long.parquet"
    pd.testing.assert_frame_equal(loaded.long, ReportInput.from_frames(frames[0]).long)


def test_a_folder_with_two_long_files_is_refused(frames, tmp_path):
    folder = export(frames, tmp_path, "csv")
    frames[0].to_parquet(folder / "long.parquet")
    with pytest.raises(ResearchError, match=r"long\.csv, long\.parquet all present; expected one"):
        load_report_input(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda f: f.assign(session=f["session"].astype(str).where(f.index != 4, "third")),
            "long: row 5, column session: 'third'; expected a whole number >= 0",
        ),
        (
            lambda f: f.assign(score=f["score"].astype(object).where(f.index != 2, "high")),
            "long: row 3, column score: 'high'; expected a number or empty",
        ),
        (
            lambda f: f.assign(respondent=f["respondent"].where(f.index != 0, "parent")),
            "long: row 1, column respondent: 'parent'; expected one of ['client'",
        ),
        (lambda f: f.drop(columns="scale"), "long: lacks the long-format columns ['scale']"),
    ],
    ids=["session", "score", "respondent", "column"],
)
def test_bad_long_frames_raise_naming_row_column_and_what_is_allowed(frames, change, message):
    with pytest.raises(ResearchError) as caught:
        ReportInput.from_frames(change(frames[0].copy()))
    assert message in str(caught.value)


def test_episodes_need_the_export_columns_and_known_ending_reasons(frames):
    long, episodes = frames
    with pytest.raises(ResearchError, match=r"episodes: lacks the episode columns \['kind'\]"):
        ReportInput.from_frames(long, episodes.drop(columns="kind"))
    odd = episodes.assign(ending_reason=episodes["ending_reason"].where(episodes.index != 3, "x"))
    with pytest.raises(ResearchError, match=r"row 4, column ending_reason: 'x'; expected empty"):
        ReportInput.from_frames(long, odd)
    twice = pd.concat([episodes, episodes.iloc[[0]]], ignore_index=True)
    with pytest.raises(ResearchError, match="appears twice; expected one row per episode"):
        ReportInput.from_frames(long, twice)


def test_sections_without_the_data_they_need_say_why(frames):
    long, _ = frames
    outcome_only = long[long["instrument"] == "phq9"]
    report = build_report(ReportInput.from_frames(outcome_only))
    sections = report_json(report)["sections"]
    assert sections["summary"]["available"]
    for key in ("correlations", "multilevel", "early_alliance"):
        assert sections[key]["reason"] == "The data have no alliance scores."
    assert sections["effectiveness"]["available"]
    assert sections["effectiveness"]["tables"]["overall"][0]["dropout_rate"] is None
    assert sections["practitioners"]["reason"].startswith("No episodes table")


def test_too_few_clients_for_the_models_is_explained_not_raised(frames):
    long, episodes = frames
    few = long[long["pid"].isin(sorted(long["pid"].unique())[:6])]
    two = episodes.assign(practitioner=np.where(episodes.index % 2 == 0, "t1", "t2"))
    report = build_report(ReportInput.from_frames(few, two))
    sections = report_json(report)["sections"]
    assert sections["correlations"]["available"]
    assert "at least 10 are needed" in sections["multilevel"]["reason"]
    assert sections["practitioners"]["reason"] == (
        "2 practitioner(s) have episodes with a first and a last phq9_total score; "
        "at least 3 are needed to compare them."
    )


def test_a_variable_without_enough_pairs_is_left_out_of_the_correlations_with_a_note(frames):
    long, _ = frames
    sparse = long.copy()
    gone = (sparse["instrument"] == "swls") & (sparse["pid"] > sorted(sparse["pid"].unique())[2])
    sparse.loc[gone, "score"] = np.nan
    report = build_report(ReportInput.from_frames(sparse), analyses=["correlations"])
    section = report.section("correlations")
    assert "swls_total" not in section.values["y"]
    assert section.notes[0].startswith("swls_total left out:")
    assert "(at least 4 are needed)" in section.notes[0]
