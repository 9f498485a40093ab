"""`alliance sudden-gains`, tested in-process: the published sgdata gains, options, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alliance.cli import main

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data"


def reference(name: str) -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent")
    return REFERENCE / name


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def sgdata_long_csv(tmp_path: Path) -> Path:
    """sgdata (wide) as a long CSV: client,week,bdi for BDI sessions 1-12, empty = missing."""
    wide = pd.read_csv(reference("sgdata.csv"))
    columns = [f"bdi_s{n}" for n in range(1, 13)]
    long = wide.melt(id_vars="id", value_vars=columns, var_name="week", value_name="bdi")
    long["week"] = long["week"].str.removeprefix("bdi_s").astype(int)
    long = long.rename(columns={"id": "client"}).sort_values(["client", "week"])
    path = tmp_path / "sgdata_long.csv"
    long.to_csv(path, index=False)
    return path


def events(out: str) -> list[tuple[str, int, int, float, bool]]:
    data = json.loads(out)
    assert list(data) == ["events"]
    for event in data["events"]:
        assert list(event) == ["id", "pregain_session", "postgain_session", "magnitude", "reversal"]
    return [
        (e["id"], e["pregain_session"], e["postgain_session"], e["magnitude"], e["reversal"])
        for e in data["events"]
    ]


def published(min_magnitude: float = 0) -> list[tuple[str, int, int, float, bool]]:
    expected = pd.read_csv(reference("expected_bysg_sgdata_crit1_7.csv"))
    expected = expected[expected["sg_magnitude"] >= min_magnitude]
    return [
        (
            str(row.id),
            int(row.sg_session_n),
            int(row.sg_session_n) + 1,
            float(row.sg_magnitude),
            bool(row.sg_reversal),
        )
        for row in expected.itertuples()
    ]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scores.csv"
    path.write_text(text)
    return path


ARGS = ("--id-col", "client", "--session-col", "week", "--score-col", "bdi")


def test_sudden_gains_json_lists_the_published_sgdata_gains(capsys, tmp_path):
    # suddengains tutorial (Wiedemann et al. 2020): 24 gains in 15 people, cutoff 7
    path = sgdata_long_csv(tmp_path)
    code, out, err = run(capsys, "sudden-gains", "--input", str(path), *ARGS, "--format", "json")
    assert (code, err) == (0, "")
    assert events(out) == published()


def test_the_cutoff_option_only_changes_criterion_1(capsys, tmp_path):
    # criteria 2 and 3 do not depend on the cutoff: with 10, the published gains of 10 or more
    path = sgdata_long_csv(tmp_path)
    code, out, _ = run(capsys, "sudden-gains", "--input", str(path), *ARGS, "--cutoff", "10")
    assert code == 0
    assert events(out) == published(min_magnitude=10)
    assert len(events(out)) == 15


def test_losses_option_lists_sudden_losses(capsys, tmp_path):
    path = write(
        tmp_path,
        "client,week,bdi\n"
        + "".join(f"a,{w},{s}\n" for w, s in enumerate([10, 11, 9, 20, 21, 19, 14], start=1))
        + "".join(f"b,{w},{s}\n" for w, s in enumerate([30, 31, 29, 19, 20, 18, 18], start=1)),
    )
    code, out, _ = run(capsys, "sudden-gains", "--input", str(path), *ARGS, "--losses")
    assert code == 0
    assert events(out) == [("a", 3, 4, 11.0, True)]
    code, out, _ = run(capsys, "sudden-gains", "--input", str(path), *ARGS)
    assert events(out) == [("b", 3, 4, 10.0, False)]


def test_instrument_option_takes_the_reliable_change_and_direction(capsys, tmp_path):
    # ORS: reliable change 5, higher is better; a rise of 6 is a gain, a fall of 6 a loss
    path = write(
        tmp_path,
        "client,week,bdi\n"
        + "".join(f"up,{w},{s}\n" for w, s in enumerate([10, 11, 9, 15, 16, 14], start=1))
        + "".join(f"down,{w},{s}\n" for w, s in enumerate([16, 15, 15, 9, 10, 9], start=1)),
    )
    argv = ("sudden-gains", "--input", str(path), *ARGS, "--instrument", "ors")
    code, out, _ = run(capsys, *argv)
    assert code == 0
    assert events(out) == [("up", 3, 4, 6.0, False)]
    code, out, _ = run(capsys, *argv, "--losses")
    assert events(out) == [("down", 3, 4, 6.0, False)]


def test_an_empty_score_cell_is_a_missing_session(capsys, tmp_path):
    # the drop 31 -> 10 would be a gain, but session 4 is missing: no gain across it
    path = write(tmp_path, "client,week,bdi\na,1,30\na,2,30\na,3,31\na,4,\na,5,10\na,6,10\n")
    code, out, _ = run(capsys, "sudden-gains", "--input", str(path), *ARGS)
    assert code == 0
    assert events(out) == []


def test_sgdata_bad_in_wide_format_exits_2_naming_the_missing_columns(capsys):
    path = reference("sgdata_bad.csv")
    code, out, err = run(capsys, "sudden-gains", "--input", str(path), *ARGS)
    assert code == 2
    assert out == ""
    assert err.startswith("alliance: error: sgdata_bad.csv: lacks columns ['client', 'week', ")
    assert len(err.strip().splitlines()) == 1


def test_sgdata_bad_session_labels_exit_2_naming_row_and_column(capsys, tmp_path):
    # the irregular column names of sgdata_bad ("bdi_intake", "bdi1", "wk2bdi", ...) kept as
    # session labels in a long file are not session numbers
    wide = pd.read_csv(reference("sgdata_bad.csv"))
    long = wide.melt(id_vars="id", value_vars=list(wide.columns[1:16]), var_name="week")
    long = long.rename(columns={"id": "client", "value": "bdi"})
    path = tmp_path / "bad_long.csv"
    long.to_csv(path, index=False)
    code, out, err = run(capsys, "sudden-gains", "--input", str(path), *ARGS)
    assert code == 2
    assert out == ""
    assert "row 1, column week: 'bdi_intake'; expected a whole number" in err


@pytest.mark.parametrize(
    ("csv", "options", "message"),
    [
        ("client,week,bdi\na,1,30\na,2,lots\n", (), "row 2, column bdi: 'lots'"),
        ("client,week,bdi\na,1,30\na,1.5,20\n", (), "row 2, column week: '1.5'"),
        ("client,week,bdi\na,1,30\n,2,20\n", (), "row 2, column client: empty"),
        ("client,week,bdi\na,1,30\na,1,20\n", (), "row 2, columns client/week: client 'a'"),
        ("client,week,bdi\na,1,30\n", ("--cutoff", "x"), "--cutoff: 'x' is not a number"),
        ("client,week,bdi\na,1,30\n", ("--cutoff", "-3"), "--cutoff: '-3'; expected a positive"),
        ("client,week,bdi\na,1,30\n", ("--instrument", "nope"), "unknown instrument 'nope'"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_prints_nothing(
    capsys, tmp_path, csv, options, message
):
    path = write(tmp_path, csv)
    code, out, err = run(capsys, "sudden-gains", "--input", str(path), *ARGS, *options)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_a_missing_input_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "sudden-gains", "--input", str(tmp_path / "none.csv"), *ARGS)
    assert (code, out) == (2, "")
    assert "no such file" in err
