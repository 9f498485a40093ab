"""`alliance correlate`, run in-process.

The numbers are checked against ``scipy.stats.spearmanr`` / ``pearsonr`` on each pair's
complete rows and against the library function (whose own validation is in
test_correlations.py).
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from alliance.cli import main
from alliance.research.correlations import correlate

KEYS = ["x", "y", "n", "r", "ci_low", "ci_high", "p", "p_adj"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(8)
    n = 40
    goal = rng.integers(4, 21, n).astype(float)
    bond = np.clip(goal + rng.normal(0, 3, n), 4, 20).round()
    who5 = (goal * 3 + rng.normal(0, 12, n)).round()
    swls = rng.normal(20, 5, n).round(1)
    data = pd.DataFrame({"goal": goal, "bond": bond, "who5": who5, "swls": swls})
    data.loc[[3, 17], "goal"] = np.nan
    data.loc[[5, 17, 30], "who5"] = np.nan
    return data


def write_csv(frame: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)  # missing values as empty cells
    return path


def correlate_json(capsys, path: Path, *extra: str) -> dict:
    code, out, err = run(
        capsys,
        *("correlate", "--input", str(path), "--x", "goal,bond", "--y", "who5,swls"),
        *("--format", "json", *extra),
    )
    assert (code, err) == (0, "")
    return json.loads(out)


def test_correlate_prints_the_contract_json_with_scipys_numbers(frame, tmp_path, capsys):
    data = correlate_json(capsys, write_csv(frame, tmp_path))
    assert list(data) == ["results"]
    assert [(r["x"], r["y"]) for r in data["results"]] == [
        ("goal", "who5"),
        ("goal", "swls"),
        ("bond", "who5"),
        ("bond", "swls"),
    ]
    for row in data["results"]:
        assert list(row) == KEYS
        pair = frame[[row["x"], row["y"]]].dropna()
        reference = stats.spearmanr(pair[row["x"]], pair[row["y"]])
        assert row["n"] == len(pair)
        assert row["r"] == pytest.approx(reference.statistic, rel=1e-13)
        assert row["p"] == pytest.approx(reference.pvalue, rel=1e-12)
    assert [row["n"] for row in data["results"]] == [
        36,
        38,
        37,
        40,
    ]  # rows 3, 5, 17, 30 lack goal or who5


def test_correlate_json_equals_the_library_result(frame, tmp_path, capsys):
    data = correlate_json(capsys, write_csv(frame, tmp_path), "--method", "pearson")
    expected = correlate(frame, ["goal", "bond"], ["who5", "swls"], method="pearson")
    assert data["results"] == expected.to_dict(orient="records")


def test_correlate_bootstrap_with_a_seed_is_reproducible_and_equals_the_library(
    frame, tmp_path, capsys
):
    path = write_csv(frame, tmp_path)
    options = ("--ci", "bootstrap", "--seed", "12", "--n-boot", "300")
    first = correlate_json(capsys, path, *options)
    assert correlate_json(capsys, path, *options) == first
    expected = correlate(
        frame, ["goal", "bond"], ["who5", "swls"], ci="bootstrap", n_boot=300, seed=12
    )
    assert first["results"] == expected.to_dict(orient="records")
    fisher = correlate_json(capsys, path)
    assert [r["ci_low"] for r in fisher["results"]] != [r["ci_low"] for r in first["results"]]


def test_correlate_reads_parquet_with_missing_values_as_pairwise_deletion(frame, tmp_path, capsys):
    csv = correlate_json(capsys, write_csv(frame, tmp_path))
    path = tmp_path / "scores.parquet"
    frame.astype({"bond": "Int64"}).to_parquet(path)  # nulls in a float and an integer column
    assert correlate_json(capsys, path) == csv


def test_correlate_prints_a_readable_table_by_default(frame, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "correlate",
        "--input",
        str(write_csv(frame, tmp_path)),
        "--x",
        "goal",
        "--y",
        "who5",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("spearman correlations, 95% CI by fisher")
    r = correlate(frame, ["goal"], ["who5"])["r"].iloc[0]
    assert lines[2].split()[:4] == ["goal", "who5", "36", f"{r:.3f}"]


@pytest.mark.parametrize(
    ("csv", "x", "y", "message"),
    [
        ("a,b\n1,2\n2,1\n3,4\n4,3\n", "a", "zz", "scores.csv: lacks columns ['zz']"),
        (
            "a,b\n1,2\n2,x\n3,4\n4,3\n",
            "a",
            "b",
            "scores.csv: row 2, column b: 'x'; expected a number or empty",
        ),
        (
            "a,b\n1,2\n2,\n3,4\n4,3\n5,\n",
            "a",
            "b",
            "pair ('a', 'b'): 3 complete pairs (rows where both are present); at least 4",
        ),
        ("a,b\n1,2\n2,2\n3,2\n4,2\n", "a", "b", "column 'b' is constant (2)"),
        ("a,b\n1,2\n2,1\n3,4\n4,3\n", "a,", "b", "--x 'a,': expected column names"),
        ("a,b\n1,2\n2,1\n3,4\n4,3\n", "a,b", "b", "columns ['b'] are in both x and y"),
    ],
)
def test_correlate_bad_input_exits_2_with_one_line_naming_the_problem(
    tmp_path, capsys, csv, x, y, message
):
    path = tmp_path / "scores.csv"
    path.write_text(csv)
    code, out, err = run(
        capsys, "correlate", "--input", str(path), "--x", x, "--y", y, "--format", "json"
    )
    assert (code, out) == (2, "")
    assert message in err
    assert err.count("\n") == 1


def test_correlate_names_non_numeric_parquet_cells(tmp_path, capsys):
    path = tmp_path / "scores.parquet"
    pd.DataFrame({"a": [1.0, 2, 3, 4], "b": ["1", "2", None, "three"]}).to_parquet(path)
    code, out, err = run(capsys, "correlate", "--input", str(path), "--x", "a", "--y", "b")
    assert (code, out) == (2, "")
    assert "scores.parquet: row 4, column b: 'three'; expected a number or empty" in err


def test_correlate_names_a_missing_file(tmp_path, capsys):
    for name in ("nope.csv", "nope.parquet"):
        code, out, err = run(
            capsys, "correlate", "--input", str(tmp_path / name), "--x", "a", "--y", "b"
        )
        assert (code, out) == (2, "")
        assert "no such file" in err
