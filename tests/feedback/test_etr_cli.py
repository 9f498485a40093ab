"""`alliance etr fit` and `alliance etr check`, run in-process on simulated episodes."""

import contextlib
import io
import json

import pandas as pd
import pytest

from alliance.cli import main
from alliance.feedback import etr
from alliance.feedback.simulator import simulate


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def episodes(n: int, seed: int, prefix: str = "c") -> pd.DataFrame:
    frame = simulate(n, seed=seed, alliance=None, id_prefix=prefix)
    return frame[["client_id", "session", "score"]]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("etr")
    reference = folder / "reference.csv"
    current = folder / "current.csv"
    episodes(400, 1).to_csv(reference, index=False)
    now = episodes(30, 2, prefix="x")
    now[now.session <= 4].to_csv(current, index=False)
    return folder, reference, current


@pytest.fixture(scope="module")
def model_file(files):
    folder, reference, _ = files
    path = folder / "model.json"
    argv = ["etr", "fit", "--input", str(reference), "--instrument", "phq9", "--output", str(path)]
    with contextlib.redirect_stderr(io.StringIO()) as err:
        assert main(argv) == 0
    assert err.getvalue().startswith("fitted phq9 total")
    return path


def test_fit_writes_an_auditable_model_and_reports_on_stderr(capsys, files):
    folder, reference, _ = files
    path = folder / "fitted.json"
    code, out, err = run(
        capsys,
        "etr",
        "fit",
        "--input",
        str(reference),
        "--instrument",
        "phq9",
        "--output",
        str(path),
    )
    assert (code, out) == (0, "")
    assert err.startswith("fitted phq9 total on ") and "sessions 2-12" in err
    data = json.loads(path.read_text())
    assert data["instrument"] == "phq9" and data["boundary"]["percentile"] == 90
    frame = pd.read_csv(reference).dropna(subset=["score"])
    assert data["fitted_on"]["n_episodes"] == int((frame.groupby("client_id").size() >= 2).sum())
    assert etr.load_model(path) == etr.fit(
        pd.read_csv(reference, dtype={"client_id": str}),
        "phq9",
        fit_date=etr._dt.date.fromisoformat(data["fitted_on"]["fit_date"]),
    )


def test_fit_takes_the_percentile(capsys, files):
    folder, reference, _ = files
    path = folder / "p80.json"
    code, _, _ = run(
        capsys,
        "etr",
        "fit",
        "--input",
        str(reference),
        "--instrument",
        "phq9",
        "--output",
        str(path),
        "--percentile",
        "80",
    )
    assert code == 0
    assert json.loads(path.read_text())["boundary"]["quantile"] == 0.8


def test_check_prints_the_contract_json_matching_the_library(capsys, files, model_file):
    _, _, current = files
    code, out, err = run(
        capsys,
        "etr",
        "check",
        "--model",
        str(model_file),
        "--input",
        str(current),
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["clients"]
    rows = data["clients"]
    assert [list(r)[:6] for r in rows[:1]] == [
        ["client_id", "session", "score", "expected", "boundary", "status"]
    ]
    table = etr.status_frame(
        etr.load_model(model_file), pd.read_csv(current, dtype={"client_id": str})
    )
    assert [r["client_id"] for r in rows] == list(table.client_id)
    assert [r["status"] for r in rows] == list(table.status)
    for r, (_, t) in zip(rows, table.iterrows(), strict=True):
        assert r["session"] == t.session and r["score"] == t.score
        if r["status"] == "insufficient_data":
            assert r["expected"] is None and r["boundary"] is None
        else:
            assert r["expected"] == pytest.approx(t.expected, abs=1e-3)
            assert r["boundary"] == pytest.approx(t.boundary, abs=1e-3)
    assert {r["status"] for r in rows} <= {"on_track", "not_on_track", "insufficient_data"}


def test_check_reports_insufficient_data_and_not_on_track(capsys, tmp_path, model_file):
    current = tmp_path / "current.csv"
    current.write_text("client_id,session,score\na,1,15\na,2,\nb,1,14\nb,2,13\nb,3,27\n")
    code, out, _ = run(
        capsys,
        "etr",
        "check",
        "--model",
        str(model_file),
        "--input",
        str(current),
        "--format",
        "json",
    )
    assert code == 0
    a, b = json.loads(out)["clients"]
    assert (a["client_id"], a["session"], a["score"], a["status"]) == (
        "a",
        1,
        15,
        "insufficient_data",
    )
    assert (b["client_id"], b["session"], b["score"], b["status"]) == ("b", 3, 27, "not_on_track")
    assert b["boundary"] < 27


def test_check_prints_one_line_per_client_as_text(capsys, files, model_file):
    _, _, current = files
    code, out, _ = run(capsys, "etr", "check", "--model", str(model_file), "--input", str(current))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 30
    assert lines[0].startswith("x0001 session ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "client_id,session,score\na,1,15\na,two,12\n",
            "row 2, column session: 'two'; expected a whole number",
        ),
        ("client_id,session,score\na,1,15\na,2,1.5x\n", "row 2, column score: '1.5x'"),
        (
            "client_id,session,score\na,1,15\na,2,30\n",
            "row 2, column score: 30; expected a number from 0 to 27",
        ),
        ("client_id,session\na,1\n", "lacks columns ['score']"),
        ("client_id,session,score\na,1,15\na,1,12\n", "row 2, column session: client 'a' already"),
    ],
)
def test_bad_reference_rows_exit_2_naming_row_and_column_and_write_nothing(
    capsys, tmp_path, text, message
):
    reference = tmp_path / "reference.csv"
    reference.write_text(text)
    output = tmp_path / "model.json"
    code, out, err = run(
        capsys,
        "etr",
        "fit",
        "--input",
        str(reference),
        "--instrument",
        "phq9",
        "--output",
        str(output),
    )
    assert (code, out) == (2, "")
    assert "reference.csv" in err and message in err
    assert len(err.strip().splitlines()) == 1
    assert not output.exists() and not list(tmp_path.glob("*.json*"))


def test_bad_current_rows_exit_2_and_print_nothing(capsys, tmp_path, model_file):
    current = tmp_path / "current.csv"
    current.write_text("client_id,session,score\na,1,15\nb,1,-1\n")
    code, out, err = run(
        capsys,
        "etr",
        "check",
        "--model",
        str(model_file),
        "--input",
        str(current),
        "--format",
        "json",
    )
    assert (code, out) == (2, "")
    assert "current.csv: row 2, column score: -1" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--instrument", "nope"], "unknown instrument 'nope'"),
        (["--instrument", "srs"], "has no change direction"),
        (["--instrument", "phq9", "--percentile", "30"], "percentile: 30"),
    ],
)
def test_bad_fit_arguments_exit_2(capsys, files, tmp_path, argv, message):
    _, reference, _ = files
    output = tmp_path / "model.json"
    code, out, err = run(
        capsys, "etr", "fit", "--input", str(reference), "--output", str(output), *argv
    )
    assert (code, out) == (2, "") and message in err
    assert not output.exists()


def test_a_damaged_model_exits_2_naming_the_field(capsys, tmp_path, files, model_file):
    _, _, current = files
    data = json.loads(model_file.read_text())
    del data["boundary"]["coefficients"]["intake"]
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(data))
    code, out, err = run(capsys, "etr", "check", "--model", str(damaged), "--input", str(current))
    assert (code, out) == (2, "")
    assert "damaged.json: lacks field boundary.coefficients.intake" in err
